import pytest

from joinedcare.caselists.actions import publish_run
from joinedcare.meetings import actions
from joinedcare.organisations.models import Organisation
from joinedcare.staff.roles import Role
from tests import factories
from tests.caselists.runs import write_run


@pytest.fixture
def practice_a(team_a):
    return factories.practice(team=team_a)


@pytest.fixture
def gp(team_a):
    return factories.staff(Role.GP, teams=[team_a], username="gp1")


@pytest.fixture
def nurse(team_a):
    return factories.staff(Role.DISTRICT_NURSE, teams=[team_a], username="dn1")


@pytest.fixture
def edith(practice_a):
    return factories.person(practice=practice_a, given_name="Edith", family_name="Piaf")


@pytest.fixture
def meeting(gp, nurse, practice_a, edith):
    """A practice MDT with Edith on its agenda (modules with another meeting override it)."""
    meeting = factories.meeting(chair=gp, unit=practice_a, members=[nurse])
    actions.add_person(by=gp, meeting=meeting, person=edith, reason="Falls")
    return meeting


@pytest.fixture
def vcs_worker(team_a):
    org = factories.organisation(kind=Organisation.Kind.VCS)
    return factories.staff(Role.VCS_WORKER, teams=[team_a], organisation_=org, username="vcs1")


@pytest.fixture
def tap_lead(team_a):
    return factories.staff(Role.TAP_LEAD, teams=[team_a], username="lead1")


@pytest.fixture
def locality_manager(team_a):
    user = factories.staff(Role.LOCALITY_MANAGER, username="lm1")
    user.localities.add(team_a.locality)
    return user


@pytest.fixture
def publish(tmp_path, db):
    """Publish a run of (person, risk) pairs at their practices; returns the run."""
    analyst = factories.staff(Role.ANALYST)
    count = iter(range(1, 1000))

    def _publish(people_risks, **kwargs):
        run_id = f"run-{next(count)}"
        rows = [(p.pseudonym, p.practice.code, risk) for p, risk in people_risks]
        run_dir = write_run(tmp_path, run_id, rows)
        return publish_run(by=analyst, run_dir=run_dir, top_percent=99, **kwargs)

    return _publish
