"""The last bed, booked by two coordinators at once on two real database connections."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from joinedcare.services import actions
from joinedcare.services.actions import PlaceGone
from joinedcare.services.models import Episode, Service, ServiceDay
from joinedcare.staff.roles import Role
from tests import factories
from tests.services.conftest import MORNING

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROUNDS = 5


def _book_at_once(assessors, referrals, service, start):
    barrier = threading.Barrier(len(referrals))
    outcomes = [None] * len(referrals)

    def book(i):
        try:
            barrier.wait()
            actions.allocate_service(
                by=assessors[i], referral=referrals[i], service=service, start=start
            )
            outcomes[i] = "booked"
        except PlaceGone as gone:
            outcomes[i] = gone.message_dict["service"][0]
        except Exception as error:
            outcomes[i] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(i,)) for i in range(len(referrals))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def test_last_bed_two_coordinators_at_once_exactly_one_succeeds(settings):
    if connection.vendor != "postgresql":
        pytest.fail("This test must run on PostgreSQL (scripts/postgres.sh)")
    settings.JOINEDCARE_CLOCK = MORNING
    assessors = [factories.staff(Role.ASSESSOR), factories.staff(Role.ASSESSOR)]
    spa = factories.spa(staff=assessors)
    start = MORNING.date()
    for _ in range(ROUNDS):
        service = factories.service(
            place=spa.place, kind=Service.Kind.INTERMEDIATE_CARE_BED, unit=Service.Unit.BEDS
        )
        ServiceDay.objects.bulk_create(
            ServiceDay(service=service, day=start + timedelta(days=i), capacity=1)
            for i in range(42)
        )
        referrals = [factories.referral(spa=spa), factories.referral(spa=spa)]

        outcomes = _book_at_once(assessors, referrals, service, start)

        assert sorted(outcomes, key=str) == sorted(
            ["booked", outcomes[1 - outcomes.index("booked")]], key=str
        ), outcomes
        assert outcomes.count("booked") == 1, outcomes
        refused = next(o for o in outcomes if o != "booked")
        assert refused.startswith("The bed has gone"), refused
        assert Episode.objects.filter(service=service).count() == 1
        assert {d.filled for d in ServiceDay.objects.filter(service=service)} == {1}
