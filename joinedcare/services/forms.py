from django import forms

from joinedcare.home.forms import DATE_FORMATS, NHSForm, YesNoField
from joinedcare.referrals.forms import ChoicesFromQueries
from joinedcare.referrals.sharing import SharingBasisMixin, basis_field, note_field

from .models import Episode


def _date(label: str, *, required: bool = True, help_text: str = "For example, 14/01/2026"):
    # The hint, the error and a prefilled date all read day first, as people here write.
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(format="%d/%m/%Y"),
        help_text=help_text,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter a real {label.lower()}, for example 14/01/2026",
        },
    )


class AllocateForm(ChoicesFromQueries):
    service = forms.ModelChoiceField(
        queryset=None,
        empty_label="Choose a service",
        error_messages={"required": "Choose a service", "invalid_choice": "Choose a service"},
    )
    start = _date("Start date")
    planned_end = _date(
        "Planned end",
        required=False,
        help_text="At most 6 weeks after the start; empty for 6 weeks",
    )
    lead = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Lead worker",
        empty_label="No lead worker yet",
        help_text="Care staff of this place and its Single Point of Access.",
        error_messages={"invalid_choice": "Choose a lead worker from the list"},
    )

    def __init__(self, *args, services, staff, **kwargs) -> None:
        super().__init__(*args, querysets={"service": services, "lead": staff}, **kwargs)


class ExtendForm(NHSForm):
    # One form serves every open episode of the referral, whose plans may be shorter than
    # 6 weeks or already extended: the label cannot say "beyond 6 weeks" (the action's
    # message names what this episode goes beyond).
    new_end = _date(
        "New end date",
        help_text="At most 6 weeks after the planned end. For example, 14/03/2026",
    )
    reason = forms.CharField(
        label="Reason for extending",
        help_text="Why the service needs longer than planned. The reason is kept with the "
        "episode, and extensions are counted.",
        required=False,  # the action names a missing reason and the planned end
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EndForm(NHSForm):
    ended_on = _date("End date")
    outcome = forms.ChoiceField(
        choices=Episode.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome"},
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpForm(NHSForm):
    still_at_home = YesNoField(label="Is the person still at home?")


class CapacityForm(ChoicesFromQueries):
    service = forms.ModelChoiceField(queryset=None, empty_label="Choose a service")
    day = _date("Date")
    capacity = forms.IntegerField(
        label="Capacity", error_messages={"required": "Enter the capacity"}
    )

    def __init__(self, *args, services, **kwargs) -> None:
        super().__init__(*args, querysets={"service": services}, **kwargs)


class GPBedForm(SharingBasisMixin, NHSForm):
    reason = forms.CharField(
        label="Why does your patient need a GP bed?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason"},
    )
    medically_stable = YesNoField(label="Is your patient medically stable?")
    consent_to_share = YesNoField(label="Has your patient agreed to share their information?")
    sharing_basis = basis_field()
    sharing_note = note_field()
