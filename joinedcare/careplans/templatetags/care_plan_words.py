"""Words for care plan pages, the person's copy above all: it is read by the person."""

from django import template

from joinedcare.staff.roles import label_in_sentence

register = template.Library()


@register.filter
def in_sentence(label: str) -> str:
    """A role's label mid-sentence ("district nurse", "VAWAS nurse")."""
    return label_in_sentence(label)


@register.filter
def phone_link(number: str) -> str:
    """A phone number as a `tel:` address (spaces are not allowed in one), so a phone
    can call it with a tap."""
    return "tel:" + "".join(number.split())
