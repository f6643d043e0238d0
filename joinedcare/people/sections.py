"""Sections of the person page. Later apps (referrals, episodes, care plans) add their
own, so the person's story is told once, on one page."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class Section:
    title: str
    template: str
    context: Callable[[HttpRequest, object], dict]
    order: int = 100


_sections: list[Section] = []


def register(section: Section) -> None:
    _sections.append(section)
    _sections.sort(key=lambda s: s.order)


def sections() -> list[Section]:
    return list(_sections)
