"""In a real browser: a referral without the person's agreement to share, refused without a
basis and recorded with one, and the pages that warn of it pass axe-core's WCAG 2.2 A and
AA rules (serious and critical)."""

from datetime import datetime

import pytest
from playwright.sync_api import expect

from joinedcare.referrals.clock import LONDON
from joinedcare.referrals.models import Referral
from joinedcare.staff.roles import Role
from tests import factories
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import axe_page, violations  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MORNING = datetime(2026, 1, 14, 10, 0, tzinfo=LONDON)
SAFEGUARDING = "Safeguarding: sharing is needed to protect the person or someone else"


def test_referral_without_agreement_is_refused_then_recorded_and_warned_of(axe_page, settings):  # noqa: F811
    settings.JOINEDCARE_CLOCK = MORNING
    coordinator = factories.staff(Role.SPA_COORDINATOR, username="spa")
    team = factories.team()
    patient = factories.person(practice=factories.practice(team=team))
    factories.staff(Role.GP, teams=[team], username="gp")
    factories.spa(place=team.locality.place, staff=[coordinator])
    page = axe_page
    found = {}

    sign_in(page, "spa", factories.PASSWORD)
    page.goto("/spa/referrals/new/")
    page.get_by_label("NHS number").fill(factories.unused_nhs_number())
    page.get_by_label("Given name").fill("Nora")
    page.get_by_label("Family name").fill("Batty")
    page.get_by_label("Date of birth").fill("1936-02-11")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Referred by").select_option("family_or_carer")
    page.get_by_label("Referrer's name").fill("Neighbour")
    page.get_by_label("Reason for referral").fill("Bruises, frightened of her son")
    page.get_by_label("Urgency").select_option("today")
    page.get_by_role("group", name="Is the person medically stable?").get_by_label("Yes").check()
    page.get_by_role("group", name="Has the person agreed to share").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("button", name="Record referral").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Say why the referral goes ahead without the person's agreement"
    )
    found["refused"] = violations(page)
    assert not Referral.objects.exists()

    page.get_by_label(SAFEGUARDING).check()
    page.get_by_label("Explain the decision").fill("Police informed; she fears her son")
    page.get_by_role("button", name="Record referral").click()
    expect(
        page.get_by_text(f"Sent without the person's agreement to share: {SAFEGUARDING}.")
    ).to_be_visible()
    found["referral page"] = violations(page)
    page.goto("/spa/")
    expect(page.get_by_text("Sent without agreement to share")).to_be_visible()
    found["queue"] = violations(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "gp", factories.PASSWORD)
    page.goto(f"/people/{patient.public_id}/gp-bed/")
    found["GP bed"] = violations(page)
    page.get_by_role("group", name="Has your patient agreed").get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Request a GP bed").click()
    expect(page.get_by_role("alert")).to_contain_text("Explain the decision to refer")
    found["GP bed refused"] = violations(page)
    assert {name: v for name, v in found.items() if v} == {}
