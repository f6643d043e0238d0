"""The privacy officer's pages: the audit trail, its CSV export, subject access requests
and break-glass alerts. Nobody else reaches them."""

import csv
import io
import json
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedcare.access.models import BreakGlass
from joinedcare.audit.models import AuditEvent
from joinedcare.audit.views import CSV_COLUMNS
from joinedcare.staff.roles import Role
from tests import factories

PAGES = ["/audit/", "/audit/export.csv", "/audit/break-glass/", "/audit/subject-access/"]


@pytest.fixture(autouse=True)
def no_record_source(settings, tmp_path):
    """Never read a developer's Demo County extract."""
    settings.RECORDS_DIR = tmp_path


@pytest.fixture
def officer(db):
    return factories.staff(Role.PRIVACY_OFFICER, username="privacy")


@pytest.fixture
def signed_in_officer(client, officer):
    client.force_login(officer)
    return client


def _count_text(n: int) -> str:
    return f"{n} event{'' if n == 1 else 's'}"


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("path", PAGES)
def test_privacy_officer_reaches_the_audit_pages(signed_in_officer, path):
    assert signed_in_officer.get(path).status_code == 200


@pytest.mark.parametrize(
    "role", [Role.GP, Role.TAP_LEAD, Role.ANALYST, Role.LOCALITY_MANAGER, Role.ADMINISTRATOR]
)
def test_audit_pages_are_refused_to_other_roles(client, team_a, role):
    client.force_login(factories.staff(role, teams=[team_a], is_staff=role == Role.ADMINISTRATOR))

    for path in [*PAGES, "/audit/break-glass/1/review/"]:
        assert client.get(path).status_code == 403, path


def test_audit_subject_access_post_is_refused_to_a_gp(client, gp_a, person_a):
    client.force_login(gp_a)

    response = client.post("/audit/subject-access/", {"nhs_number": person_a.nhs_number})

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SUBJECT_ACCESS).exists()


def test_audit_export_refused_to_a_gp_writes_no_export_event(client, gp_a):
    client.force_login(gp_a)

    client.get("/audit/export.csv")

    assert not AuditEvent.objects.filter(action=AuditEvent.Action.AUDIT_EXPORT).exists()


# Filters


@pytest.fixture
def trail(team_a, team_b, person_a, person_b):
    """Five events by a GP and a nurse about two people over three days."""
    gp = factories.staff(Role.GP, username="dr.grey", teams=[team_a])
    nurse = factories.staff(Role.DISTRICT_NURSE, username="nurse.ng", teams=[team_b])
    day = timezone.make_aware(datetime(2025, 3, 10, 12, 0))
    make = factories.audit_event
    return {
        "gp": gp,
        "nurse": nurse,
        "events": [
            make(actor=gp, person=person_a, occurred_at=day),
            make(actor=gp, person=person_a, action="search", occurred_at=day),
            make(actor=gp, person=person_b, action="denied", occurred_at=day + timedelta(days=1)),
            make(
                actor=gp,
                person=person_b,
                action="break_glass",
                purpose="BTG",
                reason="Unconscious",
                occurred_at=day + timedelta(days=1),
            ),
            make(actor=nurse, person=person_b, occurred_at=day + timedelta(days=2)),
        ],
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, 5),
        ({"username": "DR.GREY"}, 4),
        ({"role": "district_nurse"}, 1),
        ({"action": "view"}, 2),
        ({"action": "denied"}, 1),
        ({"purpose": "BTG"}, 1),
        ({"since": "2025-03-11"}, 3),
        ({"until": "2025-03-10"}, 2),
        ({"since": "2025-03-11", "until": "2025-03-11"}, 2),
        ({"username": "dr.grey", "purpose": "TREAT"}, 3),
        ({"username": "nobody"}, 0),
    ],
)
def test_audit_events_filter(signed_in_officer, trail, query, expected):
    response = signed_in_officer.get("/audit/", query)

    assert response.status_code == 200
    assert _count_text(expected) in response.content.decode()


def test_audit_events_filter_by_nhs_number(signed_in_officer, trail, person_b):
    n = person_b.nhs_number

    response = signed_in_officer.get("/audit/", {"nhs_number": f"{n[:3]} {n[3:6]} {n[6:]}"})

    assert _count_text(3) in response.content.decode()


def test_audit_events_filter_with_a_bad_nhs_number_explains(signed_in_officer, trail):
    response = signed_in_officer.get("/audit/", {"nhs_number": "0000000000"})

    body = response.content.decode()
    assert "NHS number of the person: This NHS number is outside the ranges" in body
    assert _count_text(0) in body


def test_audit_events_show_people_by_pseudonym_never_by_identifier(
    signed_in_officer, trail, person_a, person_b
):
    body = signed_in_officer.get("/audit/").content.decode()

    assert person_a.pseudonym[:12] in body
    for person in (person_a, person_b):
        assert person.nhs_number not in body
        assert person.family_name not in body
        assert person.given_name not in body


# CSV export


def test_audit_export_has_a_header_and_one_row_per_matching_event(signed_in_officer, trail):
    rows = _csv(signed_in_officer.get("/audit/export.csv", {"username": "dr.grey"}))

    assert rows[0] == CSV_COLUMNS
    assert len(rows) == 1 + 4
    assert {r[CSV_COLUMNS.index("actor")] for r in rows[1:]} == {"dr.grey"}
    # Each code has its words beside it, for the person reading the file.
    for row in rows[1:]:
        event = dict(zip(CSV_COLUMNS, row, strict=True))
        assert event["actor_role_label"] == Role(event["actor_role"]).label
        assert event["action_label"] == AuditEvent.Action(event["action"]).label
        assert event["purpose_label"] == AuditEvent.Purpose(event["purpose"]).label


def test_audit_export_of_everything_lists_exactly_the_events_counted(signed_in_officer, trail):
    response = signed_in_officer.get("/audit/export.csv")

    rows = _csv(response)
    export = AuditEvent.objects.get(action=AuditEvent.Action.AUDIT_EXPORT)
    assert len(rows) - 1 == len(trail["events"])
    assert export.detail == f"{len(rows) - 1} events"


def test_audit_export_is_a_csv_download(signed_in_officer, trail):
    response = signed_in_officer.get("/audit/export.csv")

    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')


def test_audit_export_carries_pseudonyms_never_nhs_numbers_or_names(
    signed_in_officer, trail, person_a, person_b
):
    rows = _csv(signed_in_officer.get("/audit/export.csv"))

    text = "\n".join(",".join(r) for r in rows)
    pseudonyms = {r[CSV_COLUMNS.index("person_pseudonym")] for r in rows[1:]}
    assert pseudonyms == {person_a.pseudonym, person_b.pseudonym}
    for person in (person_a, person_b):
        assert person.nhs_number not in text
        assert person.family_name not in text
        assert person.given_name not in text


def test_audit_export_is_itself_audited(signed_in_officer, officer, trail):
    _csv(signed_in_officer.get("/audit/export.csv", {"action": "view"}))

    export = AuditEvent.objects.get(action=AuditEvent.Action.AUDIT_EXPORT)
    assert export.actor == officer
    assert export.purpose == AuditEvent.Purpose.OPERATIONS
    assert export.detail == "2 events"
    assert export.person is None


# Subject access


def test_subject_access_lists_what_is_held_and_every_access(
    signed_in_officer, trail, person_b, gp_a
):
    factories.break_glass(user=gp_a, person=person_b, reason="Fell at home, needs medicines")

    response = signed_in_officer.post("/audit/subject-access/", {"nhs_number": person_b.nhs_number})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Subject access report" in body
    assert person_b.formatted_nhs_number in body
    assert "Trice" in body
    assert person_b.practice.name in body
    assert "Every access to the record (3)" in body
    assert "Refused access" in body
    assert "Broke the glass" in body
    assert "Unconscious" in body
    # Who looked is said in words the person reads: the role's name, not its code.
    assert f'<td class="nhsuk-table__cell">{gp_a.role_label()}, ' in body
    assert f">{gp_a.role}, " not in body


def test_subject_access_is_audited_as_patient_requested(signed_in_officer, officer, person_a):
    signed_in_officer.post("/audit/subject-access/", {"nhs_number": person_a.nhs_number})

    event = AuditEvent.objects.get(action=AuditEvent.Action.SUBJECT_ACCESS)
    assert event.actor == officer
    assert event.person == person_a
    assert event.purpose == AuditEvent.Purpose.PATIENT_REQUEST == "PATRQT"


def test_subject_access_json_download(signed_in_officer, trail, person_b, gp_a):
    factories.break_glass(user=gp_a, person=person_b, reason="Fell at home, needs medicines")

    response = signed_in_officer.post(
        "/audit/subject-access/", {"nhs_number": person_b.nhs_number, "download": ""}
    )

    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    document = json.loads(response.content)
    details = document["sections"][0]["records"][0]["details"]
    assert {"label": "NHS number", "value": person_b.formatted_nhs_number} in details
    assert {"label": "Family name", "value": "Trice"} in details
    assert len(document["accesses"]) == 3
    assert {a["action"] for a in document["accesses"]} == {"denied", "break_glass", "view"}
    assert document["break_glass"][0]["reason"] == "Fell at home, needs medicines"
    assert AuditEvent.objects.get(action="subject_access").detail == "download"


def test_subject_access_unknown_nhs_number_is_a_clear_error(signed_in_officer, person_a):
    response = signed_in_officer.post(
        "/audit/subject-access/", {"nhs_number": factories.unused_nhs_number()}
    )

    body = response.content.decode()
    assert "NHS number of the person asking: No record is held for this NHS number" in body
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SUBJECT_ACCESS).exists()


def test_subject_access_invalid_nhs_number_is_a_clear_error(signed_in_officer):
    response = signed_in_officer.post("/audit/subject-access/", {"nhs_number": "12345"})

    assert "NHS number of the person asking: An NHS number has 10 digits" in (
        response.content.decode()
    )


# Break-glass alerts


@pytest.fixture
def grant(gp_a, person_b):
    return factories.break_glass(user=gp_a, person=person_b, reason="Collapsed in clinic")


def test_break_glass_alerts_list_what_awaits_review(signed_in_officer, grant, person_b):
    body = signed_in_officer.get("/audit/break-glass/").content.decode()

    assert "Waiting for review (1)" in body
    assert "Collapsed in clinic" in body
    assert person_b.pseudonym[:12] in body
    assert person_b.nhs_number not in body
    assert "Trice" not in body


def test_break_glass_review_needs_a_note(signed_in_officer, grant):
    response = signed_in_officer.post(
        reverse("audit-break-glass-review", args=[grant.pk]), {"note": "  "}
    )

    grant.refresh_from_db()
    assert response.status_code == 400
    assert "Say what you found" in response.content.decode()
    assert grant.reviewed_at is None
    assert BreakGlass.objects.awaiting_review().count() == 1


def test_break_glass_review_with_a_note_clears_the_alert(signed_in_officer, officer, grant):
    response = signed_in_officer.post(
        reverse("audit-break-glass-review", args=[grant.pk]), {"note": "Appropriate, emergency"}
    )

    grant.refresh_from_db()
    assert response.url == reverse("audit-break-glass")
    assert grant.reviewed_by == officer
    assert grant.review_note == "Appropriate, emergency"
    assert "Nothing to review." in signed_in_officer.get("/audit/break-glass/").content.decode()
    assert AuditEvent.objects.filter(action="break_glass_reviewed", actor=officer).exists()


def test_break_glass_reviewed_twice_is_not_found(signed_in_officer, grant):
    url = reverse("audit-break-glass-review", args=[grant.pk])
    signed_in_officer.post(url, {"note": "Appropriate"})

    response = signed_in_officer.post(url, {"note": "Again"})

    assert response.status_code == 404


def test_a_backwards_date_range_is_an_error_not_an_empty_trail(signed_in_officer):
    # "0 events" had read as nobody doing anything between 5 and 1 December.
    page = signed_in_officer.get("/audit/?since=2026-12-05&until=2026-12-01").content.decode()

    assert "To must be the same as or after From" in page
    assert 'href="#id_until"' in page


def test_dates_are_typed_and_shown_day_first(signed_in_officer):
    page = signed_in_officer.get("/audit/?since=01/12/2026&until=5 12 2026").content.decode()

    assert "Enter a real date" not in page
    assert 'value="01/12/2026"' in page
    assert "For example, 01/12/2026" in page
    assert "yyyy-mm-dd" not in page


def test_an_impossible_date_is_named(signed_in_officer):
    page = signed_in_officer.get("/audit/?since=31/02/2026").content.decode()

    assert "Enter a real date in “From”, for example 01/12/2026" in page
    assert 'href="#id_since"' in page
