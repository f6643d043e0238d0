"""Who may read a care plan's content, on top of the access rule to the person's record.

The access rule (`joinedcare.access.rules`) decides whether a user may open the
person's record at all. A care plan adds the person's own decision about sharing: they
agree whom the plan goes to (`Consent.Scope`), and voluntary and community sector
organisations are a scope of their own. So a VCS worker with a legitimate relationship
(say a member of the practice MDT) may open the record, yet not the plan.
"""

from joinedcare.organisations.models import Organisation

from .models import CarePlan, Consent

# Shown in place of the plan wherever its content would be.
WITHHELD_FROM_VCS = (
    "This care plan is not shared with voluntary and community sector organisations: "
    "the person has not agreed to it."
)


class PlanWithheld(PermissionError):
    """Raised on a change to a plan the actor may not read (see `plan_visible_to`)."""

    def __init__(self) -> None:
        super().__init__(WITHHELD_FROM_VCS)


def plan_visible_to(user, plan: CarePlan) -> bool:
    """Whether `user` may read `plan`'s content: what matters, goals, contingency,
    carers' needs, actions and every version.

    Staff of a voluntary and community sector organisation may read it only while the
    plan's agreement to share in force covers that sector: the person decided who sees
    their plan, and a relationship with the person does not override that. Everyone
    else is governed by the access rule alone (checked before this, by `person_view`).
    Withdrawn or replaced consent counts from the moment it changes, so content
    disappears at once; it is read each time rather than cached for that reason.
    """
    return plan.pk not in plans_withheld_from(user, {plan.pk})


def plans_withheld_from(user, plan_ids: set[int]) -> set[int]:
    """The plans among `plan_ids` that `user` may not read (`plan_visible_to`), in one
    query whatever their number (an MDT pack of hundreds of people)."""
    organisation = getattr(user, "organisation", None)
    if organisation is None or organisation.kind != Organisation.Kind.VCS:
        return set()
    shared = {
        c.plan_id
        for c in Consent.objects.filter(plan_id__in=plan_ids, withdrawn_at__isnull=True)
        if c.covers(Consent.Scope.VCS)
    }
    return set(plan_ids) - shared
