"""A form sent twice is saved once.

A double click, the back button or a retry after a slow answer sends the same form again.
Forms that create something carry a one-time token (`{% once_token %}` from
`home/templatetags/once.py`), and their view saves through `save_once`: the token is
stored in the same transaction as the change, so a second send of it changes nothing and
takes the user to where the first one went.
"""

from collections.abc import Callable

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from .models import SentForm

FIELD = "once"
ALREADY_SENT = "This form was already sent and saved once; it was not saved again."


def save_once(request: HttpRequest, save: Callable[[], str]) -> str:
    """Run `save` (which returns the address to go to next) unless this form's token was
    sent before, and return the address to go to.

    The token is claimed before `save` runs: a second send arriving while the first is
    still saving waits on the claim, then finds it taken, and runs nothing. Anything
    `save` raises rolls back the claim with the change, so the form can be sent again.
    A post without a token (another system, a page from before tokens) is saved as is.
    """
    token = request.POST.get(FIELD, "")[:64]
    if not token:
        return save()
    if (sent := _already_sent(request, token)) is not None:
        return sent
    try:
        with transaction.atomic():
            claim = SentForm.objects.create(token=token, sent_by=request.user)
            next_url = save()
            claim.next_url = next_url
            claim.save(update_fields=["next_url"])
    except IntegrityError:
        # Sent again while the first was saving; any other integrity error is not ours.
        if (sent := _already_sent(request, token)) is not None:
            return sent
        raise
    return next_url


def already_sent(request: HttpRequest) -> str | None:
    """Where the first send of this form went, saying so, if it was sent before.

    Asked before the form is validated: a second send may no longer be valid (the first
    changed what it checks), and its answer is the first send's, not an error."""
    token = request.POST.get(FIELD, "")[:64]
    return _already_sent(request, token) if token else None


def _already_sent(request: HttpRequest, token: str) -> str | None:
    """Where the first send went, saying so, or None if this token is new."""
    sent = SentForm.objects.filter(token=token).values_list("next_url", flat=True).first()
    if sent is None:
        return None
    messages.info(request, ALREADY_SENT)
    return sent or request.path
