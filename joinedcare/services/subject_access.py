"""A person's time in short-term services (episodes), for their subject access report."""

from joinedcare.audit.subject_access import Record, Section, details, register

from .models import Episode

EPISODE = [
    "start",
    "planned_end",
    "extended",
    "lead",
    "ended_on",
    "outcome",
    "outcome_note",
    "follow_up_due",
    "still_at_home",
]


def _episodes(person) -> list[Record]:
    found = Episode.objects.filter(person=person).select_related("service", "lead")
    return [Record(e.service.name, details(e, EPISODE)) for e in found]


register(Section("Short-term services", _episodes, order=20))
