"""The care plan form, used on the care plan page and at an MDT meeting.

Three goal rows and three action rows keep the page usable without JavaScript; agree
again to add more. The form runs the actions' checks on what was typed, so every error
shows in one round, each on the field it names; errors from the actions themselves (a
race) are shown the same way. A hidden field carries the version the form started from,
so a colleague's newer version is never silently undone.
"""

from datetime import timedelta

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.formats import date_format

from joinedcare.home.forms import DatePartsField, NHSForm, style
from joinedcare.organisations.models import Organisation, Team
from joinedcare.staff.models import StaffUser
from joinedcare.staff.roles import ROLE_PERMISSIONS, Permission

from .actions import (
    ActionInput,
    ConsentInput,
    GoalInput,
    PlanChanged,
    action_errors,
    consent_errors,
    current_consent,
    shares_with_vcs,
    version_errors,
)
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


# Where an action's error about the plan as a whole is shown.
_SHOWN_ON = {"goals": "goal_1", "consent": "given_by", NON_FIELD_ERRORS: None}
_ACTION_FIELDS = {"description": "", "owner": "_owner", "due": "_due"}


class CarePlanForm(NHSForm):
    what_matters = forms.CharField(
        label="What matters to me",
        help_text="In the person's own words, as they said it.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write what matters to the person, in their words"},
    )
    contingency = forms.CharField(
        label="If things get worse",
        help_text="Who to call and what to do. For example: call Joanne, district nurse, on ...",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what to do and whom to call if things get worse"},
    )
    carers_needs = forms.CharField(
        label="Carers' needs", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    review_date = DatePartsField(label="Review date")
    key_worker = forms.ChoiceField(
        label="Key worker",
        help_text="The one named person the person and carers contact.",
        error_messages={"required": "Choose the key worker"},
    )
    given_by = forms.ChoiceField(
        label="Who agreed to the plan and its sharing",
        choices=[("", "Choose"), *Consent.GivenBy.choices],
        required=False,
    )
    given_by_name = forms.CharField(label="Their name", required=False)
    text_limits = {"given_by_name": Consent._meta.get_field("given_by_name").max_length}
    scopes = forms.MultipleChoiceField(
        label="They agreed to share the plan with",
        choices=Consent.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    # The version the form started from (0: no plan yet), to catch a colleague's newer one.
    based_on = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, person, staff, needs_consent: bool, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_consent = needs_consent
        # The agreement that actions are checked against when none is being recorded here.
        self.consent_in_force = current_consent(current.plan) if current else None
        # The newer version's text of each section it changed, once a save was refused.
        self.newer: dict[str, dict] = {}
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
            # A row's own messages name the row, so they stand alone in the error summary.
            self.fields[f"action_{n}"] = forms.CharField(
                label=f"Action {n}",
                required=False,
                error_messages={"missing_in_row": f"Say what will be done for action {n}"},
            )
            self.fields[f"action_{n}_owner"] = forms.ChoiceField(
                label=f"Action {n}: owner",
                choices=owners,
                required=False,
                error_messages={"missing_in_row": f"Choose who will do action {n}"},
            )
            self.fields[f"action_{n}_due"] = DatePartsField(
                label=f"Action {n}: due date",
                required=False,
                error_messages={"missing_in_row": f"Enter the due date for action {n}"},
            )
        if not needs_consent:
            for name in ("given_by", "given_by_name", "scopes"):
                del self.fields[name]
        if current is not None and not self.is_bound:
            self._prefill(current)
        elif not self.is_bound:
            self.initial["review_date"] = timezone.localdate() + timedelta(days=90)
        self.initial.setdefault("based_on", current.pk if current else 0)
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
        self._check_rows(data)
        self._check_as_the_actions_will(data)
        return data

    def _check_rows(self, data: dict) -> None:
        for n in range(1, ROWS + 1):
            names = (f"action_{n}", f"action_{n}_owner", f"action_{n}_due")
            if any(data.get(name) for name in names) and not all(data.get(x) for x in names):
                for name in names:
                    # A due date typed wrongly already says so.
                    if not data.get(name) and name not in self.errors:
                        self.add_error(name, self.fields[name].error_messages["missing_in_row"])

    def _check_as_the_actions_will(self, data: dict) -> None:
        """The actions' checks on what was typed, so all errors show in one round."""
        errors = version_errors(
            what_matters=data.get("what_matters", ""),
            contingency=data.get("contingency", ""),
            review_date=data.get("review_date"),
            key_worker=self._key_worker(),
            goals=self._goals(),
        )
        consent = self._consent() if self.needs_consent else self.consent_in_force
        if self.needs_consent:
            errors |= consent_errors(consent)
        for n in self._complete_rows():
            found = action_errors(self._action(n), vcs_agreed=shares_with_vcs(consent))
            errors |= {f"action_{n}{_ACTION_FIELDS[k]}": v for k, v in found.items()}
        for key, message in errors.items():
            field = _SHOWN_ON.get(key, key)
            if field not in self.errors:  # "Enter the review date" says enough
                self.add_error(field if field in self.fields else None, message)

    def _complete_rows(self) -> list[int]:
        data = self.cleaned_data
        return [
            n
            for n in range(1, ROWS + 1)
            if data.get(f"action_{n}") and data.get(f"action_{n}_owner")
            if data.get(f"action_{n}_due")
        ]

    def _key_worker(self) -> StaffUser | None:
        pk = self.cleaned_data.get("key_worker")
        return StaffUser.objects.filter(pk=pk).first() if pk else None

    def _goals(self) -> list[GoalInput]:
        data = self.cleaned_data
        return [
            GoalInput(data.get(f"goal_{n}", ""), data.get(f"goal_{n}_self_care", False))
            for n in range(1, ROWS + 1)
        ]

    def _consent(self) -> ConsentInput:
        data = self.cleaned_data
        return ConsentInput(
            data.get("given_by", ""), data.get("given_by_name", ""), tuple(data.get("scopes", ()))
        )

    def _action(self, n: int) -> ActionInput:
        data = self.cleaned_data
        owner = _owner(data[f"action_{n}_owner"])
        return ActionInput(data[f"action_{n}"], data[f"action_{n}_due"], **owner)

    def plan_kwargs(self) -> dict:
        """The arguments of `agree_plan` from a valid form."""
        data = self.cleaned_data
        kwargs = {
            "what_matters": data["what_matters"],
            "contingency": data["contingency"],
            "carers_needs": data["carers_needs"],
            "review_date": data["review_date"],
            "key_worker": self._key_worker(),
            "goals": self._goals(),
            "actions": [self._action(n) for n in self._complete_rows()],
            "based_on": data.get("based_on"),
        }
        if self.needs_consent:
            kwargs["consent"] = self._consent()
        return kwargs

    def add_action_errors(self, error: ValidationError) -> None:
        """Show an action's `ValidationError` on the fields it names; for `PlanChanged`,
        also show the newer version by each section it changed."""
        if isinstance(error, PlanChanged):
            self._show_newer(error)
        rows = self._complete_rows()
        for key, messages in error.message_dict.items():
            if key.startswith("actions."):
                _, index, name = key.split(".")
                field = f"action_{rows[int(index)]}{_ACTION_FIELDS.get(name, '')}"
            else:
                field = _SHOWN_ON.get(key, key)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)

    def _show_newer(self, error: PlanChanged) -> None:
        version = error.current
        # Saving again after merging is saving over the version now shown.
        self.data = self.data.copy()
        self.data["based_on"] = str(version.pk)
        worker = version.key_worker
        text = {
            "what_matters": version.what_matters,
            "goals": "\n".join(
                f"{g.text}{' (self-care)' if g.self_care else ''}" for g in version.goals.all()
            ),
            "key_worker": f"{worker.get_full_name()} ({worker.role_label()})",
            "contingency": version.contingency,
            "carers_needs": version.carers_needs,
            "review_date": date_format(version.review_date, "j F Y"),
        }
        by = version.agreed_by.get_full_name() or version.agreed_by.username
        self.newer = {
            name: {"number": version.number, "by": by, "text": text[name] or "Left blank"}
            for name in error.changed
        }


class ConsentForm(NHSForm):
    given_by = CarePlanForm.base_fields["given_by"]
    given_by_name = CarePlanForm.base_fields["given_by_name"]
    scopes = CarePlanForm.base_fields["scopes"]
    text_limits = CarePlanForm.text_limits


class ActionStatusForm(forms.Form):
    note = forms.CharField(label="Note", required=False)
