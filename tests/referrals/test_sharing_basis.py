"""A referral without the person's agreement to share is an exception: the referrer says on
what basis it goes ahead and why, and everyone who receives it sees that first. "No" with
no basis is refused by the form, the API, the action and the database."""

import json
import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from joinedcare.audit.models import AuditEvent
from joinedcare.audit.subject_access import report
from joinedcare.people.models import Person
from joinedcare.referrals import actions
from joinedcare.referrals.models import Referral
from joinedcare.referrals.sharing import SharingBasis
from tests import factories
from tests.referrals.conftest import MORNING

URL = "/spa/referrals/new/"
API = "/api/spa/referrals"
BASIS_MISSING = "Say why the referral goes ahead without the person's agreement"
NOTE_MISSING = "Explain the decision to refer without the person's agreement"
SAFEGUARDING = "Safeguarding: sharing is needed to protect the person or someone else"
NOTE = "Neighbour reports her son takes her pension; police informed"
SAID = f"Sent without the person's agreement to share: {SAFEGUARDING}. {NOTE}"


def _text(response) -> str:
    """The page as a person reads it: tags gone, entities decoded, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _form(**fields) -> dict:
    return {
        "nhs_number": factories.unused_nhs_number(),
        "given_name": "Mary",
        "family_name": "Smith",
        "date_of_birth": "1941-05-02",
        "sex": "female",
        "referrer_source": "gp",
        "referrer_name": "Dr Patel",
        "reason": "Bruises on both arms, frightened at home",
        "urgency": "today",
        "medically_stable": "yes",
        "consent_to_share": "no",
        **fields,
    }


def _receive(by, spa, **fields):
    story = {
        "referrer_source": Referral.Source.GP,
        "referrer_name": "Dr Ahmed",
        "reason": "Fell twice this week, lives alone",
        "urgency": Referral.Urgency.TODAY,
        "medically_stable": True,
        "consent_to_share": False,
        **fields,
    }
    return actions.receive_referral(by=by, spa=spa, person=factories.person(), **story)


# --- the SPA coordinator's form ------------------------------------------------------------


def test_form_no_without_basis_is_refused_naming_both_and_keeps_the_text(
    client, at, coordinator, spa
):
    at(MORNING)
    client.force_login(coordinator)
    before = Referral.objects.count()
    response = client.post(URL, _form())
    page = response.content.decode()
    assert response.status_code == 200
    assert Referral.objects.count() == before
    # The error summary links each message to its field.
    assert 'href="#id_sharing_basis_0">Say why the referral goes ahead' in page
    assert 'href="#id_sharing_note">Explain the decision to refer' in page
    assert "Bruises on both arms, frightened at home" in page  # what was typed stays


def test_form_no_with_a_basis_but_no_note_names_only_the_note(client, at, coordinator, spa):
    at(MORNING)
    client.force_login(coordinator)
    text = _text(client.post(URL, _form(sharing_basis="safeguarding")))
    assert NOTE_MISSING in text and BASIS_MISSING not in text
    assert not Referral.objects.exists()
    page = client.post(URL, _form(sharing_basis="safeguarding")).content.decode()
    assert re.search(r'value="safeguarding"[^>]*checked', page)  # the choice stays chosen


def test_form_note_over_300_characters_is_refused_with_the_project_s_message(
    client, at, coordinator, spa
):
    at(MORNING)
    client.force_login(coordinator)
    data = _form(sharing_basis="safeguarding", sharing_note="x" * 412)
    text = _text(client.post(URL, data))
    assert "Shorten “Explain the decision” to 300 characters or fewer: it has 412" in text
    assert not Referral.objects.exists()


def test_form_no_with_basis_is_saved_and_shown_before_triage(
    client, at, coordinator, assessor, spa
):
    at(MORNING)
    client.force_login(coordinator)
    response = client.post(URL, _form(sharing_basis="safeguarding", sharing_note=NOTE))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.consent_to_share, referral.sharing_basis, referral.sharing_note) == (
        False,
        SharingBasis.SAFEGUARDING,
        NOTE,
    )

    # The assessment team's triage page: the warning comes before the triage form.
    client.force_login(assessor)
    page = _text(client.get(f"/people/{referral.person.public_id}/spa/"))
    assert "Important: No agreement to share" in page
    assert SAID in page
    assert page.index(SAID) < page.index("Record triage")
    # And the queue flags it.
    assert "Sent without agreement to share" in _text(client.get("/spa/"))


def test_triage_page_shows_the_warning_when_triage_fails(client, at, assessor, spa):
    at(MORNING)
    referral = factories.referral(
        spa=spa, consent_to_share=False, sharing_basis="urgent_risk", sharing_note="Found on floor"
    )
    client.force_login(assessor)
    url = f"/people/{referral.person.public_id}/spa/triage/"
    response = client.post(url, {"referral": referral.pk})
    assert response.status_code == 400
    said = (
        "Sent without the person's agreement to share: "
        "Urgent risk to life or health: there was no time to ask. Found on floor"
    )
    assert said in _text(response)


def test_form_yes_ignores_a_basis_and_note_sent_with_it(client, at, coordinator, spa):
    at(MORNING)
    client.force_login(coordinator)
    data = _form(consent_to_share="yes", sharing_basis="made_up", sharing_note="x" * 500)
    assert client.post(URL, data).status_code == 302
    referral = Referral.objects.get()
    assert (referral.consent_to_share, referral.sharing_basis, referral.sharing_note) == (
        True,
        "",
        "",
    )
    page = _text(client.get(f"/people/{referral.person.public_id}/spa/"))
    assert "agreement to share" not in page
    assert "Consent to share Yes" in page


def test_form_asks_the_basis_under_no_without_needing_javascript(client, coordinator, spa):
    client.force_login(coordinator)
    page = client.get(URL).content.decode()
    # Right under "No", in the NHS.UK conditional block, never hidden.
    no = page.index('id="id_consent_to_share_1"')
    block = page.index('<div class="nhsuk-radios__conditional" id="id_consent_to_share-without')
    assert no < block < page.index('name="sharing_basis"') < page.index('name="sharing_note"')
    assert "Only if the answer is No:" in page
    assert "conditional--hidden" not in page
    for label in (
        "The person lacks capacity to decide, and referring is in their best interests",
        SAFEGUARDING,
        "Urgent risk to life or health: there was no time to ask",
        "Not asked yet: the person will be asked at first contact",
    ):
        assert label in page
    assert SharingBasis.NOT_RECORDED.label not in page  # never offered


# --- the intake API ------------------------------------------------------------------------


@pytest.fixture
def token(spa, at):
    at(MORNING)
    _, token = factories.api_client(spa=spa)
    return token


def _body(**fields):
    return {
        "nhs_number": factories.unused_nhs_number(),
        "given_name": "Mary",
        "family_name": "Bell",
        "date_of_birth": "1941-07-03",
        "sex": "female",
        "referrer_source": "hospital_ward",
        "referrer_name": "Sister Jones",
        "reason": "Medically fit, needs help to get home",
        "urgency": "today",
        "medically_stable": True,
        "consent_to_share": False,
        **fields,
    }


def _post(client, token, body, key="key-1"):
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    return client.post(API, data=json.dumps(body), content_type="application/json", headers=headers)


def test_api_false_without_basis_is_400_naming_the_fields_and_saves_nothing(client, token):
    before = (Referral.objects.count(), Person.objects.count())
    response = _post(client, token, _body())
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "sharing_basis": [BASIS_MISSING],
        "sharing_note": [NOTE_MISSING],
    }
    assert (Referral.objects.count(), Person.objects.count()) == before


def test_api_false_with_an_unknown_basis_is_named(client, token):
    response = _post(client, token, _body(sharing_basis="not_recorded", sharing_note="Old"))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["sharing_basis"]
    assert not Referral.objects.exists()


def test_api_false_with_basis_is_saved(client, token):
    body = _body(sharing_basis="best_interests", sharing_note="Advanced dementia, daughter agrees")
    response = _post(client, token, body)
    assert response.status_code == 201, response.json()
    referral = Referral.objects.get(pk=response.json()["referral"])
    assert referral.sharing_basis == SharingBasis.BEST_INTERESTS
    assert referral.sharing_note == "Advanced dementia, daughter agrees"


def test_api_true_ignores_a_basis(client, token):
    body = _body(consent_to_share=True, sharing_basis="safeguarding", sharing_note="Ignored")
    response = _post(client, token, body)
    assert response.status_code == 201, response.json()
    referral = Referral.objects.get(pk=response.json()["referral"])
    assert (referral.sharing_basis, referral.sharing_note) == ("", "")


def test_openapi_says_basis_and_note_are_required_without_agreement(client, db):
    schema = client.get("/api/spa/openapi.json").json()["components"]["schemas"]
    for name in ("Referral", "MedicallyFit"):
        referral = schema[name]
        assert referral["if"]["properties"]["consent_to_share"] == {"const": False}
        assert referral["then"]["required"] == ["sharing_basis", "sharing_note"]
        assert "sharing_basis" not in referral["required"]
        assert referral["properties"]["sharing_basis"]["enum"] == [
            "best_interests",
            "safeguarding",
            "urgent_risk",
            "not_asked_yet",
        ]
        assert referral["properties"]["sharing_note"]["maxLength"] == 300


# --- the action, the audit and the database ------------------------------------------------


def test_action_without_basis_is_refused_naming_the_fields(at, coordinator, spa):
    at(MORNING)
    with pytest.raises(ValidationError) as error:
        _receive(coordinator, spa)
    assert error.value.message_dict == {
        "sharing_basis": [BASIS_MISSING],
        "sharing_note": [NOTE_MISSING],
    }
    assert not Referral.objects.exists()


def test_action_refuses_the_basis_kept_for_earlier_referrals(at, coordinator, spa):
    at(MORNING)
    with pytest.raises(ValidationError) as error:
        _receive(coordinator, spa, sharing_basis="not_recorded", sharing_note="Old")
    assert list(error.value.message_dict) == ["sharing_basis"]


def test_action_note_over_300_characters_is_refused(at, coordinator, spa):
    at(MORNING)
    with pytest.raises(ValidationError) as error:
        _receive(coordinator, spa, sharing_basis="safeguarding", sharing_note="y" * 301)
    assert error.value.message_dict["sharing_note"] == [
        "Shorten “Explain the decision” to 300 characters or fewer: it has 301"
    ]


def test_audit_of_the_referral_says_the_basis_in_words(at, coordinator, spa):
    at(MORNING)
    referral = _receive(coordinator, spa, sharing_basis="safeguarding", sharing_note=NOTE)
    event = AuditEvent.objects.get(action=AuditEvent.Action.REFERRAL_RECEIVED)
    assert event.person == referral.person
    assert f"without the person's agreement to share: {SAFEGUARDING}" in event.detail
    assert event.reason == SAID


def test_audit_of_a_referral_with_agreement_says_nothing_of_a_basis(at, coordinator, spa):
    at(MORNING)
    _receive(coordinator, spa, consent_to_share=True, sharing_basis="safeguarding")
    event = AuditEvent.objects.get(action=AuditEvent.Action.REFERRAL_RECEIVED)
    assert "agreement" not in event.detail and event.reason == ""


def test_database_refuses_no_agreement_without_a_basis(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.referral(consent_to_share=False)


def test_database_refuses_a_basis_with_agreement(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.referral(consent_to_share=True, sharing_basis="safeguarding", sharing_note="x")


def test_subject_access_report_has_the_basis_and_note(db):
    referral = factories.referral(
        consent_to_share=False, sharing_basis="not_asked_yet", sharing_note="Asleep on the ward"
    )
    (section,) = [s for s in report(referral.person) if s["title"] == "Referrals and assessments"]
    details = dict(section["records"][0].details)
    assert details["Consent to share information"] == "No"
    assert details["Basis for referring without the person's agreement"] == (
        "Not asked yet: the person will be asked at first contact"
    )
    assert details["Why the referral went ahead without the person's agreement"] == (
        "Asleep on the ward"
    )


@pytest.mark.django_db(transaction=True)
def test_migration_marks_earlier_referrals_without_agreement_as_not_recorded():
    before, after = (
        [("referrals", "0002_referral_at_an_mdt")],
        [("referrals", "0004_referral_sharing_constraints")],
    )
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        person = factories.person()
        staff = factories.staff()
        place = old.get_model("organisations", "Place").objects.create(code="PX", name="P")
        spa = old.get_model("referrals", "SinglePointOfAccess").objects.create(
            place_id=place.pk, name="Old SPA"
        )
        OldReferral = old.get_model("referrals", "Referral")
        common = {
            "spa_id": spa.pk,
            "person_id": person.pk,
            "received_by_id": staff.pk,
            "status": "new",
            "received_at": MORNING,
            "referrer_source": "gp",
            "referrer_name": "Dr Old",
            "reason": "Before the basis was asked",
            "urgency": "today",
            "medically_stable": True,
        }
        without = OldReferral.objects.create(consent_to_share=False, **common)
        agreed = OldReferral.objects.create(consent_to_share=True, **common)

        executor = MigrationExecutor(connection)
        executor.migrate(after)

        without, agreed = (Referral.objects.get(pk=r.pk) for r in (without, agreed))
        assert without.sharing_basis == SharingBasis.NOT_RECORDED
        assert without.shared_without_agreement == (
            "Sent without the person's agreement to share: "
            "Not recorded: referred before the reason was asked."
        )
        assert (agreed.sharing_basis, agreed.shared_without_agreement) == ("", "")
    finally:
        MigrationExecutor(connection).migrate(latest)
