"""The family referral form and the virtual MDT's form.

The members box is read line by line here (its format); who each line names, and whether
the referrer may name them, is decided by `actions.refer_family`, which every caller
goes through.
"""

from datetime import date, datetime

from django import forms

from joinedcare import nhs_numbers
from joinedcare.home.forms import DATE_FORMATS, NHSForm
from joinedcare.referrals import clock
from joinedcare.referrals.forms import ChoicesFromQueries

from .actions import EXAMPLE_LINE, UNCONFIRMED, MemberLine
from .models import FamilyMember

Role = FamilyMember.Role
ROLE_WORDS = "child, parent, carer or other adult"
# What a referrer may type for each role: the words the hint shows, the full labels, the
# stored codes (the hint once showed "other_adult") and "young person".
ROLES = (
    {label.lower(): value for value, label in Role.choices}
    | {value.replace("_", " "): value for value in Role.values}
    | {value: value for value in Role.values}
    | {"young person": Role.CHILD}
)


def _parse_date(text: str) -> date | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse_member_line(n: int, line: str) -> MemberLine | str:
    """One line of the members box as a `MemberLine`, or what is wrong with it."""
    parts = [part.strip() for part in line.split(",")]
    if len(parts) < 2:
        return f"line {n}: write the NHS number, a comma, then the role, for example {EXAMPLE_LINE}"
    if len(parts) > 3:
        return (
            f"line {n}: write only the NHS number, the role and the date of birth, "
            f"separated by commas, for example {EXAMPLE_LINE}"
        )
    number, role, born = (*parts, "")[:3]
    problem = nhs_numbers.problem_with(number)
    if problem:
        return f"line {n}: {problem[0].lower()}{problem[1:]}"
    role = ROLES.get(" ".join(role.lower().split()))
    if role is None:
        return f"line {n}: the role must be {ROLE_WORDS}"
    date_of_birth = _parse_date(born) if born else None
    if born and date_of_birth is None:
        return f"line {n}: enter a real date of birth, for example 14/03/2016"
    if date_of_birth and date_of_birth > clock.today():
        return f"line {n}: the date of birth must be in the past"
    return MemberLine(
        line=n,
        nhs_number=nhs_numbers.normalise(number),
        role=role,
        date_of_birth=date_of_birth,
    )


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
        help_text=(
            f"One person a line: NHS number, role ({ROLE_WORDS}), date of birth, "
            f"separated by commas. For example: {EXAMPLE_LINE}. A child or young person is "
            "under 18, an other adult 18 or over; a parent or carer under 18 is rare, so "
            "you will be asked to confirm their age. You can leave out the date of birth "
            "of someone whose record you can already open."
        ),
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

    # Shown only when the action asks (`families/_confirmation.html`): a ticked box sends
    # back the token of what it confirms, so an old tick cannot confirm something new.
    young_member = forms.CharField(
        label="I have checked the dates of birth",
        required=False,
        error_messages={"unconfirmed": UNCONFIRMED["young_member"]},
    )
    second_referral = forms.CharField(
        label="I have checked: a second family referral is meant",
        required=False,
        error_messages={"unconfirmed": UNCONFIRMED["second_referral"]},
    )
    CONFIRMATIONS = ("young_member", "second_referral")

    def referral(self) -> dict:
        """The keyword arguments of `actions.refer_family`: the story, the members, and
        the tokens of the confirmations ticked."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.CONFIRMATIONS}
        ticked = {self.cleaned_data[k] for k in self.CONFIRMATIONS} - {""}
        return data | {"confirmed": ticked}

    def clean_members(self) -> list[MemberLine]:
        """Each non-blank line read as a member; every bad line named in one answer."""
        members, problems, seen = [], [], {}
        for n, line in enumerate(self.cleaned_data["members"].splitlines(), start=1):
            if not line.strip():
                continue
            parsed = parse_member_line(n, line)
            if isinstance(parsed, str):
                problems.append(parsed)
            elif parsed.nhs_number in seen:
                problems.append(
                    f"line {n}: this NHS number is already on line {seen[parsed.nhs_number]}"
                )
            else:
                seen[parsed.nhs_number] = n
                members.append(parsed)
        if problems:
            raise forms.ValidationError(problems)
        if not any(m.role == Role.CHILD for m in members):
            raise forms.ValidationError(
                "A family referral includes at least one child or young person"
            )
        return members


class MDTForm(ChoicesFromQueries):
    key_worker = forms.ModelChoiceField(
        queryset=None,
        label="Key worker for the family",
        help_text="Someone in a care role: they will see the records of the whole family.",
        empty_label="Choose the key worker",
        error_messages={
            "required": "Name the key worker",
            "invalid_choice": "Choose a key worker in a care role from the list",
        },
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

    def __init__(self, *args, staff, key_workers, **kwargs) -> None:
        super().__init__(
            *args, querysets={"key_worker": key_workers, "mdt_members": staff}, **kwargs
        )
