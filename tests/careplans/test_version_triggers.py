"""The database keeps care plan versions as agreed, whatever SQL runs against it."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from joinedcare.careplans import actions
from joinedcare.careplans.actions import ConsentInput, GoalInput
from joinedcare.careplans.models import CarePlanVersion
from joinedcare.staff.roles import Role
from tests import factories


def _agree(by, person, key_worker, what_matters):
    return actions.agree_plan(
        by=by,
        person=person,
        consent=ConsentInput("person", "Ada Lovelace", ("care_team",)),
        what_matters=what_matters,
        goals=[GoalInput("Walk to the end of the street", self_care=True)],
        contingency="Call the district nurse on 0191 000 0000",
        review_date=date.today() + timedelta(days=60),
        key_worker=key_worker,
    )


@pytest.fixture
def versions(gp_a, person_a, team_a):
    """(superseded version 1, current version 2) of person A's plan."""
    nurse = factories.staff(Role.DISTRICT_NURSE, teams=[team_a])
    first = _agree(gp_a, person_a, nurse, "Getting to chapel on Sundays")
    second = _agree(gp_a, person_a, nurse, "Staying at home with my cat")
    first.refresh_from_db()
    return first, second


def _refused(sql: str, params) -> str:
    with (
        pytest.raises(DatabaseError) as refusal,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    return str(refusal.value)


def test_database_refuses_rewriting_a_superseded_version(versions):
    first, _ = versions

    message = _refused(
        "UPDATE careplans_careplanversion SET what_matters = 'rewritten' WHERE id = %s", [first.pk]
    )

    assert "superseded version cannot be changed" in message
    first.refresh_from_db()
    assert first.what_matters == "Getting to chapel on Sundays"


def test_database_refuses_un_superseding_a_version(versions, gp_a):
    first, second = versions
    actions.end_plan(by=gp_a, plan=second.plan, reason="Moved to another county")

    _refused("UPDATE careplans_careplanversion SET superseded_at = NULL WHERE id = %s", [first.pk])

    first.refresh_from_db()
    assert first.superseded_at is not None


def test_database_refuses_deleting_a_superseded_version(versions):
    first, _ = versions

    message = _refused("DELETE FROM careplans_careplanversion WHERE id = %s", [first.pk])

    assert "cannot be deleted" in message
    assert CarePlanVersion.objects.filter(pk=first.pk).exists()


def test_database_refuses_deleting_the_current_version(versions):
    _, second = versions

    _refused("DELETE FROM careplans_careplanversion WHERE id = %s", [second.pk])

    assert CarePlanVersion.objects.filter(pk=second.pk).exists()


def test_database_allows_superseding_the_current_version(versions, gp_a, person_a):
    _, second = versions

    third = _agree(gp_a, person_a, second.key_worker, "Seeing my grandchildren")

    second.refresh_from_db()
    assert second.superseded_at is not None
    assert third.number == 3 and third.superseded_at is None


def test_database_allows_ending_the_plan(versions, gp_a):
    _, second = versions

    actions.end_plan(by=gp_a, plan=second.plan, reason="Moved to another county")

    second.refresh_from_db()
    assert second.superseded_at is not None


def _fresh_version():
    team = factories.team()
    person = factories.person(practice=factories.practice(team=team))
    gp, nurse = (factories.staff(role, teams=[team]) for role in (Role.GP, Role.DISTRICT_NURSE))
    return _agree(gp, person, nurse, "Getting to chapel on Sundays")


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_versions_and_keeps_the_delete_trigger():
    """Tests that commit (the browser tests) end with Django's flush: on SQLite a DELETE."""
    _fresh_version()

    call_command("flush", interactive=False, verbosity=0)

    assert not CarePlanVersion.objects.exists()
    version = _fresh_version()
    _refused("DELETE FROM careplans_careplanversion WHERE id = %s", [version.pk])


@pytest.mark.postgres
def test_postgres_has_the_version_triggers(db):
    if connection.vendor != "postgresql":
        pytest.fail("This test must run on PostgreSQL (scripts/postgres.sh)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            ["careplans_careplanversion"],
        )
        names = {row[0] for row in cursor.fetchall()}
    assert names == {"careplan_version_superseded_no_update", "careplan_version_no_delete"}
