"""A form sent twice (double click, back button, retry) is saved once."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.template import Context, Template
from django.test import RequestFactory

from joinedcare.home.models import SentForm
from joinedcare.home.once import ALREADY_SENT, save_once
from joinedcare.staff.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


def _post(user, token: str):
    request = RequestFactory().post("/spa/referrals/new/", {"once": token})
    request.user = user
    request._messages = CookieStorage(request)
    return request


def test_a_form_sent_twice_is_saved_once_and_the_second_goes_where_the_first_went():
    user = factories.staff(Role.SPA_COORDINATOR)
    saved = []

    def save() -> str:
        saved.append(1)
        return f"/spa/referrals/{len(saved)}/"

    first = _post(user, "a" * 32)
    assert save_once(first, save) == "/spa/referrals/1/"
    again = _post(user, "a" * 32)
    assert save_once(again, save) == "/spa/referrals/1/"
    assert len(saved) == 1
    assert [str(m) for m in get_messages(again)] == [ALREADY_SENT]
    # Another form is another token.
    assert save_once(_post(user, "b" * 32), save) == "/spa/referrals/2/"


def test_a_send_that_failed_can_be_sent_again():
    user = factories.staff(Role.SPA_COORDINATOR)

    def refuse() -> str:
        raise ValueError("no beds")

    with pytest.raises(ValueError):
        save_once(_post(user, "c" * 32), refuse)
    assert not SentForm.objects.exists()
    assert save_once(_post(user, "c" * 32), lambda: "/done/") == "/done/"


def test_a_post_without_a_token_is_saved_as_before():
    user = factories.staff(Role.SPA_COORDINATOR)
    calls = []
    for _ in range(2):
        save_once(_post(user, ""), lambda: calls.append(1) or "/x/")
    assert len(calls) == 2 and not SentForm.objects.exists()


def test_each_rendering_of_a_form_gets_a_new_token():
    template = Template("{% load once %}{% once_token %}")
    first, second = template.render(Context()), template.render(Context())
    assert first.startswith('<input type="hidden" name="once" value="') and first != second
