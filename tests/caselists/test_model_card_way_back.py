"""The model card as the site serves it: a way back to the case lists, the site's name, and
what the run was published as; the card itself is kept whole (and downloadable as the file)."""

import base64
import hashlib
import re

import pytest

from joinedcare.analytics import report
from joinedcare.caselists.actions import publish_run
from joinedcare.caselists.models import PublishedRun
from joinedcare.staff.roles import Role
from tests import factories
from tests.analytics.model.test_model_card_page import a_report
from tests.caselists.runs import write_run


@pytest.fixture
def published(tmp_path, team_a):
    practice = factories.practice(team=team_a)
    rows = [(f"{i:032x}", practice.code, 0.1 * (i + 1)) for i in range(5)]
    run = publish_run(
        by=factories.staff(Role.ANALYST), run_dir=write_run(tmp_path, "r1", rows), top_percent=40
    )
    # The card a real run writes, so its tables are the real ones.
    run.model_card = report.render_html(a_report())
    run.save(update_fields=["model_card"])
    return run


@pytest.fixture
def analyst(client, db):
    client.force_login(factories.staff(Role.ANALYST))
    return client


def test_model_card_has_a_way_back_to_the_site(analyst, published):
    page = analyst.get("/case-lists/runs/r1/card/").text
    run_id = a_report()["run"]["run_id"]  # the card's own title, with the site's name
    assert f"<title>Risk stratification model card: run {run_id} - joinedcare</title>" in page
    breadcrumb = re.search(r'<nav aria-label="Breadcrumb">.*?</nav>', page, re.S).group()
    assert '<a href="/">joinedcare</a>' in breadcrumb
    assert '<a href="/case-lists/">Case lists</a>' in breadcrumb
    assert '<a href="/case-lists/">Back to the case lists</a>' in page


def test_model_card_says_what_share_the_run_was_published_at(analyst, published):
    page = analyst.get("/case-lists/runs/r1/card/").text
    # Read from the publication (40% here), not assumed to be the default 2%.
    assert "as the top 40% of each practice by risk" in page
    assert "top 2% of each practice by risk" not in page


def test_model_card_keeps_its_calibration_table_and_captions(analyst, published):
    page = analyst.get("/case-lists/runs/r1/card/").text
    tables = re.findall(r"<table>(.*?)</table>", page, re.S)
    assert tables and all(t.startswith("<caption>") for t in tables)
    assert "<caption>Calibration: average predicted risk and share admitted" in page


def test_model_card_policy_allows_each_style_it_has_and_no_script(analyst, published):
    response = analyst.get("/case-lists/runs/r1/card/")
    styles = re.findall(r"<style>(.*?)</style>", response.text, re.S)
    assert len(styles) == 2  # the card's own and the way back's
    policy = response["Content-Security-Policy"]
    for css in styles:
        digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "script-src 'none'" in policy and "'unsafe-inline'" not in policy


def test_model_card_downloads_as_the_file_the_run_wrote(analyst, published):
    response = analyst.get("/case-lists/runs/r1/card/?download=1")
    assert response["Content-Disposition"] == 'attachment; filename="model-card-r1.html"'
    assert response.text == published.model_card


def test_latest_model_card_is_the_newest_published_run(analyst, published, tmp_path, team_a):
    practice = factories.practice(team=team_a)
    rows = [(f"{i:032x}", practice.code, 0.5) for i in range(3)]
    publish_run(by=factories.staff(Role.ANALYST), run_dir=write_run(tmp_path, "r2", rows))
    response = analyst.get("/case-lists/runs/latest/card/")
    assert response.status_code == 302 and response["Location"] == "/case-lists/runs/r2/card/"


def test_latest_model_card_before_any_run_is_the_case_lists_page(analyst):
    assert not PublishedRun.objects.exists()
    response = analyst.get("/case-lists/runs/latest/card/")
    assert response.status_code == 302 and response["Location"] == "/case-lists/"
