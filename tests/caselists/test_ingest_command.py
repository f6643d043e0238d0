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


def _cut_to(county, folder, people: int):
    """The county's extract with only its first `people` people (their events follow them;
    everyone else's are quarantined as events of unknown people)."""
    folder.mkdir()
    for path in (county / "extract").glob("*.parquet"):
        table = pq.read_table(path)
        if path.stem == "people":
            table = table.slice(0, people)
        pq.write_table(table, folder / path.name)
    return folder


def test_a_much_smaller_extract_is_kept_but_does_not_replace_the_population(
    county, tmp_path, settings
):
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    store = Store(settings.ANALYTICS_DIR)
    call_command("ingest", county / "extract", stdout=StringIO())
    whole = store.current()
    err = StringIO()
    call_command("ingest", _cut_to(county, tmp_path / "cut", 6), stdout=StringIO(), stderr=err)
    assert store.current() == whole  # every case list and dashboard still reads the county
    held = store.snapshots()[-1]
    assert held != whole
    assert "current one is unchanged" in err.getvalue()
    assert f"joinedcare ingest --use {held.id}" in err.getvalue()

    # The data manager decides: use the small one, then go back to the whole county.
    call_command("ingest", use=held.id, stdout=StringIO())
    assert store.current() == held
    call_command("ingest", use=whole.id, stdout=StringIO())
    assert store.current() == whole
    with pytest.raises(CommandError, match="No complete snapshot 'nosuch'"):
        call_command("ingest", use="nosuch")


def test_replace_smaller_makes_the_small_extract_current(county, tmp_path, settings):
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    store = Store(settings.ANALYTICS_DIR)
    call_command("ingest", county / "extract", stdout=StringIO())
    call_command(
        "ingest", _cut_to(county, tmp_path / "cut", 6), replace_smaller=True, stdout=StringIO()
    )
    assert store.current().manifest["rows"]["people"]["loaded"] == 6
