"""A practice MDT takes the people new to its case list a few at a time, highest risk
first; the rest come up at the following meetings until they have been discussed."""

from datetime import date
from html import unescape

import pytest
from django.utils import timezone

from joinedcare.careplans.models import CarePlan
from joinedcare.meetings import actions, sources
from joinedcare.meetings.models import Level
from tests import factories

pytestmark = pytest.mark.django_db


def _ranked(practice, count: int) -> list:
    """`count` people of the practice, listed in this order (rank 1 first)."""
    return [factories.person(practice=practice) for _ in range(count)]


def _risks(people) -> list[tuple]:
    return [(p, 0.9 - i / 100) for i, p in enumerate(people)]


def _new_entrants(meeting) -> list[int]:
    return list(
        meeting.items.filter(source="case list")
        .order_by("position")
        .values_list("person_id", flat=True)
    )


def _built(gp, practice, held_on: date):
    meeting = factories.meeting(chair=gp, unit=practice, held_on=held_on)
    actions.build_agenda(by=gp, meeting=meeting)
    return meeting


@pytest.fixture
def cap_of_two(monkeypatch):
    monkeypatch.setattr(sources, "NEW_ENTRANTS_PER_MEETING", 2)


def test_new_entrants_are_capped_per_meeting_highest_rank_first(gp, practice_a, publish):
    people = _ranked(practice_a, sources.NEW_ENTRANTS_PER_MEETING + 3)
    publish(_risks(people))

    meeting = _built(gp, practice_a, date(2026, 4, 1))

    assert _new_entrants(meeting) == [p.pk for p in people[: sources.NEW_ENTRANTS_PER_MEETING]]
    assert meeting.items.order_by("position").first().reason.endswith("(rank 1)")


def test_new_entrants_left_over_come_up_at_the_next_meetings(gp, practice_a, publish, cap_of_two):
    people = _ranked(practice_a, 5)
    publish(_risks(people))
    first = _built(gp, practice_a, date(2026, 4, 1))
    # No new list since: those not reached still wait, those discussed do not come back.
    second = _built(gp, practice_a, date(2026, 5, 1))
    newcomer = factories.person(practice=practice_a)
    publish([(newcomer, 0.99), *_risks(people)])

    third = _built(gp, practice_a, date(2026, 6, 1))

    assert _new_entrants(first) == [people[0].pk, people[1].pk]
    assert _new_entrants(second) == [people[2].pk, people[3].pk]
    assert _new_entrants(third) == [newcomer.pk, people[4].pk]


def test_someone_taken_off_an_agenda_is_still_new_at_the_next_meeting(
    gp, practice_a, publish, cap_of_two
):
    people = _ranked(practice_a, 3)
    publish(_risks(people))
    first = _built(gp, practice_a, date(2026, 4, 1))
    actions.withdraw_item(by=gp, item=first.items.get(person=people[0]))

    second = _built(gp, practice_a, date(2026, 5, 1))

    # Withdrawn, they were not discussed: they lead the next meeting's new entrants.
    assert _new_entrants(second) == [people[0].pk, people[2].pk]


def test_people_with_a_current_care_plan_are_not_proposed_as_new(gp, nurse, practice_a, publish):
    planned, plan_ended, unknown = _ranked(practice_a, 3)
    factories.care_plan(person=planned, key_worker=nurse)
    factories.care_plan(person=plan_ended, key_worker=nurse)
    CarePlan.objects.filter(person=plan_ended).update(
        ended_at=timezone.now(), ended_reason="Moved away"
    )
    publish(_risks([planned, plan_ended, unknown]))

    meeting = _built(gp, practice_a, date(2026, 4, 1))

    # Their plan's review brings them to the MDT when it is due, not the case list.
    assert _new_entrants(meeting) == [plan_ended.pk, unknown.pk]
    assert not meeting.items.filter(person=planned).exists()


def test_people_taken_off_the_case_list_are_not_new_when_listed_again(
    gp, practice_a, publish, monkeypatch
):
    monkeypatch.setattr(sources, "NEW_ENTRANTS_PER_MEETING", 1)
    listed, moved, next_, last = _ranked(practice_a, 4)
    publish([(listed, 0.9)])
    first = _built(gp, practice_a, date(2026, 4, 1))
    item = actions.add_person(by=gp, meeting=first, person=moved, reason="Daughter worried")
    actions.remove_from_case_list(by=gp, item=item, reason="Moved into a care home")
    # Now on the list, at the top, though never discussed while on it.
    publish(_risks([moved, listed, next_, last]))

    second = _built(gp, practice_a, date(2026, 5, 1))
    third = _built(gp, practice_a, date(2026, 6, 1))

    assert _new_entrants(second) == [next_.pk]
    assert _new_entrants(third) == [last.pk]
    assert not third.items.filter(person=moved).exists()


def test_meeting_page_says_how_many_new_entrants_wait(
    client, gp, practice_a, team_a, publish, cap_of_two
):
    people = _ranked(practice_a, 5)
    publish(_risks(people))
    first = _built(gp, practice_a, date(2026, 4, 1))
    second = _built(gp, practice_a, date(2026, 5, 1))
    third = _built(gp, practice_a, date(2026, 6, 1))
    team_mdt = factories.meeting(chair=gp, level=Level.INTERMEDIATE, unit=team_a)
    client.force_login(gp)

    def page(meeting) -> str:
        return unescape(client.get(f"/meetings/{meeting.pk}/").content.decode())

    assert (
        "3 more people new to the practice's top 99% wait for later meetings, "
        "highest risk first." in page(first)
    )
    assert "1 more person new to the practice's top 99% waits for later meetings" in page(second)
    # None left after the third meeting, and a team MDT takes no new entrants.
    assert "for later meetings" not in page(third)
    assert "for later meetings" not in page(team_mdt)


def test_building_twice_takes_no_more_new_entrants(gp, nurse, practice_a, publish, cap_of_two):
    people = _ranked(practice_a, 4)
    publish(_risks(people))
    meeting = _built(gp, practice_a, date(2026, 4, 1))
    # What the meeting decides about its new entrants does not make room for more.
    first, second = (meeting.items.get(person=p) for p in people[:2])
    actions.remove_from_case_list(by=gp, item=first, reason="Moved into a care home")
    factories.care_plan(person=people[1], key_worker=nurse)
    actions.withdraw_item(by=gp, item=second)

    assert actions.build_agenda(by=gp, meeting=meeting) == []
    assert _new_entrants(meeting) == [people[0].pk, people[1].pk]
