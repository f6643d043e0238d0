"""A person's shared care plans, every agreed version with its goals, the actions and the
consent to share, for their subject access report."""

from joinedcare.audit.subject_access import Record, Section, details, readable, register

from .models import CarePlan, CarePlanVersion

PLAN = ["started_at", "ended_at", "ended_reason"]
VERSION = ["what_matters", "contingency", "carers_needs", "review_date", "key_worker"]


def _plans(person) -> list[Record]:
    found = CarePlan.objects.filter(person=person).prefetch_related(
        "versions__goals",
        "versions__key_worker",
        "actions__owner",
        "actions__completed_by",
        "consents",
    )
    records = []
    for plan in found:
        records.append(Record("Care plan", details(plan, PLAN)))
        records += [_version(v) for v in plan.versions.all()]
        records += [
            Record(
                f"Action: {a.description}",
                [
                    ("Who", a.owner_label),
                    ("Due", readable(a.due)),
                    # As the plan says it: when and by whom it was done or cancelled.
                    ("Status", a.status_in_words),
                    *([("Note", a.note)] if a.note else []),
                ],
            )
            for a in plan.actions.all()
        ]
        records += [
            Record(
                f"Consent to share, given {readable(c.given_at)}",
                [
                    ("Given by", f"{c.given_by_name} ({c.get_given_by_display()})"),
                    ("Shared with", readable(c.scope_labels())),
                    ("Withdrawn", readable(c.withdrawn_at) if c.withdrawn_at else "No"),
                ],
            )
            for c in plan.consents.all()
        ]
    return records


def _version(version: CarePlanVersion) -> Record:
    goals = [g.text + (" (I do this myself)" if g.self_care else "") for g in version.goals.all()]
    rows = [*details(version, VERSION), ("Goals", readable(goals))]
    return Record(f"Version {version.number}, agreed {readable(version.agreed_at)}", rows)


register(Section("Care plans", _plans, order=40))
