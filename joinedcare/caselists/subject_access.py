"""When a risk stratification run put a person on their practice's case list, and why,
for their subject access report (UK GDPR art. 15(1)(h): profiling)."""

from joinedcare.audit.subject_access import Record, Section, readable, register

from .models import CaseListEntry


def _entries(person) -> list[Record]:
    found = CaseListEntry.objects.filter(pseudonym=person.pseudonym).select_related(
        "run", "practice__organisation"
    )
    return [
        Record(
            f"{e.practice.name} case list of {readable(e.run.index_date)}",
            [
                (
                    "Estimated chance of an emergency hospital admission in 12 months",
                    f"{e.risk:.0%}",
                ),
                ("Place on the practice's list", str(e.rank_in_practice)),
                ("What raised the estimate most", readable(e.top_factors)),
            ],
        )
        for e in found.order_by("run__index_date")
    ]


register(Section("Case lists from risk stratification", _entries, order=70))
