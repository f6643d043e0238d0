"""Where to go after a form: a page of this site only."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def next_page(request: HttpRequest, target: str | None, default: str = "/") -> str:
    """`target` if it is a page of this site, else `default`: a `next` sent with a form
    must not send staff to another site (an open redirect is a phishing link's friend)."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
