"""Signing in and out: password hashing, throttling, the second factor, sessions, CSRF."""

from datetime import timedelta

import pyotp
import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from joinedcare.access.models import BreakGlass
from joinedcare.staff.models import SignInAttempt
from joinedcare.staff.roles import TWO_FACTOR_ROLES, Role
from joinedcare.staff.signin import device_for
from tests import factories

SIGN_IN = "/sign-in/"
CODE = "/sign-in/code/"
LOCKED = "Too many failed attempts"
WRONG = "The username or password is not right."


def _sign_in(client, username: str, password: str = factories.PASSWORD):
    return client.post(SIGN_IN, {"username": username, "password": password})


def _signed_in(client) -> bool:
    return SESSION_KEY in client.session


def _fail(client, username: str, times: int) -> None:
    for _ in range(times):
        assert WRONG in _sign_in(client, username, "not my password").content.decode()


def _move_attempts_back(minutes: int) -> None:
    SignInAttempt.objects.update(at=timezone.now() - timedelta(minutes=minutes))


@pytest.fixture
def nurse(db):
    return factories.staff(Role.DISTRICT_NURSE, username="nurse")


def test_passwords_are_stored_with_argon2(nurse):
    nurse.refresh_from_db()

    assert nurse.password.startswith("argon2")
    assert factories.PASSWORD not in nurse.password


def test_sign_in_with_the_right_password_goes_home(client, nurse):
    response = _sign_in(client, "nurse")

    assert response.status_code == 302
    assert response.url == "/"
    assert _signed_in(client)


def test_sign_in_with_a_wrong_password_says_so(client, nurse):
    response = _sign_in(client, "nurse", "not my password")

    assert WRONG in response.content.decode()
    assert not _signed_in(client)


def test_sign_in_locks_after_the_maximum_failures(client, nurse, settings):
    _fail(client, "nurse", settings.SIGN_IN_MAX_FAILURES)

    response = _sign_in(client, "nurse")

    assert LOCKED in response.content.decode()
    assert f"Try again in {settings.SIGN_IN_LOCK_MINUTES} minutes" in response.content.decode()
    assert not _signed_in(client)


def test_sign_in_one_failure_short_of_the_maximum_still_signs_in(client, nurse, settings):
    _fail(client, "nurse", settings.SIGN_IN_MAX_FAILURES - 1)

    _sign_in(client, "nurse")

    assert _signed_in(client)


def test_sign_in_lock_ignores_the_case_of_the_username(client, nurse, settings):
    _fail(client, "NURSE", settings.SIGN_IN_MAX_FAILURES)

    response = _sign_in(client, "nurse")

    assert LOCKED in response.content.decode()


def test_sign_in_unlocks_after_the_window(client, nurse, settings):
    _fail(client, "nurse", settings.SIGN_IN_MAX_FAILURES)
    _move_attempts_back(settings.SIGN_IN_LOCK_MINUTES + 1)

    _sign_in(client, "nurse")

    assert _signed_in(client)


def test_sign_in_stays_locked_just_inside_the_window(client, nurse, settings):
    _fail(client, "nurse", settings.SIGN_IN_MAX_FAILURES)
    _move_attempts_back(settings.SIGN_IN_LOCK_MINUTES - 1)

    response = _sign_in(client, "nurse")

    assert "Try again in 1 minute," in response.content.decode()
    assert not _signed_in(client)


def test_sign_in_throttles_unknown_usernames_too(client, db, settings):
    _fail(client, "nobody-here", settings.SIGN_IN_MAX_FAILURES)

    response = _sign_in(client, "nobody-here", "anything at all")

    assert LOCKED in response.content.decode()


def test_sign_in_lock_of_one_username_leaves_others_alone(client, nurse, settings):
    factories.staff(Role.GP, username="doctor")
    _fail(client, "nurse", settings.SIGN_IN_MAX_FAILURES)

    _sign_in(client, "doctor")

    assert _signed_in(client)


def test_sign_in_success_resets_the_failure_count(client, nurse, settings):
    _fail(client, "nurse", settings.SIGN_IN_MAX_FAILURES - 1)
    _sign_in(client, "nurse")
    client.logout()
    _fail(client, "nurse", settings.SIGN_IN_MAX_FAILURES - 1)

    _sign_in(client, "nurse")

    assert _signed_in(client)


# The second factor


@pytest.fixture(params=sorted(TWO_FACTOR_ROLES))
def second_factor_user(request, db):
    return factories.staff(request.param, username="guarded")


def _code(user) -> str:
    return pyotp.TOTP(device_for(user).secret).now()


def test_two_factor_role_password_alone_leaves_them_signed_out(client, second_factor_user):
    response = _sign_in(client, "guarded")

    assert response.url == CODE
    assert not _signed_in(client)
    home = client.get("/")
    assert home.status_code == 302
    assert home.url.startswith(SIGN_IN)


def test_two_factor_role_first_sign_in_shows_how_to_enrol(client, second_factor_user):
    _sign_in(client, "guarded")

    response = client.get(CODE)

    assert "Set up an authenticator app" in response.content.decode()
    assert device_for(second_factor_user).secret in response.content.decode()


def test_two_factor_role_wrong_code_is_refused(client, second_factor_user):
    _sign_in(client, "guarded")
    right = _code(second_factor_user)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = client.post(CODE, {"code": wrong})

    assert "This code is not right or has already been used" in response.content.decode()
    assert not _signed_in(client)


def test_two_factor_role_code_that_is_not_six_digits_is_explained(client, second_factor_user):
    _sign_in(client, "guarded")

    response = client.post(CODE, {"code": "12ab"})

    assert "Enter the 6-digit code shown in your authenticator app" in response.content.decode()
    assert not _signed_in(client)


def test_two_factor_role_right_code_signs_in(client, second_factor_user):
    _sign_in(client, "guarded")

    response = client.post(CODE, {"code": _code(second_factor_user)})

    assert response.status_code == 302
    assert _signed_in(client)
    assert int(client.session[SESSION_KEY]) == second_factor_user.pk


def test_two_factor_role_code_is_not_accepted_twice(client, second_factor_user):
    _sign_in(client, "guarded")
    code = _code(second_factor_user)
    client.post(CODE, {"code": code})
    client.post(reverse("sign-out"))
    _sign_in(client, "guarded")

    response = client.post(CODE, {"code": code})

    assert "has already been used" in response.content.decode()
    assert not _signed_in(client)


def test_code_page_without_a_password_first_goes_to_sign_in(client, second_factor_user):
    response = client.post(CODE, {"code": _code(second_factor_user)})

    assert response.status_code == 302
    assert response.url == reverse("sign-in")
    assert not _signed_in(client)


@pytest.mark.parametrize(
    "role", [Role.GP, Role.DISTRICT_NURSE, Role.SOCIAL_WORKER, Role.ANALYST, Role.LOCALITY_MANAGER]
)
def test_other_roles_sign_in_with_a_password(client, db, role):
    factories.staff(role, username="worker")

    response = _sign_in(client, "worker")

    assert response.url == "/"
    assert _signed_in(client)


def test_sign_in_returns_to_the_page_asked_for(client, nurse):
    client.get(SIGN_IN, {"next": "/places/"})

    response = _sign_in(client, "nurse")

    assert response.url == "/places/"


def test_sign_in_never_returns_to_another_site(client, nurse):
    client.get(SIGN_IN, {"next": "https://evil.example/"})

    response = _sign_in(client, "nurse")

    assert response.url == "/"


def test_admin_login_goes_to_joinedcare_sign_in(client):
    response = client.get("/admin/login/", {"next": "/admin/"})

    assert response.status_code == 302
    assert response.url == "/sign-in/?next=%2Fadmin%2F"


# Sessions


def test_sessions_last_thirty_minutes_and_end_with_the_browser(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_session_cookie_is_a_browser_session_cookie(client, nurse, settings):
    response = _sign_in(client, "nurse")

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert cookie["httponly"]


def test_expired_session_sends_the_user_to_sign_in(client, nurse):
    client.force_login(nurse)
    session = client.session
    session.set_expiry(timezone.now() - timedelta(minutes=1))
    session.save()

    response = client.get("/places/")

    assert response.status_code == 302
    assert response.url.startswith(SIGN_IN)


def test_live_session_reaches_the_page(client, nurse):
    client.force_login(nurse)

    assert client.get("/places/").status_code == 200


# Sign-out and CSRF


def test_sign_out_by_get_is_refused_and_keeps_the_session(client, nurse):
    client.force_login(nurse)

    response = client.get("/sign-out/")

    assert response.status_code == 405
    assert _signed_in(client)


def test_sign_out_by_post_ends_the_session(client, nurse):
    client.force_login(nurse)

    response = client.post("/sign-out/")

    assert response.url == reverse("sign-in")
    assert not _signed_in(client)
    assert client.get("/").status_code == 302


def test_sign_out_without_a_csrf_token_is_refused(db, nurse):
    client = Client(enforce_csrf_checks=True)
    client.force_login(nurse)

    response = client.post("/sign-out/")

    assert response.status_code == 403
    assert _signed_in(client)


def test_sign_in_without_a_csrf_token_is_refused(db, nurse):
    client = Client(enforce_csrf_checks=True)

    response = _sign_in(client, "nurse")

    assert response.status_code == 403
    assert not _signed_in(client)


def test_sign_in_with_the_csrf_token_from_the_form_works(db, nurse):
    client = Client(enforce_csrf_checks=True)
    client.get(SIGN_IN)
    token = client.cookies["csrftoken"].value

    client.post(
        SIGN_IN,
        {"username": "nurse", "password": factories.PASSWORD, "csrfmiddlewaretoken": token},
    )

    assert _signed_in(client)


def test_break_glass_without_a_csrf_token_is_refused(db, gp_a, person_b):
    client = Client(enforce_csrf_checks=True)
    client.force_login(gp_a)

    response = client.post(
        reverse("break-glass", kwargs={"person": person_b.public_id}),
        {"reason": "Collapsed at home, out of hours", "password": factories.PASSWORD},
    )

    assert response.status_code == 403
    assert not BreakGlass.objects.exists()
