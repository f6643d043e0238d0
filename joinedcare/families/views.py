"""Children's access point: family referrals, the virtual MDT, the key worker's caseload.

A family page shows several people: it opens only when the user may see every one of
them (the access rule), and audits a view of each.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from joinedcare.access.rules import decide
from joinedcare.audit.models import AuditEvent
from joinedcare.home.once import already_sent, save_once
from joinedcare.referrals.models import SinglePointOfAccess
from joinedcare.referrals.views import add_errors, audit_shown, my_access_points
from joinedcare.staff.models import StaffUser, has_permission
from joinedcare.staff.roles import Permission, roles_with

from . import actions
from .forms import FamilyReferralForm, MDTForm
from .models import FamilyReferral


def _access_points(user):
    return my_access_points(user).filter(kind=SinglePointOfAccess.Kind.CHILDREN_AND_FAMILIES)


def _not_at_access_point(request: HttpRequest) -> HttpResponse:
    """Refused, saying where the user does work: an adults' SPA coordinator is on the
    staff of an access point, just not this kind."""
    adult_points = my_access_points(request.user).exclude(
        kind=SinglePointOfAccess.Kind.CHILDREN_AND_FAMILIES
    )
    context = {"adult_points": adult_points}
    return render(request, "families/not_at_access_point.html", context, status=403)


def queue(request: HttpRequest) -> HttpResponse:
    points = _access_points(request.user)
    if not points.exists():
        return _not_at_access_point(request)
    families = list(
        FamilyReferral.objects.filter(access_point__in=points)
        .exclude(status=FamilyReferral.Status.CLOSED)
        .select_related("key_worker")
        .prefetch_related("members")
    )
    return render(request, "families/queue.html", {"families": families, "points": points})


def new(request: HttpRequest) -> HttpResponse:
    """The family referral form; a referral that needs confirming (a young parent, a
    child already in an open referral) comes back with the confirmation to tick."""
    point = _access_points(request.user).first()
    if point is None:
        return _not_at_access_point(request)
    if not has_permission(request.user, Permission.TAKE_REFERRALS):
        raise PermissionDenied("Your role does not take referrals.")
    if request.method == "POST" and (sent := already_sent(request)) is not None:
        return redirect(sent)
    form = FamilyReferralForm(request.POST if request.method == "POST" else None)
    asks: dict[str, actions.Confirmation] = {}
    if request.method == "POST" and form.is_valid():

        def refer() -> str:
            family = actions.refer_family(by=request.user, access_point=point, **form.referral())
            messages.success(request, "Family referral recorded: it waits for the virtual MDT.")
            return reverse("family", kwargs={"family": family.pk})

        try:
            return redirect(save_once(request, refer))
        except actions.Unconfirmed as unconfirmed:
            add_errors(form, unconfirmed)
            asks = {ask.field: ask for ask in unconfirmed.asks}
        except ValidationError as error:
            add_errors(form, error)
        except PermissionError as refusal:
            form.add_error(None, str(refusal))
    context = {"form": form, "point": point, "asks": asks}
    return render(request, "families/new.html", context)


def family(request: HttpRequest, family: int) -> HttpResponse:
    referral = get_object_or_404(FamilyReferral, pk=family)
    members = list(referral.members.select_related("person"))
    decisions = [decide(request.user, m.person) for m in members]
    if not members or not all(d.allowed for d in decisions):
        for m, d in zip(members, decisions, strict=True):
            if not d.allowed:
                AuditEvent.record(
                    by=request.user,
                    action=AuditEvent.Action.DENIED,
                    person=m.person,
                    reason=d.basis,
                    detail=f"family referral {referral.pk}",
                )
        raise PermissionDenied
    # The virtual MDT is of care staff: who took part, and who becomes key worker.
    care_staff = _care_staff(
        StaffUser.objects.filter(is_active=True).order_by("last_name", "first_name")
    )
    form = MDTForm(
        request.POST if request.method == "POST" else None,
        staff=care_staff,
        key_workers=care_staff,
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.name_key_worker(
                by=request.user,
                family=referral,
                key_worker=form.cleaned_data["key_worker"],
                mdt_members=form.cleaned_data["mdt_members"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            add_errors(form, error)
        except PermissionError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Key worker named.")
            return redirect("family", family=referral.pk)
    if request.method == "GET":
        for m, d in zip(members, decisions, strict=True):
            AuditEvent.record(
                by=request.user,
                action=AuditEvent.Action.VIEW,
                person=m.person,
                reason=d.basis,
                detail=f"family referral {referral.pk}",
            )
    context = {
        "family": referral,
        "members": members,
        "form": form,
        "can_triage": has_permission(request.user, Permission.TRIAGE_REFERRALS),
    }
    return render(request, "families/family.html", context, status=400 if form.errors else 200)


def _care_staff(staff):
    """Staff who may be a family's key worker: a role that gives access to records (the
    same test `has_permission` makes, on the main role or any team role)."""
    roles = roles_with(Permission.VIEW_PERSON_RECORD)
    return staff.filter(Q(role__in=roles) | Q(memberships__role__in=roles)).distinct()


def caseload(request: HttpRequest) -> HttpResponse:
    """The key worker's families. Names are shown only to a role that may see records:
    a key worker named before the MDT form refused other roles sees none."""
    if not has_permission(request.user, Permission.VIEW_PERSON_RECORD):
        return render(request, "families/caseload.html", {"families": [], "no_access": True})
    families = list(
        FamilyReferral.objects.filter(key_worker=request.user)
        .exclude(status=FamilyReferral.Status.CLOSED)
        .prefetch_related("members__person")
        .order_by("mdt_decided_at")
    )
    audit_shown(
        request.user, [m.person for f in families for m in f.members.all()], "key worker caseload"
    )
    return render(request, "families/caseload.html", {"families": families})
