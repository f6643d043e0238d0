"""A whole practice MDT in the browser: the agenda from the published case list and open
SPA referrals, a care plan with actions for a district nurse and a VCS worker, a support
concern escalated to the team MDT; then the nurse's "my actions" and the team lead's
escalations."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from joinedcare.caselists.actions import publish_run
from joinedcare.organisations.models import Organisation
from joinedcare.referrals import actions as referrals
from joinedcare.referrals.models import SinglePointOfAccess
from joinedcare.staff.roles import Role
from tests import factories
from tests.browser.conftest import sign_in
from tests.caselists.runs import write_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_date(page, question: str, day: date) -> None:
    """Type a date into the NHS.UK date input (Day, Month, Year) under its question."""
    boxes = page.get_by_role("group", name=question, exact=True)
    for part, value in (("Day", day.day), ("Month", day.month), ("Year", day.year)):
        boxes.get_by_label(part, exact=True).fill(str(value))


@pytest.fixture
def practice_mdt(tmp_path):
    team = factories.team(name="Dales TAP")
    practice = factories.practice(team=team)
    gp = factories.staff(Role.GP, teams=[team], username="gp", first_name="Priya")
    nurse = factories.staff(
        Role.DISTRICT_NURSE, teams=[team], username="dn", first_name="Joanne", last_name="Wilson"
    )
    vcs = factories.staff(
        Role.VCS_WORKER,
        teams=[team],
        username="vcs",
        first_name="Dave",
        last_name="Armstrong",
        organisation_=factories.organisation(kind=Organisation.Kind.VCS, name="Age Concern"),
    )
    factories.staff(Role.TAP_LEAD, teams=[team], username="lead", first_name="Helen")
    ada = factories.person(practice=practice, given_name="Ada", family_name="Lovelace")
    bob = factories.person(practice=practice, given_name="Bob", family_name="Marley")
    cat = factories.person(practice=practice, given_name="Cat", family_name="Stevens")
    rows = [(ada.pseudonym, practice.code, 0.9), (bob.pseudonym, practice.code, 0.7)]
    publish_run(
        by=factories.staff(Role.ANALYST),
        run_dir=write_run(tmp_path, "run-1", rows),
        top_percent=99,
    )
    spa = SinglePointOfAccess.objects.create(place=team.locality.place, name="County SPA")
    referrals.receive_referral(
        by=gp,
        spa=spa,
        person=cat,
        referrer_source="gp",
        referrer_name="Dr Priya",
        reason="Falls at home",
        urgency="routine",
        medically_stable=True,
        consent_to_share=True,
    )
    meeting = factories.meeting(chair=gp, unit=practice, members=[nurse, vcs])
    return meeting


def test_practice_mdt_from_agenda_to_actions_and_escalation(page, practice_mdt):
    meeting = practice_mdt
    sign_in(page, "gp", factories.PASSWORD)
    page.get_by_role("link", name="MDT meetings").first.click()
    page.get_by_role("link", name=f"Practice MDT: {meeting.practice.name}").click()
    page.get_by_role("button", name="Build the agenda").click()

    agenda = page.get_by_role("table")
    for name in ("Ada LOVELACE", "Bob MARLEY", "Cat STEVENS"):
        expect(agenda.get_by_role("link", name=name)).to_be_visible()
    expect(agenda.get_by_text("Open SPA referral")).to_be_visible()
    expect(agenda.get_by_text("New in the practice's top").first).to_be_visible()

    # First person: a care plan agreed with her, with actions for the nurse and the VCS.
    agenda.get_by_role("link", name="Ada LOVELACE").click()
    page.get_by_role("link", name="Agree the care plan").click()
    page.get_by_label("What matters to me").fill("Getting to chapel on Sundays")
    page.get_by_label("Goal 1", exact=True).fill("Walk to the end of the street")
    page.get_by_label("Goal 1 is self-care").check()
    page.get_by_label("Action 1", exact=True).fill("Dress the leg ulcer weekly")
    page.get_by_label("Action 1: owner").select_option(label="Joanne Wilson (District nurse)")
    due = date.today() + timedelta(days=7)
    fill_date(page, "Action 1: due date", due)
    page.get_by_label("Action 2", exact=True).fill("Befriending visits")
    page.get_by_label("Action 2: owner").select_option(label="Dave Armstrong (VCS worker)")
    fill_date(page, "Action 2: due date", due)
    page.get_by_label("Key worker").select_option(label="Joanne Wilson (District nurse)")
    page.get_by_label("If things get worse").fill("Call Joanne on 0191 000 0000")
    fill_date(page, "Review date", date.today() + timedelta(days=90))
    page.get_by_label("Who agreed").select_option(label="The person themselves")
    page.get_by_label("Their name").fill("Ada Lovelace")
    page.get_by_label("Health and social care staff").check()
    page.get_by_label("Voluntary and community sector").check()
    page.get_by_role("button", name="Agree the care plan").click()
    expect(page.get_by_text("Care plan agreed.")).to_be_visible()

    # Second person: a support concern for the team MDT.
    page.get_by_role("link", name="Bob MARLEY").click()
    page.get_by_label("Kind of issue").select_option(label="Support concern")
    page.get_by_label("What is the level above asked to help with?").fill(
        "Carer is exhausted; needs adult social care support"
    )
    page.get_by_role("button", name="Escalate").click()
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="Ada LOVELACE").get_by_text("Care plan created")).to_be_visible()
    expect(rows.filter(has_text="Bob MARLEY").get_by_text("Escalate to the next")).to_be_visible()

    # The district nurse sees her action.
    page.context.clear_cookies()
    sign_in(page, "dn", factories.PASSWORD)
    page.get_by_role("link", name="My actions").first.click()
    mine = page.get_by_role("table").first
    expect(mine.get_by_role("cell", name="Dress the leg ulcer weekly", exact=True)).to_be_visible()
    expect(mine.get_by_role("link", name="Ada LOVELACE")).to_be_visible()

    # The team MDT lead sees the escalation.
    page.context.clear_cookies()
    sign_in(page, "lead", factories.PASSWORD)
    page.goto("/meetings/escalations/")
    row = page.get_by_role("row").filter(has_text="Carer is exhausted")
    expect(row.get_by_text("Bob MARLEY")).to_be_visible()
    expect(row.get_by_text("Team Around Patients MDT of Dales TAP")).to_be_visible()
