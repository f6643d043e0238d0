"""The date a person became medically fit: typed as people in England type it, and a
mistyped year refused before it counts as years of delay."""

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError

from joinedcare.discharge import actions
from joinedcare.discharge.forms import MedicallyFitForm
from joinedcare.referrals.clock import LONDON
from joinedcare.staff.roles import Role
from tests import factories

NOW = datetime(2026, 1, 20, 10, 0, tzinfo=LONDON)


def _add(fit: datetime):
    coordinator = factories.staff(Role.SPA_COORDINATOR)
    return actions.add_medically_fit(
        by=coordinator,
        spa=factories.spa(staff=[coordinator]),
        person=factories.person(),
        hospital=factories.organisation(kind="acute_trust"),
        ward="Ward 12",
        medically_fit_at=fit,
        reason="Needs help with stairs",
        consent_to_share=True,
    )


@pytest.mark.django_db
def test_a_date_years_ago_is_refused_naming_the_field(settings):
    settings.JOINEDCARE_CLOCK = NOW
    with pytest.raises(ValidationError) as error:
        _add(datetime(2016, 1, 14, 9, 30, tzinfo=LONDON))
    assert error.value.message_dict["medically_fit_at"] == [
        "This is more than a year ago: check the date and year"
    ]
    case, created = _add(datetime(2025, 3, 1, 9, 30, tzinfo=LONDON))  # months ago: a real delay
    assert created and case.medically_fit_at.year == 2025


@pytest.mark.parametrize("typed", ["2026-01-14 09:30", "14/01/2026 09:30", "14 01 2026 09:30"])
def test_the_date_and_time_may_be_typed_day_first(typed):
    form = MedicallyFitForm(data={"medically_fit_at": typed})
    form.is_valid()
    assert "medically_fit_at" not in form.errors
    assert form.cleaned_data["medically_fit_at"].date().isoformat() == "2026-01-14"


@pytest.mark.django_db
def test_the_form_hints_and_prefills_day_first_as_other_forms_do(client, settings):
    # The services and person forms hint "14/01/2026"; this one had hinted year first.
    settings.JOINEDCARE_CLOCK = NOW
    coordinator = factories.staff(Role.SPA_COORDINATOR)
    factories.spa(staff=[coordinator])
    client.force_login(coordinator)
    page = client.get("/discharge/new/").content.decode()
    assert "for example 14/01/2026 09:30" in page
    assert 'value="20/01/2026 10:00"' in page
