"""`{% once_token %}`: the one-time token of a form that must be saved once."""

import secrets

from django import template
from django.utils.html import format_html

from joinedcare.home.once import FIELD

register = template.Library()


@register.simple_tag
def once_token() -> str:
    """A hidden input with a new random token; see `joinedcare.home.once.save_once`."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, secrets.token_hex(16))
