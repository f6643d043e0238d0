import base64
import hashlib
import shutil

import pytest

from joinedcare.audit.models import AuditEvent
from joinedcare.caselists import views
from joinedcare.caselists.actions import publish_run
from joinedcare.caselists.models import CaseListEntry, PublishedRun
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


def publish_pseudonyms(folder, practice, run_id, pseudonyms, top_percent):
    """Publish a run of people known only by pseudonym (as an analyst sees them)."""
    n = len(pseudonyms)
    rows = [(p, practice.code, (n - i) / (n + 1)) for i, p in enumerate(pseudonyms)]
    run_dir = write_run(folder, run_id, rows, factors_for="segments")
    return publish_run(by=factories.staff(Role.ANALYST), run_dir=run_dir, top_percent=top_percent)


def test_case_list_says_how_good_the_model_was_at_the_published_share(client, tmp_path, team_a):
    practice = factories.practice(team=team_a)
    publish_pseudonyms(tmp_path, practice, "r1", [f"{i:032x}" for i in range(40)], 5)
    client.force_login(factories.staff(Role.GP, teams=[team_a]))
    for page in (f"/case-lists/practices/{practice.code}/", "/case-lists/"):
        text = client.get(page).text
        assert "AUC was 0.780" in text
        assert "of the people in its top 5%, 33% had an emergency admission" in text
        assert "top 2%" not in text


def test_first_list_says_it_is_the_first_and_later_lists_count_the_new(client, tmp_path, team_a):
    practice = factories.practice(team=team_a)
    pseudonyms = [f"{i:032x}" for i in range(40)]
    publish_pseudonyms(tmp_path, practice, "r1", pseudonyms, 5)
    client.force_login(factories.staff(Role.ANALYST))
    first = client.get(f"/case-lists/practices/{practice.code}/").text
    assert "2 people; this is the first published list" in first
    assert "new since the last list" not in first and "nhsuk-tag--blue" not in first
    # The lowest-risk person becomes the highest.
    publish_pseudonyms(tmp_path, practice, "r2", [pseudonyms[-1], *pseudonyms[:-1]], 5)
    second = client.get(f"/case-lists/practices/{practice.code}/").text
    assert "2 people, 1 new since the last list" in second
    assert "first published list" not in second


def test_analyst_reads_the_published_runs_model_card(client, published, settings, tmp_path):
    settings.RUNS_DIR = tmp_path
    analyst = factories.staff(Role.ANALYST)
    client.force_login(analyst)
    response = client.get("/case-lists/runs/r1/card/")
    assert response.status_code == 200
    assert "<title>Risk stratification model card: run r1 - joinedcare</title>" in response.text
    policy = response["Content-Security-Policy"]
    # Its own <style> is allowed by hash; scripts and inline styling otherwise are not.
    assert "script-src 'none'" in policy and "'unsafe-inline'" not in policy
    assert "style-src 'sha256-" in policy
    assert AuditEvent.objects.filter(
        actor=analyst, action="case_list_viewed", detail="model card of run r1"
    ).exists()


def test_model_card_style_hash_matches_the_card(client, published, settings, tmp_path):
    settings.RUNS_DIR = tmp_path
    client.force_login(factories.staff(Role.ANALYST))
    response = client.get("/case-lists/runs/r1/card/")
    css = response.text.split("<style>")[1].split("</style>")[0]
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("role", [Role.PRIVACY_OFFICER, Role.ADMINISTRATOR])
def test_model_card_is_refused_without_case_list_access(
    client, published, settings, tmp_path, role
):
    settings.RUNS_DIR = tmp_path
    client.force_login(factories.staff(role))
    assert client.get("/case-lists/runs/r1/card/").status_code == 403


def test_model_card_is_kept_with_the_list_wherever_the_run_folder_goes(
    client, published, settings, tmp_path
):
    # Published from tmp_path, read with RUNS_DIR elsewhere, after the folder is gone.
    settings.RUNS_DIR = tmp_path / "elsewhere"
    shutil.rmtree(tmp_path / "r1")
    client.force_login(factories.staff(Role.ANALYST))
    response = client.get("/case-lists/runs/r1/card/")
    assert response.status_code == 200
    assert "<title>Risk stratification model card: run r1 - joinedcare</title>" in response.text


def test_model_card_of_an_older_publication_is_read_from_runs_dir_or_not_found(
    client, published, settings, tmp_path
):
    # Runs published before cards were kept have none stored.
    PublishedRun.objects.update(model_card="")
    settings.RUNS_DIR = tmp_path
    client.force_login(factories.staff(Role.ANALYST))
    assert client.get("/case-lists/runs/r1/card/").status_code == 200
    (tmp_path / "r1" / "report.html").unlink()
    assert client.get("/case-lists/runs/r1/card/").status_code == 404
    assert client.get("/case-lists/runs/r2/card/").status_code == 404


def test_case_list_pages_link_to_the_model_card(client, published, team_a):
    practice, _ = published
    client.force_login(factories.staff(Role.GP, teams=[team_a]))
    link = 'How this list was made: <a href="/case-lists/runs/r1/card/">the model card</a>'
    assert link in client.get(f"/case-lists/practices/{practice.code}/").text
    assert link in client.get("/case-lists/").text


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


def test_columns_sort_from_their_headings_and_say_which_sorts(client, published, team_a):
    practice, _ = published
    client.force_login(factories.staff(Role.DISTRICT_NURSE, teams=[team_a]))
    page = client.get(f"/case-lists/practices/{practice.code}/").text
    # Rank is the default sort, marked for screen readers; the others are links to sort.
    assert 'aria-sort="ascending"><strong>Rank</strong>' in page
    for key, label in (("risk", "Risk"), ("efi", "Frailty (eFI)"), ("charlson", "Charlson")):
        assert f'<a href="?sort={key}">{label}' in page
    assert "Sort by:" not in page
    page = client.get(f"/case-lists/practices/{practice.code}/?sort=hfrs").text
    assert 'aria-sort="descending"><strong>HFRS</strong>' in page
    assert '<a href="?sort=rank">Rank' in page
    # An unknown sort is the default one, said so.
    page = client.get(f"/case-lists/practices/{practice.code}/?sort=nonsense").text
    assert 'aria-sort="ascending"><strong>Rank</strong>' in page


def test_a_long_list_is_paged_keeping_its_sort_and_audits_only_the_page(
    client, tmp_path, team_a, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    practice = factories.practice(team=team_a)
    people = [factories.person(practice=practice, family_name=f"Paged{i}") for i in range(10)]
    rows = [(p.pseudonym, practice.code, 0.01 * (i + 1)) for i, p in enumerate(people)]
    publish_run(
        by=factories.staff(Role.ANALYST), run_dir=write_run(tmp_path, "r1", rows), top_percent=50
    )
    assert CaseListEntry.objects.count() == 5  # Paged9 (highest risk) down to Paged5
    nurse = factories.staff(Role.DISTRICT_NURSE, teams=[team_a])
    client.force_login(nurse)
    url = f"/case-lists/teams/{team_a.code}/"

    first = client.get(url + "?sort=risk").text
    assert "Showing 1 to 2 of 5 people (page 1 of 3)." in first
    assert "PAGED9" in first and "PAGED8" in first and "PAGED7" not in first
    assert 'href="?sort=risk&amp;page=2" class="nhsuk-pagination__next"' in first
    assert "5 people" in first  # the summary is of the whole list
    assert AuditEvent.objects.filter(actor=nurse, action="case_list_viewed").count() == 2

    last = client.get(url + "?sort=risk&page=3").text
    assert "Showing 5 to 5 of 5 people (page 3 of 3)." in last
    assert "PAGED5" in last and "PAGED6" not in last
    assert 'aria-current="page">3<' in last and "nhsuk-pagination__next" not in last
    # A page past the end shows the last page, one before the start the first: no error.
    assert "PAGED5" in client.get(url + "?sort=risk&page=99").text
    for before in ("0", "-1"):
        assert "(page 1 of 3)" in client.get(url + f"?sort=risk&page={before}").text


def test_a_list_on_one_page_has_no_pages(client, published, team_a):
    practice, _ = published
    client.force_login(factories.staff(Role.GP, teams=[team_a]))
    page = client.get(f"/case-lists/practices/{practice.code}/").text
    assert "Showing" not in page and "nhsuk-pagination" not in page
