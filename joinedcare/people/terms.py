"""Human-readable terms for the codes the person page shows."""

import csv
from functools import cache
from pathlib import Path

_TERMS = Path(__file__).with_name("data") / "terms.csv"


@cache
def _terms() -> dict[tuple[str, str], str]:
    if not _TERMS.exists():
        return {}
    with _TERMS.open(newline="") as f:
        return {(r["code_system"], r["code"]): r["term"] for r in csv.DictReader(f)}


def describe(code_system: str, code: str) -> str:
    """The term for a code, or the code itself where we hold no term."""
    return _terms().get((code_system, code), f"{code_system.upper()} {code}")
