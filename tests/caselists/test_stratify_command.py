"""`joinedcare stratify`: refusals that say why, before minutes of work where they can."""

import shutil
from io import StringIO
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from joinedcare.caselists.models import PublishedRun
from joinedcare.staff.roles import Role
from joinedcare.synthetic import build_county
from tests import factories


@pytest.fixture
def analyst(db):
    return factories.staff(Role.ANALYST, username="analyst1")


def tiny_extract(out: Path, people: int) -> Path:
    """A Demo County extract cut down to its first `people` people: too few to fit a model."""
    build_county(out / "county", scale=0.001)
    source, extract = out / "county" / "extract", out / "extract"
    extract.mkdir()
    keep = pq.read_table(source / "people.parquet", columns=["nhs_number"])["nhs_number"]
    keep = keep.slice(0, people)
    for path in source.iterdir():
        if path.suffix != ".parquet":
            shutil.copy(path, extract / path.name)
            continue
        table = pq.read_table(path)
        if "nhs_number" in table.column_names:
            table = table.filter(pc.is_in(table["nhs_number"], value_set=keep))
        pq.write_table(table, extract / path.name)
    return extract


@pytest.mark.parametrize("top", ["10", "0"])
def test_publish_share_is_refused_before_stratifying(tmp_path, settings, analyst, top):
    # No snapshot at all: a check made after the run would have said so instead.
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    with pytest.raises(CommandError, match=r"--top must be more than 0 and at most 5 \("):
        call_command("stratify", "--publish", "--by", analyst.username, "--top", top)


def test_publish_needs_an_analyst_before_stratifying(tmp_path, settings, db):
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    with pytest.raises(CommandError, match="--publish needs --by"):
        call_command("stratify", "--publish", "--by", "nobody")


def test_snapshot_too_small_to_fit_says_why(tmp_path, settings, analyst):
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    settings.RUNS_DIR = tmp_path / "runs"
    call_command("ingest", tiny_extract(tmp_path, people=5), stdout=StringIO())
    with pytest.raises(CommandError, match="Too little data at the fitting date"):
        call_command("stratify", "--publish", "--by", analyst.username, stdout=StringIO())
    assert not PublishedRun.objects.exists()
