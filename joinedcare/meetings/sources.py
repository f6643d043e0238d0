"""The agenda sources this app knows itself: the case list, care plan reviews,
escalations from the level below, and the team's most vulnerable people."""

from datetime import timedelta

from django.db.models import Q

from joinedcare.careplans.models import CarePlanVersion
from joinedcare.caselists.models import CaseListEntry, PublishedRun
from joinedcare.people.models import Person

from .agenda import Candidate, register_source
from .models import CaseListRemoval, Escalation, Level, Meeting

# How many of a team's most vulnerable people its MDT looks at each time.
VULNERABLE_LIMIT = 20
# Care plans whose review falls within this many days of the meeting are due.
REVIEW_WINDOW_DAYS = 14


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The unit's last meeting before this one whose agenda was built."""
    return (
        Meeting.objects.filter(
            level=meeting.level,
            practice=meeting.practice,
            team=meeting.team,
            locality=meeting.locality,
            agenda_built_at__isnull=False,
        )
        .exclude(pk=meeting.pk)
        .filter(Q(held_on__lt=meeting.held_on) | Q(held_on=meeting.held_on, pk__lt=meeting.pk))
        .order_by("-held_on", "-id")
        .first()
    )


def _people_by_pseudonym(pseudonyms) -> dict[str, int]:
    return dict(Person.objects.filter(pseudonym__in=pseudonyms).values_list("pseudonym", "pk"))


def new_on_case_list(meeting: Meeting):
    """People newly in the practice's top of the latest published case list since the
    practice's last MDT (everyone on it, at a practice's first MDT)."""
    run = PublishedRun.objects.first()
    if run is None:
        return []
    entries = CaseListEntry.objects.filter(run=run, practice=meeting.practice)
    before = previous_meeting(meeting)
    if before is not None and before.case_list_run_id is not None:
        entries = entries.exclude(
            pseudonym__in=CaseListEntry.objects.filter(
                run_id=before.case_list_run_id, practice=meeting.practice
            ).values("pseudonym")
        )
    entries = entries.exclude(
        pseudonym__in=CaseListRemoval.objects.filter(practice=meeting.practice).values("pseudonym")
    )
    rows = list(entries.order_by("rank_in_practice").values_list("pseudonym", "rank_in_practice"))
    people = _people_by_pseudonym([p for p, _ in rows])
    share = f"{run.top_percent.normalize():f}"
    return [
        Candidate(f"New in the practice's top {share}% (rank {rank})", person_id=people[p])
        for p, rank in rows
        if p in people
    ]


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
register_source("case list", new_on_case_list, levels=(Level.MICRO,), order=10)
register_source("care plan review", care_plan_reviews, levels=(Level.MICRO,), order=30)
register_source("most vulnerable", most_vulnerable, levels=(Level.INTERMEDIATE,), order=40)
