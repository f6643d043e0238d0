"""Where agenda items come from: a registry of sources, so other apps (the Single Point
of Access's referrals and episodes) can put people on an MDT agenda without this app
depending on their code, and they on ours.

A source is a function `meeting -> iterable of Candidate`, registered for the levels it
serves. Building an agenda asks every source and adds what is not there yet: items
already on the agenda (and items someone took off) are left as they are, so building
twice changes nothing.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .models import Level, Meeting


@dataclass(frozen=True)
class Candidate:
    """Someone (or an escalated item) a source proposes, and why."""

    reason: str
    person_id: int | None = None
    escalation_id: int | None = None


@dataclass(frozen=True)
class Source:
    name: str
    levels: frozenset[str]
    candidates: Callable[[Meeting], Iterable[Candidate]]
    order: int


_sources: dict[str, Source] = {}


def register_source(
    name: str,
    candidates: Callable[[Meeting], Iterable[Candidate]],
    *,
    levels: Iterable[str] = (Level.MICRO,),
    order: int = 100,
) -> None:
    """Register an agenda source under a name shown on the agenda ("case list", ...)."""
    if name in _sources:
        raise ValueError(f"Agenda source {name!r} is already registered.")
    _sources[name] = Source(name, frozenset(levels), candidates, order)


def unregister_source(name: str) -> None:
    """For tests that register a source of their own."""
    _sources.pop(name, None)


def sources_for(level: str) -> list[Source]:
    return sorted((s for s in _sources.values() if level in s.levels), key=lambda s: s.order)


def registered_sources() -> list[str]:
    return sorted(_sources)
