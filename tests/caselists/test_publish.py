import pytest
from django.core.management import CommandError, call_command

from joinedcare.audit.models import AuditEvent
from joinedcare.caselists.actions import PublishError, publish_run
from joinedcare.caselists.models import CaseListEntry
from joinedcare.staff.roles import Role
from tests import factories
from tests.caselists.runs import write_run


@pytest.fixture
def analyst(db):
    return factories.staff(Role.ANALYST)


@pytest.fixture
def practice(team_a):
    return factories.practice(team=team_a)


def population(practice, n):
    """n people of a practice, with risks 1/n ... n/n."""
    people = [factories.person(practice=practice) for _ in range(n)]
    return people, [(p.pseudonym, practice.code, (i + 1) / (n + 1)) for i, p in enumerate(people)]


def test_publish_takes_the_top_share_of_each_practice(tmp_path, analyst, practice):
    people, rows = population(practice, 60)
    run = publish_run(by=analyst, run_dir=write_run(tmp_path, "r1", rows), top_percent=5)
    entries = list(run.entries.order_by("rank_in_practice"))
    assert len(entries) == 3  # ceil(60 * 5%)
    assert [e.pseudonym for e in entries] == [p.pseudonym for p in people[::-1][:3]]
    assert AuditEvent.objects.filter(action="case_list_published", actor=analyst).exists()


def test_every_practice_gets_at_least_one_person(tmp_path, analyst, practice):
    _, rows = population(practice, 10)
    run = publish_run(by=analyst, run_dir=write_run(tmp_path, "r1", rows), top_percent=2)
    assert run.entries.count() == 1


def test_people_new_since_the_last_publication_are_marked(tmp_path, analyst, practice):
    people, rows = population(practice, 50)
    publish_run(by=analyst, run_dir=write_run(tmp_path, "r1", rows), top_percent=4)
    # The lowest-risk person becomes the highest.
    rows[0] = (rows[0][0], rows[0][1], 0.999)
    run = publish_run(by=analyst, run_dir=write_run(tmp_path, "r2", rows), top_percent=4)
    new = {e.pseudonym for e in run.entries.filter(new_entrant=True)}
    assert new == {people[0].pseudonym}


def test_first_publication_marks_nobody_new(tmp_path, analyst, practice):
    _, rows = population(practice, 50)
    run = publish_run(by=analyst, run_dir=write_run(tmp_path, "r1", rows))
    assert not run.entries.filter(new_entrant=True).exists()


def test_unknown_practice_publishes_nothing(tmp_path, analyst, practice):
    _, rows = population(practice, 5)
    rows.append(("a" * 32, "Z99999", 0.5))
    with pytest.raises(PublishError, match="Z99999"):
        publish_run(by=analyst, run_dir=write_run(tmp_path, "r1", rows))
    assert not CaseListEntry.objects.exists()


def test_a_run_is_published_once(tmp_path, analyst, practice):
    _, rows = population(practice, 5)
    run_dir = write_run(tmp_path, "r1", rows)
    publish_run(by=analyst, run_dir=run_dir)
    with pytest.raises(PublishError, match="already published"):
        publish_run(by=analyst, run_dir=run_dir)


def test_incomplete_run_is_refused(tmp_path, analyst):
    (tmp_path / "r1").mkdir()
    with pytest.raises(PublishError, match="not a complete run"):
        publish_run(by=analyst, run_dir=tmp_path / "r1")


@pytest.mark.parametrize("share", [0, -1, 101])
def test_share_must_be_a_percentage(tmp_path, analyst, practice, share):
    _, rows = population(practice, 5)
    with pytest.raises(PublishError, match=r"--top must be more than 0 and at most 100"):
        publish_run(by=analyst, run_dir=write_run(tmp_path, "r1", rows), top_percent=share)
    assert not CaseListEntry.objects.exists()


@pytest.mark.parametrize("share", [5.01, 10, 0, -2])
def test_share_wider_than_the_explained_segments_is_refused(tmp_path, analyst, practice, share):
    # A run explains only its segments (top 5%): a 10% list had an empty "Why" for half.
    _, rows = population(practice, 100)
    run_dir = write_run(tmp_path, "r1", rows, factors_for="segments")
    with pytest.raises(PublishError, match=r"--top must be more than 0 and at most 5 \("):
        publish_run(by=analyst, run_dir=run_dir, top_percent=share)
    assert not CaseListEntry.objects.exists()


def test_widest_explained_share_gives_everyone_a_reason(tmp_path, analyst, practice):
    _, rows = population(practice, 100)
    run_dir = write_run(tmp_path, "r1", rows, factors_for="segments")
    run = publish_run(by=analyst, run_dir=run_dir, top_percent=5)
    assert run.entries.count() == 5
    assert all(e.top_factors for e in run.entries.all())


def test_missing_run_names_where_runs_are_looked_for(tmp_path, settings, analyst, practice):
    settings.RUNS_DIR = tmp_path
    _, rows = population(practice, 5)
    write_run(tmp_path, "20260301T090000Z-aaaaaaaa", rows)
    write_run(tmp_path, "20260402T090000Z-bbbbbbbb", rows)
    with pytest.raises(CommandError) as raised:
        call_command("publish", "nosuchrun", "--by", analyst.username)
    message = str(raised.value)
    assert "There is no run called 'nosuchrun'" in message
    assert str(tmp_path) in message
    assert "The newest run there is 20260402T090000Z-bbbbbbbb." in message
    assert "not a complete run" not in message


def test_missing_run_with_no_runs_at_all_says_so(tmp_path, settings, analyst):
    settings.RUNS_DIR = tmp_path / "runs"
    with pytest.raises(CommandError, match=r"no run called 'nosuchrun'.*no runs there yet"):
        call_command("publish", "nosuchrun", "--by", analyst.username)


def test_incomplete_run_folder_is_still_called_incomplete(tmp_path, settings, analyst):
    settings.RUNS_DIR = tmp_path
    (tmp_path / "r1").mkdir()
    with pytest.raises(CommandError, match="r1 is not a complete run"):
        call_command("publish", "r1", "--by", analyst.username)


def test_publish_command_refuses_a_share_without_reasons(tmp_path, settings, analyst, practice):
    settings.RUNS_DIR = tmp_path
    _, rows = population(practice, 40)
    write_run(tmp_path, "r1", rows, factors_for="segments")
    with pytest.raises(CommandError, match=r"--top must be .* at most 5 "):
        call_command("publish", "r1", "--by", analyst.username, "--top", "10")
    assert not CaseListEntry.objects.exists()
