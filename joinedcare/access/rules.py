"""The access rule: the one way any view reaches a person's record.

A staff user may see a person's identifiable record when

* one of their roles grants VIEW_PERSON_RECORD, and
* they have a legitimate relationship with the person (any registered relationship
  holds), or an unexpired break-glass grant for that person.

Relationships are registered by the apps that create them (team membership here;
allocation to a referral, episode or care plan in later apps), each as a function from
a user to a `Q` over `Person`, so both "may this user see this person?" and "which
people may this user see?" are answered by the database, from the same definition.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from joinedcare.people.models import Person
from joinedcare.staff.models import has_permission
from joinedcare.staff.roles import Permission

RelationshipRule = Callable[[object], Q]
_relationships: dict[str, RelationshipRule] = {}


def relationship(name: str) -> Callable[[RelationshipRule], RelationshipRule]:
    """Register a legitimate relationship: `user -> Q(people related to the user)`."""

    def register(rule: RelationshipRule) -> RelationshipRule:
        if name in _relationships:
            raise ValueError(f"Relationship {name!r} is already registered.")
        _relationships[name] = rule
        return rule

    return register


def registered_relationships() -> list[str]:
    return sorted(_relationships)


@dataclass(frozen=True)
class Decision:
    """Whether a user may see a person, and on what basis (for the audit)."""

    allowed: bool
    basis: str  # the relationship's name, "break glass", or why not
    may_break_glass: bool = False

    @property
    def by_break_glass(self) -> bool:
        return self.allowed and self.basis == "break glass"


def _related(user) -> Q:
    query = Q(pk__in=[])
    for rule in _relationships.values():
        query |= rule(user)
    return query


def _broken_glass(user) -> Q:
    return Q(break_glass__user=user, break_glass__expires_at__gt=timezone.now())


def people_visible_to(user) -> QuerySet[Person]:
    """Every person whose record the user may open now. Empty without the permission."""
    if not has_permission(user, Permission.VIEW_PERSON_RECORD):
        return Person.objects.none()
    return Person.objects.filter(_related(user) | _broken_glass(user)).distinct()


def people_related_to(user) -> QuerySet[Person]:
    """Every person the user has a legitimate relationship with, break glass (temporary)
    not counted. Empty without the permission."""
    if not has_permission(user, Permission.VIEW_PERSON_RECORD):
        return Person.objects.none()
    return Person.objects.filter(_related(user)).distinct()


def decide(user, person: Person) -> Decision:
    """Whether the user may open this person's record, and why."""
    if not has_permission(user, Permission.VIEW_PERSON_RECORD):
        return Decision(False, "role does not give access to identifiable records")
    people = Person.objects.filter(pk=person.pk)
    for name, rule in _relationships.items():
        if people.filter(rule(user)).exists():
            return Decision(True, name)
    if people.filter(_broken_glass(user)).exists():
        return Decision(True, "break glass")
    return Decision(
        False,
        "no legitimate relationship",
        may_break_glass=has_permission(user, Permission.BREAK_GLASS),
    )
