"""Forms of the meeting pages (NHS.UK classes through NHSForm)."""

from django import forms

from joinedcare import nhs_numbers
from joinedcare.home.forms import DatePartsField, NHSForm, YesNoField
from joinedcare.referrals.sharing import SharingBasisMixin, basis_field, note_field

from . import spa
from .actions import REASON_MAX, already_arranged, arranged_on
from .models import Escalation, Level


def _choose(what: str) -> dict[str, str]:
    """The messages of a required choice: the same whether it is missing or not offered."""
    return {"required": f"Choose {what}", "invalid_choice": f"Choose {what}"}


class MeetingForm(NHSForm):
    # Choices depend on the user, so the NHS.UK styling (which reads errors) comes last.
    unit = forms.ChoiceField(
        label="Meeting of",
        help_text="A practice, a team or a locality.",
        error_messages=_choose("the practice, team or locality the meeting is of"),
    )
    held_on = DatePartsField(label="Meeting date")
    members = forms.MultipleChoiceField(
        label="Members", widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, units: dict, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {
            f"{level}:{unit.pk}": (level, unit) for level, found in units.items() for unit in found
        }
        self.fields["unit"].choices = [("", "Choose")] + [
            (key, f"{Level(level).label}: {unit.name}") for key, (level, unit) in self.units.items()
        ]
        self.fields["members"].choices = [
            (str(u.pk), f"{u.get_full_name()} ({u.role_label()})") for u in staff
        ]
        # The unit's meeting already arranged that day, linked from the page when refused.
        self.existing = None

    def clean(self) -> dict:
        """Refuse a second meeting of the same unit on the same day, naming the first."""
        cleaned = super().clean()
        chosen, held_on = cleaned.get("unit"), cleaned.get("held_on")
        if chosen in self.units and held_on is not None:
            level, unit = self.units[chosen]
            self.existing = arranged_on(level, unit, held_on)
            if self.existing is not None:
                self.add_error("held_on", already_arranged(self.existing))
        return cleaned


class AddPersonForm(NHSForm):
    nhs_number = forms.CharField(
        label="NHS number", error_messages={"required": "Enter the NHS number"}
    )
    reason = forms.CharField(
        label="Why discuss them?",
        max_length=REASON_MAX,
        help_text=f"Up to {REASON_MAX} characters.",
        error_messages={
            "required": "Say why they should be discussed",
            "max_length": f"Reason must be {REASON_MAX} characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Without the browser's maxlength a longer paste is kept and refused with a
        # message, not silently cut short.
        self.fields["reason"].widget.attrs.pop("maxlength", None)

    def clean_nhs_number(self) -> str:
        problem = nhs_numbers.problem_with(self.cleaned_data["nhs_number"])
        if problem:
            raise forms.ValidationError(problem)
        return nhs_numbers.normalise(self.cleaned_data["nhs_number"])


class MinutesForm(NHSForm):
    minutes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    # A meeting's minutes run longer than one field of a plan.
    text_limits = {"minutes": 50_000}
    # The version of the minutes this page showed: a save based on an older one is refused.
    based_on = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={
            "required": "Copy your text, reload the page and save the minutes again",
            "invalid": "Copy your text, reload the page and save the minutes again",
            "min_value": "Copy your text, reload the page and save the minutes again",
        },
    )


class IssueForm(NHSForm):
    kind = forms.ChoiceField(
        label="Kind of issue",
        # Blank first: a skipped question is an error, never a default fact.
        choices=[("", "Choose the kind of issue"), *Escalation.Kind.choices],
        error_messages=_choose("the kind of issue"),
    )
    summary = forms.CharField(
        label="What is the level above asked to help with?",
        error_messages={"required": "Say what the level above is asked to help with"},
        help_text="Do not write a person's name: the pack shows it only to those who may see it.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(NHSForm):
    note = forms.CharField(label="Note", required=False)


class RemoveForm(NHSForm):
    reason = forms.CharField(
        label="Why does the person come off the case list?",
        error_messages={"required": "Say why the person comes off the case list"},
    )


class FurtherForm(NHSForm):
    note = forms.CharField(
        label="Why does it go further up?",
        error_messages={"required": "Say why it goes further up"},
    )


class ReferralForm(SharingBasisMixin, NHSForm):
    reason = forms.CharField(
        label="Reason for referral",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason for referral"},
    )
    urgency = forms.ChoiceField(label="Urgency", error_messages=_choose("the urgency"))
    # The SPA's own questions: unanswered is an error, never a silent "No".
    medically_stable = YesNoField(label="Is the person medically stable?")
    consent_to_share = YesNoField(label="Has the person agreed to share their information?")
    sharing_basis = basis_field()
    sharing_note = note_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Blank first, as at SPA intake: an untouched form is not an "Immediate" referral.
        self.fields["urgency"].choices = [("", "Choose the urgency"), *spa.urgency_choices()]


class AnswerForm(NHSForm):
    answer = forms.CharField(
        label="Answer to send back",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write the answer to send back"},
    )
