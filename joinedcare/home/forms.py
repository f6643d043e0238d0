"""Form styling in one place: NHS.UK frontend classes and error descriptions, and the
NHS.UK date input (day, month and year boxes) in place of the browser's date picker."""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField

_CLASSES = {
    forms.Textarea: "nhsuk-textarea",
    forms.Select: "nhsuk-select",
    forms.CheckboxSelectMultiple: "nhsuk-checkboxes__input",
    forms.CheckboxInput: "nhsuk-checkboxes__input",
}


# Free text with no limit of its own. A pasted document (100,000 characters went into a
# care plan) is refused by name, not stored and printed in every pack and copy.
TEXT_MAX = 5000
LINE_MAX = 300
# Dates typed in one box: ISO (links, other systems) or day first, as people here write.
DATE_FORMATS = ["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y", "%d-%m-%Y"]


def too_long(label: str, limit: int, length: int) -> str:
    """The project's message for text over its limit, naming the field and how much to
    cut: "Shorten “Reason” to 300 characters or fewer: it has 312"."""
    return f"Shorten “{label}” to {limit:,} characters or fewer: it has {length:,}"


def _limit(name: str, field: forms.Field, limit: int | None = None) -> None:
    """Give a text field without a limit `limit` or the default one, with a message naming
    it and saying how much to cut (once: `style` may run again on the same form)."""
    if type(field) is not forms.CharField or getattr(field, "limited", False):
        return
    field.limited = True
    label = field.label or name.replace("_", " ").capitalize()
    if field.max_length is not None:
        # A limit of its own keeps its own message if it has one; Django's ("Ensure this
        # value has at most 100 characters") reads unlike every other on the page.
        escaped = label.replace("%", "%%")
        field.error_messages.setdefault(
            "max_length",
            f"Shorten “{escaped}” to %(limit_value)s characters or fewer: it has %(show_value)s",
        )
        return
    if isinstance(field.widget, forms.Textarea):
        limit = limit or TEXT_MAX
    elif type(field.widget) is forms.TextInput:
        limit = limit or LINE_MAX
    else:
        return  # passwords and hidden values have their own rules

    def at_most(value: str) -> None:
        if len(value) > limit:
            raise ValidationError(
                too_long(label, limit, len(value)),
                code="too_long",
            )

    field.max_length = limit
    field.validators.append(at_most)


def style(form: forms.Form) -> None:
    """NHS.UK classes on each widget of `form`, and a length limit on its free text (the
    default, or the form's `text_limits` by field name). Call again after adding fields.
    Errors are marked as each field renders (`NHSBoundField`), not here: an error an
    action adds after validation belongs on its field too, and asking for errors here
    would validate a form before its subclass had finished setting it up."""
    limits = getattr(form, "text_limits", {})
    for name, field in form.fields.items():
        _limit(name, field, limits.get(name))
        widget = field.widget
        if isinstance(widget, DatePartsWidget):
            continue  # styles its own boxes
        widget.attrs["class"] = next(
            (c for t, c in _CLASSES.items() if isinstance(widget, t)), "nhsuk-input"
        )


class NHSBoundField(BoundField):
    """A field whose widget, when the field has errors as it renders, is marked in error,
    and which is described by its hint and error message (`includes/field.html` gives them
    the ids `<id>-hint` and `<id>-error`). Radios and checkboxes render as an NHS.UK
    fieldset, which carries the description for the whole group."""

    @property
    def choice_kind(self) -> str:
        """ "radios", "checkboxes", or "" for a field with one input."""
        widget = self.field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):  # a RadioSelect subclass
            return "checkboxes"
        return "radios" if isinstance(widget, forms.RadioSelect) else ""

    @property
    def group_id(self) -> str:
        """The id the hint and error ids are built on (a radio group has no `for` id)."""
        return self.id_for_label or self.auto_id or ""

    @property
    def anchor(self) -> str:
        """Where the error summary's link goes: the input, or a group's first option."""
        return self.id_for_label or (f"{self.auto_id}_0" if self.auto_id else "")

    def described_by(self) -> str:
        """The ids of the hint and the error message, as `aria-describedby` wants them."""
        ids = [f"{self.group_id}-hint"] if self.help_text else []
        return " ".join(ids + ([f"{self.group_id}-error"] if self.errors else []))

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        # Django points at "<id>_helptext"; the hint's id here is "<id>-hint".
        attrs.pop("aria-describedby", None)
        if self.choice_kind:
            return attrs  # the fieldset is described, not each option
        if self.errors:  # DatePartsField marks its own boxes (DatePartsBoundField)
            base = widget.attrs.get("class", "")
            if base:
                attrs["class"] = f"{base} {base.split()[0]}--error"
        if described := self.described_by():
            attrs["aria-describedby"] = described
        return attrs


class NHSForm(forms.Form):
    """A form whose widgets carry NHS.UK classes and point at their error messages."""

    bound_field_class = NHSBoundField

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        style(self)


YES_NO = [("yes", "Yes"), ("no", "No")]


class YesNoField(forms.ChoiceField):
    """A required yes or no, never defaulted: an unanswered question is an error."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", forms.RadioSelect)
        # The message names its question: a page may ask several.
        label = kwargs["label"]
        message = f"Answer yes or no: {label[0].lower()}{label[1:]}"
        kwargs.setdefault("error_messages", {"required": message, "invalid_choice": message})
        super().__init__(choices=YES_NO, **kwargs)

    def clean(self, value):
        return super().clean(value) == "yes"


# --- dates as day, month and year -------------------------------------------------------

PARTS = ("day", "month", "year")
_WIDTHS = {"day": 2, "month": 2, "year": 4}
_NUMBER = re.compile(r"[0-9]+")


class DatePartsWidget(forms.MultiWidget):
    """Three text boxes, Day, Month and Year, as the NHS.UK date input.

    The boxes with a problem are passed in at render time as the `wrong_parts` attribute
    (see `DatePartsBoundField`): errors added after the form was built, such as those
    from an action, are highlighted too.
    """

    template_name = "home/widgets/date_parts.html"

    def __init__(self, attrs=None):
        boxes = {part: forms.TextInput(attrs={"inputmode": "numeric"}) for part in PARTS}
        super().__init__(boxes, attrs)

    def decompress(self, value) -> list[str]:
        if isinstance(value, str):  # an initial value given as an ISO date
            try:
                value = date.fromisoformat(value)
            except ValueError:
                return ["", "", ""]
        if not isinstance(value, date):
            return ["", "", ""]
        return [str(value.day), str(value.month), str(value.year)]

    def get_context(self, name, value, attrs):
        attrs = dict(attrs or {})
        wrong = attrs.pop("wrong_parts", ())
        # The fieldset is described by the hint and error; each box says if it is invalid.
        for shared in ("aria-describedby", "aria-invalid", "class"):
            attrs.pop(shared, None)
        context = super().get_context(name, value, attrs)
        id_ = context["widget"]["attrs"].get("id")
        for part, box in zip(PARTS, context["widget"]["subwidgets"], strict=True):
            error = " nhsuk-input--error" if part in wrong else ""
            width = f"nhsuk-input--width-{_WIDTHS[part]}"
            box["attrs"]["class"] = f"nhsuk-input{error} {width} nhsuk-date-input__input"
            if part in wrong:
                box["attrs"]["aria-invalid"] = "true"
            if id_:
                box["attrs"]["id"] = f"{id_}_{part}"
            box["label"] = part.capitalize()
        return context

    def id_for_label(self, id_):
        return f"{id_}_day" if id_ else ""


class DatePartsBoundField(BoundField):
    """Knows which of day, month and year its errors are about."""

    @property
    def wrong_parts(self) -> tuple[str, ...]:
        wrong = set()
        for error in self.errors.as_data():
            wrong.update((error.params or {}).get("parts", PARTS))
        return tuple(p for p in PARTS if p in wrong)

    @property
    def id_for_label(self) -> str:
        """The first box with a problem, so the error summary's link goes to it."""
        first = next(iter(self.wrong_parts), "day")
        return f"{self.auto_id}_{first}" if self.auto_id else ""

    def build_widget_attrs(self, attrs, widget=None):
        return {**super().build_widget_attrs(attrs, widget), "wrong_parts": self.wrong_parts}


class DatePartsField(forms.MultiValueField):
    """A date typed as day, month and year, cleaned to a `datetime.date` (or None when
    optional and left blank). Errors name the field, as the NHS.UK pattern says:
    "Review date must include a month", "Review date must be a real date"."""

    widget = DatePartsWidget
    bound_field_class = DatePartsBoundField

    def __init__(self, *, help_text="For example, 27 3 2027", **kwargs) -> None:
        boxes = [forms.CharField(required=False) for _ in PARTS]
        super().__init__(boxes, require_all_fields=False, help_text=help_text, **kwargs)

    def clean(self, value):
        if isinstance(value, date):  # a disabled field gives back its initial value
            return value
        values = [*(value or []), "", "", ""]
        typed = {part: str(values[i] or "").strip() for i, part in enumerate(PARTS)}
        if not any(typed.values()):
            if self.required:
                raise self._error("Enter the %(lower)s", "required", PARTS)
            return None
        found = self._parse(typed)
        self.run_validators(found)
        return found

    def _parse(self, typed: dict[str, str]) -> date:
        missing = [part for part in PARTS if not typed[part]]
        if missing:
            what = " and ".join(missing)
            raise self._error(f"%(label)s must include a {what}", "incomplete", missing)
        not_numbers = [part for part in PARTS if not _NUMBER.fullmatch(typed[part])]
        if not_numbers:
            raise self._error("%(label)s must be a real date", "invalid", not_numbers)
        if len(typed["year"]) != 4:
            raise self._error("%(label)s year must include 4 numbers", "invalid", ["year"])
        day, month, year = (int(typed[part]) for part in PARTS)
        try:
            return date(year, month, day)
        except ValueError:
            # 32 3 2027 is the day's fault; 31 2 2027 is the whole date's.
            wrong = [p for p, n, m in (("day", day, 31), ("month", month, 12)) if not 1 <= n <= m]
            raise self._error("%(label)s must be a real date", "invalid", wrong or PARTS) from None

    def _error(self, message: str, code: str, parts) -> ValidationError:
        label = str(self.label or "Date")
        params = {"label": label, "lower": label.lower(), "parts": tuple(parts)}
        return ValidationError(message, code=code, params=params)
