"""`joinedcare ingest`: a folder in, a pseudonymised snapshot out, errors that say why."""

from io import StringIO

import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from joinedcare.analytics.store import Store
from joinedcare.synthetic import build_county


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    out = tmp_path_factory.mktemp("county")
    build_county(out, scale=0.01)
    return out


def test_ingest_makes_a_current_snapshot_without_nhs_numbers(county, tmp_path, settings):
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    stdout = StringIO()
    call_command("ingest", county / "extract", stdout=stdout)
    snapshot = Store(settings.ANALYTICS_DIR).current()
    assert snapshot is not None
    assert "Current snapshot" in stdout.getvalue()
    some_number = pq.read_table(county / "extract" / "people.parquet", columns=["nhs_number"])[
        "nhs_number"
    ][0].as_py()
    for path in snapshot.path.rglob("*"):
        if path.is_file():
            assert some_number.encode() not in path.read_bytes(), path


def test_ingest_of_a_missing_folder_says_so(tmp_path, settings):
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    with pytest.raises(CommandError, match="does not exist"):
        call_command("ingest", tmp_path / "nowhere")
    assert Store(settings.ANALYTICS_DIR).current() is None


def test_ingest_of_an_incomplete_folder_loads_nothing(tmp_path, settings):
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    (tmp_path / "extract").mkdir()
    (tmp_path / "extract" / "people.csv").write_text("nhs_number,date_of_birth\n")
    with pytest.raises(CommandError, match="Nothing was loaded"):
        call_command("ingest", tmp_path / "extract")
    assert Store(settings.ANALYTICS_DIR).current() is None
