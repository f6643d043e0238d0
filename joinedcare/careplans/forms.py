"""The care plan form, used on the care plan page and at an MDT meeting.

Three goal rows and three action rows keep the page usable without JavaScript; agree
again to add more. Errors from the actions come back keyed by field and are shown on
the field they name.
"""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from joinedcare.home.forms import DatePartsField, NHSForm, style
from joinedcare.organisations.models import Organisation, Team
from joinedcare.staff.models import StaffUser
from joinedcare.staff.roles import ROLE_PERMISSIONS, Permission

from .actions import ActionInput, ConsentInput, GoalInput
from .models import CarePlanVersion, Consent

ROWS = 3
_CARE_ROLES = [r for r, p in ROLE_PERMISSIONS.items() if Permission.VIEW_PERSON_RECORD in p]


def staff_for(person, extra=()) -> list[StaffUser]:
    """Care staff of the person's team, and anyone else named (meeting members)."""
    found = StaffUser.objects.filter(role__in=_CARE_ROLES, is_active=True)
    team = person.team
    in_team = found.filter(memberships__team=team) if team else found.none()
    others = found.filter(pk__in=[u.pk for u in extra])
    return list((in_team | others).distinct().select_related("organisation"))


def _owner_choices(person, staff) -> list[tuple[str, str]]:
    choices = [("", "Choose an owner")]
    choices += [(f"user:{u.pk}", f"{u.get_full_name()} ({u.role_label()})") for u in staff]
    if person.team:
        choices.append((f"team:{person.team.pk}", f"{person.team.name} queue"))
    orgs = {u.organisation for u in staff if u.organisation_id}
    choices += [(f"org:{o.pk}", f"{o.name} queue") for o in sorted(orgs, key=lambda o: o.name)]
    return choices


def _owner(value: str) -> dict:
    kind, _, pk = value.partition(":")
    if kind == "user":
        return {"owner": StaffUser.objects.get(pk=pk)}
    if kind == "team":
        return {"owner_team": Team.objects.get(pk=pk)}
    return {"owner_organisation": Organisation.objects.get(pk=pk)}


class CarePlanForm(NHSForm):
    what_matters = forms.CharField(
        label="What matters to me",
        help_text="In the person's own words, as they said it.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contingency = forms.CharField(
        label="If things get worse",
        help_text="Who to call and what to do. For example: call Joanne, district nurse, on ...",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    carers_needs = forms.CharField(
        label="Carers' needs", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    review_date = DatePartsField(label="Review date")
    key_worker = forms.ChoiceField(
        label="Key worker", help_text="The one named person the person and carers contact."
    )
    given_by = forms.ChoiceField(
        label="Who agreed to the plan and its sharing",
        choices=[("", "Choose"), *Consent.GivenBy.choices],
        required=False,
    )
    given_by_name = forms.CharField(label="Their name", required=False)
    scopes = forms.MultipleChoiceField(
        label="They agreed to share the plan with",
        choices=Consent.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, person, staff, needs_consent: bool, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_consent = needs_consent
        self.fields["key_worker"].choices = [("", "Choose a key worker")] + [
            (str(u.pk), f"{u.get_full_name()} ({u.role_label()})") for u in staff
        ]
        owners = _owner_choices(person, staff)
        for n in range(1, ROWS + 1):
            self.fields[f"goal_{n}"] = forms.CharField(
                label=f"Goal {n}", required=False, help_text="In the person's words."
            )
            self.fields[f"goal_{n}_self_care"] = forms.BooleanField(
                label=f"Goal {n} is self-care (the person does it themselves)", required=False
            )
        for n in range(1, ROWS + 1):
            self.fields[f"action_{n}"] = forms.CharField(label=f"Action {n}", required=False)
            self.fields[f"action_{n}_owner"] = forms.ChoiceField(
                label=f"Action {n}: owner", choices=owners, required=False
            )
            self.fields[f"action_{n}_due"] = DatePartsField(
                label=f"Action {n}: due date", required=False
            )
        if not needs_consent:
            for name in ("given_by", "given_by_name", "scopes"):
                del self.fields[name]
        if current is not None and not self.is_bound:
            self._prefill(current)
        elif not self.is_bound:
            self.initial["review_date"] = timezone.localdate() + timedelta(days=90)
        style(self)  # again: the action rows were added after NHSForm styled the form

    def _prefill(self, version: CarePlanVersion) -> None:
        self.initial.update(
            what_matters=version.what_matters,
            contingency=version.contingency,
            carers_needs=version.carers_needs,
            review_date=version.review_date,
            key_worker=str(version.key_worker_id),
        )
        for n, goal in enumerate(version.goals.all()[:ROWS], start=1):
            self.initial[f"goal_{n}"] = goal.text
            self.initial[f"goal_{n}_self_care"] = goal.self_care

    def goal_rows(self):
        return [(self[f"goal_{n}"], self[f"goal_{n}_self_care"]) for n in range(1, ROWS + 1)]

    def action_rows(self):
        return [
            (self[f"action_{n}"], self[f"action_{n}_owner"], self[f"action_{n}_due"])
            for n in range(1, ROWS + 1)
        ]

    def consent_fields(self):
        return [self[n] for n in ("given_by", "given_by_name")] if self.needs_consent else []

    def clean(self):
        data = super().clean()
        for n in range(1, ROWS + 1):
            text, owner, due = (
                data.get(f"action_{n}"),
                data.get(f"action_{n}_owner"),
                data.get(f"action_{n}_due"),
            )
            if (text or owner or due) and not (text and owner and due):
                for name, value in (("", text), ("_owner", owner), ("_due", due)):
                    # A due date typed wrongly already says so.
                    if not value and f"action_{n}{name}" not in self.errors:
                        self.add_error(f"action_{n}{name}", "Give each action what, who and when")
        return data

    def plan_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            "what_matters": data["what_matters"],
            "contingency": data["contingency"],
            "carers_needs": data["carers_needs"],
            "review_date": data["review_date"],
            "key_worker": StaffUser.objects.filter(pk=data["key_worker"]).first(),
            "goals": [
                GoalInput(data[f"goal_{n}"], data[f"goal_{n}_self_care"])
                for n in range(1, ROWS + 1)
            ],
            "actions": [
                ActionInput(
                    data[f"action_{n}"],
                    data[f"action_{n}_due"],
                    **_owner(data[f"action_{n}_owner"]),
                )
                for n in range(1, ROWS + 1)
                if data.get(f"action_{n}")
            ],
        }
        if self.needs_consent:
            kwargs["consent"] = ConsentInput(
                data.get("given_by", ""), data.get("given_by_name", ""), tuple(data["scopes"])
            )
        return kwargs

    def add_action_errors(self, error: ValidationError) -> None:
        """Show an action's `ValidationError` on the fields it names."""
        rows = [n for n in range(1, ROWS + 1) if self.cleaned_data.get(f"action_{n}")]
        mapping = {"goals": "goal_1", "consent": "given_by"}
        for key, messages in error.message_dict.items():
            if key.startswith("actions."):
                _, index, name = key.split(".")
                suffix = {"description": "", "owner": "_owner", "due": "_due"}.get(name, "")
                field = f"action_{rows[int(index)]}{suffix}"
            else:
                field = mapping.get(key, key)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class ConsentForm(NHSForm):
    given_by = CarePlanForm.base_fields["given_by"]
    given_by_name = CarePlanForm.base_fields["given_by_name"]
    scopes = CarePlanForm.base_fields["scopes"]


class ActionStatusForm(forms.Form):
    note = forms.CharField(label="Note", required=False)
