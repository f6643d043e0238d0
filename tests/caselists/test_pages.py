import pytest

from joinedcare.audit.models import AuditEvent
from joinedcare.caselists.actions import publish_run
from joinedcare.caselists.models import CaseListEntry
from joinedcare.staff.roles import Role
from tests import factories
from tests.caselists.runs import write_run


@pytest.fixture
def published(tmp_path, team_a):
    practice = factories.practice(team=team_a)
    people = [factories.person(practice=practice, family_name=f"Frail{i}") for i in range(5)]
    rows = [(p.pseudonym, practice.code, 0.1 * (i + 1)) for i, p in enumerate(people)]
    publish_run(
        by=factories.staff(Role.ANALYST),
        run_dir=write_run(tmp_path, "r1", rows),
        top_percent=40,
    )
    return practice, people


def test_team_member_sees_names_and_each_is_audited(client, published, team_a):
    practice, _ = published
    gp = factories.staff(Role.GP, teams=[team_a])
    client.force_login(gp)
    response = client.get(f"/case-lists/practices/{practice.code}/")
    assert response.status_code == 200
    assert "Frail4".upper() in response.text and "Frail3".upper() in response.text
    assert "FRAIL0" not in response.text  # below the top 40%
    assert AuditEvent.objects.filter(actor=gp, action="case_list_viewed").count() == 2


def test_gp_of_another_team_is_refused(client, published, team_b):
    practice, _ = published
    client.force_login(factories.staff(Role.GP, teams=[team_b]))
    assert client.get(f"/case-lists/practices/{practice.code}/").status_code == 403
    assert client.get(f"/case-lists/teams/{practice.team.code}/").status_code == 403


def test_analyst_sees_pseudonyms_and_aggregates_never_names(client, published):
    practice, people = published
    analyst = factories.staff(Role.ANALYST)
    client.force_login(analyst)
    response = client.get(f"/case-lists/teams/{practice.team.code}/")
    assert response.status_code == 200
    assert people[4].pseudonym[:12] in response.text
    assert "FRAIL" not in response.text and people[4].nhs_number not in response.text
    assert "2 people" in response.text
    event = AuditEvent.objects.get(actor=analyst, action="case_list_viewed")
    assert event.person is None


def test_sorting_by_frailty_keeps_everyone(client, published, team_a):
    practice, _ = published
    client.force_login(factories.staff(Role.DISTRICT_NURSE, teams=[team_a]))
    response = client.get(f"/case-lists/practices/{practice.code}/?sort=efi")
    assert response.status_code == 200
    assert response.text.count("FRAIL") == 2


@pytest.mark.parametrize("role", [Role.PRIVACY_OFFICER, Role.ADMINISTRATOR])
def test_roles_without_case_finding_are_refused(client, published, team_a, role):
    practice, _ = published
    client.force_login(factories.staff(role, teams=[team_a]))
    assert client.get(f"/case-lists/practices/{practice.code}/").status_code == 403
    assert client.get("/case-lists/").status_code == 403


def test_case_list_says_how_good_the_model_was(client, published, team_a):
    practice, _ = published
    client.force_login(factories.staff(Role.GP, teams=[team_a]))
    response = client.get(f"/case-lists/practices/{practice.code}/")
    assert "AUC was 0.780" in response.text
    assert "41% had an emergency admission" in response.text


def test_summary_counts_reasons_by_kind(client, published):
    practice, _ = published
    entries = list(CaseListEntry.objects.all())
    entries[0].top_factors = ["aged 88", "1 GP contact in the last 12 months"]
    entries[1].top_factors = ["aged 89", "13 GP contacts in the last 12 months"]
    CaseListEntry.objects.bulk_update(entries, ["top_factors"])
    client.force_login(factories.staff(Role.ANALYST))
    page = client.get(f"/case-lists/teams/{practice.team.code}/").text
    assert "age (2)" in page and "GP contacts in the last 12 months (2)" in page
    assert "aged 88 (1)" not in page
