"""The error summary's lines."""

from django import forms, template

register = template.Library()


@register.filter
def summary_line(error: object, field: forms.BoundField) -> str:
    """One line of the error summary, naming its field once.

    A message the form wrote for the field ("Enter the NHS number") already names it and
    stands alone, as does one that begins with the label; Django's generic messages
    ("This field is required.") get the label in front, without a colon after a question.
    """
    text, label = str(error), str(field.label or "")
    if not label or text.startswith(label) or text in _own_messages(field.field):
        return text
    return f"{label} {text}" if label.endswith("?") else f"{label}: {text}"


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
