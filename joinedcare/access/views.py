"""The one door to a person's record: `person_view`, and the break-glass entry."""

from functools import wraps

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters

from joinedcare.audit.models import AuditEvent
from joinedcare.home.forms import NHSForm
from joinedcare.people.models import Person

from . import actions
from .rules import decide


def person_view(detail: str):
    """Wrap a view of one person: resolve, decide, audit; refuse (403) by default.

    The wrapped view receives the `Person` in place of the URL's public id. GET and
    HEAD are audited here as views; changes are audited by the actions they call.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, person, *args, **kwargs) -> HttpResponse:
            subject = get_object_or_404(Person, public_id=person)
            decision = decide(request.user, subject)
            if not decision.allowed:
                AuditEvent.record(
                    by=request.user,
                    action=AuditEvent.Action.DENIED,
                    person=subject,
                    reason=decision.basis,
                    detail=detail,
                )
                return refused(request, subject, decision)
            if request.method in ("GET", "HEAD"):
                AuditEvent.record(
                    by=request.user,
                    action=AuditEvent.Action.VIEW,
                    person=subject,
                    purpose=(
                        AuditEvent.Purpose.BREAK_THE_GLASS
                        if decision.by_break_glass
                        else AuditEvent.Purpose.TREATMENT
                    ),
                    reason=decision.basis,
                    detail=detail,
                )
            request.access_decision = decision
            return view(request, subject, *args, **kwargs)

        wrapped.person_access = "checked"
        return wrapped

    return decorator


class BreakGlassForm(NHSForm):
    reason = forms.CharField(
        label="Why do you need to see this record now?",
        help_text=(
            f"At least {actions.MIN_REASON_LENGTH} characters. Your reason, your name and the"
            " time are sent to the privacy officer."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        # Checked here as well as in the action, so a short reason is kept on the page
        # with the error beside it.
        min_length=actions.MIN_REASON_LENGTH,
        error_messages={
            "required": "Say why you need to see this record now",
            "min_length": (
                f"Give a reason of at least {actions.MIN_REASON_LENGTH} characters: it is reviewed"
            ),
        },
    )
    password = forms.CharField(
        label="Enter your password again",
        widget=forms.PasswordInput,
        strip=False,
        error_messages={"required": "Enter your password"},
    )


def refused(request: HttpRequest, person: Person, decision, form=None) -> HttpResponse:
    """The refusal page: no identifiable detail, and break glass where the role allows."""
    context = {
        "person": person,  # the template uses only public_id
        "decision": decision,
        "form": form or BreakGlassForm(),
    }
    return render(request, "access/refused.html", context, status=403)


@sensitive_post_parameters("password")
def break_glass(request: HttpRequest, person) -> HttpResponse:
    """Emergency access to a record without a relationship (POST only does anything)."""
    subject = get_object_or_404(Person, public_id=person)
    decision = decide(request.user, subject)
    if decision.allowed:
        return redirect("person", person=subject.public_id)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]  # add_error below drops it from cleaned_data
        try:
            actions.break_glass(
                by=request.user,
                person=subject,
                reason=reason,
                password=form.cleaned_data["password"],
            )
        except actions.BreakGlassRefused as refusal:
            field = "password" if "password" in str(refusal) else "reason"
            form.add_error(field, str(refusal))
            # A refused attempt (a wrong password above all) is for the privacy officer to
            # see as such, not a plain "refused access" like opening the page.
            AuditEvent.record(
                by=request.user,
                action=AuditEvent.Action.DENIED,
                person=subject,
                purpose=AuditEvent.Purpose.BREAK_THE_GLASS,
                reason=reason,
                detail=f"emergency access refused: {refusal}",
            )
        else:
            return redirect("person", person=subject.public_id)
    return refused(request, subject, decision, form)


# The break-glass page is a person URL that opens nothing: it reveals no identifier.
break_glass.person_access = "reveals nothing"
