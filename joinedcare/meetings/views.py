"""MDT meeting pages: meetings, the agenda, discussing a person, the pack, escalations.

Views parse, call an action, render. A person's name appears only where the access rule
allows; a person's discussion page goes through `person_view` like every person URL.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from joinedcare.access.rules import people_visible_to
from joinedcare.access.views import person_view
from joinedcare.careplans.access import PlanWithheld, plan_visible_to
from joinedcare.careplans.models import CarePlan
from joinedcare.careplans.views import plan_form, withheld
from joinedcare.home.once import already_sent, save_once
from joinedcare.staff.models import StaffUser
from joinedcare.staff.roles import Role, label_in_sentence, roles_with

from . import actions, pack, sources, spa
from .forms import (
    AddPersonForm,
    AnswerForm,
    FurtherForm,
    IssueForm,
    MeetingForm,
    MinutesForm,
    NoteForm,
    ReferralForm,
    RemoveForm,
)
from .models import NEXT_LEVEL, AgendaItem, Escalation, Level, Meeting
from .permissions import acts_for, is_member, may_act_on_escalation, may_see_meeting, units_of


def _meeting(request, pk: int) -> Meeting:
    meeting = get_object_or_404(
        Meeting.objects.select_related("practice__organisation", "team", "locality", "chair"),
        pk=pk,
    )
    if not may_see_meeting(request.user, meeting):
        raise PermissionDenied
    return meeting


def _show_errors(form, error: ValidationError) -> None:
    for key, values in error.message_dict.items():
        for message in values:
            form.add_error(key if key in form.fields else None, message)


def _colleagues(user, units: dict):
    teams = [t.pk for t in units[Level.INTERMEDIATE]]
    localities = [loc.pk for loc in units[Level.MACRO]]
    return (
        StaffUser.objects.filter(
            Q(memberships__team__in=teams)
            | Q(localities__in=localities)
            | Q(memberships__team__locality__in=localities)
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


# How many past meetings each list shows (most recent first); the rest are a record.
PAST_SHOWN = 20


def meeting_lists(user, units: dict) -> dict[str, list[Meeting]]:
    """The user's own meetings (they chair it or are a member) and the other meetings of
    their practices, teams and localities, each split into upcoming (today on, soonest
    first) and past (most recent first)."""
    mine = Meeting.objects.filter(Q(members__user=user) | Q(chair=user)).values("pk")
    theirs = Meeting.objects.filter(
        Q(practice__in=units[Level.MICRO])
        | Q(team__in=units[Level.INTERMEDIATE])
        | Q(locality__in=units[Level.MACRO])
    ).exclude(pk__in=mine)
    today = timezone.localdate()
    lists = {}
    for name, found in (("mine", Meeting.objects.filter(pk__in=mine)), ("others", theirs)):
        found = found.select_related("practice__organisation", "team", "locality", "chair")
        lists[f"{name}_upcoming"] = list(found.filter(held_on__gte=today).order_by("held_on", "id"))
        past = found.filter(held_on__lt=today).order_by("-held_on", "-id")
        lists[f"{name}_past"] = list(past[:PAST_SHOWN])
    return lists


def index(request: HttpRequest) -> HttpResponse:
    """Your meetings, the other meetings of your teams, and arranging a meeting."""
    user = request.user
    units = units_of(user)
    if request.method == "POST" and (sent := already_sent(request)) is not None:
        return redirect(sent)
    form = MeetingForm(
        request.POST if request.method == "POST" else None,
        units=units,
        staff=_colleagues(user, units),
    )
    if request.method == "POST" and form.is_valid():
        level, unit = form.units[form.cleaned_data["unit"]]

        def arrange() -> str:
            meeting = actions.create_meeting(
                by=user,
                level=level,
                unit=unit,
                held_on=form.cleaned_data["held_on"],
                members=StaffUser.objects.filter(pk__in=form.cleaned_data["members"]),
            )
            messages.success(request, f"Meeting arranged: {meeting}.")
            return reverse("meeting", kwargs={"pk": meeting.pk})

        try:
            return redirect(save_once(request, arrange))
        except PermissionError as error:
            form.add_error("unit", str(error))
        except actions.AlreadyArranged as error:
            form.existing = error.meeting
            _show_errors(form, error)
        except ValidationError as error:
            _show_errors(form, error)
    context = {"form": form, **meeting_lists(user, units)}
    return render(request, "meetings/index.html", context)


def meeting_page(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    user = request.user
    forms = {
        "add": AddPersonForm(prefix="add"),
        "minutes": MinutesForm(
            prefix="minutes",
            initial={"minutes": meeting.minutes, "based_on": meeting.minutes_version},
        ),
        "issue": IssueForm(prefix="issue"),
    }
    if request.method == "POST":
        done = _meeting_post(request, meeting, forms)
        if done is not None:
            return done
    items = list(
        meeting.items.select_related("person__practice__organisation", "escalation").order_by(
            "position", "id"
        )
    )
    named = pack.visible_people(user, meeting, {i.person_id for i in items if i.person_id})
    rows = [
        {
            "item": i,
            "named": i.person_id in named,
            "why": pack.why_for(i, i.person_id in named),
            "label": (
                i.person.display_name
                if i.person_id in named
                else (f"Person {pack.short_pseudonym(i.person)}" if i.person_id else "Issue")
            ),
        }
        for i in items
    ]
    context = {
        "meeting": meeting,
        "rows": rows,
        "member": is_member(user, meeting),
        "members": meeting.members.select_related("user__organisation"),
        "raises_issues": meeting.level in NEXT_LEVEL,
        "entrants_waiting": entrants_waiting_message(meeting),
        "pseudonymised_why": pack.pseudonymised_why(user, _unnamed(items, named)),
        "minutes_changed": forms["minutes"].has_error("minutes", "conflict"),
        **{f"{k}_form": f for k, f in forms.items()},
    }
    if named:
        from joinedcare.audit.models import AuditEvent

        AuditEvent.record_many(
            by=user,
            action=AuditEvent.Action.MDT_AGENDA_VIEWED,
            people=[i.person for i in items if i.person_id in named],
            detail=f"meeting {meeting.pk} agenda viewed",
        )
    return render(request, "meetings/meeting.html", context)


def _unnamed(items: list[AgendaItem], named: set[int]) -> list:
    """The agenda's people shown by a pseudonym, each once."""
    return list(
        {i.person_id: i.person for i in items if i.person_id not in named | {None}}.values()
    )


def _meeting_post(request, meeting: Meeting, forms: dict) -> HttpResponse | None:
    """Do what the button asked: a redirect when it was done, None to show the page again
    with the posted form's errors (and the user's text kept)."""
    user, what = request.user, request.POST.get("do")
    try:
        if what == "build":
            new = actions.build_agenda(by=user, meeting=meeting)
            messages.success(request, agenda_built_message(new))
            return redirect("meeting", pk=meeting.pk)
        if what == "attendance":
            attended = {int(v) for v in request.POST.getlist("attended") if v.isdigit()}
            actions.record_attendance(by=user, meeting=meeting, attended=attended)
            messages.success(request, "Attendance saved.")
            return redirect("meeting", pk=meeting.pk)
        if what == "minutes":
            return _save_minutes(request, meeting, forms)
        if what == "add":
            return _add_person(request, meeting, forms)
        if what == "issue":
            forms["issue"] = form = IssueForm(request.POST, prefix="issue")
            if form.is_valid():
                actions.raise_issue(by=user, meeting=meeting, **form.cleaned_data)
                messages.success(request, "Issue raised to the level above.")
                return redirect("meeting", pk=meeting.pk)
    except PermissionError as error:
        # Refused after typing: the form comes back with the reason, never a bare 403.
        if what not in forms or not forms[what].is_bound:
            raise PermissionDenied(str(error)) from error
        forms[what].add_error(None, str(error))
    except ValidationError as error:
        if what not in forms:
            raise
        _show_errors(forms[what], error)
    return None


def agenda_built_message(new: list[AgendaItem]) -> str:
    """What building the agenda added: "Agenda built: 3 new people and 1 escalation.",
    or "Agenda built: no one new."."""
    escalations = sum(1 for item in new if item.escalation_id)
    people = len(new) - escalations
    parts = []
    if people:
        parts.append(f"{people} new {'person' if people == 1 else 'people'}")
    if escalations:
        parts.append(f"{escalations} escalation{'' if escalations == 1 else 's'}")
    return f"Agenda built: {' and '.join(parts) or 'no one new'}."


def entrants_waiting_message(meeting: Meeting) -> str:
    """How many people new to the practice's case list wait for later meetings, in words
    ("347 more people new to the practice's top 2% wait for later meetings, highest risk
    first"), or "" when none wait or the meeting is not a practice MDT."""
    waiting = sources.new_entrants_waiting(meeting)
    if waiting is None or not waiting.count:
        return ""
    people, wait = ("person", "waits") if waiting.count == 1 else ("people", "wait")
    return (
        f"{waiting.count} more {people} new to the practice's top {waiting.share}% {wait} "
        "for later meetings, highest risk first."
    )


def _save_minutes(request, meeting: Meeting, forms: dict) -> HttpResponse | None:
    forms["minutes"] = form = MinutesForm(request.POST, prefix="minutes")
    if not form.is_valid():
        return None
    try:
        actions.save_minutes(
            by=request.user,
            meeting=meeting,
            minutes=form.cleaned_data["minutes"],
            based_on=form.cleaned_data["based_on"],
        )
    except ValidationError as error:
        # Someone saved in between: keep this user's text in the box, show theirs, and
        # base the next save on what is now shown.
        meeting.refresh_from_db(fields=["minutes", "minutes_version"])
        data = request.POST.copy()
        data[form.add_prefix("based_on")] = str(meeting.minutes_version)
        forms["minutes"] = form = MinutesForm(data, prefix="minutes")
        form.is_valid()
        form.add_error(None, error)
        return None
    messages.success(request, "Minutes saved.")
    return redirect(f"{reverse('meeting', kwargs={'pk': meeting.pk})}#minutes")


def _add_person(request, meeting: Meeting, forms: dict) -> HttpResponse | None:
    forms["add"] = form = AddPersonForm(request.POST, prefix="add")
    if not form.is_valid():
        return None
    number = form.cleaned_data["nhs_number"]
    person = people_visible_to(request.user).filter(nhs_number=number).first()
    if person is None:
        form.add_error("nhs_number", "No one you may see has this NHS number")
        return None
    try:
        item = actions.add_person(
            by=request.user, meeting=meeting, person=person, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        _show_errors(form, error)
        return None
    # On a long agenda the new row is far down: say which it is and go straight to it.
    messages.success(request, f"Added to the agenda as item {_agenda_number(item)}.")
    return redirect(f"{reverse('meeting', kwargs={'pk': meeting.pk})}#item-{item.pk}")


def _agenda_number(item: AgendaItem) -> int:
    """The item's row number on the meeting page (rows go by position, then id)."""
    return item.meeting.items.filter(
        Q(position__lt=item.position) | Q(position=item.position, id__lte=item.pk)
    ).count()


# --- discussing one person ---------------------------------------------------------------


def _item(meeting: Meeting, person) -> AgendaItem:
    item = (
        meeting.items.filter(person=person, withdrawn=False)
        .select_related("escalation")
        .order_by("escalation_id")
        .first()
    )
    if item is None:
        raise PermissionDenied("This person is not on this meeting's agenda.")
    return item


_OUTCOME_FORMS = {
    "no_action": (NoteForm, "no"),
    "refer": (ReferralForm, "refer"),
    "escalate": (IssueForm, "escalate"),
    "remove": (RemoveForm, "remove"),
    "answer": (AnswerForm, "answer"),
}


def _meeting_of_query(request) -> Meeting:
    pk = request.GET.get("meeting", "")
    if not pk.isdigit():
        raise Http404("Which meeting?")
    return _meeting(request, int(pk))


@person_view("MDT discussion")
def discuss(request: HttpRequest, person) -> HttpResponse:
    meeting = _meeting_of_query(request)
    item = _item(meeting, person)
    forms = {name: cls(prefix=prefix) for name, (cls, prefix) in _OUTCOME_FORMS.items()}
    what = request.POST.get("do")
    if request.method == "POST" and what in forms:
        cls, prefix = _OUTCOME_FORMS[what]
        forms[what] = form = cls(request.POST, prefix=prefix)
        if form.is_valid():
            try:
                _outcome(request.user, item, what, form.cleaned_data)
            except PermissionError as error:
                # Refused after typing: the form comes back with the reason and the text.
                refused = _refer_refused(meeting) if what == "refer" else str(error)
                form.add_error(None, refused)
            except ValidationError as error:
                _show_errors(form, error)
            else:
                messages.success(request, "Outcome recorded.")
                return redirect("meeting", pk=meeting.pk)
    (entry,) = [e for e in pack.build_for_item(meeting, item, request.user)]
    context = {
        "meeting": meeting,
        "item": item,
        "entry": entry,
        "person": person,
        "member": is_member(request.user, meeting),
        "escalates": meeting.level in NEXT_LEVEL,
        "may_refer": spa.may_refer(request.user),
        "who_refers": _who_refers(meeting),
        "forms": forms,
    }
    return render(request, "meetings/discuss.html", context)


def _who_refers(meeting: Meeting) -> str:
    """The meeting's members who may refer to the SPA, as a sentence ("A, B or C")."""
    names = [
        m.user.get_full_name() or m.user.username
        for m in meeting.members.select_related("user")
        if spa.may_refer(m.user)
    ]
    if not names:
        roles = pack.in_words(_referring_roles(), last="or")
        return f"someone whose role refers from the meeting ({roles})"
    return pack.in_words(names, last="or")


def _referring_roles() -> list[str]:
    """The roles that refer from a meeting, as a sentence says them ("a GP", "a district
    nurse")."""
    said = []
    for role in Role:
        if any(role in roles_with(permission) for permission in spa.REFERRING):
            label = label_in_sentence(role.label)
            first = label.split(" ", 1)[0]
            # An initialism is said letter by letter: "an SPA coordinator", "a GP".
            vowels = "AEFHILMNORSX" if first.isupper() and len(first) <= 3 else "aeiouAEIOU"
            said.append(f"{'an' if label[0] in vowels else 'a'} {label}")
    return said


def _refer_refused(meeting: Meeting) -> str:
    return (
        "Your role does not make referrals to the Single Point of Access: ask "
        f"{_who_refers(meeting)} to make it (your text is kept below)"
    )


def _outcome(user, item: AgendaItem, what: str, data: dict) -> None:
    if what == "no_action":
        actions.record_no_action(by=user, item=item, note=data["note"])
    elif what == "refer":
        actions.refer_to_spa(by=user, item=item, **data)
    elif what == "escalate":
        actions.escalate(by=user, item=item, kind=data["kind"], summary=data["summary"])
    elif what == "remove":
        actions.remove_from_case_list(by=user, item=item, reason=data["reason"])
    elif what == "answer":
        if item.escalation_id is None:
            raise ValidationError({"answer": "Only an escalated item can be answered"})
        actions.answer_escalation(
            by=user, escalation=item.escalation, answer=data["answer"], item=item
        )


@person_view("MDT care plan")
def care_plan(request: HttpRequest, person) -> HttpResponse:
    meeting = _meeting_of_query(request)
    item = _item(meeting, person)
    plan = CarePlan.objects.current().filter(person=person).first()
    # The form shows the plan: a member the person has not shared it with may not agree it.
    if plan is not None and not plan_visible_to(request.user, plan):
        return withheld(request, person, "Agree the care plan", status=403)
    if request.method == "POST" and (sent := already_sent(request)) is not None:
        return redirect(sent)
    members = [m.user for m in meeting.members.select_related("user__organisation")]
    form = plan_form(
        request,
        person,
        extra_staff=members,
        data=request.POST if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():

        def agree_plan() -> str:
            actions.agree_care_plan(by=request.user, item=item, **form.plan_kwargs())
            messages.success(request, "Care plan agreed.")
            return reverse("meeting", kwargs={"pk": meeting.pk})

        try:
            return redirect(save_once(request, agree_plan))
        except PlanWithheld:
            # Consent changed after the check above: refused by the action, nothing saved.
            return withheld(request, person, "Agree the care plan", status=403)
        except PermissionError as error:
            raise PermissionDenied(str(error)) from error
        except ValidationError as error:
            form.add_action_errors(error)
    return render(
        request,
        "meetings/care_plan.html",
        {"meeting": meeting, "item": item, "person": person, "form": form},
    )


# --- the pack ----------------------------------------------------------------------------


def pack_page(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    entries = pack.build(meeting, request.user)
    hidden = {e.person.pk: e.person for e in entries if e.person and not e.identifiable}
    context = {
        "meeting": meeting,
        "entries": entries,
        "pseudonymised_why": pack.pseudonymised_why(request.user, list(hidden.values())),
    }
    return render(request, "meetings/pack.html", context)


def pack_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    response = HttpResponse(pack.pdf(meeting, pack.build(meeting, request.user)))
    response["Content-Type"] = "application/pdf"
    response["Content-Disposition"] = f'inline; filename="meeting-{meeting.pk}-pack.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# --- escalations -------------------------------------------------------------------------


def escalations(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = units_of(user)
    found = (
        Escalation.objects.filter(
            Q(owner=user)
            | Q(level=Level.INTERMEDIATE, team__in=units[Level.INTERMEDIATE])
            | Q(level=Level.MACRO, locality__in=units[Level.MACRO])
            | Q(level=Level.MICRO, practice__in=units[Level.MICRO])
            | Q(raised_by=user)
        )
        .exclude(status=Escalation.Status.CLOSED)
        .distinct()
        .select_related("person__practice__organisation", "owner", "team", "locality", "practice")
    )
    rows = _escalation_rows(user, found)
    return render(request, "meetings/escalations.html", {"rows": rows})


def _escalation_rows(user, found) -> list[dict]:
    found = list(found)
    named = set(
        people_visible_to(user)
        .filter(pk__in={e.person_id for e in found if e.person_id})
        .values_list("pk", flat=True)
    )
    return [{"escalation": e, "named": e.person_id in named} for e in found]


def escalation_page(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = get_object_or_404(Escalation, pk=pk)
    user = request.user
    may_act = may_act_on_escalation(user, escalation)
    if not (may_act or escalation.raised_by_id == user.pk or _saw_it(user, escalation)):
        raise PermissionDenied
    forms = {
        "answer": AnswerForm(prefix="answer"),
        "further": FurtherForm(prefix="further"),
        "close": NoteForm(prefix="close"),
    }
    what = request.POST.get("do") if request.method == "POST" else None
    if what in forms:
        forms[what] = form = type(forms[what])(request.POST, prefix=what)
        if form.is_valid():
            try:
                done = _act_on_escalation(user, escalation, what, form.cleaned_data)
            except PermissionError as error:
                # Refused after typing (say someone moved it on): say why, keep the text.
                form.add_error(None, str(error))
            except ValidationError as error:
                _show_errors(form, error)
            else:
                messages.success(request, done)
                return redirect("escalation", pk=pk)
            escalation.refresh_from_db()
    (row,) = _escalation_rows(user, [escalation])
    if row["named"]:
        from joinedcare.audit.models import AuditEvent

        AuditEvent.record(
            by=user,
            action=AuditEvent.Action.VIEW,
            person=escalation.person,
            detail=f"escalation {escalation.pk}",
        )
    context = {
        "row": row,
        "escalation": escalation,
        "steps": escalation.steps.select_related("by"),
        "may_act": may_act,
        "answer_form": forms["answer"],
        "further_form": forms["further"],
        "close_form": forms["close"],
        "goes_further": escalation.level in NEXT_LEVEL,
    }
    return render(request, "meetings/escalation.html", context)


def _act_on_escalation(user, escalation: Escalation, what: str, data: dict) -> str:
    """Answer, move on or close the escalation; returns what to tell the user."""
    if what == "answer":
        sent = actions.answer_escalation(by=user, escalation=escalation, answer=data["answer"])
        return f"Answer sent back to the {sent.get_level_display()}."
    if what == "further":
        moved = actions.escalate_further(by=user, escalation=escalation, note=data["note"])
        return f"Escalated to the {moved.get_level_display()}."
    actions.close_escalation(by=user, escalation=escalation)
    return "Escalation closed."


def _saw_it(user, escalation: Escalation) -> bool:
    """Anyone working in a unit it passed through may follow it."""
    return any(
        unit is not None and acts_for(user, level, unit)
        for level, unit in (
            (Level.MICRO, escalation.practice),
            (Level.INTERMEDIATE, escalation.team),
            (Level.MACRO, escalation.locality),
        )
    )
