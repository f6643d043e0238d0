"""Legitimate relationships the Single Point of Access creates, each while it lasts."""

from django.db.models import Q

from joinedcare.access.rules import relationship

from .models import Referral


@relationship("working in the Single Point of Access the referral is open at")
def spa_staff(user) -> Q:
    return Q(referrals__spa__staff=user, referrals__status__in=Referral.OPEN)


@relationship("allocated to the person's referral")
def allocated_to_referral(user) -> Q:
    return Q(
        referrals__allocations__staff=user,
        referrals__allocations__ended_at__isnull=True,
        referrals__status__in=Referral.OPEN,
    )


@relationship("assessor of the person's open referral")
def assessor(user) -> Q:
    return Q(referrals__assessments__assessor=user, referrals__status__in=Referral.OPEN)
