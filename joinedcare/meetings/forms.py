"""Forms of the meeting pages (NHS.UK classes through NHSForm)."""

from django import forms

from joinedcare.home.forms import DatePartsField, NHSForm

from . import spa
from .models import Escalation, Level


class MeetingForm(NHSForm):
    # Choices depend on the user, so the NHS.UK styling (which reads errors) comes last.
    unit = forms.ChoiceField(label="Meeting of", help_text="A practice, a team or a locality.")
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


class AddPersonForm(NHSForm):
    nhs_number = forms.CharField(label="NHS number", max_length=12)
    reason = forms.CharField(
        label="Why discuss them?", error_messages={"required": "Say why they should be discussed"}
    )


class MinutesForm(NHSForm):
    minutes = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)


class IssueForm(NHSForm):
    kind = forms.ChoiceField(label="Kind of issue", choices=Escalation.Kind.choices)
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


class ReferralForm(NHSForm):
    reason = forms.CharField(label="Reason for referral", widget=forms.Textarea(attrs={"rows": 3}))
    urgency = forms.ChoiceField(label="Urgency")
    medically_stable = forms.BooleanField(label="Medically stable", required=False)
    consent_to_share = forms.BooleanField(
        label="The person agreed to the referral and to sharing their information",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["urgency"].choices = spa.urgency_choices()


class AnswerForm(NHSForm):
    answer = forms.CharField(label="Answer to send back", widget=forms.Textarea(attrs={"rows": 3}))
