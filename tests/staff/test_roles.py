"""A user's roles: read once per user object (per request), forgotten when memberships change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from joinedcare.staff.models import Membership, has_permission
from joinedcare.staff.roles import ROLE_PERMISSIONS, Permission, Role, roles_with
from tests import factories


@pytest.fixture
def analyst_in_spa(team_a):
    """An analyst by main role who also works in team A as an SPA coordinator."""
    user = factories.staff(Role.ANALYST)
    Membership.objects.create(user=user, team=team_a, role=Role.SPA_COORDINATOR)
    user.refresh_from_db()
    return user


def test_roles_several_permission_checks_read_memberships_once(
    analyst_in_spa, django_assert_num_queries
):
    with django_assert_num_queries(1):
        granted = [
            has_permission(analyst_in_spa, Permission.VIEW_PSEUDONYMS),
            has_permission(analyst_in_spa, Permission.TAKE_REFERRALS),
            has_permission(analyst_in_spa, Permission.MANAGE_CAPACITY),
            has_permission(analyst_in_spa, Permission.REVIEW_AUDIT),
        ]

    assert granted == [True, True, True, False]


def test_roles_new_membership_counts_at_once(analyst_in_spa, team_b):
    assert not has_permission(analyst_in_spa, Permission.TRIAGE_REFERRALS)

    Membership.objects.create(user=analyst_in_spa, team=team_b, role=Role.ASSESSOR)

    assert has_permission(analyst_in_spa, Permission.TRIAGE_REFERRALS)


def test_roles_removed_membership_stops_counting_at_once(analyst_in_spa):
    assert has_permission(analyst_in_spa, Permission.TAKE_REFERRALS)

    analyst_in_spa.memberships.get().delete()

    assert not has_permission(analyst_in_spa, Permission.TAKE_REFERRALS)


def test_roles_changed_membership_role_counts_at_once(analyst_in_spa):
    membership = Membership.objects.select_related("user").get(user=analyst_in_spa)
    assert has_permission(membership.user, Permission.TAKE_REFERRALS)

    membership.role = Role.VCS_WORKER
    membership.save()

    assert not has_permission(membership.user, Permission.TAKE_REFERRALS)


def test_roles_changed_elsewhere_seen_after_refresh(analyst_in_spa):
    assert has_permission(analyst_in_spa, Permission.TAKE_REFERRALS)

    Membership.objects.filter(user=analyst_in_spa).delete()  # another request's doing
    analyst_in_spa.refresh_from_db()

    assert not has_permission(analyst_in_spa, Permission.TAKE_REFERRALS)


def test_roles_page_reads_memberships_once_per_request(client, gp_a):
    client.force_login(gp_a)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")

    assert response.status_code == 200
    role_reads = [q for q in queries if 'SELECT "staff_membership"."role"' in q["sql"]]
    assert len(role_reads) == 1


def test_roles_mdt_clinicians_refer_from_the_meeting_without_the_spas_intake():
    # Seed 000, Appendix 2: GPs, district nurse and VAWAS nurse at the practice MDT, with
    # social care; the nurses refer from it but do not take the SPA's calls or queues.
    assert roles_with(Permission.REFER_FROM_MDT) == [
        Role.GP,
        Role.DISTRICT_NURSE,
        Role.VAWAS_NURSE,
        Role.SOCIAL_WORKER,
    ]
    for nurse in (Role.DISTRICT_NURSE, Role.VAWAS_NURSE):
        assert Permission.TAKE_REFERRALS not in ROLE_PERMISSIONS[nurse]
    assert Role.DISTRICT_NURSE not in roles_with(Permission.TAKE_REFERRALS)
