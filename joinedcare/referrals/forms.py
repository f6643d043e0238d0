"""The referral intake, one definition for the SPA coordinator's form and the API.

Every field is checked here and every problem is named by its field, so the page and
the API answer the same way; nothing is saved unless all of it is valid.
"""

from django import forms
from django.utils import timezone

from joinedcare import nhs_numbers
from joinedcare.home.forms import DATE_FORMATS, NHSForm, YesNoField
from joinedcare.people.models import Person
from joinedcare.services.models import Service

from .actions import SAME_PERSON_UNCONFIRMED
from .models import Referral
from .sharing import SharingBasisMixin, basis_field, note_field

# Older than anyone living: a date of birth before this is a mistyped year.
MAX_AGE = 120


class ChoicesFromQueries(NHSForm):
    """A form whose model choices are given per request. NHSForm validates while it is
    constructed, so the querysets are put in place before any validation runs."""

    def __init__(self, *args, querysets: dict, **kwargs) -> None:
        self._querysets = querysets
        super().__init__(*args, **kwargs)
        self._apply_querysets()

    def _apply_querysets(self) -> None:
        for name, queryset in self._querysets.items():
            self.fields[name].queryset = queryset

    def full_clean(self) -> None:
        self._apply_querysets()
        super().full_clean()


def _text(
    label: str, *, required: bool = True, rows: int = 3, help_text: str = "", max_length=None
):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": f"Enter the {label[0].lower() + label[1:]}"},
    )


class PersonDetailsForm(NHSForm):
    """Who the referral is about: found by NHS number, or created with these details."""

    nhs_number = forms.CharField(
        label="NHS number", max_length=14, error_messages={"required": "Enter the NHS number"}
    )
    given_name = forms.CharField(
        label="Given name", max_length=100, error_messages={"required": "Enter the given name"}
    )
    family_name = forms.CharField(
        label="Family name", max_length=100, error_messages={"required": "Enter the family name"}
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        input_formats=DATE_FORMATS,
        help_text="For example, 27/03/1947",
        error_messages={
            "required": "Enter the date of birth",
            "invalid": "Enter a real date of birth, for example 27/03/1947",
        },
    )
    # Each choice starts blank: a skipped question is an error, never a default fact.
    sex = forms.ChoiceField(
        choices=[("", "Choose the sex"), *Person.Sex.choices],
        error_messages={
            "required": "Choose the sex",
            "invalid_choice": "Choose female, male, other or unknown",
        },
    )
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)

    def clean_nhs_number(self) -> str:
        problem = nhs_numbers.problem_with(self.cleaned_data["nhs_number"])
        if problem:
            raise forms.ValidationError(problem)
        return nhs_numbers.normalise(self.cleaned_data["nhs_number"])

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError("The date of birth must be in the past")
        # Nobody alive is older: 1850 is a mistyped year, not a 176-year-old.
        if today.year - born.year > MAX_AGE:
            raise forms.ValidationError(
                f"The date of birth is more than {MAX_AGE} years ago: check the year"
            )
        return born


PersonDetailsForm.PERSON_FIELDS = list(PersonDetailsForm.base_fields)


class ReferralForm(SharingBasisMixin, PersonDetailsForm):
    referrer_source = forms.ChoiceField(
        label="Referred by",
        choices=[("", "Choose who referred"), *Referral.Source.choices],
        error_messages={
            "required": "Choose who referred",
            "invalid_choice": "Choose one of: " + ", ".join(Referral.Source.values),
        },
    )
    referrer_name = forms.CharField(
        label="Referrer's name",
        max_length=200,
        error_messages={"required": "Enter the referrer's name"},
    )
    referrer_organisation = forms.CharField(
        label="Where from",
        max_length=200,
        required=False,
        help_text="For example, a ward or a practice.",
    )
    referrer_contact = forms.CharField(
        label="Referrer's phone or email", max_length=200, required=False
    )
    reason = _text("Reason for referral", help_text="In the referrer's own words.")
    urgency = forms.ChoiceField(
        choices=[("", "Choose the urgency"), *Referral.Urgency.choices],
        error_messages={
            "required": "Choose the urgency",
            "invalid_choice": "Choose one of: " + ", ".join(Referral.Urgency.values),
        },
    )
    medically_stable = YesNoField(label="Is the person medically stable?")
    consent_to_share = YesNoField(label="Has the person agreed to share their information?")
    sharing_basis = basis_field()
    sharing_note = note_field()
    what_matters = _text("What matters to the person", required=False)
    networks = _text("Networks (family, friends, carers)", required=False)
    strengths = _text("Strengths", required=False)

    def person_details(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.PERSON_FIELDS}

    def story(self) -> dict:
        # The intake's fields only: a subclass's own (a confirmation) are not the story.
        story = [k for k in ReferralForm.base_fields if k not in self.PERSON_FIELDS]
        return {k: self.cleaned_data[k] for k in story}


def same_person_field() -> forms.BooleanField:
    """The confirmation asked for when a known NHS number comes with a different name or
    sex (shown by `referrals/_same_person.html` only then)."""
    return forms.BooleanField(
        label="I have checked this is the same person",
        required=False,  # asked only when the details differ: the action says so
        error_messages={"unconfirmed": SAME_PERSON_UNCONFIRMED},
    )


class PhoneReferralForm(ReferralForm):
    """The coordinator's form: the API's fields, and the confirmation asked for when a
    known NHS number comes with a different name or sex."""

    same_person = same_person_field()


class TriageForm(ChoicesFromQueries):
    DECISIONS = [
        ("assess", "Needs assessment: allocate an assessor"),
        ("close", "Close: no short-term service needed"),
    ]

    decision = forms.ChoiceField(
        choices=DECISIONS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happens next"},
    )
    assessor = forms.ModelChoiceField(
        queryset=None, required=False, label="Assessor", empty_label="Choose an assessor"
    )
    note = _text("Triage note", required=False, rows=2)

    def __init__(self, *args, assessors, **kwargs) -> None:
        super().__init__(*args, querysets={"assessor": assessors}, **kwargs)


class AssessmentForm(NHSForm):
    needs = _text("Needs", rows=4)
    strengths = _text("Strengths", required=False)
    networks = _text("Networks (family, friends, carers)", required=False)
    proposed_services = forms.MultipleChoiceField(
        label="Services proposed",
        choices=Service.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    at_home = forms.BooleanField(
        label="Assessed in the person's usual place of residence", required=False
    )
