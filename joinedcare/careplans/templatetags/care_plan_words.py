"""Words for care plan pages, the person's copy above all: it is read by the person."""

from django import template

register = template.Library()


@register.filter
def in_sentence(label: str) -> str:
    """A label as it reads mid-sentence: "District nurse" -> "district nurse", but an
    initialism keeps its capitals ("VAWAS nurse", "GP", "VCS worker"), which `lower`
    would turn into "vawas nurse"."""
    first = label.split(" ", 1)[0]
    if sum(letter.isupper() for letter in first) > 1:
        return label
    return label[:1].lower() + label[1:]


@register.filter
def phone_link(number: str) -> str:
    """A phone number as a `tel:` address (spaces are not allowed in one), so a phone
    can call it with a tap."""
    return "tel:" + "".join(number.split())
