"""`joinedcare demo` on a small county: loads once, reuses, one login per role."""

import json
from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from joinedcare.access.rules import people_visible_to
from joinedcare.careplans.models import CarePlan, CarePlanAction
from joinedcare.caselists.models import PublishedRun
from joinedcare.demo.models import CountyLoad
from joinedcare.demo.operations_history import HISTORY_REFERRER
from joinedcare.discharge.models import DischargeCase
from joinedcare.meetings.models import Level, Meeting
from joinedcare.meetings.sources import NEW_ENTRANTS_PER_MEETING
from joinedcare.organisations.models import Locality, Practice, Team
from joinedcare.people.models import Person
from joinedcare.referrals import clock
from joinedcare.referrals.models import Referral
from joinedcare.staff.models import StaffUser
from joinedcare.staff.roles import Role

SCALE = 0.01


@pytest.fixture
def county_dir(tmp_path_factory, settings):
    out = tmp_path_factory.mktemp("county")
    settings.RECORDS_DIR = out / "extract"
    return out


def run_demo(out, **options) -> str:
    """The demo without ingest and stratification unless a test asks for them."""
    options.setdefault("no_stratify", True)
    stdout = StringIO()
    call_command("demo", out=out, scale=SCALE, stdout=stdout, stderr=StringIO(), **options)
    return stdout.getvalue()


@pytest.mark.django_db
def test_demo_loads_the_county_and_a_login_for_every_role(county_dir):
    output = run_demo(county_dir)

    assert Locality.objects.count() == 3
    assert Team.objects.count() == 13
    assert Practice.objects.count() == 61
    load = CountyLoad.objects.get()
    assert Person.objects.count() == load.people > 0
    assert {u.role for u in StaffUser.objects.all()} == set(Role.values)
    for role in Role.values:
        assert f"  {role} " in output
    assert "totp administrator" in output


@pytest.mark.django_db
def test_people_who_left_their_practice_are_on_no_list(county_dir):
    # The county's lists turn over: a leaver counted as registered had made the web app's
    # populations 21% larger than the extract's.
    import pyarrow.parquet as pq

    from joinedcare.organisations.population import registered

    run_demo(county_dir)
    people = pq.read_table(
        county_dir / "demographics.parquet",
        columns=["nhs_number", "registered_to", "date_of_death"],
    ).to_pylist()
    left = {p["nhs_number"] for p in people if p["registered_to"]}
    staying = [p for p in people if not p["registered_to"] and not p["date_of_death"]]
    assert left
    assert not Person.objects.filter(nhs_number__in=left, practice__isnull=False).exists()
    assert registered(clock.today()).count() == len(staying)


@pytest.mark.django_db
def test_demo_county_runs_to_last_month_not_a_fixed_past_date(county_dir):
    # A demo built today shows last month's figures and open work, not March 2026's.
    run_demo(county_dir)
    last_month_end = clock.today().replace(day=1) - timedelta(days=1)
    manifest = json.loads((county_dir / "manifest.json").read_text())
    assert manifest["extract_date"] == last_month_end.isoformat()
    history = Referral.objects.filter(referrer_name=HISTORY_REFERRER)
    newest = history.latest("received_at").received_at.astimezone(clock.LONDON).date()
    assert (newest.year, newest.month) == (last_month_end.year, last_month_end.month)


@pytest.mark.django_db
def test_the_coordinator_sees_the_demo_history_of_discharge_to_assess(county_dir, client):
    # History cases came without a referral, so the coordinator's page said "0 completed".
    run_demo(county_dir)
    completed = DischargeCase.objects.exclude(services_started_at=None)
    assert completed.exists() and not completed.filter(referral=None).exists()
    client.force_login(StaffUser.objects.get(username=Role.SPA_COORDINATOR))
    page = client.get(reverse("discharges")).content.decode()
    assert f"{completed.count()} completed." in page


@pytest.mark.django_db
def test_demo_people_all_valid_and_pseudonymised(county_dir):
    run_demo(county_dir)
    for person in Person.objects.all()[:200]:
        person.full_clean()
        assert person.nhs_number.startswith("9")
        assert len(person.pseudonym) == 32 and person.nhs_number not in person.pseudonym


@pytest.mark.django_db
def test_demo_gp_works_at_two_practices_of_one_team(county_dir):
    run_demo(county_dir)
    gp = StaffUser.objects.get(username=Role.GP)
    (membership,) = gp.memberships.all()
    assert membership.practices.count() == 2
    assert {p.team for p in membership.practices.all()} == {membership.team}


@pytest.mark.django_db
def test_second_demo_reuses_what_is_built(county_dir):
    run_demo(county_dir)
    people = Person.objects.count()
    output = run_demo(county_dir)
    assert "reusing it" in output
    assert Person.objects.count() == people
    assert CountyLoad.objects.count() == 1


@pytest.mark.django_db
def test_demo_refuses_to_mix_counties(county_dir):
    run_demo(county_dir)
    with pytest.raises(CommandError, match="demo-reset"):
        run_demo(county_dir, seed=7)


@pytest.mark.django_db
def test_demo_publishes_case_lists_the_practice_gp_can_open(county_dir, settings, tmp_path):
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    settings.RUNS_DIR = tmp_path / "runs"
    output = run_demo(county_dir, no_stratify=False)
    run = PublishedRun.objects.get()
    assert "Published" in output
    assert run.entries.exists()
    assert run.summary.get("auc")
    gp = StaffUser.objects.get(username=Role.GP)
    visible = people_visible_to(gp).filter(pseudonym__in=run.entries.values("pseudonym"))
    assert visible.exists()
    # The GP's practice MDT is today (outcomes can be tried) with the top of its case list on its
    # agenda: at most NEW_ENTRANTS_PER_MEETING, highest rank first, leaving out people
    # with a current care plan (their review brings them). It took the whole list before;
    # in this small county the demo's history has given everyone listed there a plan.
    mdt = Meeting.objects.get(level=Level.MICRO)
    assert mdt.chair == gp and mdt.held_on == date.today() and mdt.case_list_run == run
    on_agenda = list(
        mdt.items.filter(source="case list")
        .order_by("position")
        .values_list("person__pseudonym", flat=True)
    )
    with_plan = CarePlan.objects.filter(ended_at=None).values("person__pseudonym")
    listed = (
        run.entries.filter(practice=mdt.practice)
        .exclude(pseudonym__in=with_plan)
        .order_by("rank_in_practice")
        .values_list("pseudonym", flat=True)
    )
    assert run.entries.filter(practice=mdt.practice).exists()
    assert on_agenda == list(listed[:NEW_ENTRANTS_PER_MEETING])
    team_mdt = Meeting.objects.get(level=Level.INTERMEDIATE, chair__role=Role.TAP_LEAD)
    assert team_mdt.held_on > date.today()
    # A second demo reuses the published run.
    again = run_demo(county_dir, no_stratify=False)
    assert "already published" in again and "already arranged" in again
    assert PublishedRun.objects.count() == 1 and Meeting.objects.count() == 2


@pytest.mark.django_db
def test_demo_history_has_nothing_overdue_that_would_have_ended_by_today(county_dir):
    # Episodes had run 35 weeks past their end under closed referrals; beds full were "free".
    from joinedcare.services.models import Episode, ServiceDay

    run_demo(county_dir)
    today = clock.today()
    running = Episode.objects.filter(ended_on=None, referral__referrer_name=HISTORY_REFERRER)
    assert running.exists()
    assert not running.filter(planned_end__lt=today - timedelta(days=14)).exists()
    assert not running.exclude(referral__status=Referral.Status.ALLOCATED).exists()
    assert not Referral.objects.filter(closed_at__gt=clock.now()).exists()
    in_a_bed_today = running.filter(start__lte=today, planned_end__gt=today)
    for episode in in_a_bed_today[:20]:
        day = ServiceDay.objects.filter(service=episode.service, day=today).first()
        assert day is None or day.filled >= 1
    # Care plan actions done in the history say by whom, as the plan page shows them.
    done = CarePlanAction.objects.filter(status=CarePlanAction.Status.DONE)
    assert done.exists() and not done.filter(completed_by=None).exists()


@pytest.mark.postgres
@pytest.mark.django_db
def test_demo_leaves_postgresql_planning_with_the_rows_it_loaded(county_dir):
    # Without fresh statistics the planner may take a just-loaded table for nearly empty.
    run_demo(county_dir)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Person._meta.db_table])
        (planned_rows,) = cursor.fetchone()
    assert planned_rows == Person.objects.count() > 0


@pytest.mark.django_db
def test_demo_history_extended_episodes_each_have_their_extension(county_dir, client):
    # Episodes ran to 8 weeks marked extended with no extension: no reason, who or when,
    # and the episodes ending page counted none.
    from django.template.defaultfilters import pluralize

    from joinedcare.services.models import MAX_DAYS, Episode
    from joinedcare.services.views import ENDING_WITHIN_DAYS
    from joinedcare.staff.models import has_permission
    from joinedcare.staff.roles import Permission

    run_demo(county_dir)
    history = Episode.objects.filter(referral__referrer_name=HISTORY_REFERRER)
    extended = list(history.filter(extended=True).select_related("referral__spa"))
    assert extended
    six_weeks = timedelta(days=MAX_DAYS)
    for episode in extended:
        (extension,) = episode.extensions.all()
        # As extend_episode writes it: from the planned 6 weeks, by up to 6 more.
        assert extension.previous_end == episode.start + six_weeks
        assert extension.new_end == episode.planned_end <= extension.previous_end + six_weeks
        assert extension.reason.strip()
        assert episode.referral.spa.staff.filter(pk=extension.by_id).exists()
        assert has_permission(extension.by, Permission.TRIAGE_REFERRALS)
        # Asked while the episode ran, before the extension started, not in the future.
        started = datetime.combine(extension.previous_end, time(), tzinfo=clock.LONDON)
        assert episode.created_at < extension.at < started and extension.at <= clock.now()
        assert episode.ended_on is None or episode.ended_on >= extension.at.date()
    # Nothing ran past 6 weeks without an extension.
    today = clock.today()
    for episode in history.filter(extensions=None):
        assert (episode.ended_on or today) <= episode.start + six_weeks
    client.force_login(StaffUser.objects.get(username=Role.SPA_COORDINATOR))
    page = client.get(reverse("episodes-ending")).content.decode()
    # The page's figures are those of its rows: the extended episodes ending within 7 days.
    soon = [
        e
        for e in extended
        if e.ended_on is None and e.planned_end <= today + timedelta(days=ENDING_WITHIN_DAYS)
    ]
    if soon:
        n = len(soon)
        assert (
            f"{n} of them extended past their planned end ({n} extension{pluralize(n)}, "
            f"each with its reason; {n} now planned beyond 6 weeks)"
        ) in page
    else:
        assert "extended past their planned end" not in page
    # A person's page (open to the SPA while a referral is open there) gives the reason.
    running = next(e for e in extended if e.ended_on is None)
    person_page = client.get(
        reverse("person-spa", kwargs={"person": running.person.public_id})
    ).content.decode()
    assert f"Extended once: {running.extensions.get().reason}." in person_page
