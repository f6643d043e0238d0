"""The meeting pack: the agenda and, for each person, a one-page summary.

Identifiable content only for those who may see the meeting and have a legitimate
relationship with the person (the access rule decides, per viewer: DESIGN's privacy
rule, the same as on the case list and escalations); for everyone else the entry is
pseudonymised: no name, NHS number, date of birth or postcode, an age band instead of
an age, and `pseudonymised_why` says why in words. Every identifiable entry shown is
audited.
"""

from dataclasses import dataclass, field

from django.utils import timezone

from joinedcare.access.rules import people_visible_to
from joinedcare.analytics.factors import age_band, pseudonymised_factor
from joinedcare.audit.models import AuditEvent
from joinedcare.careplans.access import WITHHELD_FROM_VCS, plans_withheld_from
from joinedcare.careplans.models import CarePlanAction, CarePlanVersion
from joinedcare.caselists.models import CaseListEntry, PublishedRun
from joinedcare.people.models import Person
from joinedcare.staff.models import has_permission
from joinedcare.staff.roles import Permission

from . import spa
from .models import ADDED_BY_HAND, AgendaItem, Meeting


@dataclass
class Entry:
    item: AgendaItem
    identifiable: bool
    heading: str
    lines: list[str] = field(default_factory=list)
    person: Person | None = None

    @property
    def why(self) -> str:
        """Why the item is on the agenda, as the pack's reader may read it."""
        return why_for(self.item, self.identifiable)


def short_pseudonym(person: Person) -> str:
    return person.pseudonym[:8].upper()


# Text staff wrote about a person (a reason typed by hand, an escalation's summary, an
# outcome's note) often names them or their family: left out where the person is not named.
WRITTEN_WITHHELD = "written about the person, shown only to staff who care for them"


def why_for(item: AgendaItem, named: bool) -> str:
    """Why the item is on the agenda, as this viewer may read it: a reason typed by hand
    only where the person is named (the sources' own reasons are the system's words)."""
    if named or item.person_id is None or item.source != ADDED_BY_HAND:
        return item.why
    return f"Added by hand (the reason is {WRITTEN_WITHHELD})"


def visible_people(viewer, meeting: Meeting, person_ids) -> set[int]:
    """The agenda's people this viewer may see named in this meeting's papers: those the
    access rule lets them see. Views reach a meeting only through `may_see_meeting`, so
    this is a colleague of its practice, team or locality, or someone invited to it."""
    return set(people_visible_to(viewer).filter(pk__in=person_ids).values_list("pk", flat=True))


def pseudonymised_why(viewer, people: list[Person]) -> str:
    """Why these people are shown to the viewer by a pseudonym, and how to see their
    names, in plain words; "" when there are none."""
    if not people:
        return ""
    if not has_permission(viewer, Permission.VIEW_PERSON_RECORD):
        return (
            "People are shown by a pseudonym because your role does not give access to "
            "people's records."
        )
    who = (
        "One person on this agenda is"
        if len(people) == 1
        else f"{len(people)} people on this agenda are"
    )
    practices = sorted({p.practice.name for p in people if p.practice_id})
    where = f" ({in_words(practices)})" if practices else ""
    return (
        f"{who} shown by a pseudonym because you have no care relationship with them: "
        f"you have no care role in the team of their practice{where}, and you are not "
        "allocated to their referral, episode or care plan. To see names, ask your "
        "administrator to give you a care role in that practice's team if you work there, "
        "or ask to be allocated to the person's care."
    )


def in_words(things: list[str], last: str = "and") -> str:
    """A list as a sentence says it: "A", "A and B", "A, B and C" (or `last`="or")."""
    return things[0] if len(things) == 1 else f"{', '.join(things[:-1])} {last} {things[-1]}"


def build(meeting: Meeting, viewer) -> list[Entry]:
    items = list(
        meeting.items.filter(withdrawn=False)
        .select_related("person__practice__organisation", "escalation")
        .order_by("position", "id")
    )
    person_ids = {i.person_id for i in items if i.person_id}
    named = visible_people(viewer, meeting, person_ids)
    facts = _facts(person_ids, viewer)
    today = timezone.localdate()
    entries = [_entry(item, item.person_id in named, facts, today) for item in items]
    _audit(viewer, meeting, [e.person for e in entries if e.identifiable], len(entries))
    return entries


def build_for_item(meeting: Meeting, item: AgendaItem, viewer) -> list[Entry]:
    """One item's summary (the discussion page, which `person_view` audits itself)."""
    named = visible_people(viewer, meeting, {item.person_id})
    facts = _facts({item.person_id}, viewer)
    return [_entry(item, item.person_id in named, facts, timezone.localdate())]


def _facts(person_ids: set[int], viewer) -> dict:
    """Case list figures, care plans and open actions for all the agenda's people, in a
    few queries whatever the agenda's length. Plans the viewer may not read (a VCS member
    where the person has not agreed to share) are marked withheld."""
    run = PublishedRun.objects.first()
    pseudonyms = dict(Person.objects.filter(pk__in=person_ids).values_list("pseudonym", "pk"))
    entries = (
        {
            pseudonyms[e.pseudonym]: e
            for e in CaseListEntry.objects.filter(run=run, pseudonym__in=pseudonyms)
        }
        if run
        else {}
    )
    versions = {
        v.plan.person_id: v
        for v in CarePlanVersion.objects.filter(
            plan__person_id__in=person_ids,
            plan__ended_at__isnull=True,
            superseded_at__isnull=True,
        ).select_related("plan", "key_worker")
    }
    open_actions: dict[int, int] = {}
    for person_id in CarePlanAction.objects.filter(
        plan__person_id__in=person_ids, plan__ended_at__isnull=True, status="open"
    ).values_list("plan__person_id", flat=True):
        open_actions[person_id] = open_actions.get(person_id, 0) + 1
    withheld = plans_withheld_from(viewer, {v.plan_id for v in versions.values()})
    for person_id, version in list(versions.items()):
        if version.plan_id in withheld:
            versions[person_id] = WITHHELD_FROM_VCS
    return {"case_list": entries, "plans": versions, "actions": open_actions}


def _entry(item: AgendaItem, identifiable: bool, facts: dict, today) -> Entry:
    person = item.person
    if person is None:
        escalation = item.escalation
        return Entry(
            item,
            True,
            f"{escalation.get_kind_display()} (no one person)",
            [escalation.summary],
        )
    age = person.age_on(today)
    if identifiable:
        heading = f"{person.display_name}, NHS number {person.formatted_nhs_number}"
        lines = [f"Born {person.date_of_birth:%-d %B %Y} ({age} years), {person.get_sex_display()}"]
    else:
        heading = f"Person {short_pseudonym(person)}"
        lines = [f"Aged {age_band(age)}"]
    lines.append(f"Registered at {person.practice.name}" if person.practice else "Not registered")
    lines.append(f"On the agenda: {why_for(item, identifiable)}")
    if item.escalation_id:
        summary = item.escalation.summary if identifiable else f"the summary is {WRITTEN_WITHHELD}"
        lines.append(f"Escalated: {summary}")
    lines += _case_list_lines(facts["case_list"].get(person.pk), identifiable)
    lines += _plan_lines(facts["plans"].get(person.pk), facts["actions"].get(person.pk, 0))
    if identifiable:
        lines += spa.open_summary(person)
    if item.outcome:
        note = item.outcome_note if identifiable else ""
        lines.append(f"Outcome: {item.get_outcome_display()}. {note}".strip())
    return Entry(item, identifiable, heading, lines, person)


def _case_list_lines(entry: CaseListEntry | None, identifiable: bool) -> list[str]:
    if entry is None:
        return ["Not on the latest case list"]
    scores = [f"risk of emergency admission {entry.risk:.0%}"]
    if entry.efi is not None:
        scores.append(f"eFI {entry.efi:.2f} ({entry.efi_category})")
    if entry.hfrs is not None:
        scores.append(f"HFRS {entry.hfrs:.1f} ({entry.hfrs_band})")
    if entry.charlson is not None:
        scores.append(f"Charlson {entry.charlson}")
    lines = [f"Case list rank {entry.rank_in_practice}: " + ", ".join(scores)]
    if entry.top_factors:
        factors = entry.top_factors[:3]
        if not identifiable:
            factors = [pseudonymised_factor(f) for f in factors]
        lines.append("Top factors: " + "; ".join(factors))
    return lines


def _plan_lines(version: CarePlanVersion | str | None, open_actions: int) -> list[str]:
    if version is None:
        return ["No care plan"]
    if version == WITHHELD_FROM_VCS:
        return [WITHHELD_FROM_VCS]
    actions = "1 open action" if open_actions == 1 else f"{open_actions} open actions"
    return [
        f"Care plan v{version.number}: key worker {version.key_worker.get_full_name()}, "
        f"review by {version.review_date:%-d %B %Y}, {actions}"
    ]


def _audit(viewer, meeting: Meeting, people: list[Person], total: int) -> None:
    if people:
        AuditEvent.record_many(
            by=viewer,
            action=AuditEvent.Action.MEETING_PACK_VIEWED,
            people=people,
            detail=f"meeting {meeting.pk} pack",
        )
    if len(people) < total:
        AuditEvent.record(
            by=viewer,
            action=AuditEvent.Action.MEETING_PACK_VIEWED,
            purpose=AuditEvent.Purpose.OPERATIONS,
            detail=f"meeting {meeting.pk} pack, {total - len(people)} pseudonymised entries",
        )


def pdf(meeting: Meeting, entries: list[Entry]) -> bytes:
    """The pack as a PDF (fpdf2: pure Python, no system libraries or browser)."""
    from fpdf import FPDF

    doc = FPDF(format="A4")
    doc.set_auto_page_break(auto=True, margin=15)
    doc.set_title(_latin(f"Meeting pack: {meeting}"))
    doc.add_page()
    doc.set_font("Helvetica", "B", 16)
    doc.multi_cell(0, 8, _latin(f"Meeting pack: {meeting}"), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 10)
    doc.multi_cell(
        0,
        6,
        _latin(f"Chair: {meeting.chair.get_full_name()}. {len(entries)} items. Confidential."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for number, entry in enumerate(entries, start=1):
        doc.ln(3)
        doc.set_font("Helvetica", "B", 12)
        doc.multi_cell(0, 7, _latin(f"{number}. {entry.heading}"), new_x="LMARGIN", new_y="NEXT")
        doc.set_font("Helvetica", "", 10)
        for line in entry.lines:
            doc.multi_cell(0, 5, _latin(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())


def _latin(text: str) -> str:
    """The PDF's built-in fonts are Latin-1; anything else becomes '?' rather than fail."""
    return text.replace("\u2019", "'").encode("latin-1", "replace").decode("latin-1")
