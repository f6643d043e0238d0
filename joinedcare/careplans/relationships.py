"""Being a current care plan's key worker, or owning an open action on it, is a
legitimate relationship with the person (DESIGN: "allocated to their ... care plan")."""

from django.db.models import Q

from joinedcare.access.rules import relationship

from .models import CarePlanAction, CarePlanVersion


@relationship("key worker of the person's care plan")
def key_worker(user) -> Q:
    versions = CarePlanVersion.objects.filter(
        key_worker=user, superseded_at__isnull=True, plan__ended_at__isnull=True
    )
    return Q(pk__in=versions.values("plan__person"))


@relationship("owner of an action on the person's care plan")
def action_owner(user) -> Q:
    actions = CarePlanAction.objects.filter(
        owner=user, status=CarePlanAction.Status.OPEN, plan__ended_at__isnull=True
    )
    return Q(pk__in=actions.values("plan__person"))
