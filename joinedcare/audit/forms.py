from django import forms

from joinedcare import nhs_numbers
from joinedcare.home.forms import DATE_FORMATS, NHSForm
from joinedcare.staff.roles import Role

from .models import AuditEvent


def _day(label: str) -> forms.DateField:
    # Day first, as every other date the officer types; ISO still works in old links.
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(format="%d/%m/%Y"),
        help_text="For example, 01/12/2026",
        error_messages={"invalid": f"Enter a real date in “{label}”, for example 01/12/2026"},
    )


class AuditFilterForm(NHSForm):
    username = forms.CharField(label="Staff username", required=False)
    role = forms.ChoiceField(label="Role", required=False, choices=[("", "Any"), *Role.choices])
    nhs_number = forms.CharField(label="NHS number of the person", required=False)
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any"), *AuditEvent.Action.choices]
    )
    purpose = forms.ChoiceField(
        label="Purpose", required=False, choices=[("", "Any"), *AuditEvent.Purpose.choices]
    )
    since = _day("From")
    until = _day("To")

    def clean_nhs_number(self) -> str:
        value = self.cleaned_data["nhs_number"].strip()
        if value and nhs_numbers.problem_with(value):
            raise forms.ValidationError(nhs_numbers.problem_with(value))
        return nhs_numbers.normalise(value)

    def clean(self) -> dict:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            # An empty list would read as "nobody did anything", not as a mistyped range.
            self.add_error("until", "To must be the same as or after From")
        return data


class SubjectAccessForm(NHSForm):
    nhs_number = forms.CharField(
        label="NHS number of the person asking",
        error_messages={"required": "Enter the NHS number of the person asking"},
    )

    def clean_nhs_number(self) -> str:
        value = self.cleaned_data["nhs_number"]
        problem = nhs_numbers.problem_with(value)
        if problem:
            raise forms.ValidationError(problem)
        return nhs_numbers.normalise(value)


class ReviewForm(NHSForm):
    note = forms.CharField(
        label="What did you find?",
        error_messages={"required": "Say what you found"},
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: appropriate, out-of-hours emergency; or: referred to line manager.",
    )
