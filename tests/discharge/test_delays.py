"""Discharge to Assess delays: calendar days in Europe/London, across month ends and the
clock changes (2025-10-26 back to GMT, 2026-03-29 forward to BST)."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from joinedcare.discharge import actions
from joinedcare.discharge.models import days_between
from joinedcare.referrals.clock import LONDON
from joinedcare.staff.roles import Role
from tests import factories

UTC = LONDON.__class__("UTC")


@pytest.mark.parametrize(
    ("earlier", "later", "days"),
    [
        # 25 hours apart across the autumn change, still the next day.
        (
            datetime(2025, 10, 25, 23, 30, tzinfo=LONDON),
            datetime(2025, 10, 26, 23, 30, tzinfo=LONDON),
            1,
        ),
        # 23 hours apart across the spring change, still the next day.
        (
            datetime(2026, 3, 28, 23, 30, tzinfo=LONDON),
            datetime(2026, 3, 29, 23, 30, tzinfo=LONDON),
            1,
        ),
        # 23:30 UTC on the 29th is 00:30 BST on the 30th: counted as London's 30th.
        (datetime(2026, 3, 29, 12, 0, tzinfo=LONDON), datetime(2026, 3, 29, 23, 30, tzinfo=UTC), 1),
        # Month ends and a year end.
        (datetime(2026, 1, 31, 18, 0, tzinfo=LONDON), datetime(2026, 2, 1, 8, 0, tzinfo=LONDON), 1),
        (datetime(2026, 2, 27, 9, 0, tzinfo=LONDON), datetime(2026, 3, 2, 9, 0, tzinfo=LONDON), 3),
        (
            datetime(2025, 12, 31, 23, 59, tzinfo=LONDON),
            datetime(2026, 1, 1, 0, 1, tzinfo=LONDON),
            1,
        ),
        (
            datetime(2025, 10, 30, 10, 0, tzinfo=LONDON),
            datetime(2025, 11, 2, 10, 0, tzinfo=LONDON),
            3,
        ),
        # Same day.
        (
            datetime(2026, 3, 29, 0, 30, tzinfo=LONDON),
            datetime(2026, 3, 29, 23, 0, tzinfo=LONDON),
            0,
        ),
    ],
)
def test_days_between_counts_london_calendar_days(earlier, later, days):
    assert days_between(earlier, later) == days


def test_days_between_agrees_with_a_second_way_over_a_year():
    """Oracle: local dates via astimezone, every 7 hours over a year spanning both changes."""
    start = datetime(2025, 6, 1, 13, 0, tzinfo=LONDON)
    for hours in range(0, 24 * 366, 7):
        later = start + timedelta(hours=hours)
        expected = (later.astimezone(LONDON).date() - start.date()).days
        assert days_between(start, later.astimezone(UTC)) == expected


@pytest.fixture
def coordinator(db):
    return factories.staff(Role.SPA_COORDINATOR)


def _case(at, fit):
    at(fit)
    return factories.discharge_case(medically_fit_at=fit)


@pytest.fixture
def at(settings):
    def set_clock(moment):
        settings.JOINEDCARE_CLOCK = moment
        return moment

    return set_clock


def test_steps_across_the_autumn_clock_change(at, coordinator):
    case = _case(at, datetime(2025, 10, 25, 16, 0, tzinfo=LONDON))
    assessor = factories.staff(Role.ASSESSOR)
    at(datetime(2025, 10, 26, 9, 0, tzinfo=LONDON))
    actions.record_step(by=coordinator, case=case, assessor=assessor)
    at(datetime(2025, 10, 28, 11, 0, tzinfo=LONDON))
    actions.record_step(by=coordinator, case=case)
    at(datetime(2025, 11, 1, 10, 0, tzinfo=LONDON))
    with pytest.raises(ValidationError) as error:
        actions.record_step(by=coordinator, case=case)
    assert "late_reason" in error.value.message_dict
    assert "4 days" in error.value.message_dict["late_reason"][0]
    actions.record_step(by=coordinator, case=case, late_reason="Care agency had no carers")
    delays = case.delays()
    assert [d["days"] for d in delays] == [1, 2, 4]
    assert [d["late"] for d in delays] == [False, False, True]
    assert delays[2]["reason"] == "Care agency had no carers"
    assert case.total_days() == 7


def test_steps_across_the_spring_clock_change_and_month_end(at, coordinator):
    case = _case(at, datetime(2026, 3, 28, 22, 0, tzinfo=LONDON))
    at(datetime(2026, 3, 31, 9, 0, tzinfo=LONDON))
    with pytest.raises(ValidationError) as error:
        actions.record_step(by=coordinator, case=case, assessor=factories.staff(Role.ASSESSOR))
    assert "late_reason" in error.value.message_dict
    actions.record_step(
        by=coordinator,
        case=case,
        assessor=factories.staff(Role.ASSESSOR),
        late_reason="Bank holiday",
    )
    at(datetime(2026, 4, 1, 9, 0, tzinfo=LONDON))
    actions.record_step(by=coordinator, case=case)
    assert [d["days"] for d in case.delays()][:2] == [3, 1]
    assert case.delays()[2]["waiting"] is True


def test_step_cannot_come_before_the_previous_one(at, coordinator):
    case = _case(at, datetime(2026, 1, 14, 10, 0, tzinfo=LONDON))
    with pytest.raises(ValidationError) as error:
        actions.record_step(
            by=coordinator,
            case=case,
            at=datetime(2026, 1, 13, 10, 0, tzinfo=LONDON),
            assessor=factories.staff(Role.ASSESSOR),
        )
    assert "at" in error.value.message_dict


def test_trusted_assessor_gains_a_relationship_until_services_start(at, coordinator):
    from joinedcare.access.rules import decide

    case = _case(at, datetime(2026, 1, 14, 10, 0, tzinfo=LONDON))
    assessor = factories.staff(Role.ASSESSOR)
    actions.record_step(by=coordinator, case=case, assessor=assessor)
    assert decide(assessor, case.person).allowed
    actions.record_step(by=coordinator, case=case)
    actions.record_step(by=coordinator, case=case)
    assert not decide(assessor, case.person).allowed
