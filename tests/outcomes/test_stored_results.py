"""Metric results computed once per snapshot and stored beside it: by `joinedcare ingest`,
read back by the outcomes pages, never half-written, recomputed only when missing."""

from __future__ import annotations

import json
import shutil
from io import StringIO

import pandas as pd
import pytest
from django.core.management import call_command

from joinedcare.analytics import profiles
from joinedcare.analytics.metrics import engine, stored
from joinedcare.analytics.store import Store
from joinedcare.outcomes import figures
from joinedcare.synthetic import build_county
from tests.analytics.metrics.conftest import SCHEMAS, random_rows, write_snapshot


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    out = tmp_path_factory.mktemp("county")
    build_county(out, scale=0.01)
    return out


def _ingest(county, settings) -> tuple[Store, str]:
    stdout = StringIO()
    call_command("ingest", county / "extract", stdout=stdout)
    return Store(settings.ANALYTICS_DIR), stdout.getvalue()


def _snapshot_store(root, seed: int = 3) -> Store:
    """A store with one seeded snapshot and nothing stored beside it (as before this change)."""
    store = Store(root)
    with store.begin() as writer:
        write_snapshot(writer.path, random_rows(seed))
        writer.commit({"source": "tests/outcomes/stored"}, tables=SCHEMAS)
    return store


def assert_same_results(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    for slug, result in want.items():
        assert (got[slug].status, got[slug].reason) == (result.status, result.reason), slug
        assert got[slug].metric == result.metric
        if result.status == engine.COMPUTED:
            pd.testing.assert_frame_equal(got[slug].cells, result.cells, obj=slug)


def test_ingest_stores_results_equal_to_computing_afresh(county, tmp_path, settings):
    settings.ANALYTICS_DIR = tmp_path / "analytics"

    store, output = _ingest(county, settings)

    snapshot = store.current()
    assert "Stored in" in output
    assert stored.manifest(snapshot)["snapshot"] == snapshot.id
    fresh = engine.compute_all(engine.read_snapshot(snapshot.path))
    assert any(r.status == engine.COMPUTED for r in fresh.values())
    assert_same_results(stored.read(snapshot), fresh)
    units = stored.read_units(snapshot)
    for slug, result in fresh.items():
        if result.status == engine.COMPUTED:
            pd.testing.assert_frame_equal(units[slug], result.by_unit(), obj=slug)
    tables = profiles.read_tables(snapshot.path)
    shown = stored.read_profiles(snapshot)
    assert set(shown) == set(tables["practices"]["locality_code"])
    for code, profile in shown.items():
        assert profile == profiles.shown(tables, code)


@pytest.mark.django_db  # pages add the web app's operations metrics
def test_a_new_ingest_stores_new_results_and_the_pages_use_them(county, tmp_path, settings):
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    store, _ = _ingest(county, settings)
    first = store.current()
    assert figures.current(settings.ANALYTICS_DIR).snapshot == first

    store, _ = _ingest(county, settings)

    second = store.current()
    assert second != first
    assert stored.manifest(second)["snapshot"] == second.id
    assert stored.manifest(first)["snapshot"] == first.id  # the old snapshot keeps its own
    assert figures.current(settings.ANALYTICS_DIR).snapshot == second


@pytest.mark.django_db  # pages add the web app's operations metrics
def test_pages_read_the_stored_results(tmp_path):
    """What is stored is what the pages show: change a stored roll-up and the page's changes."""
    store = _snapshot_store(tmp_path / "analytics")
    snapshot = store.current()
    stored.compute_and_write(snapshot, with_profiles=False)
    slug = "ae_attendances_per_1000"
    path = stored.folder(snapshot) / f"{slug}.units.parquet"
    units = pd.read_parquet(path)
    units["numerator"] = units["numerator"] + 1_000
    units.to_parquet(path, index=False)

    computed = figures.current(store.root)

    assert computed.units[slug]["numerator"].tolist() == units["numerator"].tolist()


@pytest.mark.django_db  # pages add the web app's operations metrics
def test_a_snapshot_without_stored_results_is_computed_once_and_stored(tmp_path):
    store = _snapshot_store(tmp_path / "analytics")
    snapshot = store.current()
    assert stored.read(snapshot) is None

    computed = figures.current(store.root)

    fresh = engine.compute_all(engine.read_snapshot(snapshot.path))
    analytics = {slug for slug, r in fresh.items() if r.metric.source == "analytics"}
    assert_same_results(
        {s: computed.results[s] for s in analytics}, {s: fresh[s] for s in analytics}
    )
    assert_same_results(stored.read(snapshot), fresh)
    for slug, frame in stored.read_units(snapshot).items():
        pd.testing.assert_frame_equal(computed.units[slug], frame, obj=slug)


def test_an_interrupted_write_leaves_nothing_that_is_read(tmp_path):
    store = _snapshot_store(tmp_path / "analytics")
    snapshot = store.current()
    results = engine.compute_all(engine.read_snapshot(snapshot.path))
    # A real failure half-way: a metric whose cells Parquet cannot hold (mixed types).
    slug = sorted(s for s, r in results.items() if r.status == engine.COMPUTED)[-1]
    bad = results[slug].cells.astype({"numerator": "object"})
    bad.loc[0, "numerator"] = "not a number"
    broken = {**results, slug: engine.Result(results[slug].metric, engine.COMPUTED, cells=bad)}

    with pytest.raises(Exception, match="Conversion failed for column numerator"):
        stored.write(snapshot, broken)

    assert list((snapshot.path / stored.FOLDER).iterdir()) == []  # not even a .tmp- folder
    assert stored.read(snapshot) is None


@pytest.mark.django_db  # pages add the web app's operations metrics
def test_a_write_killed_before_its_rename_is_never_read(tmp_path):
    """A process killed after writing every file but before the rename leaves a .tmp- folder:
    the pages compute (and store) the results instead of reading it."""
    store = _snapshot_store(tmp_path / "analytics")
    snapshot = store.current()
    complete = stored.compute_and_write(snapshot, with_profiles=False)[0]
    final = stored.folder(snapshot)
    left = final.parent / f"{stored.TEMPORARY_PREFIX}killed"
    final.rename(left)
    units = left / "ae_attendances_per_1000.units.parquet"
    pd.read_parquet(units).assign(numerator=-1).to_parquet(units, index=False)

    assert stored.read(snapshot) is None
    computed = figures.current(store.root)

    assert (computed.units["ae_attendances_per_1000"]["numerator"] >= 0).all()
    assert_same_results(stored.read(snapshot), complete)


def test_results_of_other_code_or_another_snapshot_are_not_read(tmp_path):
    store = _snapshot_store(tmp_path / "analytics")
    snapshot = store.current()
    stored.compute_and_write(snapshot, with_profiles=False)
    final = stored.folder(snapshot)
    manifest = json.loads((final / stored.MANIFEST).read_text())

    # Results stored by older code sit in another version's folder.
    older = final.parent / "0123456789abcdef"
    shutil.copytree(final, older)
    shutil.rmtree(final)
    assert stored.read(snapshot) is None

    # A folder copied from another snapshot names that snapshot.
    shutil.copytree(older, final)
    other = {**manifest, "snapshot": "20200101T000000000000Z-000000"}
    (final / stored.MANIFEST).write_text(json.dumps(other))
    assert stored.read(snapshot) is None

    (final / stored.MANIFEST).write_text(json.dumps(manifest))
    assert stored.read(snapshot) is not None


@pytest.mark.django_db(transaction=True)  # the refresh reads the records on its own connection
def test_stale_operations_figures_are_refreshed_in_the_background(tmp_path, monkeypatch):
    store = _snapshot_store(tmp_path / "analytics")
    first = figures.current(store.root)
    assert "spa_referrals_per_week" in first.units

    monkeypatch.setattr(figures, "OPERATIONS_FRESH_SECONDS", 0)
    stale = figures.current(store.root)
    refresh = figures._refreshing.get(store.current().path)

    assert stale is first  # the page did not wait for the refresh
    if refresh is not None:
        refresh.join(timeout=60)
    monkeypatch.setattr(figures, "OPERATIONS_FRESH_SECONDS", 300)
    fresh = figures.current(store.root)
    assert fresh is not first and fresh.snapshot == first.snapshot
    assert set(fresh.units) == set(first.units)


@pytest.mark.django_db(transaction=True)  # warm closes its connections, as in a server thread
def test_a_warmed_process_serves_its_first_page_without_computing(tmp_path):
    store = _snapshot_store(tmp_path / "analytics")
    figures._cache.clear()  # as in a new process

    figures.warm(store.root)
    warmed = figures._operations[store.current().path][1]

    assert figures.current(store.root) is warmed
