"""Legitimate relationships short-term services create, each while it lasts."""

from django.db.models import Q

from joinedcare.access.rules import relationship


@relationship("lead worker of the person's open episode")
def episode_lead(user) -> Q:
    return Q(episodes__lead=user, episodes__ended_on__isnull=True)


@relationship("working in the SPA that owes the person a 91-day follow-up")
def follow_up_due(user) -> Q:
    return Q(
        episodes__referral__spa__staff=user,
        episodes__follow_up_due__isnull=False,
        episodes__still_at_home__isnull=True,
    )
