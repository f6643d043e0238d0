"""Demo County's MDT meetings, so the demo opens on the work they are for: the practice MDT
of the demo GP's first practice today (outcomes are recorded from a meeting's day, and the
demo is for trying them), its agenda built from the published case list (the highest
ranked of its new entrants; the rest wait for later meetings), and the Team Around
Patients MDT next week. They are arranged through the meetings' own actions (audited like
any other), once.
"""

from __future__ import annotations

from datetime import date, timedelta

from joinedcare.meetings import actions, sources
from joinedcare.meetings.models import Level, Meeting
from joinedcare.referrals import clock
from joinedcare.staff.models import StaffUser
from joinedcare.staff.roles import Role

# Who sits at a practice MDT besides its GP chair (seed 000, Appendix 2: the district nurse
# and VAWAS nurse, with social worker, voluntary sector and the TAP lead); the TAP MDT adds
# the therapist and assessor.
PRACTICE_MDT = (
    Role.DISTRICT_NURSE,
    Role.VAWAS_NURSE,
    Role.SOCIAL_WORKER,
    Role.VCS_WORKER,
    Role.PRACTICE_MANAGER,
    Role.TAP_LEAD,
)
TEAM_MDT = (*PRACTICE_MDT, Role.THERAPIST, Role.ASSESSOR, Role.GP)


def _next(weekday: int, after: date) -> date:
    """The first `weekday` (Monday 0) strictly after `after`."""
    return after + timedelta(days=(weekday - after.weekday() - 1) % 7 + 1)


def arrange_demo_meetings(users: list[StaffUser]) -> str | None:
    """Arrange the demo's meetings unless any meeting exists; what was arranged, or None."""
    if Meeting.objects.exists():
        return None
    by_role = {u.role: u for u in users}
    gp, lead = by_role.get(Role.GP), by_role.get(Role.TAP_LEAD)
    membership = gp.memberships.select_related("team").first() if gp else None
    practice = membership.practices.order_by("organisation__code").first() if membership else None
    if practice is None or lead is None:
        return None
    today = clock.today()
    practice_mdt = actions.create_meeting(
        by=gp,
        level=Level.MICRO,
        unit=practice,
        held_on=today,
        members=[by_role[r] for r in PRACTICE_MDT if r in by_role],
    )
    agenda = actions.build_agenda(by=gp, meeting=practice_mdt)
    team_mdt = actions.create_meeting(
        by=lead,
        level=Level.INTERMEDIATE,
        unit=membership.team,
        held_on=_next(1, today),
        members=[by_role[r] for r in TEAM_MDT if r in by_role],
    )
    waiting = sources.new_entrants_waiting(practice_mdt)
    later = f", {waiting.count} more from the case list later" if waiting and waiting.count else ""
    return (
        f"{practice.name} practice MDT today ({len(agenda)} people on its "
        f"agenda{later}), {membership.team.name} MDT on {team_mdt.held_on:%-d %B}"
    )
