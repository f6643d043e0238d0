"""Pages of short-term services: capacity board, episodes ending, follow-ups, and the
episode steps on a person's referrals page."""

from collections import Counter
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from joinedcare.access.views import person_view
from joinedcare.home.once import already_sent, save_once
from joinedcare.people.models import Person
from joinedcare.referrals import actions as referral_actions
from joinedcare.referrals import clock
from joinedcare.referrals.models import Assessment, Referral, SinglePointOfAccess
from joinedcare.referrals.views import (
    add_errors,
    audit_shown,
    form_for,
    form_prefix,
    my_access_points,
    posted_id,
    render_person_spa,
)
from joinedcare.staff.models import StaffUser, has_permission
from joinedcare.staff.roles import Permission, roles_with

from . import actions
from .forms import AllocateForm, CapacityForm, EndForm, ExtendForm, FollowUpForm, GPBedForm
from .models import MAX_DAYS, Episode, Extension, Service, ServiceDay

BOARD_DAYS = 7
ENDING_WITHIN_DAYS = 7


def lead_workers(referral: Referral):
    """Who may lead an episode of this referral: staff in a care role (the lead sees the
    person while it lasts) at its access point or in a team of its place."""
    spa = referral.spa
    return (
        StaffUser.objects.filter(role__in=roles_with(Permission.VIEW_PERSON_RECORD), is_active=True)
        .filter(Q(access_points=spa) | Q(memberships__team__locality__place=spa.place_id))
        .distinct()
        .order_by("last_name", "first_name")
    )


def _allocate_form(request, referral: Referral, data=None, prefix: str = "") -> AllocateForm:
    return AllocateForm(
        data,
        services=actions.allocatable_services(by=request.user, referral=referral),
        staff=lead_workers(referral),
        initial={"start": clock.today()},
        prefix=prefix or form_prefix("allocate", referral.pk),
    )


def _allocate_wording(user, referral: Referral) -> dict:
    """The heading and button: the assessment team allocates; the SPA coordinator
    commissions out of hours, or confirms a GP's GP bed request."""
    if has_permission(user, Permission.TRIAGE_REFERRALS) and referral.spa.in_hours():
        return {"allocate_heading": "Allocate a service", "allocate_button": "Allocate"}
    if referral.spa.in_hours():
        return {"allocate_heading": "Confirm the GP bed", "allocate_button": "Confirm GP bed"}
    heading = "Commission a bed or sitting service (out of hours)"
    if referral.requested_service == Service.Kind.GP_BED:
        heading += ", or confirm the GP bed"
    return {"allocate_heading": heading, "allocate_button": "Commission"}


def episode_forms(request, referral: Referral, failed) -> dict:
    """The episode steps' forms of one referral: allocating (only when this user may now,
    offering only what they may allocate), extending, ending, and follow-ups due."""
    allocate_form = form_for(
        failed, form_prefix("allocate", referral.pk), lambda p: _allocate_form(request, referral)
    )
    today = clock.today()
    due = [
        e
        for e in referral.episodes.all()
        if e.follow_up_due and e.still_at_home is None and e.follow_up_due <= today
    ]
    return {
        "allocate_form": allocate_form,
        "can_allocate": allocate_form.fields["service"].queryset.exists(),
        **_allocate_wording(request.user, referral),
        "extend_form": form_for(
            failed,
            form_prefix("extend", referral.pk),
            lambda p: ExtendForm(prefix=p),
        ),
        "end_form": form_for(
            failed,
            form_prefix("end", referral.pk),
            lambda p: EndForm(initial={"ended_on": today}, prefix=p),
        ),
        "follow_ups": [
            (e, form_for(failed, form_prefix("follow-up", e.pk), lambda p: FollowUpForm(prefix=p)))
            for e in due
        ],
    }


def _step(request, person, form, act, success: str = "") -> HttpResponse:
    """Validate, act once (a form sent twice books one bed), and either go back to the
    person's page or show the errors."""
    if (sent := already_sent(request)) is not None:
        return redirect(sent)
    if form.is_valid():

        def save() -> str:
            # `act` may say what it did ("commissioned out of hours") better than `success`.
            messages.success(request, act(form.cleaned_data) or success)
            return reverse("person-spa", kwargs={"person": person.public_id})

        try:
            return redirect(save_once(request, save))
        except ValidationError as error:
            add_errors(form, error)
        except PermissionError as refusal:
            form.add_error(None, str(refusal))
    return render_person_spa(request, person, status=400, failed=form)


def _episode_of(request, person) -> Episode:
    return get_object_or_404(Episode, pk=posted_id(request, "episode"), person=person)


@person_view("allocate a service")
def allocate(request: HttpRequest, person: Person) -> HttpResponse:
    if request.method != "POST":
        return redirect("person-spa", person=person.public_id)
    referral = get_object_or_404(
        Referral.objects.select_related("spa"), pk=posted_id(request, "referral"), person=person
    )
    form = _allocate_form(request, referral, request.POST)

    def act(data) -> str:
        episode = actions.allocate_service(
            by=request.user,
            referral=referral,
            service=data["service"],
            start=data["start"],
            planned_end=data["planned_end"],
            lead=data["lead"],
        )
        # An episode booked for a later day has not started: say when it does.
        when = (
            "it started today"
            if episode.start <= clock.today()
            else f"it starts on {episode.start:%-d %B %Y}"
        )
        if episode.commissioned_out_of_hours:
            return f"{episode.service.name} commissioned out of hours: {when}."
        return f"{episode.service.name} allocated: {when}."

    return _step(request, person, form, act)


@person_view("extend an episode")
def extend(request: HttpRequest, person: Person) -> HttpResponse:
    if request.method != "POST":
        return redirect("person-spa", person=person.public_id)
    episode = _episode_of(request, person)
    form = ExtendForm(request.POST, prefix=form_prefix("extend", episode.referral_id))

    def act(data) -> str:
        extension = actions.extend_episode(
            by=request.user, episode=episode, new_end=data["new_end"], reason=data["reason"]
        )
        return f"{episode.service.name} extended to {extension.new_end:%-d %B %Y}."

    return _step(request, person, form, act)


@person_view("end an episode")
def end(request: HttpRequest, person: Person) -> HttpResponse:
    if request.method != "POST":
        return redirect("person-spa", person=person.public_id)
    episode = _episode_of(request, person)
    form = EndForm(request.POST, prefix=form_prefix("end", episode.referral_id))

    def act(data) -> str:
        ended = actions.end_episode(
            by=request.user,
            episode=episode,
            ended_on=data["ended_on"],
            outcome=data["outcome"],
            note=data["note"],
        )
        if ended.outcome == Episode.Outcome.CANCELLED:
            return f"{ended.service.name} cancelled before it started: its places are given back."
        return f"{ended.service.name} ended: {ended.get_outcome_display().lower()}."

    return _step(request, person, form, act)


@person_view("91-day follow-up")
def follow_up(request: HttpRequest, person: Person) -> HttpResponse:
    if request.method != "POST":
        return redirect("person-spa", person=person.public_id)
    episode = _episode_of(request, person)
    form = FollowUpForm(request.POST, prefix=form_prefix("follow-up", episode.pk))

    def act(data):
        actions.record_follow_up(
            by=request.user, episode=episode, still_at_home=data["still_at_home"]
        )

    return _step(request, person, form, act, "91-day follow-up recorded.")


@person_view("GP bed request")
def gp_bed(request: HttpRequest, person: Person) -> HttpResponse:
    """A GP asks the SPA for a GP bed for their own patient; the SPA confirms it."""
    if not has_permission(request.user, Permission.REQUEST_GP_BED):
        raise PermissionDenied
    spa = SinglePointOfAccess.objects.filter(
        kind=SinglePointOfAccess.Kind.ADULTS,
        place__localities__teams__practices=person.practice_id,
    ).first()
    if request.method == "POST" and (sent := already_sent(request)) is not None:
        return redirect(sent)
    form = GPBedForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and spa is not None:
        data = form.cleaned_data

        def request_bed() -> str:
            referral_actions.receive_referral(
                by=request.user,
                spa=spa,
                person=person,
                referrer_source=Referral.Source.GP,
                referrer_name=request.user.get_full_name() or request.user.username,
                referrer_organisation=str(request.user.organisation or ""),
                reason=data["reason"],
                urgency=Referral.Urgency.TODAY,
                medically_stable=data["medically_stable"],
                consent_to_share=data["consent_to_share"],
                sharing_basis=data["sharing_basis"],
                sharing_note=data["sharing_note"],
                requested_service=Service.Kind.GP_BED,
            )
            messages.success(request, "GP bed requested: the Single Point of Access confirms it.")
            return reverse("person", kwargs={"person": person.public_id})

        try:
            return redirect(save_once(request, request_bed))
        except ValidationError as error:
            add_errors(form, error)
    return render(request, "services/gp_bed.html", {"person": person, "form": form, "spa": spa})


def _places(user):
    return [s.place for s in my_access_points(user).select_related("place")]


def capacity(request: HttpRequest) -> HttpResponse:
    """What is free today and in the next days, per service and provider, and who waits."""
    places = _places(request.user)
    if not places:
        return render(request, "referrals/not_in_spa.html", status=403)
    services = list(
        Service.objects.filter(place__in=places, active=True).select_related("provider")
    )
    form = CapacityForm(
        request.POST if request.method == "POST" else None,
        services=Service.objects.filter(place__in=places),
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_capacity(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        except PermissionError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Capacity saved.")
            return redirect("capacity")
    today = clock.today()
    days = [today + timedelta(days=i) for i in range(BOARD_DAYS)]
    cells = {
        (d.service_id, d.day): d
        for d in ServiceDay.objects.filter(
            service__in=services, day__gte=days[0], day__lte=days[-1]
        )
    }
    waiting = _waiting_by_kind(places)
    rows = [
        {"service": s, "days": [cells.get((s.pk, d)) for d in days], "waiting": waiting[s.kind]}
        for s in services
    ]
    context = {
        "rows": rows,
        "days": days,
        "form": form,
        "can_publish_capacity": has_permission(request.user, Permission.MANAGE_CAPACITY),
    }
    return render(request, "services/capacity.html", context, status=400 if form.errors else 200)


def _waiting_by_kind(places) -> Counter:
    """People whose latest assessment proposed a service they have not started."""
    open_referrals = Referral.objects.filter(spa__place__in=places, status__in=Referral.OPEN)
    latest: dict[int, list[str]] = {}
    for referral_id, proposed in (
        Assessment.objects.filter(referral__in=open_referrals)
        .order_by("referral_id", "assessed_at", "id")
        .values_list("referral_id", "proposed_services")
    ):
        latest[referral_id] = proposed  # the last one per referral wins
    started: dict[int, set[str]] = {}
    for referral_id, kind in Episode.objects.filter(referral__in=open_referrals).values_list(
        "referral_id", "service__kind"
    ):
        started.setdefault(referral_id, set()).add(kind)
    waiting: Counter = Counter()
    for referral_id, proposed in latest.items():
        for kind in set(proposed) - started.get(referral_id, set()):
            waiting[kind] += 1
    return waiting


def ending(request: HttpRequest) -> HttpResponse:
    """Episodes ending within 7 days; the extensions counted are those of the episodes
    listed, so the figures above the table add up to its rows."""
    spas = my_access_points(request.user)
    if not spas.exists():
        return render(request, "referrals/not_in_spa.html", status=403)
    today = clock.today()
    # The access points as ids, and the extensions counted in a query of their own: an
    # aggregate over this join with the access points as a subquery had PostgreSQL pick a
    # plan that ran for minutes on the demo county.
    spa_ids = list(spas.values_list("pk", flat=True))
    episodes = list(
        Episode.objects.filter(
            referral__spa__in=spa_ids,
            ended_on=None,
            planned_end__lte=today + timedelta(days=ENDING_WITHIN_DAYS),
        )
        .select_related("person", "service__provider")
        .order_by("planned_end")
    )
    audit_shown(request.user, [e.person for e in episodes], "episodes ending")
    context = {
        "episodes": episodes,
        "today": today,
        "open_count": Episode.objects.filter(referral__spa__in=spa_ids, ended_on=None).count(),
        **extension_figures(episodes),
    }
    return render(request, "services/ending.html", context)


def extension_figures(episodes: list[Episode]) -> dict[str, int]:
    """What the listed rows marked "(extended)" add up to: how many there are, their
    extensions (each with its reason) and how many are now planned beyond 6 weeks. Counted
    from the rows themselves, so the header cannot disagree with the table."""
    extended = [e for e in episodes if e.extended]
    # An episode planned for 2 weeks may be extended to 4: an extension, not beyond 6 weeks.
    beyond = [e for e in extended if e.planned_end > e.start + timedelta(days=MAX_DAYS)]
    extensions = Extension.objects.filter(episode__in=[e.pk for e in extended]).count()
    return {
        "extended_episodes": len(extended),
        "extensions": extensions,
        "beyond_six_weeks": len(beyond),
    }


def follow_ups(request: HttpRequest) -> HttpResponse:
    """91-day follow-ups due: is the person still at home?"""
    spas = my_access_points(request.user)
    if not spas.exists():
        return render(request, "referrals/not_in_spa.html", status=403)
    today = clock.today()
    due = list(
        Episode.objects.filter(referral__spa__in=spas, follow_up_due__lte=today, still_at_home=None)
        .select_related("person", "service")
        .order_by("follow_up_due")
    )
    recorded = Episode.objects.filter(referral__spa__in=spas, still_at_home__isnull=False)
    at_home = recorded.filter(still_at_home=True).count()
    audit_shown(request.user, [e.person for e in due], "91-day follow-ups")
    context = {
        "due": due,
        "today": today,
        "recorded": recorded.count(),
        "at_home": at_home,
        "upcoming": Episode.objects.filter(
            referral__spa__in=spas, follow_up_due__gt=today, still_at_home=None
        ).count(),
    }
    return render(request, "services/follow_ups.html", context)
