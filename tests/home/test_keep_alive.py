"""Typing into a form keeps the session alive; a session that has ended says so."""

import pytest
from django.utils import timezone

from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db
URL = "/session/keep-alive/"


def test_a_signed_in_user_typing_is_kept_signed_in(client, settings):
    client.force_login(factories.staff(Role.GP))
    before = client.session.get_expiry_date()
    response = client.post(URL)
    assert response.status_code == 204
    assert client.session.get_expiry_date() >= before
    assert client.session.get_expiry_date() > timezone.now()


def test_an_ended_session_answers_401_not_the_sign_in_page(client):
    assert client.post(URL).status_code == 401


def test_only_a_post_keeps_alive(client):
    client.force_login(factories.staff(Role.GP))
    assert client.get(URL).status_code == 405


def test_pages_of_a_signed_in_user_say_where_to_keep_alive(client):
    client.force_login(factories.staff(Role.GP))
    assert f'<body data-keep-alive="{URL}">' in client.get("/").text
    client.logout()
    assert "data-keep-alive" not in client.get("/sign-in/").text
