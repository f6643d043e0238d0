"""The error summary's lines."""

from django import forms, template

register = template.Library()


@register.filter
def summary_line(error: object, field: forms.BoundField) -> str:
    """One line of the error summary, naming its field once.

    A message the form wrote for the field ("Enter the NHS number") stands alone, as does
    one that already names the field ("Enter the meeting date"); Django's generic messages
    ("This field is required.") get the label in front, without a colon after a question.
    """
    text, label = str(error), str(field.label or "")
    if not label or _names(text, label) or text in _own_messages(field.field):
        return text
    return f"{label} {text}" if label.endswith("?") else f"{label}: {text}"


def _names(text: str, label: str) -> bool:
    """The message already names the field ("Enter the meeting date" for "Meeting date")."""
    return label.rstrip("?").lower() in text.lower()


def _own_messages(form_field: forms.Field) -> set[str]:
    """The field's error messages that its form set, rather than Django's defaults."""
    defaults: dict[str, object] = {}
    for cls in reversed(type(form_field).__mro__):
        defaults.update(getattr(cls, "default_error_messages", {}))
    return {
        str(message)
        for key, message in form_field.error_messages.items()
        if str(message) != str(defaults.get(key))
    }
