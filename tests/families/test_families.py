from datetime import date

import pytest
from django.core.exceptions import ValidationError

from joinedcare.access.rules import decide
from joinedcare.families import actions
from joinedcare.families.forms import FamilyReferralForm
from joinedcare.families.models import FamilyMember
from joinedcare.referrals.models import SinglePointOfAccess
from joinedcare.staff.roles import Role
from tests import factories


@pytest.fixture
def point(db):
    worker = factories.staff(Role.SOCIAL_WORKER)
    return factories.spa(kind=SinglePointOfAccess.Kind.CHILDREN_AND_FAMILIES, staff=[worker])


def test_family_referral_mdt_names_one_key_worker_who_sees_the_whole_family(point):
    worker = point.staff.get()
    child = factories.person(date_of_birth=date(2015, 5, 1))
    parent = factories.person(date_of_birth=date(1985, 5, 1))
    family = actions.refer_family(
        by=worker,
        access_point=point,
        household="The Khan household",
        members=[
            actions.MemberLine(1, child.nhs_number, FamilyMember.Role.CHILD, child.date_of_birth),
            actions.MemberLine(
                2, parent.nhs_number, FamilyMember.Role.PARENT, parent.date_of_birth
            ),
        ],
        referrer="School nurse",
        reason="Low mood",
        emotional_wellbeing="Not sleeping",
    )
    key_worker = factories.staff(Role.VCS_WORKER)
    assert not decide(key_worker, child).allowed
    actions.name_key_worker(by=worker, family=family, key_worker=key_worker, mdt_members=[worker])
    assert decide(key_worker, child).basis == "key worker of the person's family"
    assert decide(key_worker, parent).allowed


def test_mdt_must_name_a_key_worker(point):
    family = factories.family_referral(access_point=point)
    with pytest.raises(ValidationError) as error:
        actions.name_key_worker(by=point.staff.get(), family=family, key_worker=None)
    assert "key_worker" in error.value.message_dict


def test_family_form_names_bad_member_lines(db):
    child = factories.person()
    form = FamilyReferralForm(
        {
            "household": "H",
            "members": f"{child.nhs_number}, child\n1234567890, parent\n{child.nhs_number}, cousin",
            "referrer": "GP",
            "reason": "r",
            "emotional_wellbeing": "e",
        }
    )
    assert not form.is_valid()
    problems = form.errors["members"]
    assert any("line 2" in p for p in problems) and any("line 3" in p for p in problems)


def test_family_page_refused_without_access_and_caseload_lists_families(client, point):
    family = factories.family_referral(access_point=point)
    factories.family_member(family=family)
    outsider = factories.staff(Role.GP)
    client.force_login(outsider)
    assert client.get(f"/families/{family.pk}/").status_code == 403
    worker = point.staff.get()
    client.force_login(worker)
    assert client.get(f"/families/{family.pk}/").status_code == 200
    actions.name_key_worker(by=worker, family=family, key_worker=worker)
    assert family.household in client.get("/families/caseload/").content.decode()


def test_the_access_points_social_worker_finds_family_referrals_from_home(client, point):
    # The links sat inside the SPA coordinator's and assessor's block only.
    client.force_login(point.staff.get())
    page = client.get("/").content.decode()
    assert "Children and families" in page
    assert 'href="/families/"' in page


def test_an_adults_spa_coordinator_is_told_where_family_referrals_are_taken(client, point):
    # "You do not work in a Single Point of Access" was untrue of her: she does, for adults.
    coordinator = factories.staff(Role.SPA_COORDINATOR)
    factories.spa(name="Demo County SPA", staff=[coordinator])
    client.force_login(coordinator)
    for url in ("/families/", "/families/new/"):
        answer = client.get(url)
        page = answer.content.decode()
        assert answer.status_code == 403
        assert "You are not on the staff of a children's access point" in page
        assert "You work at Demo County SPA, which takes adults' referrals" in page
        assert "You do not work in a Single Point of Access" not in page
