"""A referral made without the person's agreement to share their information.

Asking "Has the person agreed to share their information?" means nothing if "No" changes
nothing. A referral without agreement is an exception: the referrer says on what basis it
goes ahead and why, in a line, and everyone who receives the referral sees it. The rule is
here once, for every form that takes a referral and for `receive_referral`, which checks
it again for callers without a form.

No models are defined here: the meetings app uses the form parts even when the referrals
app is not installed.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from joinedcare.home.forms import LINE_MAX, too_long

BASIS_MISSING = "Say why the referral goes ahead without the person's agreement"
NOTE_MISSING = "Explain the decision to refer without the person's agreement"
NOTE_LABEL = "Explain the decision"
NOTE_MAX = LINE_MAX  # one line, as the project's other one-line text


class SharingBasis(models.TextChoices):
    """Why a referral goes ahead without the person's agreement to share."""

    BEST_INTERESTS = (
        "best_interests",
        "The person lacks capacity to decide, and referring is in their best interests",
    )
    SAFEGUARDING = (
        "safeguarding",
        "Safeguarding: sharing is needed to protect the person or someone else",
    )
    URGENT_RISK = "urgent_risk", "Urgent risk to life or health: there was no time to ask"
    NOT_ASKED_YET = "not_asked_yet", "Not asked yet: the person will be asked at first contact"
    # Only for referrals recorded before the basis was asked (set by migration 0003): the
    # constraint holds for them too, and their pages still show they went without
    # agreement. Never offered on a form or accepted from another system.
    NOT_RECORDED = "not_recorded", "Not recorded: referred before the reason was asked"


OFFERED = [(c.value, c.label) for c in SharingBasis if c != SharingBasis.NOT_RECORDED]
FIELDS = ("sharing_basis", "sharing_note")

# How the intake APIs describe the two fields (`joinedcare.referrals.api`).
_ONLY_WITHOUT_AGREEMENT = "Required when consent_to_share is false; ignored when it is true."
API_SCHEMA = {
    "sharing_basis": {
        "description": "Why the referral goes ahead without the person's agreement to share: "
        + "; ".join(f"{code} ({label})" for code, label in OFFERED)
        + f". {_ONLY_WITHOUT_AGREEMENT}"
    },
    "sharing_note": {
        "description": "The decision to refer without the person's agreement, explained in "
        f"one line. {_ONLY_WITHOUT_AGREEMENT}",
        "maxLength": NOTE_MAX,
    },
}


def checked(*, consent_to_share: bool, sharing_basis: str, sharing_note: str) -> tuple[str, str]:
    """The basis and note to store: both empty when the person agreed (whatever was sent),
    else both required. Raises ValidationError naming each field with a problem."""
    if consent_to_share:
        return "", ""
    note = " ".join((sharing_note or "").split())  # one line, as it is shown in a sentence
    errors = {}
    if sharing_basis not in dict(OFFERED):
        errors["sharing_basis"] = BASIS_MISSING
    if not note:
        errors["sharing_note"] = NOTE_MISSING
    elif len(note) > NOTE_MAX:
        errors["sharing_note"] = too_long(NOTE_LABEL, NOTE_MAX, len(note))
    if errors:
        raise ValidationError(errors)
    return sharing_basis, note


def basis_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Why does the referral go ahead without the person's agreement?",
        help_text="Everyone who receives the referral sees this.",
        choices=OFFERED,
        widget=forms.RadioSelect,
        required=False,  # asked only when the answer is No: `SharingBasisMixin` says so
        # "required" is the mixin's message: the error summary shows a field's own message
        # alone, without its (long) question in front.
        error_messages={
            "required": BASIS_MISSING,
            "invalid_choice": "Choose one of: " + ", ".join(code for code, _ in OFFERED),
        },
    )


def note_field() -> forms.CharField:
    # A one-line text input with no limit of its own gets the project's limit (LINE_MAX)
    # and its "Shorten ..." message from `joinedcare.home.forms.style`.
    return forms.CharField(
        label=NOTE_LABEL,
        help_text="In a line: for example, who assessed capacity, or who was at risk.",
        required=False,
        error_messages={"required": NOTE_MISSING},  # as for the basis
    )


class SharingBasisMixin:
    """For a form with `consent_to_share` (a YesNoField) and the fields `basis_field()` and
    `note_field()` as `sharing_basis` and `sharing_note`: with No both are required; with
    Yes whatever was sent is dropped, errors included."""

    # For the API description (`joinedcare.referrals.api`).
    required_without_agreement = FIELDS

    def clean(self):
        cleaned = super().clean()
        consent = cleaned.get("consent_to_share")
        if consent is True:
            for name in FIELDS:
                self.errors.pop(name, None)
                cleaned[name] = ""
        elif consent is False:
            try:
                basis, note = checked(
                    consent_to_share=False,
                    sharing_basis=cleaned.get("sharing_basis", ""),
                    sharing_note=cleaned.get("sharing_note", ""),
                )
            except ValidationError as error:
                for name, problems in error.message_dict.items():
                    if name not in self.errors:  # a field's own error (too long) says more
                        self.add_error(name, problems)
            else:
                cleaned["sharing_basis"], cleaned["sharing_note"] = basis, note
        return cleaned
