"""Security headers, production start-up checks, and logs without NHS numbers."""

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from joinedcare.home.logging import RedactIdentifiers
from joinedcare.staff.roles import Role
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET_KEY = "k" * 64


def _assert_security_headers(response) -> None:
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/sign-in/", "/", "/people/", "/no-such-page/"])
def test_anonymous_responses_carry_security_headers(client, db, path):
    response = client.get(path)

    _assert_security_headers(response)


@pytest.mark.parametrize(
    "path", ["/", "/people/", "/places/", "/no-such-page/", "/audit/", "/admin/"]
)
def test_signed_in_pages_carry_security_headers_and_are_not_cached(client, gp_a, path):
    client.force_login(gp_a)

    response = client.get(path)

    _assert_security_headers(response)
    assert "no-store" in response["Cache-Control"]


def test_refusal_and_record_pages_are_not_cached(client, gp_a, person_a, person_b):
    client.force_login(gp_a)

    for person in (person_a, person_b):
        response = client.get(reverse("person", kwargs={"person": person.public_id}))

        _assert_security_headers(response)
        assert "no-store" in response["Cache-Control"]


def test_search_results_are_not_cached(client, gp_a, person_a):
    client.force_login(gp_a)

    response = client.post("/people/", {"nhs_number": person_a.nhs_number})

    assert "LOVELACE" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


# Production refuses to start with unsafe settings


def _start(tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("JOINEDCARE_", "DJANGO_"))}
    clean |= {
        "JOINEDCARE_ENV": "production",
        "JOINEDCARE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "joinedcare.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


GOOD = {"JOINEDCARE_SECRET_KEY": GOOD_SECRET_KEY, "JOINEDCARE_PSEUDONYM_KEY": "p" * 48}


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({"JOINEDCARE_PSEUDONYM_KEY": "p" * 48}, "JOINEDCARE_SECRET_KEY"),
        (GOOD | {"JOINEDCARE_SECRET_KEY": "django-insecure-" + "x" * 50}, "JOINEDCARE_SECRET_KEY"),
        (GOOD | {"JOINEDCARE_SECRET_KEY": "short"}, "JOINEDCARE_SECRET_KEY"),
        (GOOD | {"JOINEDCARE_DEBUG": "1"}, "JOINEDCARE_DEBUG"),
        ({"JOINEDCARE_SECRET_KEY": GOOD_SECRET_KEY}, "JOINEDCARE_PSEUDONYM_KEY"),
    ],
    ids=["no-secret-key", "insecure-key", "short-key", "debug-on", "no-pseudonym-key"],
)
def test_production_refuses_to_start_with_unsafe_settings(tmp_path, env, setting):
    started = _start(tmp_path, **env)

    assert started.returncode != 0
    assert "ImproperlyConfigured" in started.stderr
    assert setting in started.stderr.splitlines()[-1]


def test_production_starts_with_good_settings_and_writes_no_local_secrets(tmp_path):
    started = _start(tmp_path, **GOOD)

    assert started.returncode == 0, started.stderr
    assert not (tmp_path / "secrets.json").exists()


# Logs never contain NHS numbers


@pytest.fixture
def log_output():
    """What the configured console handler writes, with its redacting filter in place."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactIdentifiers) for f in h.filters)
    ]
    assert handlers, "the root logger has no handler with the RedactIdentifiers filter"
    stream = io.StringIO()
    previous = [h.setStream(stream) for h in handlers]
    yield stream
    for handler, old in zip(handlers, previous, strict=True):
        handler.setStream(old)


def test_logs_never_contain_nhs_numbers_from_urls_or_searches(client, gp_a, person_b, log_output):
    client.force_login(gp_a)
    n = person_b.nhs_number
    spaced = f"{n[:3]} {n[3:6]} {n[6:]}"

    assert client.get(f"/people/{n}/").status_code == 404
    client.get(f"/people/{spaced}/")
    client.get(f"/no-such-page/?nhs_number={n}")
    client.post("/people/", {"nhs_number": n})
    client.post("/people/", {"nhs_number": spaced})
    logging.getLogger("joinedcare").warning("looked up %s for %s", n, spaced)

    written = log_output.getvalue()
    assert "Not Found" in written  # the 404s were logged...
    assert "[redacted]" in written  # ...with the numbers taken out
    assert n not in written
    assert spaced not in written
    assert n not in written.replace(" ", "").replace("%20", "")


def test_redaction_filter_keeps_messages_without_numbers(db):
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "team %s has %d", ("TAP1", 3), None)

    RedactIdentifiers().filter(record)

    assert record.getMessage() == "team TAP1 has 3"


def test_analyst_requests_leave_no_numbers_in_logs(client, team_a, person_a, log_output):
    client.force_login(factories.staff(Role.ANALYST, teams=[team_a]))

    client.post("/people/", {"nhs_number": person_a.nhs_number})
    client.get(f"/people/{person_a.nhs_number}/break-glass/")

    assert person_a.nhs_number not in log_output.getvalue()


def test_a_refusal_is_logged_as_one_line_without_a_traceback(client, team_a, log_output):
    # The access rule working is not a fault: no traceback to bury real errors under.
    client.force_login(factories.staff(Role.ADMINISTRATOR, teams=[team_a]))
    assert client.get("/case-lists/").status_code == 403

    written = log_output.getvalue()
    assert "Forbidden (Permission denied): /case-lists/" in written
    assert "Traceback" not in written
