"""Print the current sign-in code of a demo user's authenticator (not in production)."""

import pyotp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from joinedcare.staff.models import StaffUser
from joinedcare.staff.signin import device_for


class Command(BaseCommand):
    help = "Show the current 6-digit sign-in code for a demo user (demo machines only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        if settings.PRODUCTION:
            raise CommandError("Not available in production: use an authenticator app.")
        user = StaffUser.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        self.stdout.write(pyotp.TOTP(device_for(user).secret).now())
