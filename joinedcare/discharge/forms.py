from django import forms

from joinedcare.home.forms import YesNoField
from joinedcare.organisations.models import Organisation
from joinedcare.referrals.forms import ChoicesFromQueries, PersonDetailsForm, same_person_field
from joinedcare.referrals.sharing import SharingBasisMixin, basis_field, note_field

# ISO as the hint shows, and the day-first forms people in England type.
DATETIME_FORMATS = [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d %m %Y %H:%M",
    "%d/%m/%Y %H:%M",
]


class MedicallyFitForm(SharingBasisMixin, PersonDetailsForm):
    """One person on a hospital's list of people medically fit for discharge."""

    hospital = forms.CharField(
        label="Hospital trust ODS code",
        max_length=12,
        error_messages={"required": "Enter the hospital trust's ODS code"},
    )
    ward = forms.CharField(
        label="Ward", max_length=200, error_messages={"required": "Enter the ward"}
    )
    medically_fit_at = forms.DateTimeField(
        label="Medically fit for discharge since",
        input_formats=DATETIME_FORMATS,
        help_text="Date and time, for example 14/01/2026 09:30 (UK time)",
        error_messages={
            "required": "Enter when the person became medically fit",
            "invalid": "Enter a real date and time, for example 14/01/2026 09:30",
        },
    )
    reason = forms.CharField(
        label="What support might they need at home?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what support they might need"},
    )
    same_person = same_person_field()
    consent_to_share = YesNoField(label="Has the person agreed to share their information?")
    sharing_basis = basis_field()
    sharing_note = note_field()
    what_matters = forms.CharField(
        label="What matters to the person", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_hospital(self) -> Organisation:
        code = self.cleaned_data["hospital"].strip().upper()
        hospital = Organisation.objects.filter(
            code=code, kind=Organisation.Kind.ACUTE_TRUST
        ).first()
        if hospital is None:
            raise forms.ValidationError("No acute trust has this ODS code")
        return hospital


class StepForm(ChoicesFromQueries):
    at = forms.DateTimeField(
        label="When",
        required=False,
        input_formats=DATETIME_FORMATS,
        help_text="Empty for now; or a date and time, for example 14/01/2026 09:30",
        error_messages={"invalid": "Enter a real date and time, for example 14/01/2026 09:30"},
    )
    assessor = forms.ModelChoiceField(
        queryset=None, required=False, label="Trusted assessor", empty_label="Choose an assessor"
    )
    late_reason = forms.CharField(
        label="Reason, if this step is late",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, assessors, **kwargs) -> None:
        super().__init__(*args, querysets={"assessor": assessors}, **kwargs)
