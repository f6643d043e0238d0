"""The agenda sources this app knows itself: the case list, care plan reviews,
escalations from the level below, and the team's most vulnerable people."""

from datetime import timedelta
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Q

from joinedcare.careplans.models import CarePlanVersion
from joinedcare.caselists.models import CaseListEntry, PublishedRun
from joinedcare.people.models import Person

from .agenda import Candidate, register_source
from .models import AgendaItem, CaseListRemoval, Escalation, Level, Meeting

# How many people new to a practice's case list one practice MDT takes. A practice MDT
# discusses perhaps 15-25 people; a first list of a large practice holds hundreds, so the
# highest ranked come first and the rest wait for the following meetings.
NEW_ENTRANTS_PER_MEETING = 20
# The agenda source name of new entrants, as agenda items record it.
CASE_LIST_SOURCE = "case list"
# How many of a team's most vulnerable people its MDT looks at each time.
VULNERABLE_LIMIT = 20
# Care plans whose review falls within this many days of the meeting are due.
REVIEW_WINDOW_DAYS = 14


def _people_by_pseudonym(pseudonyms) -> dict[str, int]:
    return dict(Person.objects.filter(pseudonym__in=pseudonyms).values_list("pseudonym", "pk"))


def new_entrants(meeting: Meeting, run: PublishedRun) -> list[tuple[int, int]]:
    """The people new to a practice's case list at `meeting`, as (person id, rank in the
    practice), highest risk first; the agenda takes the first few, the rest wait.

    New means: on `run`'s list for the meeting's practice, not taken off it
    (CaseListRemoval), without a current care plan (their plan review brings them to the
    MDT), not already on this meeting's agenda, and not yet on the agenda of an earlier
    MDT of the practice whose case list listed them. So the MDT discusses each entrant
    once however long they stay on the list, and those not reached come up at the
    following meetings. Someone discussed, who then leaves the list and comes back, is
    not new again: their earlier discussion still counts. An item taken off an agenda
    (withdrawn) was not discussed, so that person stays new.
    """
    practice = meeting.practice
    earlier = Q(meeting__held_on__lt=meeting.held_on) | Q(
        meeting__held_on=meeting.held_on, meeting__pk__lt=meeting.pk
    )
    listed_then = CaseListEntry.objects.filter(
        run_id=OuterRef("meeting__case_list_run_id"),
        practice=practice,
        pseudonym=OuterRef("person__pseudonym"),
    )
    discussed = AgendaItem.objects.filter(
        earlier,
        Exists(listed_then),
        meeting__level=Level.MICRO,
        meeting__practice=practice,
        person__isnull=False,
        withdrawn=False,
    ).values("person__pseudonym")
    with_plan = CarePlanVersion.objects.filter(
        superseded_at__isnull=True, plan__ended_at__isnull=True
    ).values("plan__person__pseudonym")
    on_this_agenda = meeting.items.filter(person__isnull=False).values("person__pseudonym")
    removed = CaseListRemoval.objects.filter(practice=practice).values("pseudonym")
    rows = list(
        CaseListEntry.objects.filter(run=run, practice=practice)
        .exclude(pseudonym__in=removed)
        .exclude(pseudonym__in=with_plan)
        .exclude(pseudonym__in=on_this_agenda)
        .exclude(pseudonym__in=discussed)
        .order_by("rank_in_practice")
        .values_list("pseudonym", "rank_in_practice")
    )
    people = _people_by_pseudonym([p for p, _ in rows])
    return [(people[p], rank) for p, rank in rows if p in people]


def _places_left(meeting: Meeting) -> int:
    """How many more new entrants this meeting takes. Those it took already count (also
    if later taken off, removed or given a care plan), so building again adds no one."""
    taken = meeting.items.filter(source=CASE_LIST_SOURCE).count()
    return max(NEW_ENTRANTS_PER_MEETING - taken, 0)


def new_on_case_list(meeting: Meeting) -> list[Candidate]:
    """The highest-ranked people new to the practice's part of the latest published case
    list, at most NEW_ENTRANTS_PER_MEETING a meeting (see `new_entrants`)."""
    run = PublishedRun.objects.first()
    if run is None:
        return []
    share = _share(run)
    return [
        Candidate(f"New in the practice's top {share}% (rank {rank})", person_id=person_id)
        for person_id, rank in new_entrants(meeting, run)[: _places_left(meeting)]
    ]


class WaitingEntrants(NamedTuple):
    """New entrants left for later meetings of a practice, and the list's top share."""

    count: int
    share: str


def new_entrants_waiting(meeting: Meeting) -> WaitingEntrants | None:
    """New entrants on the latest case list that this practice MDT does not take, so later
    meetings will; None for other levels or when no list is published."""
    run = PublishedRun.objects.first()
    if meeting.level != Level.MICRO or run is None:
        return None
    waiting = len(new_entrants(meeting, run)) - _places_left(meeting)
    return WaitingEntrants(max(waiting, 0), _share(run))


def _share(run: PublishedRun) -> str:
    """The list's top share as people say it: "2", not "2.00"."""
    return f"{run.top_percent.normalize():f}"


def care_plan_reviews(meeting: Meeting):
    """Current care plans whose review date falls before or soon after the meeting."""
    by = meeting.held_on + timedelta(days=REVIEW_WINDOW_DAYS)
    unit = (
        Q(plan__person__practice=meeting.practice)
        if meeting.practice_id
        else Q(plan__person__practice__team=meeting.team)
    )
    versions = CarePlanVersion.objects.filter(
        unit,
        superseded_at__isnull=True,
        plan__ended_at__isnull=True,
        review_date__lte=by,
    ).values_list("plan__person_id", "review_date")
    return [
        Candidate(f"Care plan review due {review:%-d %B %Y}", person_id=person_id)
        for person_id, review in versions.order_by("review_date")
    ]


def escalated_items(meeting: Meeting):
    """Open escalations waiting at this meeting's team or locality."""
    found = Escalation.objects.filter(level=meeting.level, status=Escalation.Status.OPEN)
    found = found.filter(team=meeting.team) if meeting.team_id else found
    found = found.filter(locality=meeting.locality) if meeting.locality_id else found
    return [
        Candidate(f"{e.get_kind_display()} escalated", person_id=e.person_id, escalation_id=e.pk)
        for e in found.order_by("raised_at")
    ]


def most_vulnerable(meeting: Meeting):
    """The team's most vulnerable people (severe frailty or high hospital frailty risk)
    on the latest case list, for social care and VCS support."""
    run = PublishedRun.objects.first()
    if run is None:
        return []
    rows = list(
        CaseListEntry.objects.filter(run=run, practice__team=meeting.team)
        .filter(Q(efi_category="severe") | Q(hfrs_band="high"))
        .order_by("-risk")
        .values_list("pseudonym", "efi_category", "hfrs_band")[:VULNERABLE_LIMIT]
    )
    people = _people_by_pseudonym([r[0] for r in rows])
    return [
        Candidate(_vulnerable_reason(efi, hfrs), person_id=people[p])
        for p, efi, hfrs in rows
        if p in people
    ]


def _vulnerable_reason(efi: str, hfrs: str) -> str:
    parts = [f"{efi} frailty" if efi == "severe" else "", f"{hfrs} HFRS" if hfrs == "high" else ""]
    return "Most vulnerable: " + ", ".join(p for p in parts if p)


register_source("escalated", escalated_items, levels=(Level.INTERMEDIATE, Level.MACRO), order=5)
register_source(CASE_LIST_SOURCE, new_on_case_list, levels=(Level.MICRO,), order=10)
register_source("care plan review", care_plan_reviews, levels=(Level.MICRO,), order=30)
register_source("most vulnerable", most_vulnerable, levels=(Level.INTERMEDIATE,), order=40)
