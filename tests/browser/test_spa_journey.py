"""The Single Point of Access's whole path in a real browser: a call at 3am, a bed
commissioned out of hours, morning triage, assessment, reablement, an extension refused
without a reason, the episode closed with an outcome, and the 91-day follow-up.

The server's clock is `settings.JOINEDCARE_CLOCK` (joinedcare.referrals.clock), set by
the test between steps; the live server runs in this process and reads it per request.
"""

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from joinedcare.referrals.clock import LONDON
from joinedcare.referrals.models import Referral
from joinedcare.services.models import Episode, Service, ServiceDay
from joinedcare.staff.roles import Role
from tests import factories
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NIGHT = datetime(2026, 1, 14, 3, 0, tzinfo=LONDON)
MORNING = datetime(2026, 1, 14, 9, 15, tzinfo=LONDON)


def _catalogue(spa):
    beds = factories.service(
        place=spa.place,
        kind=Service.Kind.INTERMEDIATE_CARE_BED,
        name="Shotley Bridge beds",
        unit=Service.Unit.BEDS,
    )
    reablement = factories.service(
        place=spa.place,
        kind=Service.Kind.REABLEMENT,
        name="County reablement",
    )
    for service, capacity in ((beds, 2), (reablement, 4)):
        ServiceDay.objects.bulk_create(
            ServiceDay(service=service, day=NIGHT.date() + timedelta(days=i), capacity=capacity)
            for i in range(120)
        )
    return beds, reablement


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_spa_whole_path_from_3am_call_to_91_day_follow_up(page, settings):
    coordinator = factories.staff(Role.SPA_COORDINATOR, username="spa", first_name="Leanne")
    assessor = factories.staff(
        Role.ASSESSOR, username="assessor", first_name="Sam", last_name="Robson"
    )
    spa = factories.spa(name="Demo SPA", staff=[coordinator, assessor])
    _catalogue(spa)
    nhs_number = factories.unused_nhs_number()

    # 03:00: the SPA coordinator takes a call from A&E.
    settings.JOINEDCARE_CLOCK = NIGHT
    sign_in(page, "spa", factories.PASSWORD)
    page.goto("/spa/referrals/new/")
    page.get_by_label("NHS number").fill(nhs_number)
    page.get_by_label("Given name").fill("Nora")
    page.get_by_label("Family name").fill("Batty")
    page.get_by_label("Date of birth").fill("1936-02-11")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Referred by").select_option("ae")
    page.get_by_label("Referrer's name").fill("Dr Okafor, A&E")
    page.get_by_label("Reason for referral").fill(
        "Fell at home, no injury, cannot manage stairs tonight"
    )
    page.get_by_label("Urgency").select_option("immediate")
    page.get_by_role("group", name="Is the person medically stable?").get_by_label("Yes").check()
    page.get_by_role("group", name="Has the person agreed to share").get_by_label("Yes").check()
    page.get_by_label("What matters to the person").fill("Getting back to her cat")
    page.get_by_label("Networks").fill("Neighbour has a key")
    page.get_by_role("button", name="Record referral").click()
    expect(
        page.get_by_role("heading", name="Nora BATTY: referrals and short-term services")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="New (arrived out of hours)")).to_be_visible()
    referral = Referral.objects.get(person__nhs_number=nhs_number)

    # Out of hours the coordinator commissions an intermediate care bed directly.
    service_select = page.get_by_label("Service", exact=True)
    service_select.select_option(
        label=service_select.locator("option", has_text="Shotley Bridge beds").inner_text()
    )
    page.get_by_role("button", name="Commission").click()
    said = "Shotley Bridge beds commissioned out of hours: it started today."
    expect(page.get_by_text(said)).to_be_visible()
    card = page.locator(".nhsuk-card__description", has_text="Commissioned out of hours")
    expect(card).to_be_visible()
    _sign_out(page)

    # 09:15: the assessment team's morning triage sees the referral and the bed.
    settings.JOINEDCARE_CLOCK = MORNING
    sign_in(page, "assessor", factories.PASSWORD)
    page.goto("/spa/")
    expect(page.get_by_text("Intermediate care bed commissioned out of hours")).to_be_visible()
    page.get_by_role("link", name="Nora BATTY").click()
    page.get_by_label("Needs assessment: allocate an assessor").check()
    page.get_by_label("Assessor", exact=True).select_option(label="Sam Robson")
    page.get_by_role("button", name="Record triage").click()
    expect(page.get_by_text("Triage recorded.")).to_be_visible()
    expect(page.get_by_text("seen at triage")).to_be_visible()

    # Assessment: needs, strengths, networks; reablement proposed.
    page.get_by_label("Needs", exact=True).fill(
        "Help with stairs, washing and meals for a few weeks"
    )
    page.get_by_label("Strengths", exact=True).fill("Determined, walks with a stick")
    page.get_by_label("Reablement").check()
    page.get_by_role("button", name="Record assessment").click()
    expect(page.get_by_text("Assessment recorded.")).to_be_visible()
    expect(
        page.get_by_text("Trusted assessment: accepted by every partner organisation.")
    ).to_be_visible()

    # Reablement allocated for 6 weeks.
    service_select = page.get_by_label("Service", exact=True)
    service_select.select_option(
        label=service_select.locator("option", has_text="County reablement").inner_text()
    )
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_text("County reablement allocated: it started today.")).to_be_visible()
    reablement = Episode.objects.get(referral=referral, service__kind=Service.Kind.REABLEMENT)
    expect(page.get_by_text("week 1 of 6").last).to_be_visible()

    # An extension beyond 6 weeks without a reason is refused, naming the reason.
    extend = page.locator("form").filter(has=page.get_by_role("button", name="Extend"))
    extend.get_by_label("Episode").select_option(str(reablement.pk))
    extend.get_by_label("New end date").fill(str(reablement.planned_end + timedelta(days=14)))
    extend.get_by_role("button", name="Extend").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Give the reason for extending beyond 6 weeks"
    )
    reablement.refresh_from_db()
    assert not reablement.extended

    # The episode ends with an outcome.
    end = page.locator("form").filter(has=page.get_by_role("button", name="End episode"))
    end.get_by_label("Episode").select_option(str(reablement.pk))
    end.get_by_label("Home with reduced support").check()
    end.get_by_role("button", name="End episode").click()
    expect(page.get_by_text("County reablement ended: home with reduced support.")).to_be_visible()
    expect(page.get_by_role("strong").filter(has_text="Home with reduced support")).to_be_visible()

    # 91 days after discharge from A&E into reablement: still at home?
    settings.JOINEDCARE_CLOCK = MORNING + timedelta(days=91)
    page.goto("/spa/follow-ups/")
    page.get_by_role("link", name="Nora BATTY").click()
    page.get_by_role("group", name="Is the person still at home?").get_by_label("Yes").check()
    page.get_by_role("button", name="Record follow-up").click()
    expect(page.get_by_text("91-day follow-up recorded.")).to_be_visible()
    reablement.refresh_from_db()
    assert reablement.still_at_home is True
    assert reablement.outcome == Episode.Outcome.HOME_REDUCED_SUPPORT
