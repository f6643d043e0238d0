"""The agenda's "Why" column gives the source only where the reason does not say it."""

from joinedcare.meetings.models import AgendaItem


def test_why_does_not_repeat_the_source_the_reason_already_names():
    escalated = AgendaItem(reason="Patient flow concern escalated", source="escalated")
    vulnerable = AgendaItem(reason="Most vulnerable: high HFRS", source="most vulnerable")
    listed = AgendaItem(reason="Top 2% of the practice", source="case list")

    assert escalated.why == "Patient flow concern escalated"
    assert vulnerable.why == "Most vulnerable: high HFRS"
    assert listed.why == "Top 2% of the practice (case list)"
