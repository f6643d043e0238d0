from django import forms

from joinedcare import nhs_numbers
from joinedcare.home.forms import NHSForm
from joinedcare.people.models import Person
from joinedcare.referrals.forms import ChoicesFromQueries

from .models import FamilyMember

ROLES = {label.lower(): value for value, label in FamilyMember.Role.choices} | {
    value: value for value in FamilyMember.Role.values
}


class FamilyReferralForm(NHSForm):
    household = forms.CharField(
        label="Household name",
        max_length=200,
        help_text="For example, the Smith household.",
        error_messages={"required": "Enter the household name"},
    )
    members = forms.CharField(
        label="Members of the household",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One a line: NHS number, then child, parent, carer or other_adult. "
        "For example: 999 000 0018, child",
        error_messages={"required": "Enter at least one member"},
    )
    referrer = forms.CharField(
        label="Who referred", max_length=200, error_messages={"required": "Enter who referred"}
    )
    reason = forms.CharField(
        label="Reason for referral",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason for referral"},
    )
    emotional_wellbeing = forms.CharField(
        label="Emotional wellbeing",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the family says about their emotional wellbeing.",
        error_messages={"required": "Enter what the family says about their emotional wellbeing"},
    )
    what_matters = forms.CharField(
        label="What matters to the family", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_members(self) -> list[tuple[Person, str]]:
        members, problems = [], []
        for n, line in enumerate(self.cleaned_data["members"].splitlines(), start=1):
            if not line.strip():
                continue
            number, _, role = line.partition(",")
            role = ROLES.get(role.strip().lower())
            problem = nhs_numbers.problem_with(number)
            person = (
                None
                if problem
                else Person.objects.filter(nhs_number=nhs_numbers.normalise(number)).first()
            )
            if problem:
                problems.append(f"line {n}: {problem}")
            elif person is None:
                problems.append(f"line {n}: no person has this NHS number; register them first")
            elif role is None:
                problems.append(
                    f"line {n}: say child, parent, carer or other_adult after the number"
                )
            else:
                members.append((person, role))
        if problems:
            raise forms.ValidationError(problems)
        if not any(role == FamilyMember.Role.CHILD for _, role in members):
            raise forms.ValidationError(
                "A family referral includes at least one child or young person"
            )
        return members


class MDTForm(ChoicesFromQueries):
    key_worker = forms.ModelChoiceField(
        queryset=None,
        label="Key worker for the family",
        empty_label="Choose the key worker",
        error_messages={"required": "Name the key worker"},
    )
    mdt_members = forms.ModelMultipleChoiceField(
        queryset=None,
        label="Who took part in the virtual MDT",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label="MDT notes", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, staff, **kwargs) -> None:
        super().__init__(*args, querysets={"key_worker": staff, "mdt_members": staff}, **kwargs)
