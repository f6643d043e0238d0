"""A person's discharges from hospital (Discharge to Assess), for their subject access
report."""

from joinedcare.audit.subject_access import Record, Section, details, readable, register

from .models import DischargeCase

DISCHARGE = [
    "ward",
    "medically_fit_at",
    "trusted_assessor",
    "assessed_at",
    "services_started_at",
    "allocation_late_reason",
    "assessment_late_reason",
    "services_late_reason",
]


def _discharges(person) -> list[Record]:
    found = DischargeCase.objects.filter(person=person).select_related(
        "hospital", "trusted_assessor"
    )
    return [
        Record(f"{case.hospital.name}, {readable(case.medically_fit_at)}", details(case, DISCHARGE))
        for case in found
    ]


register(Section("Discharges from hospital", _discharges, order=30))
