"""The care plan's section of the person page (the page itself checks access)."""

from django.utils import timezone

from joinedcare.people.sections import Section, register

from .access import WITHHELD_FROM_VCS, plan_visible_to
from .models import CarePlan


def _context(request, person) -> dict:
    plan = CarePlan.objects.current().filter(person=person).first()
    if plan is not None and not plan_visible_to(request.user, plan):
        # The reason only: not even the key worker, review date or number of actions.
        return {"plan": plan, "withheld": WITHHELD_FROM_VCS}
    version = plan.current_version if plan else None
    actions = (
        list(plan.actions.filter(status="open").select_related("owner", "owner_team"))
        if plan
        else []
    )
    return {"plan": plan, "version": version, "actions": actions, "today": timezone.localdate()}


register(Section("Care plan", "careplans/_section.html", _context, order=60))
