"""Signing in: throttled password check, then TOTP for roles that need a second factor."""

from datetime import timedelta

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone

from .models import SignInAttempt, StaffUser, TOTPDevice

ISSUER = "joinedcare"


def minutes_locked(username: str) -> int:
    """Minutes until this username may try again (0 if it may now)."""
    window = timedelta(minutes=settings.SIGN_IN_LOCK_MINUTES)
    recent = SignInAttempt.objects.filter(
        username=username.lower(), at__gte=timezone.now() - window
    )
    last_success = recent.filter(succeeded=True).order_by("-at").first()
    failures = recent.filter(succeeded=False)
    if last_success:
        failures = failures.filter(at__gt=last_success.at)
    failures = list(failures.order_by("-at").values_list("at", flat=True))
    if len(failures) < settings.SIGN_IN_MAX_FAILURES:
        return 0
    unlock = failures[0] + window
    return max(1, int((unlock - timezone.now()).total_seconds() // 60) + 1)


def check_password(request, username: str, password: str) -> StaffUser | None:
    """The user if the password is right; every try is recorded for throttling."""
    user = authenticate(request, username=username, password=password)
    SignInAttempt.objects.create(username=username.lower(), succeeded=user is not None)
    return user


def device_for(user: StaffUser) -> TOTPDevice:
    """The user's authenticator, made (unconfirmed) on first need."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, defaults={"secret": pyotp.random_base32()}
    )
    return device


def provisioning_uri(device: TOTPDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(name=device.user.username, issuer_name=ISSUER)


def verify_code(device: TOTPDevice, code: str) -> bool:
    """Accepts the current code (or one step either side), never the same step twice."""
    totp = pyotp.TOTP(device.secret)
    now = timezone.now()
    for offset in (0, -1, 1):
        at = now + timedelta(seconds=offset * totp.interval)
        step = totp.timecode(at)
        if step > device.last_used_step and totp.at(at) == code.strip():
            device.last_used_step = step
            if device.confirmed_at is None:
                device.confirmed_at = now
            device.save(update_fields=["last_used_step", "confirmed_at"])
            return True
    return False
