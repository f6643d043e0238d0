"""Small helpers for the outcomes templates."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def get(mapping: dict, key: str):
    return mapping.get(key)


@register.simple_tag
def icon(colour: str) -> str:
    """A coloured dot in the Making Data Count colour (the words beside it carry the meaning)."""
    return format_html(
        '<svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" focusable="false">'
        '<circle cx="7" cy="7" r="6" fill="{}"/></svg>',
        colour,
    )
