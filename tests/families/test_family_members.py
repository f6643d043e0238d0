"""Who a family referral may name, how the lines are read, and who may be key worker.

Naming someone in a family referral lets the access point's staff open their record,
so an NHS number alone names only someone the referrer may already see; anyone else
needs their date of birth too (as at SPA intake). A parent or carer under 18, or a child
already in an open family referral, is recorded only once the referrer confirms it.
"""

import re
from datetime import date, datetime

import pytest

from joinedcare.access.rules import decide
from joinedcare.audit.models import AuditEvent
from joinedcare.families import actions
from joinedcare.families.models import FamilyMember, FamilyReferral
from joinedcare.referrals.clock import LONDON
from joinedcare.referrals.models import SinglePointOfAccess
from joinedcare.staff.roles import Role
from tests import factories

CHILD_BORN = date(2018, 6, 1)  # 7 on the fixed day below
ADULT_BORN = date(1988, 2, 3)


@pytest.fixture(autouse=True)
def fixed_day(settings):
    settings.JOINEDCARE_CLOCK = datetime(2026, 1, 14, 3, 0, tzinfo=LONDON)


@pytest.fixture
def team(db):
    return factories.team(name="Children's team")


@pytest.fixture
def worker(team):
    """A social worker at the children's access point, in one team."""
    user = factories.staff(Role.SOCIAL_WORKER, teams=[team])
    factories.spa(kind=SinglePointOfAccess.Kind.CHILDREN_AND_FAMILIES, staff=[user])
    return user


@pytest.fixture
def child(team):
    """Registered in the worker's team: the worker may already open the record."""
    return factories.person(practice=factories.practice(team=team), date_of_birth=CHILD_BORN)


@pytest.fixture
def stranger(db):
    """An adult at another team's practice: no relationship with the worker."""
    return factories.person(date_of_birth=ADULT_BORN, given_name="Kelly", family_name="Khan")


def _post(client, members: str, **confirmations: str):
    return client.post(
        "/families/new/",
        {
            "household": "The Khan household",
            "members": members,
            "referrer": "School",
            "reason": "Low mood",
            "emotional_wellbeing": "Not sleeping",
            **confirmations,
        },
    )


def _tick(response, name: str) -> dict[str, str]:
    """The confirmation box `name` as the page offers it, ticked for the next post."""
    box = re.search(rf'name="{name}" type="checkbox" value="([^"]+)"', response.content.decode())
    assert box, f"the page asks for no {name} confirmation"
    return {name: box.group(1)}


def _errors(response) -> list[str]:
    return list(response.context["form"].errors.get("members", []))


def test_member_named_by_nhs_number_alone_without_access_is_refused(
    client, worker, child, stranger
):
    client.force_login(worker)
    response = _post(client, f"{child.nhs_number}, child\n{stranger.nhs_number}, other adult")
    assert response.status_code == 200
    assert _errors(response) == [
        "line 2: add the date of birth after the role, for example 999 000 0018, child, "
        "14/03/2016 (it is needed for anyone whose record you cannot already open)"
    ]
    assert not FamilyReferral.objects.exists()
    assert not decide(worker, stranger).allowed
    assert client.get(f"/people/{stranger.public_id}/").status_code == 403


def test_member_refusals_do_not_reveal_whether_the_nhs_number_exists(
    client, worker, child, stranger
):
    client.force_login(worker)
    unused = factories.unused_nhs_number()
    answers = [
        _errors(_post(client, f"{child.nhs_number}, child\n{number}, parent{born}"))
        for born in ("", ", 1/1/1970")
        for number in (stranger.nhs_number, unused)
    ]
    assert answers[0] == answers[1] and answers[2] == answers[3]
    assert answers[2] == [
        "line 2: no record matches this NHS number and date of birth. Check both; if they "
        "are right, ask the Single Point of Access to register the person, then add them here"
    ]
    assert "register them first" not in str(answers)


def test_member_named_with_matching_date_of_birth_is_referred_and_audited(
    client, worker, child, stranger
):
    client.force_login(worker)
    response = _post(
        client, f"{child.nhs_number}, child\n{stranger.nhs_number}, other adult, 3/2/1988"
    )
    family = FamilyReferral.objects.get()
    assert response.status_code == 302
    roles = dict(family.members.values_list("person_id", "role"))
    assert roles == {child.pk: "child", stranger.pk: FamilyMember.Role.OTHER_ADULT}
    audit = dict(
        AuditEvent.objects.filter(
            actor=worker, action=AuditEvent.Action.FAMILY_REFERRED
        ).values_list("person_id", "detail")
    )
    assert audit == {
        child.pk: f"family referral {family.pk}: child, named by NHS number",
        stranger.pk: f"family referral {family.pk}: other adult, "
        "named by NHS number and date of birth",
    }
    assert decide(worker, stranger).allowed


def test_member_ages_must_fit_their_roles(client, worker, child, stranger):
    client.force_login(worker)
    response = _post(
        client,
        f"{child.nhs_number}, other adult\n{stranger.nhs_number}, child, 03-02-1988",
    )
    assert _errors(response) == [
        "line 1: this person is 7; “other adult” is for people 18 or over, so name them as child",
        "line 2: this person is 37; “child” is for people under 18, so name them as parent, "
        "carer or other adult",
    ]
    assert not FamilyReferral.objects.exists()


def test_member_line_without_a_comma_says_how_to_write_it(client, worker, child):
    client.force_login(worker)
    response = _post(client, f"{child.nhs_number}, child\n9990001022 mother")
    assert _errors(response) == [
        "line 2: write the NHS number, a comma, then the role, for example "
        "999 000 0018, child, 14/03/2016"
    ]


def test_member_roles_are_words_the_user_can_type(client, worker, child):
    client.force_login(worker)
    hint = client.get("/families/new/").content.decode()
    assert "other adult" in hint and "other_adult" not in hint
    response = _post(client, f"{child.nhs_number}, Young  Person\n{child.nhs_number}, parent")
    assert _errors(response) == ["line 2: this NHS number is already on line 1"]
    response = _post(client, f"{child.nhs_number}, child\n9990001022, cousin")
    assert _errors(response) == ["line 2: the role must be child, parent, carer or other adult"]


def test_refer_family_refuses_staff_outside_the_access_point(child):
    outsider = factories.staff(Role.SOCIAL_WORKER)
    line = actions.MemberLine(1, child.nhs_number, FamilyMember.Role.CHILD, CHILD_BORN)
    with pytest.raises(PermissionError):
        actions.refer_family(
            by=outsider,
            access_point=factories.spa(kind=SinglePointOfAccess.Kind.CHILDREN_AND_FAMILIES),
            household="H",
            members=[line],
            referrer="School",
            reason="Low mood",
            emotional_wellbeing="Anxious",
        )
    assert not FamilyReferral.objects.exists()


def test_key_worker_choices_are_care_roles_and_others_are_refused(client, worker, child):
    family = factories.family_referral(access_point=worker.access_points.get())
    factories.family_member(family=family, person=child)
    analyst = factories.staff(Role.ANALYST, first_name="Ann", last_name="Alyst")
    nurse = factories.staff(Role.DISTRICT_NURSE, first_name="Nora", last_name="Nurse")
    client.force_login(worker)
    fields = client.get(f"/families/{family.pk}/").context["form"].fields
    for name in ("key_worker", "mdt_members"):
        assert nurse in fields[name].queryset and analyst not in fields[name].queryset
    response = client.post(f"/families/{family.pk}/", {"key_worker": analyst.pk})
    assert response.status_code == 400
    assert "Choose a key worker in a care role from the list" in response.content.decode()
    family.refresh_from_db()
    assert family.key_worker is None


def test_name_key_worker_refuses_a_role_without_record_access(worker, child):
    family = factories.family_referral(access_point=worker.access_points.get())
    factories.family_member(family=family, person=child)
    analyst = factories.staff(Role.ANALYST)
    with pytest.raises(actions.ValidationError) as error:
        actions.name_key_worker(by=worker, family=family, key_worker=analyst)
    assert error.value.message_dict == {
        "key_worker": ["Choose a key worker in a care role from the list"]
    }


def test_caseload_of_a_key_worker_without_record_access_shows_no_names(client, worker, child):
    family = factories.family_referral(access_point=worker.access_points.get())
    factories.family_member(family=family, person=child)
    analyst = factories.staff(Role.ANALYST)
    # As named before the MDT form refused such roles.
    FamilyReferral.objects.filter(pk=family.pk).update(
        key_worker=analyst, status=FamilyReferral.Status.KEY_WORKER_NAMED
    )
    client.force_login(analyst)
    page = client.get("/families/caseload/").content.decode()
    assert child.family_name.upper() not in page
    assert "Your role does not give access to people" in page


YOUNG_PARENT_BORN = date(2011, 6, 1)  # 14 on the fixed day


def _member(family: FamilyReferral, person, role: str = FamilyMember.Role.CHILD) -> None:
    # Not factories.family_member: its default family is made even when one is given.
    FamilyMember.objects.create(family=family, person=person, role=role)


def test_parent_under_16_is_recorded_once_the_age_is_confirmed(client, worker, child):
    # A 14-year-old was accepted as a parent only by naming them as a child.
    parent = factories.person(date_of_birth=YOUNG_PARENT_BORN)
    client.force_login(worker)
    members = f"{child.nhs_number}, child\n{parent.nhs_number}, parent, 1/6/2011"
    asked = _post(client, members)
    page = asked.content.decode()
    assert _errors(asked) == [
        "line 2: this person is 14; check the date of birth, then confirm below that this "
        "parent is 14"
    ]
    assert "I have checked the date of birth: this parent is 14" in page
    assert "Check the dates of birth, or confirm the young parent or carer&#x27;s age" in page
    assert not FamilyReferral.objects.exists()
    assert _post(client, members, **_tick(asked, "young_member")).status_code == 302
    family = FamilyReferral.objects.get()
    assert family.members.get(person=parent).role == FamilyMember.Role.PARENT
    assert AuditEvent.objects.get(
        person=parent, action=AuditEvent.Action.FAMILY_REFERRED
    ).detail == (
        f"family referral {family.pk}: parent, named by NHS number and date of birth; "
        "age 14 confirmed by the referrer"
    )


def test_parent_or_carer_under_10_is_refused_even_when_confirmed(client, worker, child):
    young = factories.person(date_of_birth=YOUNG_PARENT_BORN)
    client.force_login(worker)
    members = f"{young.nhs_number}, child, 1/6/2011\n{child.nhs_number}, carer"
    response = _post(client, members, young_member="anything")
    assert _errors(response) == [
        "line 2: this person is 7; a carer cannot be under 10, so check the date of birth "
        "and the role on this line"
    ]
    assert "Members of the household: line 2: this person is 7" in response.content.decode()
    assert not FamilyReferral.objects.exists()


def test_a_confirmation_covers_only_what_the_page_asked(client, worker, child):
    older = factories.person(date_of_birth=date(2010, 6, 1))  # 15
    younger = factories.person(date_of_birth=YOUNG_PARENT_BORN)
    client.force_login(worker)
    first = f"{child.nhs_number}, child\n{older.nhs_number}, parent, 1/6/2010"
    ticked = _tick(_post(client, first), "young_member")
    response = _post(client, f"{first}\n{younger.nhs_number}, carer, 1/6/2011", **ticked)
    assert _errors(response) == [
        "line 2: this person is 15; check the date of birth, then confirm below that this "
        "parent is 15",
        "line 3: this person is 14; check the date of birth, then confirm below that this "
        "carer is 14",
    ]
    assert "the parent on line 2 is 15, the carer on line 3 is 14" in response.content.decode()
    assert not FamilyReferral.objects.exists()


def test_second_referral_for_a_child_with_an_open_one_shows_it_and_needs_confirming(
    client, worker, child
):
    first = factories.family_referral(
        access_point=worker.access_points.get(), household="The Ahmed household"
    )
    _member(first, child)
    client.force_login(worker)
    asked = _post(client, f"{child.nhs_number}, child")
    page = asked.content.decode()
    assert _errors(asked) == [
        "line 1: this child already has an open family referral, The Ahmed household, "
        "made on 14 January 2026"
    ]
    assert f'<a href="/families/{first.pk}/">The Ahmed household</a>' in page
    assert "Check the open family referral, or confirm that a second referral is meant" in page
    assert FamilyReferral.objects.get() == first
    response = _post(client, f"{child.nhs_number}, child", **_tick(asked, "second_referral"))
    assert response.status_code == 302
    second = FamilyReferral.objects.exclude(pk=first.pk).get()
    assert AuditEvent.objects.get(
        person=child, action=AuditEvent.Action.FAMILY_REFERRED
    ).detail == (
        f"family referral {second.pk}: child, named by NHS number; second open referral "
        f"confirmed by the referrer (also in family referral {first.pk})"
    )


def test_open_referral_the_worker_cannot_open_is_not_revealed(client, worker, child, stranger):
    elsewhere = factories.family_referral(household="The Hidden household")
    _member(elsewhere, child)
    _member(elsewhere, stranger, FamilyMember.Role.PARENT)
    client.force_login(worker)
    response = _post(client, f"{child.nhs_number}, child")
    page = response.content.decode()
    assert _errors(response) == [
        "line 1: this child already has an open family referral, which you cannot open"
    ]
    assert "Hidden" not in page and f"/families/{elsewhere.pk}/" not in page
    assert stranger.given_name not in page  # Kelly, the other member
    assert FamilyReferral.objects.get() == elsewhere


def test_closed_family_referral_does_not_ask_for_confirmation(client, worker, child):
    closed = factories.family_referral(
        access_point=worker.access_points.get(),
        status=FamilyReferral.Status.CLOSED,
        key_worker=worker,
        closed_at=datetime(2026, 1, 10, tzinfo=LONDON),
    )
    _member(closed, child)
    client.force_login(worker)
    assert _post(client, f"{child.nhs_number}, child").status_code == 302
    assert FamilyReferral.objects.count() == 2
