"""Every URL about one person, found by walking the URL configuration, keeps the person's
identity from anyone without a relationship; and no page without parameters shows it.

The walk finds person URLs by their converter, so a URL added later is tested here
without anyone remembering to add it.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from joinedcare.access.models import BreakGlass
from joinedcare.audit.models import AuditEvent
from joinedcare.staff.roles import Role
from joinedcare.urls import PersonConverter
from tests import factories

PERSON_MARKS = {"checked", "reveals nothing"}


def _walk(resolver: URLResolver, prefix: str = "", converters: tuple = ()):
    """(route, pattern, converters of the route and every enclosing include)."""
    for entry in resolver.url_patterns:
        here = (*converters, *getattr(entry.pattern, "converters", {}).values())
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry, route, here)
        elif isinstance(entry, URLPattern):
            yield route, entry, here


def _takes_parameters(entry: URLPattern, converters: tuple) -> bool:
    return bool(converters) or entry.pattern.regex.groups > 0


ALL_PATTERNS = list(_walk(get_resolver()))
PERSON_PATTERNS = [
    (route, entry)
    for route, entry, converters in ALL_PATTERNS
    if any(isinstance(c, PersonConverter) for c in converters)
]
PLAIN_PATTERNS = [
    (route, entry)
    for route, entry, converters in ALL_PATTERNS
    if not _takes_parameters(entry, converters)
]


def _url(route: str, person) -> str:
    url = "/" + re.sub(r"<person:\w+>", str(person.public_id), route)
    assert "<" not in url, f"{route}: the test does not know how to fill this route's parameters"
    return url


def _identifiers(person) -> list[str]:
    n = person.nhs_number
    return [person.given_name, person.family_name, n, f"{n[:3]} {n[3:6]} {n[6:]}"]


def assert_reveals_nothing(response, person) -> None:
    body = response.content.decode().lower()
    for identifier in _identifiers(person):
        assert identifier.lower() not in body, f"{identifier!r} shown"


@pytest.fixture
def subject(team_a):
    """Someone with a record worth hiding: audited views and a past break glass."""
    person = factories.person(
        practice=factories.practice(team=team_a),
        given_name="Zenobia",
        family_name="Quartermaine",
        postcode="DH1 3LE",
    )
    carer = factories.staff(Role.DISTRICT_NURSE, teams=[team_a])
    factories.audit_event(actor=carer, person=person, reason="member of the person's team")
    factories.break_glass(user=factories.staff(Role.GP), person=person)
    return person


@pytest.fixture
def gp_elsewhere(team_b):
    return factories.staff(Role.GP, teams=[team_b])


@pytest.fixture
def analyst_in_team(team_a):
    return factories.staff(Role.ANALYST, teams=[team_a])


def _ids(params):
    return [route for route, _ in params]


def test_walk_finds_person_urls_including_the_record_and_break_glass():
    routes = {route for route, _ in PERSON_PATTERNS}
    assert len(PERSON_PATTERNS) >= 1
    assert "people/<person:person>/" in routes
    assert "people/<person:person>/break-glass/" in routes


def test_walk_reaches_into_included_url_configurations():
    assert any(route.startswith("admin/") for route, _ in PLAIN_PATTERNS)


@pytest.mark.parametrize(("route", "entry"), PERSON_PATTERNS, ids=_ids(PERSON_PATTERNS))
def test_person_url_view_is_marked_with_how_it_guards_access(route, entry):
    assert getattr(entry.callback, "person_access", None) in PERSON_MARKS


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("route", "entry"), PERSON_PATTERNS, ids=_ids(PERSON_PATTERNS))
def test_person_url_gp_of_another_team_sees_no_identifier(
    client, subject, gp_elsewhere, route, entry, method
):
    client.force_login(gp_elsewhere)

    response = getattr(client, method)(_url(route, subject))

    assert_reveals_nothing(response, subject)
    if entry.callback.person_access == "checked":
        assert response.status_code == 403
    assert not BreakGlass.objects.filter(user=gp_elsewhere).exists()


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("route", "entry"), PERSON_PATTERNS, ids=_ids(PERSON_PATTERNS))
def test_person_url_analyst_of_own_team_is_refused(
    client, subject, analyst_in_team, route, entry, method
):
    client.force_login(analyst_in_team)

    response = getattr(client, method)(_url(route, subject))

    assert response.status_code == 403
    assert_reveals_nothing(response, subject)


@pytest.mark.parametrize(("route", "entry"), PERSON_PATTERNS, ids=_ids(PERSON_PATTERNS))
def test_person_url_refusal_is_audited(client, subject, gp_elsewhere, route, entry):
    client.force_login(gp_elsewhere)

    client.get(_url(route, subject))

    if entry.callback.person_access == "checked":
        assert AuditEvent.objects.filter(
            actor=gp_elsewhere, person=subject, action=AuditEvent.Action.DENIED
        ).exists()
    assert not AuditEvent.objects.filter(
        actor=gp_elsewhere, person=subject, action=AuditEvent.Action.VIEW
    ).exists()


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(("route", "entry"), PERSON_PATTERNS, ids=_ids(PERSON_PATTERNS))
def test_person_url_anonymous_is_sent_to_sign_in(client, subject, route, entry, method):
    response = getattr(client, method)(_url(route, subject))

    assert response.status_code == 302
    assert response.url.startswith(reverse("sign-in"))
    assert_reveals_nothing(response, subject)


# Pages without parameters, walked as users who must not see the person. Sign-out is
# skipped because it would end the session the walk depends on (and it is POST-only);
# the admin's log-out likewise. Every other admin URL is walked: for these users it
# must only ever send them to sign in.
SKIPPED = {"sign-out/", "admin/logout/"}
WALKED = [(route, entry) for route, entry in PLAIN_PATTERNS if route not in SKIPPED]


@pytest.mark.parametrize("role", [Role.GP, Role.ANALYST])
def test_pages_without_parameters_never_show_the_person(client, subject, team_a, team_b, role):
    user = factories.staff(role, teams=[team_b] if role == Role.GP else [team_a])
    client.force_login(user)

    for route, _ in WALKED:
        response = client.get("/" + route)

        assert response.status_code < 500, route
        assert_reveals_nothing(response, subject)
