"""The access journey as a GP and a privacy officer live it, in a real browser."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from joinedcare.staff.roles import Role
from joinedcare.staff.signin import device_for
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_gp_finds_own_patient_is_refused_another_breaks_glass_and_is_audited(page):
    team_a, team_b = factories.team(name="Durham City TAP"), factories.team(name="Dales TAP")
    own = factories.person(
        practice=factories.practice(team=team_a), given_name="Ada", family_name="Lovelace"
    )
    other = factories.person(
        practice=factories.practice(team=team_b), given_name="Bea", family_name="Trice"
    )
    factories.staff(Role.GP, teams=[team_a], username="gp", first_name="Grace")
    officer = factories.staff(Role.PRIVACY_OFFICER, username="privacy")

    # The GP finds their own practice's patient by NHS number and opens the record.
    sign_in(page, "gp", factories.PASSWORD)
    expect(page.get_by_role("heading", name="Hello, Grace")).to_be_visible()
    page.get_by_role("link", name="Find a person").first.click()
    page.get_by_label("NHS number").fill(own.nhs_number)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Ada LOVELACE").click()
    expect(page.get_by_role("heading", name="Ada LOVELACE")).to_be_visible()

    # Someone from another team: found only as a route to break glass, then refused.
    page.goto("/people/")
    page.get_by_label("NHS number").fill(other.nhs_number)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Trice")).to_have_count(0)
    page.get_by_role("link", name="Request emergency access (break glass)").click()
    expect(
        page.get_by_role("heading", name="You do not have access to this record")
    ).to_be_visible()
    expect(page.get_by_text("Trice")).to_have_count(0)

    # Breaking glass needs a reason.
    page.get_by_label("Enter your password again").fill(factories.PASSWORD)
    page.get_by_role("button", name="Break glass and open the record").click()
    expect(page.get_by_role("alert")).to_contain_text("Say why you need to see this record now")
    page.get_by_label("Why do you need to see this record now?").fill(
        "Called by out-of-hours: collapsed at home, need her medicines"
    )
    page.get_by_label("Enter your password again").fill(factories.PASSWORD)
    page.get_by_role("button", name="Break glass and open the record").click()
    expect(page.get_by_role("heading", name="Bea TRICE")).to_be_visible()
    expect(page.get_by_text("You opened this record by breaking the glass")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # The privacy officer signs in with their second factor and sees the alert and audit.
    sign_in(page, "privacy", factories.PASSWORD)
    secret = page.get_by_test_id("totp-secret").inner_text()
    assert secret == device_for(officer).secret
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("1 to review")).to_be_visible()
    page.get_by_role("link", name="Audit of access to records").click()
    btg_row = (
        page.get_by_role("row")
        .filter(has_text="Break the glass")
        .filter(has_text="Broke the glass")
    )
    expect(btg_row).to_contain_text("collapsed at home, need her medicines")
    expect(btg_row).to_contain_text("Grace")
    expect(page.get_by_role("row").filter(has_text="Refused access")).to_have_count(1)
    page.get_by_role("link", name="Break-glass alerts").click()
    page.get_by_label("What did you find?").fill("Appropriate: out-of-hours emergency")
    page.get_by_role("button", name="Mark as reviewed").click()
    expect(page.get_by_text("Nothing to review.")).to_be_visible()


def test_sign_in_is_locked_after_repeated_failures(page, settings):
    factories.staff(Role.DISTRICT_NURSE, username="nurse")
    for _ in range(settings.SIGN_IN_MAX_FAILURES):
        sign_in(page, "nurse", "not my password")
        expect(page.get_by_role("alert")).to_contain_text("not right")
    sign_in(page, "nurse", factories.PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"Too many failed attempts"))
