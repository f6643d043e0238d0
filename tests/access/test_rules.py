from datetime import timedelta

import pytest
from django.utils import timezone

from joinedcare.access import actions
from joinedcare.access.models import BreakGlass
from joinedcare.access.rules import decide, people_visible_to, registered_relationships
from joinedcare.audit.models import AuditEvent
from joinedcare.staff.roles import ROLE_PERMISSIONS, Permission, Role
from tests import factories

CARE_ROLES = [r for r, p in ROLE_PERMISSIONS.items() if Permission.VIEW_PERSON_RECORD in p]
NON_CARE_ROLES = [r for r in Role if r not in CARE_ROLES]


def test_care_roles_are_the_ones_the_seeds_name():
    assert set(CARE_ROLES) == {
        Role.GP,
        Role.PRACTICE_MANAGER,
        Role.DISTRICT_NURSE,
        Role.VAWAS_NURSE,
        Role.SOCIAL_WORKER,
        Role.SPA_COORDINATOR,
        Role.ASSESSOR,
        Role.THERAPIST,
        Role.VCS_WORKER,
        Role.TAP_LEAD,
    }


@pytest.mark.parametrize("role", CARE_ROLES)
def test_care_role_in_the_persons_team_sees_them(role, team_a, person_a):
    user = factories.staff(role, teams=[team_a])
    decision = decide(user, person_a)
    assert decision.allowed
    assert decision.basis == "member of the person's practice team"
    assert person_a in people_visible_to(user)


@pytest.mark.parametrize("role", CARE_ROLES)
def test_care_role_in_another_team_is_refused_but_may_break_glass(role, team_a, person_b):
    user = factories.staff(role, teams=[team_a])
    decision = decide(user, person_b)
    assert not decision.allowed
    assert decision.may_break_glass
    assert person_b not in people_visible_to(user)


@pytest.mark.parametrize("role", NON_CARE_ROLES)
def test_non_care_roles_never_see_identifiable_records_even_in_the_team(role, team_a, person_a):
    user = factories.staff(role, teams=[team_a])
    decision = decide(user, person_a)
    assert not decision.allowed
    assert not decision.may_break_glass
    assert not people_visible_to(user).exists()


def test_a_gp_at_two_practices_of_one_team_sees_everyone_in_the_team(team_a):
    people = [factories.person(practice=factories.practice(team=team_a)) for _ in range(3)]
    gp = factories.staff(Role.GP, teams=[team_a])
    assert set(people_visible_to(gp)) == set(people)


def test_membership_of_two_teams_gives_both(team_a, team_b, person_a, person_b):
    nurse = factories.staff(Role.DISTRICT_NURSE, teams=[team_a, team_b])
    assert {person_a, person_b} == set(people_visible_to(nurse))


def test_inactive_user_sees_nobody(gp_a, person_a):
    gp_a.is_active = False
    gp_a.save()
    assert not decide(gp_a, person_a).allowed


def test_the_foundation_registers_the_team_relationship():
    assert "member of the person's practice team" in registered_relationships()


# Break glass


def test_break_glass_opens_the_record_for_a_limited_time(gp_a, person_b, settings):
    settings.BREAK_GLASS_MINUTES = 60
    grant = actions.break_glass(
        by=gp_a,
        person=person_b,
        reason="Unconscious in A&E, need medicines list",
        password=factories.PASSWORD,
    )
    assert decide(gp_a, person_b).by_break_glass
    assert person_b in people_visible_to(gp_a)
    assert grant.expires_at - grant.started_at == timedelta(minutes=60)


def test_break_glass_expires(gp_a, person_b):
    grant = actions.break_glass(
        by=gp_a, person=person_b, reason="Unconscious in A&E", password=factories.PASSWORD
    )
    BreakGlass.objects.filter(pk=grant.pk).update(
        started_at=timezone.now() - timedelta(hours=5), expires_at=timezone.now()
    )
    assert not decide(gp_a, person_b).allowed


def test_break_glass_needs_a_reason(gp_a, person_b):
    with pytest.raises(actions.BreakGlassRefused, match="reason"):
        actions.break_glass(by=gp_a, person=person_b, reason="  ", password=factories.PASSWORD)
    assert not BreakGlass.objects.exists()
    assert not decide(gp_a, person_b).allowed


def test_break_glass_needs_the_password_again(gp_a, person_b):
    with pytest.raises(actions.BreakGlassRefused, match="password"):
        actions.break_glass(by=gp_a, person=person_b, reason="Unconscious in A&E", password="wrong")
    assert not BreakGlass.objects.exists()


def test_analyst_cannot_break_glass(team_a, person_b):
    analyst = factories.staff(Role.ANALYST, teams=[team_a])
    with pytest.raises(actions.BreakGlassRefused, match="role"):
        actions.break_glass(
            by=analyst,
            person=person_b,
            reason="Curious about this one",
            password=factories.PASSWORD,
        )


def test_break_glass_alerts_the_privacy_officer_and_is_audited_as_btg(gp_a, person_b):
    actions.break_glass(
        by=gp_a, person=person_b, reason="Unconscious in A&E", password=factories.PASSWORD
    )
    assert BreakGlass.objects.awaiting_review().count() == 1
    event = AuditEvent.objects.get(action=AuditEvent.Action.BREAK_GLASS)
    assert event.purpose == "BTG"
    assert event.person == person_b
    assert event.actor == gp_a
    assert event.reason == "Unconscious in A&E"


def test_review_clears_the_alert(gp_a, person_b):
    grant = actions.break_glass(
        by=gp_a, person=person_b, reason="Unconscious in A&E", password=factories.PASSWORD
    )
    officer = factories.staff(Role.PRIVACY_OFFICER)
    actions.review_break_glass(by=officer, grant=grant, note="Appropriate")
    assert not BreakGlass.objects.awaiting_review().exists()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.BREAK_GLASS_REVIEWED, actor=officer
    ).exists()


def test_break_glass_form_says_what_is_missing_in_plain_words(client, gp_a, person_b):
    client.force_login(gp_a)
    response = client.post(
        f"/people/{person_b.public_id}/break-glass/", {"reason": "", "password": ""}
    )
    body = response.content.decode()
    assert response.status_code == 403
    assert "Say why you need to see this record now" in body
    assert "Enter your password" in body
    assert "This field is required" not in body
    assert not BreakGlass.objects.exists()


def test_a_short_break_glass_reason_is_kept_on_the_page_with_the_minimum_named(
    client, gp_a, person_b
):
    # A reason under the minimum had raised a server error and lost what was typed.
    client.force_login(gp_a)
    response = client.post(
        f"/people/{person_b.public_id}/break-glass/",
        {"reason": "fell", "password": factories.PASSWORD},
    )
    body = response.content.decode()
    assert response.status_code == 403
    assert "Give a reason of at least 10 characters" in body
    assert ">\nfell</textarea>" in body  # what was typed is still there
    assert "At least 10 characters." in body  # said before anyone gets it wrong
    assert not BreakGlass.objects.exists()


def test_a_role_without_break_glass_is_told_so_not_shown_a_server_error(client, team_a, person_b):
    analyst = factories.staff(Role.ANALYST, teams=[team_a])
    client.force_login(analyst)
    response = client.post(
        f"/people/{person_b.public_id}/break-glass/",
        {"reason": "Unconscious in A&E", "password": factories.PASSWORD},
    )
    assert response.status_code == 403
    assert "Your role cannot use emergency access to records." in response.content.decode()
    attempt = AuditEvent.objects.get(action=AuditEvent.Action.DENIED, actor=analyst)
    assert attempt.reason == "Unconscious in A&E"
    assert not BreakGlass.objects.exists()


def test_home_page_names_whose_record_was_opened_by_break_glass(client, gp_a, person_b):
    # The link had read "Record opened 4 Dec 18:56", whoever it was.
    actions.break_glass(
        by=gp_a, person=person_b, reason="Unconscious in A&E", password=factories.PASSWORD
    )
    client.force_login(gp_a)
    page = client.get("/").content.decode()
    assert f"{person_b.display_name}'s record</a>, opened" in page
