"""Staff users: employed by one organisation, working in one or more teams with a role."""

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.functional import cached_property

from joinedcare.organisations.models import Locality, Organisation, Practice, Team

from .roles import ROLE_PERMISSIONS, TWO_FACTOR_ROLES, Role, role_label

# Digits, spaces, brackets and dashes, perhaps after "+": "0191 498 0123", "+44 191 ...".
PHONE = r"^\+?\(?[0-9][0-9 ()-]{5,}$"


class StaffUser(AbstractUser):
    """A member of staff. Their role sets what they may do; their teams set whom for."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="staff", null=True, blank=True
    )
    role = models.CharField(max_length=40, choices=Role.choices, help_text="Main job role.")
    localities = models.ManyToManyField(
        Locality, blank=True, related_name="managers", help_text="Localities this user leads."
    )
    # Printed on the person's copy of a care plan for the key worker: the person must
    # know how to reach their main contact, not only their name.
    work_phone = models.CharField(
        "Work phone",
        max_length=30,
        blank=True,
        validators=[RegexValidator(PHONE, "Enter a phone number, like 0191 498 0123")],
        help_text="A number the people they care for can call: a work mobile or their "
        "team's number. Printed on care plans where they are the key worker.",
    )

    class Meta:
        verbose_name = "staff user"
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def roles(self) -> set[str]:
        """The main role and every team role."""
        return {self.role, *self._team_roles}

    @cached_property
    def _team_roles(self) -> frozenset[str]:
        # A page checks several permissions (navigation, sections, actions): one query per
        # user object, that is per request, since each request loads its own user.
        return frozenset(self.memberships.values_list("role", flat=True))

    def forget_roles(self) -> None:
        """Drop the cached team roles; the next check reads the memberships again."""
        self.__dict__.pop("_team_roles", None)

    def refresh_from_db(self, *args, **kwargs) -> None:
        """Reload the fields and forget the cached team roles with them."""
        super().refresh_from_db(*args, **kwargs)
        self.forget_roles()

    @property
    def needs_second_factor(self) -> bool:
        return bool(self.roles & TWO_FACTOR_ROLES) or self.is_superuser

    def role_label(self) -> str:
        return role_label(self.role)


def has_permission(user, permission: str) -> bool:
    """Whether any of the user's roles grants the permission."""
    if not user.is_authenticated or not user.is_active:
        return False
    return any(permission in ROLE_PERMISSIONS.get(role, ()) for role in user.roles)


class Membership(models.Model):
    """A staff user working in a Team Around Patients, in a role, perhaps at some practices."""

    user = models.ForeignKey(StaffUser, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=40, choices=Role.choices)
    practices = models.ManyToManyField(
        Practice, blank=True, help_text="Practices of this team the user mainly works at."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team", "role"], name="one_role_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} in {self.team}"


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def _membership_changed(sender, instance: Membership, **kwargs) -> None:
    # Only the user object the membership was saved or deleted through can be told; other
    # copies (other requests) load their own roles when they first check one.
    if Membership.user.is_cached(instance):
        instance.user.forget_roles()


class SignInAttempt(models.Model):
    """One try at signing in; recent failures lock the username for a while."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    succeeded = models.BooleanField()

    def __str__(self) -> str:
        return f"{'success' if self.succeeded else 'failure'} for {self.username} at {self.at}"


class TOTPDevice(models.Model):
    """An authenticator app enrolled as a user's second factor."""

    user = models.OneToOneField(StaffUser, on_delete=models.CASCADE, related_name="totp")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The time step of the last accepted code: a code is never accepted twice.
    last_used_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"authenticator of {self.user}"
