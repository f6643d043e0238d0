"""When a person was discussed at an MDT meeting, what was decided, and concerns about
them escalated to the level above, for their subject access report."""

from joinedcare.audit.subject_access import Record, Section, details, readable, register

from .models import AgendaItem, Escalation


def _agenda_items(person) -> list[Record]:
    found = AgendaItem.objects.filter(person=person).select_related(
        "meeting__practice__organisation", "meeting__team", "meeting__locality"
    )
    return [
        Record(
            str(item.meeting),
            [
                ("Why you were discussed", readable(item.reason)),
                ("Taken off the agenda", readable(item.withdrawn)),
                *details(item, ["outcome", "outcome_note"]),
            ],
        )
        for item in found
    ]


def _escalations(person) -> list[Record]:
    found = Escalation.objects.filter(person=person)
    return [
        Record(
            f"{e.get_kind_display()}, raised {readable(e.raised_at)}",
            details(e, ["summary", "status", "answer"]),
        )
        for e in found
    ]


register(Section("MDT meetings", _agenda_items, order=50))
register(Section("Concerns escalated from MDT meetings", _escalations, order=51))
