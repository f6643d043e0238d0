import pytest
from django.db import DatabaseError, connection, transaction

from joinedcare.audit.models import AppendOnly, AuditEvent


@pytest.fixture
def event(gp_a, person_a):
    return AuditEvent.record(by=gp_a, action=AuditEvent.Action.VIEW, person=person_a)


def test_event_records_who_role_organisation_person_and_when(event, gp_a, person_a):
    assert event.actor == gp_a
    assert event.actor_role == gp_a.role
    assert event.actor_organisation == str(gp_a.organisation)
    assert event.person == person_a
    assert event.occurred_at is not None


def test_events_cannot_be_changed_through_the_model(event):
    event.reason = "rewritten"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()


def test_events_cannot_be_changed_through_querysets(event):
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_updates(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = 'x' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.reason == ""


@pytest.mark.postgres
def test_postgres_refuses_deletes(event):
    if connection.vendor != "postgresql":
        pytest.fail("This test must run on PostgreSQL (scripts/postgres.sh)")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()
