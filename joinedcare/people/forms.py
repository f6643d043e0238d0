from django import forms
from django.utils import timezone

from joinedcare import nhs_numbers
from joinedcare.home.forms import NHSForm


class PersonSearchForm(NHSForm):
    """Find by NHS number, or by family name and date of birth."""

    nhs_number = forms.CharField(label="NHS number", required=False, max_length=14)
    family_name = forms.CharField(label="Family name", required=False, max_length=100)
    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        help_text="For example, 27/03/1947",
        input_formats=["%d %m %Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"],
        error_messages={"invalid": "Enter a real date of birth, for example 27/03/1947"},
    )

    def clean_nhs_number(self) -> str:
        value = self.cleaned_data["nhs_number"].strip()
        if value:
            problem = nhs_numbers.problem_with(value)
            if problem:
                raise forms.ValidationError(problem)
            return nhs_numbers.normalise(value)
        return ""

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        # "No one found" would hide a mistyped year: say what is wrong instead.
        if born is not None and born > timezone.localdate():
            raise forms.ValidationError("The date of birth must be in the past")
        return born

    def clean(self) -> dict:
        data = super().clean()
        has_number = bool(data.get("nhs_number"))
        has_name = bool(data.get("family_name")) and bool(data.get("date_of_birth"))
        if not self.errors and not has_number and not has_name:
            raise forms.ValidationError("Enter an NHS number, or a family name and a date of birth")
        return data
