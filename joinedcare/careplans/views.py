"""Care plan pages: the plan, agreeing it, consent, the person's copy, and the action
lists ("my actions", a team's actions). Views parse, call an action, render.

Every page that shows a plan's content asks `plan_visible_to` first, and shows
`withheld` in its place when the person has not agreed to share it with the viewer."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from joinedcare.access.rules import people_visible_to
from joinedcare.access.views import person_view
from joinedcare.audit.models import AuditEvent
from joinedcare.home.next_page import next_page
from joinedcare.home.once import already_sent, save_once
from joinedcare.organisations.models import Team

from . import actions
from .access import WITHHELD_FROM_VCS, PlanWithheld, plan_visible_to, plans_withheld_from
from .forms import ActionStatusForm, CarePlanForm, ConsentForm, staff_for
from .models import CarePlan, CarePlanAction

OPEN = CarePlanAction.Status.OPEN


def _current(person) -> CarePlan | None:
    return CarePlan.objects.current().filter(person=person).first()


def withheld(request: HttpRequest, person, title: str, *, status: int = 200) -> HttpResponse:
    """The page in place of a care plan the viewer may not read: the reason, no content.

    `person_view` has already audited the opening of the record, as for any page."""
    context = {"person": person, "title": title, "message": WITHHELD_FROM_VCS}
    return render(request, "careplans/withheld.html", context, status=status)


@person_view("care plan")
def plan_page(request: HttpRequest, person) -> HttpResponse:
    plan = _current(person)
    if plan is not None and not plan_visible_to(request.user, plan):
        return withheld(request, person, "Care plan")
    context = {"person": person, "plan": plan, "today": timezone.localdate()}
    if plan:
        context |= {
            "version": plan.current_version,
            "versions": plan.versions.all(),
            "actions": plan.actions.select_related(
                "owner", "owner_team", "owner_organisation", "completed_by"
            ),
            "consent": actions.current_consent(plan),
            "consents": plan.consents.select_related("recorded_by"),
        }
    return render(request, "careplans/plan.html", context)


@person_view("care plan history")
def versions_page(request: HttpRequest, person) -> HttpResponse:
    """Every version of every plan the person has had, as agreed at the time."""
    plans = CarePlan.objects.filter(person=person).prefetch_related(
        "versions__goals", "versions__key_worker", "versions__agreed_by"
    )
    # Judged plan by plan: each has its own agreement to share.
    rows = [{"plan": p, "visible": plan_visible_to(request.user, p)} for p in plans]
    context = {"person": person, "rows": rows, "withheld": WITHHELD_FROM_VCS}
    return render(request, "careplans/versions.html", context)


def plan_form(request, person, *, extra_staff=(), data=None) -> CarePlanForm:
    """The care plan form for `person`, blank or bound to `data` (used by MDT meetings too).

    Consent questions are asked when there is no agreement in force, and kept when they
    were answered: a colleague may have recorded one since the page was opened, and what
    was typed must not vanish."""
    plan = _current(person)
    answered = data is not None and "given_by" in data
    return CarePlanForm(
        data,
        person=person,
        staff=staff_for(person, extra=[request.user, *extra_staff]),
        needs_consent=plan is None or actions.current_consent(plan) is None or answered,
        current=plan.current_version if plan else None,
    )


@person_view("care plan form")
def agree(request: HttpRequest, person) -> HttpResponse:
    plan = _current(person)
    # Nobody agrees a plan they cannot read: the form would show it, and so would a save.
    if plan is not None and not plan_visible_to(request.user, plan):
        return withheld(request, person, "Agree the care plan", status=403)
    # Sent twice, the second would meet the version the first made: not a colleague's.
    if request.method == "POST" and (sent := already_sent(request)) is not None:
        return redirect(sent)
    form = plan_form(request, person, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():

        def agree_plan() -> str:
            actions.agree_plan(by=request.user, person=person, **form.plan_kwargs())
            messages.success(request, "Care plan agreed.")
            return reverse("care-plan", kwargs={"person": person.public_id})

        try:
            return redirect(save_once(request, agree_plan))
        except PlanWithheld:
            # Consent changed after the check above: refused by the action, nothing saved.
            return withheld(request, person, "Agree the care plan", status=403)
        except ValidationError as error:
            form.add_action_errors(error)
    return render(request, "careplans/agree.html", {"person": person, "form": form})


@person_view("care plan consent")
def consent(request: HttpRequest, person) -> HttpResponse:
    plan = _current(person)
    if plan is None:
        raise Http404
    if not plan_visible_to(request.user, plan):
        # Consent is recorded by whoever agrees the plan with the person, who has read it.
        return withheld(request, person, "Agreement to share the plan", status=403)
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and request.POST.get("withdraw"):
        try:
            reason = request.POST.get("reason", "")
            actions.withdraw_consent(by=request.user, plan=plan, reason=reason)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("care-plan", person=person.public_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_consent(
                by=request.user,
                plan=plan,
                consent=actions.ConsentInput(
                    data["given_by"], data["given_by_name"], tuple(data["scopes"])
                ),
            )
        except ValidationError as error:
            for key, values in error.message_dict.items():
                for message in values:
                    form.add_error(key if key in form.fields else None, message)
        else:
            return redirect("care-plan", person=person.public_id)
    return render(
        request,
        "careplans/consent.html",
        {"person": person, "form": form, "consent": actions.current_consent(plan)},
    )


@person_view("person's copy of the care plan")
def person_copy(request: HttpRequest, person) -> HttpResponse:
    plan = _current(person)
    if plan is None:
        raise Http404
    if not plan_visible_to(request.user, plan):
        return withheld(request, person, "My care plan")
    version = plan.current_version
    context = {
        "person": person,
        "version": version,
        "goals": version.goals.all(),
        "actions": plan.actions.filter(status=OPEN).select_related(
            "owner", "owner_team", "owner_organisation"
        ),
    }
    return render(request, "careplans/copy.html", context)


# --- actions -----------------------------------------------------------------------------


# How long a done action stays on the action lists, to be seen and reopened if the
# "Mark done" was a mistake: a week covers one found at the next weekly MDT.
RECENTLY_DONE = timedelta(days=7)
DONE_CAPTION = "Done in the last 7 days"


@require_POST
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Claim an action from a queue, mark it done or cancelled, or reopen it."""
    action = get_object_or_404(CarePlanAction.objects.select_related("plan__person"), pk=pk)
    if not plan_visible_to(request.user, action.plan):
        # An action is part of its plan: hidden from the lists, refused here too.
        raise PermissionDenied(WITHHELD_FROM_VCS)
    form = ActionStatusForm(request.POST)
    form.is_valid()
    do = request.POST.get("do", "")
    try:
        if do == "claim":
            actions.claim_action(by=request.user, action=action)
            done = "Claimed: it is now in your actions"
        elif do == "reopen":
            actions.reopen_action(by=request.user, action=action)
            done = "Reopened"
        else:
            closed = actions.close_action(
                by=request.user, action=action, status=do, note=form.cleaned_data.get("note", "")
            )
            done = f"Marked {closed.get_status_display().lower()}"
        # Said, because the row moves or leaves the list: a long list hides which one went.
        message = f"{done}: {action.description}"
        if do == CarePlanAction.Status.DONE:
            message += f". Done by mistake? Reopen it under “{DONE_CAPTION}”."
        messages.success(request, message)
    except PermissionError as error:
        raise PermissionDenied(str(error)) from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(next_page(request, request.POST.get("next"), reverse("my-actions")))


def _rows(user, found) -> list[dict]:
    """Actions with the person's name only where the access rule allows; audited.

    An action is part of its plan: one on a plan the user may not read is left out (a
    VCS action whose plan's consent no longer covers the voluntary sector)."""
    found = list(found)
    withheld_plans = plans_withheld_from(user, {a.plan_id for a in found})
    found = [a for a in found if a.plan_id not in withheld_plans]
    visible = {
        p.pk: p for p in people_visible_to(user).filter(pk__in={a.plan.person_id for a in found})
    }
    if visible:
        AuditEvent.record_many(
            by=user,
            action=AuditEvent.Action.QUEUE_VIEWED,
            people=visible.values(),
            detail="care plan actions list",
        )
    today = timezone.localdate()
    claimable = actions.claimable(user, found)
    return [
        {
            "action": a,
            "person": visible.get(a.plan.person_id),
            "overdue": a.is_overdue(today),
            # As `actions.may_change` decides, without a query per row: a button is
            # offered only to whoever may press it.
            "may_change": a.owner_id == user.pk or a.plan.person_id in visible,
            # A team's list also shows other queues' actions (an organisation's, for
            # its members near the person): Claim only where claiming would succeed.
            "may_claim": a.pk in claimable,
        }
        for a in found
    ]


def _recently_done(found):
    """Of `found`, the actions marked done in the last week on a current plan (those
    `actions.reopen_action` can reopen), latest first."""
    since = timezone.now() - RECENTLY_DONE
    done = found.filter(status=CarePlanAction.Status.DONE, completed_at__gte=since)
    done = done.filter(plan__ended_at__isnull=True)
    return done.select_related(*_RELATED, "completed_by").order_by("-completed_at", "-id")


_RELATED = (
    "plan__person__practice__organisation",
    "plan__person__practice__team",
    "owner",
    "owner_team",
    "owner_organisation",
)


def my_actions(request: HttpRequest) -> HttpResponse:
    user = request.user
    mine = CarePlanAction.objects.filter(owner=user, status=OPEN).select_related(*_RELATED)
    queues = CarePlanAction.objects.filter(owner__isnull=True, status=OPEN).select_related(
        *_RELATED
    )
    teams = user.memberships.values("team")
    queues = queues.filter(owner_team__in=teams) | queues.filter(
        owner_organisation_id=user.organisation_id
    )
    # Only what they may claim: a county-wide organisation's queue is not theirs to see.
    queued = list(queues.distinct())
    claimable = actions.claimable(user, queued)
    queued = [a for a in queued if a.pk in claimable]
    # Theirs, or marked done by them: either may have been a mistake to undo.
    done = CarePlanAction.objects.filter(Q(owner=user) | Q(completed_by=user))
    context = {
        "mine": _rows(user, mine),
        "queued": _rows(user, queued),
        "recently_done": _rows(user, _recently_done(done)),
        "done_caption": DONE_CAPTION,
    }
    return render(request, "careplans/my_actions.html", context)


def team_actions(request: HttpRequest, code: str) -> HttpResponse:
    team = get_object_or_404(Team, code=code)
    if not request.user.memberships.filter(team=team).exists():
        raise PermissionDenied
    of_team = CarePlanAction.objects.filter(
        Q(plan__ended_at__isnull=True, plan__person__practice__team=team) | Q(owner_team=team)
    )
    context = {
        "team": team,
        "rows": _rows(request.user, of_team.filter(status=OPEN).select_related(*_RELATED)),
        "recently_done": _rows(request.user, _recently_done(of_team)),
        "done_caption": DONE_CAPTION,
    }
    return render(request, "careplans/team_actions.html", context)
