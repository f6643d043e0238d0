"""The same form sent twice at once, on two real database connections, is saved once."""

import threading

import pytest
from django.db import connection, connections

from joinedcare.home.models import SentForm
from joinedcare.home.once import save_once
from joinedcare.staff.roles import Role
from tests import factories
from tests.home.test_once import _post

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _send_twice_at_once(user, token: str) -> tuple[list[int], list[str | None]]:
    """Which sends ran their save, and where each send went."""
    barrier = threading.Barrier(2)
    saved: list[int] = []
    went: list[str | None] = [None, None]

    def send(i: int) -> None:
        def save() -> str:
            saved.append(i)
            return f"/saved-by/{i}/"

        try:
            barrier.wait()
            went[i] = save_once(_post(user, token), save)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return saved, went


def test_a_double_click_on_two_connections_saves_once():
    if connection.vendor != "postgresql":
        pytest.fail("This test must run on PostgreSQL (scripts/postgres.sh)")
    user = factories.staff(Role.SPA_COORDINATOR)
    for round_ in range(5):
        token = f"{round_:032d}"
        saved, went = _send_twice_at_once(user, token)
        assert len(saved) == 1, saved
        # Both sends end where the one saved went.
        assert went == [f"/saved-by/{saved[0]}/"] * 2
        assert SentForm.objects.filter(token=token).count() == 1
