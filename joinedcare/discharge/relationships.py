"""Discharge to Assess: the trusted assessor allocated to a person's discharge."""

from django.db.models import Q

from joinedcare.access.rules import relationship


@relationship("trusted assessor of the person's discharge")
def trusted_assessor(user) -> Q:
    return Q(discharges__trusted_assessor=user, discharges__services_started_at__isnull=True)


@relationship("working in the SPA tracking the person's discharge")
def spa_tracking(user) -> Q:
    return Q(discharges__referral__spa__staff=user, discharges__services_started_at__isnull=True)
