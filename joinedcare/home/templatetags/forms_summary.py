"""The error summary's lines."""

from django import template

register = template.Library()


@register.filter
def summary_line(error: object, label: object) -> str:
    """ "<label>: <error>", or the error alone when it already begins with its field's label
    ("Review date must include a month"), so the summary names each field once."""
    text, name = str(error), str(label or "")
    if not name or text.startswith(name):
        return text
    return f"{name}: {text}"
