"""Extending an episode from a person's referrals page: by up to 6 weeks at a time, with a
reason, in words true of the episode (its plan may be shorter, or already extended)."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from joinedcare.services.models import Episode, Extension, ServiceDay
from tests import factories
from tests.services.conftest import MORNING

TODAY = date(2026, 1, 14)  # MORNING's day
SIX_WEEKS_ON = date(2026, 2, 25)  # a 6-week episode from TODAY plans to end here


def _episode(spa, *, start=TODAY, days=42, extended=False, name="County reablement") -> Episode:
    """An open episode of `days` with capacity published well past 12 weeks."""
    service = factories.service(place=spa.place, name=name)
    ServiceDay.objects.bulk_create(
        ServiceDay(service=service, day=TODAY + timedelta(days=i), capacity=2) for i in range(150)
    )
    return factories.episode(
        referral=factories.referral(spa=spa),
        service=service,
        start=start,
        planned_end=start + timedelta(days=days),
        extended=extended,
    )


def _extend(client, user, episode, new_end: str, reason: str = "Awaiting a stair rail"):
    """Send the extend form as the page does; the page shown after it, followed."""
    client.force_login(user)
    prefix = f"extend-{episode.referral_id}"
    data = {"episode": episode.pk, f"{prefix}-new_end": new_end, f"{prefix}-reason": reason}
    url = f"/people/{episode.person.public_id}/spa/extend/"
    return client.post(url, data, follow=True)


@pytest.mark.parametrize("new_end", ["09/04/2026", "31/12/2099"])
def test_extend_more_than_six_weeks_past_the_planned_end_is_refused(
    client, at, assessor, spa, new_end
):
    # An extension to 2099 had been accepted, booking a place for 73 years.
    at(MORNING)
    episode = _episode(spa)
    response = _extend(client, assessor, episode, new_end)
    assert response.status_code == 400
    assert (
        "The new end date can be at most 6 weeks after the planned end: 8 April 2026 at the latest"
        in response.content.decode()
    )
    episode.refresh_from_db()
    assert (episode.planned_end, episode.extended) == (SIX_WEEKS_ON, False)
    assert not Extension.objects.exists()
    assert not ServiceDay.objects.filter(filled__gt=0).exists()


def test_extend_by_exactly_six_weeks_is_booked_and_says_to_when(client, at, assessor, spa):
    at(MORNING)
    episode = _episode(spa)
    response = _extend(client, assessor, episode, "08/04/2026")
    assert "County reablement extended to 8 April 2026." in response.content.decode()
    extension = Extension.objects.get()
    assert (extension.previous_end, extension.new_end) == (SIX_WEEKS_ON, date(2026, 4, 8))
    assert ServiceDay.objects.get(service=episode.service, day=date(2026, 4, 7)).filled == 1
    assert ServiceDay.objects.get(service=episode.service, day=date(2026, 4, 8)).filled == 0


def test_a_second_extension_adds_up_to_six_weeks_after_the_first(client, at, assessor, spa):
    at(MORNING)
    episode = _episode(spa)
    _extend(client, assessor, episode, "08/04/2026")
    refused = _extend(client, assessor, episode, "21/05/2026", "Still waiting for the rail")
    assert "8 April 2026 at the latest" not in refused.content.decode()
    assert "20 May 2026 at the latest" in refused.content.decode()
    _extend(client, assessor, episode, "20/05/2026", "Still waiting for the rail")
    assert list(Extension.objects.values_list("new_end", flat=True)) == [
        date(2026, 4, 8),
        date(2026, 5, 20),
    ]


def test_extend_to_the_planned_end_or_before_names_the_earliest_date(client, at, assessor, spa):
    at(MORNING)
    episode = _episode(spa)
    page = _extend(client, assessor, episode, "25/02/2026").content.decode()
    assert (
        "The new end date must be after the planned end: 26 February 2026 at the earliest" in page
    )
    assert not Extension.objects.exists()


@pytest.mark.parametrize(
    ("days", "extended", "message"),
    [
        (42, False, "Give the reason for extending beyond 6 weeks"),
        (28, False, "Give the reason for extending beyond 4 weeks"),
        (56, True, "Give the reason for extending again, beyond 8 weeks"),
        (40, False, "Give the reason for extending beyond the planned end on 23 February 2026"),
    ],
)
def test_a_missing_reason_is_asked_for_in_words_true_of_the_episode(
    client, at, assessor, spa, days, extended, message
):
    # "Beyond 6 weeks" was said of a 4-week plan, and of one already at 8 weeks.
    at(MORNING)
    episode = _episode(spa, days=days, extended=extended)
    new_end = episode.planned_end + timedelta(days=7)
    page = _extend(client, assessor, episode, f"{new_end:%d/%m/%Y}", reason=" ").content.decode()
    assert message in page
    if days != 42:
        assert "beyond 6 weeks" not in page
    assert not Extension.objects.exists()


def test_a_missing_reason_and_a_date_too_far_are_both_named(client, at, assessor, spa):
    at(MORNING)
    episode = _episode(spa)
    page = _extend(client, assessor, episode, "31/12/2099", reason="").content.decode()
    assert "Give the reason for extending beyond 6 weeks" in page
    assert "8 April 2026 at the latest" in page


def test_the_extend_form_says_the_limit_and_asks_for_a_reason_without_6_weeks(
    client, at, assessor, spa
):
    # One form serves every open episode of the referral: its label cannot say "6 weeks".
    at(MORNING)
    episode = _episode(spa, days=28)
    client.force_login(assessor)
    page = client.get(f"/people/{episode.person.public_id}/spa/").content.decode()
    assert "Reason for extending</label>" in page
    assert "Reason for extending beyond 6 weeks" not in page
    assert "At most 6 weeks after the planned end. For example, 14/03/2026" in page


def test_an_ended_episode_says_when_it_ended(client, at, assessor, spa):
    at(MORNING)
    episode = _episode(spa, start=TODAY - timedelta(days=10))
    Episode.objects.filter(pk=episode.pk).update(ended_on=TODAY, outcome="home_no_support")
    page = _extend(client, assessor, episode, "01/03/2026").content.decode()
    assert "This episode ended on 14 January 2026: it cannot be extended" in page


def _ending_header(client, user) -> str:
    """The sentence above the "Episodes ending" table."""
    client.force_login(user)
    page = client.get("/spa/episodes/ending/").content.decode()
    return page.split('id="ending-figures">', 1)[1].split("</p>", 1)[0]


def _extended(spa, *, start: date, days: int, ends: list[date], name: str) -> Episode:
    """An episode planned for `days`, then extended to each of `ends` in turn."""
    episode = factories.episode(
        referral=factories.referral(spa=spa),
        service=factories.service(place=spa.place, name=name),
        start=start,
        planned_end=ends[-1],
        extended=True,
    )
    previous = start + timedelta(days=days)
    for end in ends:
        factories.extension(episode=episode, previous_end=previous, new_end=end)
        previous = end
    return episode


def test_episodes_ending_counts_only_extensions_beyond_6_weeks_as_such(client, at, assessor, spa):
    # A 2-week plan extended to 4 weeks had been counted among "Extensions beyond 6 weeks".
    at(MORNING)
    _extended(spa, start=TODAY - timedelta(days=25), days=14, ends=[TODAY + timedelta(3)], name="A")
    assert (
        "1 of them extended past their planned end (1 extension, each with its reason; 0 now"
        in (_ending_header(client, assessor))
    )


def test_episodes_ending_header_counts_the_rows_it_heads(client, at, assessor, spa):
    # The header had counted every extension the SPA ever made (ended episodes, episodes
    # ending next month): "2 extended episodes" above a table showing 6 marked extended.
    at(MORNING)
    long_ago = TODAY - timedelta(days=60)
    twice = [long_ago + timedelta(days=50), TODAY + timedelta(days=2)]
    _extended(spa, start=long_ago, days=42, ends=twice, name="Twice extended")
    _extended(spa, start=TODAY - timedelta(days=25), days=14, ends=[TODAY + timedelta(5)], name="B")
    _extended(
        spa, start=TODAY - timedelta(days=40), days=42, ends=[TODAY + timedelta(30)], name="C"
    )
    ended = _extended(spa, start=long_ago, days=42, ends=[TODAY - timedelta(days=7)], name="D")
    Episode.objects.filter(pk=ended.pk).update(ended_on=TODAY - timedelta(7), outcome="died")
    factories.episode(referral=factories.referral(spa=spa), start=TODAY - timedelta(days=40))

    header = _ending_header(client, assessor)
    page = client.get("/spa/episodes/ending/").content.decode()

    assert page.count("(extended)</td>") == 2
    assert header == (
        "4 episodes open; 3 end within 7 days, 2 of them extended past their planned end "
        "(3 extensions, each with its reason; 1 now planned beyond 6 weeks)."
    )


def test_database_refuses_an_extension_of_more_than_six_weeks(db):
    episode = factories.episode(start=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.extension(episode=episode, new_end=episode.planned_end + timedelta(days=43))
    assert factories.extension(episode=episode, new_end=episode.planned_end + timedelta(days=42))
