"""Children and families: the family's key worker and the access point's staff."""

from django.db.models import Q

from joinedcare.access.rules import relationship


@relationship("key worker of the person's family")
def key_worker(user) -> Q:
    return Q(
        family_memberships__family__key_worker=user, family_memberships__family__closed_at=None
    )


@relationship("working in the access point the family's referral is open at")
def access_point_staff(user) -> Q:
    """Like SPA staff and their open referrals: the access point's virtual MDT needs the
    family's records to triage. Safe only because `actions.refer_family` lets a referrer
    name someone by NHS number alone only when they may already see them; anyone else
    needs a matching date of birth, as at SPA intake."""
    return Q(
        family_memberships__family__access_point__staff=user,
        family_memberships__family__closed_at=None,
    )
