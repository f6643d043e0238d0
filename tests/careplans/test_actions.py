"""Care plans: versioning, consent, actions and the invariants behind them."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from joinedcare.audit.models import AuditEvent
from joinedcare.careplans import actions
from joinedcare.careplans.actions import ActionInput, ConsentInput, GoalInput
from joinedcare.careplans.models import (
    CarePlan,
    CarePlanAction,
    CarePlanVersion,
    Consent,
    SupersededVersion,
)
from joinedcare.organisations.models import Organisation
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db

CONSENT = ConsentInput("person", "Ada Lovelace", ("care_team", "vcs"))


def _plan_fields(key_worker, **overrides):
    return {
        "what_matters": "Being able to get to chapel on Sundays",
        "goals": [GoalInput("Walk to the end of the street", self_care=True)],
        "contingency": "Call Joanne, district nurse, on 0191 000 0000",
        "review_date": date.today() + timedelta(days=60),
        "key_worker": key_worker,
        **overrides,
    }


@pytest.fixture
def nurse(team_a):
    return factories.staff(Role.DISTRICT_NURSE, teams=[team_a])


@pytest.fixture
def vcs_worker(team_a):
    org = factories.organisation(kind=Organisation.Kind.VCS)
    return factories.staff(Role.VCS_WORKER, teams=[team_a], organisation_=org)


def test_agree_plan_creates_plan_version_goals_consent_and_audit(gp_a, person_a, nurse):
    version = actions.agree_plan(
        by=gp_a, person=person_a, consent=CONSENT, carers_needs="Rest", **_plan_fields(nurse)
    )

    assert version.number == 1 and version.plan.is_current
    assert [g.text for g in version.goals.all()] == ["Walk to the end of the street"]
    assert version.goals.get().self_care
    consent = version.plan.consents.get()
    assert consent.scopes == ["care_team", "vcs"] and consent.recorded_by == gp_a
    recorded = set(AuditEvent.objects.filter(person=person_a).values_list("action", flat=True))
    assert {AuditEvent.Action.CARE_PLAN_AGREED, AuditEvent.Action.CONSENT_RECORDED} <= recorded


def test_agree_plan_again_makes_a_new_version_and_supersedes_the_last(gp_a, person_a, nurse):
    first = actions.agree_plan(by=gp_a, person=person_a, consent=CONSENT, **_plan_fields(nurse))
    second = actions.agree_plan(
        by=gp_a, person=person_a, **_plan_fields(nurse, what_matters="Seeing my grandson")
    )

    first.refresh_from_db()
    assert second.plan == first.plan and second.number == 2
    assert first.superseded_at is not None and second.superseded_at is None
    assert first.plan.current_version == second
    assert first.what_matters == "Being able to get to chapel on Sundays"


def test_superseded_version_cannot_be_changed_or_deleted(gp_a, person_a, nurse):
    first = actions.agree_plan(by=gp_a, person=person_a, consent=CONSENT, **_plan_fields(nurse))
    actions.agree_plan(by=gp_a, person=person_a, **_plan_fields(nurse))
    first.refresh_from_db()

    first.what_matters = "rewritten"
    with pytest.raises(SupersededVersion):
        first.save()
    with pytest.raises(SupersededVersion):
        first.delete()


def test_database_allows_one_current_care_plan_per_person(person_a, nurse):
    CarePlan.objects.create(person=person_a, started_by=nurse)
    with pytest.raises(IntegrityError), transaction.atomic():
        CarePlan.objects.create(person=person_a, started_by=nurse)


def test_database_allows_one_current_version_per_plan(person_a, nurse):
    plan = factories.care_plan(person=person_a, key_worker=nurse)
    version = plan.current_version
    with pytest.raises(IntegrityError), transaction.atomic():
        CarePlanVersion.objects.create(
            plan=plan,
            number=2,
            what_matters="x",
            contingency="y",
            review_date=version.review_date,
            key_worker=nurse,
            agreed_by=nurse,
        )


def test_new_plan_without_consent_is_refused_and_nothing_saved(gp_a, person_a, nurse):
    with pytest.raises(ValidationError) as error:
        actions.agree_plan(by=gp_a, person=person_a, **_plan_fields(nurse))

    assert "consent" in error.value.message_dict
    assert not CarePlan.objects.exists()


def test_consent_must_include_the_care_team(gp_a, person_a, nurse):
    with pytest.raises(ValidationError) as error:
        actions.agree_plan(
            by=gp_a,
            person=person_a,
            consent=ConsentInput("person", "Ada", ("carers",)),
            **_plan_fields(nurse),
        )
    assert "scopes" in error.value.message_dict


def test_invalid_plan_names_each_field(gp_a, person_a):
    analyst = factories.staff(Role.ANALYST)
    with pytest.raises(ValidationError) as error:
        actions.agree_plan(
            by=gp_a,
            person=person_a,
            consent=CONSENT,
            **_plan_fields(
                analyst,
                what_matters=" ",
                contingency="",
                goals=[GoalInput("")],
                review_date=date.today() - timedelta(days=1),
            ),
        )
    assert set(error.value.message_dict) == {
        "what_matters",
        "contingency",
        "goals",
        "review_date",
        "key_worker",
    }


def test_failed_action_leaves_no_plan_half_saved(gp_a, person_a, nurse):
    with pytest.raises(ValidationError):
        actions.agree_plan(
            by=gp_a,
            person=person_a,
            consent=CONSENT,
            actions=[ActionInput("", date.today(), owner=nurse)],
            **_plan_fields(nurse),
        )
    assert not CarePlan.objects.exists() and not Consent.objects.exists()


def test_someone_without_a_relationship_cannot_write_the_plan(person_b, nurse):
    with pytest.raises(PermissionError):
        actions.agree_plan(by=nurse, person=person_b, consent=CONSENT, **_plan_fields(nurse))


def test_vcs_action_needs_consent_to_share_with_the_voluntary_sector(
    gp_a, person_a, nurse, vcs_worker
):
    version = actions.agree_plan(
        by=gp_a,
        person=person_a,
        consent=ConsentInput("person", "Ada", ("care_team",)),
        **_plan_fields(nurse),
    )
    with pytest.raises(ValidationError) as error:
        actions.add_action(
            by=gp_a,
            plan=version.plan,
            action=ActionInput("Befriending visits", date.today(), owner=vcs_worker),
        )
    assert "voluntary sector" in error.value.message_dict["owner"][0]

    actions.record_consent(by=gp_a, plan=version.plan, consent=CONSENT)
    added = actions.add_action(
        by=gp_a,
        plan=version.plan,
        action=ActionInput("Befriending visits", date.today(), owner=vcs_worker),
    )
    assert added.owner == vcs_worker
    assert version.plan.consents.filter(withdrawn_at__isnull=True).count() == 1


def test_withdrawing_consent_cancels_voluntary_sector_actions(gp_a, person_a, nurse, vcs_worker):
    plan = factories.care_plan(person=person_a, key_worker=nurse)
    vcs_action = factories.care_plan_action(plan=plan, owner=vcs_worker)
    nurse_action = factories.care_plan_action(plan=plan, owner=nurse)

    actions.withdraw_consent(by=gp_a, plan=plan, reason="Does not want the charity involved")

    vcs_action.refresh_from_db()
    nurse_action.refresh_from_db()
    assert vcs_action.status == CarePlanAction.Status.CANCELLED
    assert nurse_action.status == CarePlanAction.Status.OPEN
    assert actions.current_consent(plan) is None


def test_action_needs_exactly_one_owner(gp_a, person_a, nurse, team_a):
    plan = factories.care_plan(person=person_a, key_worker=nurse)
    with pytest.raises(ValidationError) as error:
        actions.add_action(
            by=gp_a,
            plan=plan,
            action=ActionInput("x", date.today(), owner=nurse, owner_team=team_a),
        )
    assert "owner" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.care_plan_action(plan=plan)


def test_queue_action_is_claimed_by_a_team_member_only(gp_a, person_a, nurse, team_a, team_b):
    plan = factories.care_plan(person=person_a, key_worker=nurse)
    queued = actions.add_action(
        by=gp_a, plan=plan, action=ActionInput("Bath aids", date.today(), owner_team=team_a)
    )
    outsider = factories.staff(Role.DISTRICT_NURSE, teams=[team_b])

    with pytest.raises(PermissionError):
        actions.claim_action(by=outsider, action=queued)
    claimed = actions.claim_action(by=nurse, action=queued)

    assert claimed.owner == nurse and claimed.owner_team == team_a
    with pytest.raises(PermissionError):
        actions.claim_action(by=gp_a, action=queued)


def test_owner_closes_an_action_once(person_a, nurse):
    plan = factories.care_plan(person=person_a, key_worker=nurse)
    action = factories.care_plan_action(plan=plan, owner=nurse)

    actions.close_action(by=nurse, action=action, status="done", note="Rail fitted")
    action.refresh_from_db()
    assert action.status == "done" and action.completed_at is not None
    with pytest.raises(ValidationError):
        actions.close_action(by=nurse, action=action, status="done")


def test_overdue_is_an_open_action_past_its_due_date(person_a, nurse):
    plan = factories.care_plan(person=person_a, key_worker=nurse)
    late = factories.care_plan_action(plan=plan, owner=nurse, due=date.today() - timedelta(1))
    assert late.is_overdue()
    assert not factories.care_plan_action(plan=plan, owner=nurse).is_overdue()


def test_end_plan_keeps_history_and_allows_a_new_plan(gp_a, person_a, nurse):
    plan = factories.care_plan(person=person_a, key_worker=nurse)
    action = factories.care_plan_action(plan=plan, owner=nurse)

    actions.end_plan(by=gp_a, plan=plan, reason="Moved to another county")
    version = actions.agree_plan(by=gp_a, person=person_a, consent=CONSENT, **_plan_fields(nurse))

    action.refresh_from_db()
    assert action.status == "cancelled"
    assert version.plan != plan and CarePlan.objects.filter(person=person_a).count() == 2
