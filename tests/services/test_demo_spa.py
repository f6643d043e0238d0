from joinedcare.demo.spa import CATALOGUE, DAYS, create_demo_spa
from joinedcare.organisations.models import Organisation
from joinedcare.referrals.models import Referral
from joinedcare.services.models import Service, ServiceDay
from joinedcare.staff.roles import Role
from tests import factories


def test_demo_spa_builds_catalogue_capacity_and_referrals_once(team_a, person_a):
    for kind in {k for _, _, k, _, _ in CATALOGUE}:
        factories.organisation(kind=kind)
    users = [factories.staff(Role.SPA_COORDINATOR), factories.staff(Role.ASSESSOR)]
    spa = create_demo_spa(users)
    create_demo_spa(users)
    assert Service.objects.filter(place=spa.place).count() == len(CATALOGUE)
    assert ServiceDay.objects.count() == len(CATALOGUE) * DAYS
    assert Referral.objects.filter(spa=spa).count() == 1
    assert set(spa.staff.all()) == set(users)
    assert Organisation.objects.exists()
