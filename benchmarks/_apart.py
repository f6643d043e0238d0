"""What the benchmark scripts share: the synthetic county's pseudonym key, and running the
preparation (building, ingesting) in a child process so the measuring process's peak
memory is the measured work's alone."""

import multiprocessing
from collections.abc import Callable
from typing import Any

KEY = "benchmark-key-not-secret"  # the pseudonym key of a synthetic county


def in_child(what: str, target: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """target(*args, **kwargs) in a spawned child process; exits naming `what` if it fails."""
    child = multiprocessing.get_context("spawn").Process(target=target, args=args, kwargs=kwargs)
    child.start()
    child.join()
    if child.exitcode:
        raise SystemExit(f"{what} failed (exit code {child.exitcode})")
