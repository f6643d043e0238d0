"""Results stored beside a snapshot (`metrics.stored`): the leftovers of killed writes removed
once stale and never anything else, and every locality's profile worked out with the whole
place's figures once, equal to profiling each locality on its own."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from joinedcare.analytics import profiles
from joinedcare.analytics.metrics import engine, stored
from joinedcare.analytics.store import Snapshot, Store
from tests.analytics.metrics.conftest import SCHEMAS, random_rows, write_snapshot

SEED = 3
STALE = time.time() - stored.STALE_AFTER_SECONDS - 60  # a write killed over an hour ago


def _snapshot(root: Path) -> Snapshot:
    store = Store(root)
    with store.begin() as writer:
        write_snapshot(writer.path, random_rows(SEED))
        writer.commit({"source": "tests/analytics/metrics/stored"}, tables=SCHEMAS)
    return store.current()


@pytest.fixture(scope="module")
def computed(tmp_path_factory) -> tuple[dict[str, engine.Result], dict[str, profiles.Shown]]:
    """The metrics and profiles of the seeded world, computed once for every test."""
    snapshot = _snapshot(tmp_path_factory.mktemp("computed"))
    return stored.compute(snapshot)


@pytest.fixture
def snapshot(tmp_path) -> Snapshot:
    return _snapshot(tmp_path / "analytics")


def _left_by_a_killed_write(path: Path, *, when: float) -> Path:
    """A `.tmp-` folder as a write leaves it when killed before its rename."""
    path.mkdir(parents=True)
    (path / "ae_attendances_per_1000.cells.parquet").write_bytes(b"half a file")
    os.utime(path, (when, when))  # after its file: adding one touches the folder
    return path


def _assert_stored(snapshot: Snapshot, results: dict[str, engine.Result]) -> None:
    got = stored.read(snapshot)
    assert set(got) == set(results)
    for slug, result in results.items():
        assert (got[slug].status, got[slug].reason) == (result.status, result.reason), slug
        if result.status == engine.COMPUTED:
            pd.testing.assert_frame_equal(got[slug].cells, result.cells, obj=slug)


def test_write_removes_stale_temporary_folders_and_keeps_fresh_ones(snapshot, computed, tmp_path):
    results, shown = computed
    metrics = snapshot.path / stored.FOLDER
    killed = _left_by_a_killed_write(metrics / ".tmp-killed", when=STALE)
    running = _left_by_a_killed_write(metrics / ".tmp-running", when=time.time() - 60)
    older_code = metrics / "0123456789abcdef"  # another code version's results: not a leftover
    older_code.mkdir()
    os.utime(older_code, (STALE, STALE))
    # A stale-looking link to a folder elsewhere: never followed, never removed.
    outside = _left_by_a_killed_write(tmp_path / "elsewhere" / ".tmp-outside", when=STALE)
    link = metrics / ".tmp-link"
    link.symlink_to(outside, target_is_directory=True)
    os.utime(link, (STALE, STALE), follow_symlinks=False)

    final = stored.write(snapshot, results, shown)

    assert not killed.exists()
    assert (running / "ae_attendances_per_1000.cells.parquet").read_bytes() == b"half a file"
    assert (outside / "ae_attendances_per_1000.cells.parquet").read_bytes() == b"half a file"
    assert sorted(p.name for p in metrics.iterdir()) == sorted(
        [".tmp-link", ".tmp-running", older_code.name, final.name]
    )
    _assert_stored(snapshot, results)
    assert stored.read_profiles(snapshot) == shown


def test_write_profiles_removes_stale_temporary_files_and_keeps_fresh_ones(snapshot, computed):
    results, shown = computed
    final = stored.write(snapshot, results)
    killed = final / f"{stored.TEMPORARY_PREFIX}0a1b2c-{stored.PROFILES}"
    running = final / f"{stored.TEMPORARY_PREFIX}3d4e5f-{stored.PROFILES}"
    for path in (killed, running):
        path.write_text('{"L1": ')  # half written
    os.utime(killed, (STALE, STALE))

    stored.write_profiles(snapshot, shown)

    assert not killed.exists()
    assert running.read_text() == '{"L1": '
    assert stored.read_profiles(snapshot) == shown
    _assert_stored(snapshot, results)


def test_a_leftover_that_cannot_be_removed_never_fails_a_write(snapshot, computed, monkeypatch):
    results, shown = computed
    killed = _left_by_a_killed_write(snapshot.path / stored.FOLDER / ".tmp-killed", when=STALE)
    refused: list[str] = []

    def refuse(path, *args, **kwargs):
        refused.append(Path(path).name)
        raise PermissionError(f"Operation not permitted: {path}")

    # The first write renames its folder into place: it needs neither to succeed.
    monkeypatch.setattr(shutil, "rmtree", refuse)
    stored.write(snapshot, results)
    killed_profiles = stored.folder(snapshot) / f".tmp-0a1b2c-{stored.PROFILES}"
    killed_profiles.write_text("{")
    os.utime(killed_profiles, (STALE, STALE))
    monkeypatch.setattr(os, "unlink", refuse)
    stored.write_profiles(snapshot, shown)
    monkeypatch.undo()

    assert refused == [killed.name, killed_profiles.name]  # tried, refused, carried on
    assert killed.is_dir() and killed_profiles.exists()
    _assert_stored(snapshot, results)
    assert stored.read_profiles(snapshot) == shown


# --- every locality's profile -------------------------------------------------------------


def test_locality_profiles_equal_each_locality_profiled_on_its_own(snapshot):
    tables = profiles.read_tables(snapshot.path)

    every = stored.locality_profiles(snapshot)

    assert sorted(every) == ["L1", "L2"]
    for code, shown in every.items():
        alone = profiles.shown(tables, code)
        assert shown == alone, code
        assert "(whole place)" in shown.assumptions  # 400 people: the place's rates are used


def test_locality_profiles_work_out_the_place_s_figures_once(snapshot, monkeypatch):
    calls: dict[str, int] = {}

    def counted(name: str, for_the_place=lambda *args: True):
        work = getattr(profiles, name)

        def spy(*args, **kwargs):
            if for_the_place(*args):
                calls[name] = calls.get(name, 0) + 1
            return work(*args, **kwargs)

        monkeypatch.setattr(profiles, name, spy)

    place_wide = ["_death_counts", "_fertility", "_records_leavers", "_with_ltc", "_in_last_12m"]
    for name in ("_death_counts", "_fertility"):  # the locality's own are counted apart
        counted(name, lambda tables, locality_code, *rest: locality_code is None)
    for name in ("_records_leavers", "_with_ltc", "_in_last_12m"):
        counted(name)

    every = stored.locality_profiles(snapshot)

    assert len(every) == 2
    assert calls == dict.fromkeys(place_wide, 1)  # not once for each of the two localities


def test_a_place_of_other_tables_or_another_day_is_refused(snapshot):
    tables = profiles.read_tables(snapshot.path)
    as_of = profiles.reference_date(tables)
    place = profiles.Place(tables, as_of)

    assert profiles.shown(tables, "L1", as_of, place=place) == profiles.shown(tables, "L1")
    with pytest.raises(ValueError, match="other tables or for another day"):
        profiles.shown(tables, "L1", profiles.year_start(as_of), place=place)
    with pytest.raises(ValueError, match="other tables or for another day"):
        profiles.shown(dict(tables), "L1", as_of, place=place)
