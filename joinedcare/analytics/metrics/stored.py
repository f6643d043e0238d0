"""Metric results stored beside their snapshot: computed once (by `joinedcare ingest`), read
by the outcomes pages in a fraction of a second.

```
<snapshot>/metrics/
  <version>/                 one complete set of results of this code version
    manifest.json            snapshot id and fingerprint, code version, each metric's status
    <slug>.cells.parquet     a computed metric's cells (never shown: pages suppress)
    <slug>.units.parquet     its `by_unit()` roll-up
    profiles.json            each locality's profile as shown (already suppressed), if stored
    .tmp-<hex>-profiles.json profiles being written, or a write of them interrupted
  .tmp-<random>/             a write in progress or interrupted
```

A write goes to a temporary folder, renamed to `<version>/` only when every file is in it,
so a reader sees a complete set or none. The profiles go into the finished folder as one file
replaced atomically, so they can join results stored without them. `.tmp-` folders and files
are never read. A killed write would leave its own forever, so each write removes those in the
folder it writes to once they are older than STALE_AFTER_SECONDS: a write takes seconds, so
one that old belongs to no writer still running. `<version>` is a hash of the code and
definitions the results come from: after an upgrade the old results are not used (`read`
returns None and the caller computes afresh). Results are deterministic, so when two processes
compute the same snapshot at once the second rename finds the folder there and its copy is
dropped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from joinedcare.analytics import profiles
from joinedcare.analytics.store import Snapshot

from . import catalogue, engine
from .catalogue import Metric

FOLDER = "metrics"
MANIFEST = "manifest.json"
PROFILES = "profiles.json"
TEMPORARY_PREFIX = ".tmp-"
# A temporary folder or file lives for the seconds its files take to write (computing comes
# first): one this old (by mtime) was left by a killed write, never one still in progress.
STALE_AFTER_SECONDS = 60 * 60
_ANALYTICS = Path(__file__).resolve().parent.parent
# What the stored figures depend on: change any of these and they are computed again.
VERSION_SOURCES = (
    "metrics/engine.py",
    "metrics/catalogue.py",
    "metrics/stored.py",
    "metrics/definitions/*.toml",
    "metrics/codelists/*",
    "profiles.py",
    "features.py",
    "suppression.py",
    "codelists/*",
)

Progress = Callable[[str], None]


@cache
def code_version() -> str:
    """A hash of the code and definitions the results come from (16 hex characters)."""
    digest = hashlib.sha256()
    for pattern in VERSION_SOURCES:
        for path in sorted(_ANALYTICS.glob(pattern)):
            if path.is_file():
                digest.update(str(path.relative_to(_ANALYTICS)).encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def folder(snapshot: Snapshot) -> Path:
    """Where this code version's results of `snapshot` are (or would be) stored."""
    return snapshot.path / FOLDER / code_version()


# --- writing --------------------------------------------------------------------------------


def compute(
    snapshot: Snapshot, *, with_profiles: bool = True, progress: Progress | None = None
) -> tuple[dict[str, engine.Result], dict[str, profiles.Shown] | None]:
    """Every metric of the snapshot (and, `with_profiles`, every locality's profile)."""
    say = progress or (lambda message: None)
    start = time.perf_counter()
    results = engine.compute_all(engine.read_snapshot(snapshot.path))
    say(f"metrics computed in {time.perf_counter() - start:.1f} s")
    shown = None
    if with_profiles:
        start = time.perf_counter()
        shown = locality_profiles(snapshot)
        say(f"{len(shown)} locality profiles computed in {time.perf_counter() - start:.1f} s")
    return results, shown


def compute_and_write(
    snapshot: Snapshot, *, with_profiles: bool = True, progress: Progress | None = None
) -> tuple[dict[str, engine.Result], dict[str, profiles.Shown] | None]:
    """Compute the snapshot's results, store them, and return them."""
    results, shown = compute(snapshot, with_profiles=with_profiles, progress=progress)
    write(snapshot, results, shown)
    return results, shown


def locality_profiles(snapshot: Snapshot) -> dict[str, profiles.Shown]:
    """Every locality's profile as shown, from one read of the snapshot; the whole place's
    figures (its rates, its 12 months of activity) worked out once for all of them."""
    tables = profiles.read_tables(snapshot.path)
    as_of = profiles.reference_date(tables)
    place = profiles.Place(tables, as_of)
    codes = sorted(tables["practices"]["locality_code"].dropna().unique())
    return {code: profiles.shown(tables, code, as_of, place=place) for code in codes}


def write(
    snapshot: Snapshot,
    results: Mapping[str, engine.Result],
    shown: Mapping[str, profiles.Shown] | None = None,
) -> Path:
    """Store `results` (and profiles) beside `snapshot`, all or nothing; returns the folder.
    Removes the stale temporary folders that killed writes left beside it."""
    final = folder(snapshot)
    _remove_stale(final.parent, _is_results_folder)
    temporary = final.parent / f"{TEMPORARY_PREFIX}{secrets.token_hex(6)}"
    temporary.mkdir(parents=True)
    try:
        _write_files(temporary, snapshot, results)
        try:
            os.rename(temporary, final)  # atomic; fails when the folder is already there
        except OSError:
            if not (final / MANIFEST).exists():
                raise
            shutil.rmtree(temporary)  # another process stored the same results first
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    if shown is not None:
        write_profiles(snapshot, shown)
    return final


def write_profiles(snapshot: Snapshot, shown: Mapping[str, profiles.Shown]) -> None:
    """Store every locality's profile beside the snapshot's stored results (removing the
    stale temporary files that killed writes of them left)."""
    final = folder(snapshot)
    _remove_stale(final, _is_profiles_file)
    temporary = final / f"{TEMPORARY_PREFIX}{secrets.token_hex(6)}-{PROFILES}"
    data = {code: _profile_json(s) for code, s in shown.items()}
    temporary.write_text(json.dumps(data) + "\n")
    os.replace(temporary, final / PROFILES)  # atomic: a reader sees old, new or none


def _is_results_folder(entry: os.DirEntry[str]) -> bool:
    return entry.is_dir(follow_symlinks=False)


def _is_profiles_file(entry: os.DirEntry[str]) -> bool:
    return entry.name.endswith(f"-{PROFILES}") and entry.is_file(follow_symlinks=False)


def _remove_stale(where: Path, ours: Callable[[os.DirEntry[str]], bool]) -> None:
    """Remove the `.tmp-` entries in `where` that are `ours` and older than
    STALE_AFTER_SECONDS. Symbolic links are never ours, so nothing outside `where` is
    followed. Housekeeping only: whatever cannot be removed is left for the next write."""
    cutoff = time.time() - STALE_AFTER_SECONDS
    with contextlib.suppress(OSError), os.scandir(where) as entries:
        for entry in entries:
            with contextlib.suppress(OSError):
                if not entry.name.startswith(TEMPORARY_PREFIX) or not ours(entry):
                    continue
                if entry.stat(follow_symlinks=False).st_mtime >= cutoff:
                    continue  # perhaps a concurrent write still in progress
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)


def _write_files(
    where: Path,
    snapshot: Snapshot,
    results: Mapping[str, engine.Result],
) -> None:
    metrics = {}
    for slug, result in results.items():
        entry: dict[str, Any] = {
            "status": result.status,
            "reason": result.reason,
            "seconds": result.seconds,
        }
        if result.status == engine.COMPUTED:
            pq.write_table(_arrow(result.cells), where / f"{slug}.cells.parquet")
            pq.write_table(_arrow(result.by_unit()), where / f"{slug}.units.parquet")
        metrics[slug] = entry
    manifest = {
        "snapshot": snapshot.id,
        "fingerprint": snapshot.fingerprint,
        "code_version": code_version(),
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "metrics": metrics,
    }
    # Written last: a folder without a manifest is never read.
    (where / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


def _arrow(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


# --- reading --------------------------------------------------------------------------------


def manifest(snapshot: Snapshot) -> dict[str, Any] | None:
    """The stored results' manifest, or None when there are none for this snapshot and code."""
    try:
        found = json.loads((folder(snapshot) / MANIFEST).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    same = (found.get("snapshot"), found.get("fingerprint"), found.get("code_version")) == (
        snapshot.id,
        snapshot.fingerprint,
        code_version(),
    )
    return found if same else None


def read(snapshot: Snapshot) -> dict[str, engine.Result] | None:
    """The stored results of `snapshot`, as `engine.compute_all` gave them; None if missing."""
    found = manifest(snapshot)
    if found is None:
        return None
    results = {}
    for slug, entry in found["metrics"].items():
        metric = catalogue.get(slug)
        cells = None
        if entry["status"] == engine.COMPUTED:
            cells = _frame(folder(snapshot) / f"{slug}.cells.parquet")
        results[slug] = engine.Result(
            metric, entry["status"], reason=entry["reason"], cells=cells, seconds=entry["seconds"]
        )
    return results


def read_statuses(snapshot: Snapshot) -> dict[str, tuple[Metric, str, str | None]] | None:
    """metric, status and reason of every stored result, without reading any cells."""
    found = manifest(snapshot)
    if found is None:
        return None
    return {
        slug: (catalogue.get(slug), entry["status"], entry["reason"])
        for slug, entry in found["metrics"].items()
    }


def read_units(snapshot: Snapshot) -> dict[str, pd.DataFrame] | None:
    """Each computed metric's stored `by_unit()` roll-up; None if missing."""
    found = manifest(snapshot)
    if found is None:
        return None
    return {
        slug: _frame(folder(snapshot) / f"{slug}.units.parquet")
        for slug, entry in found["metrics"].items()
        if entry["status"] == engine.COMPUTED
    }


def read_profiles(snapshot: Snapshot) -> dict[str, profiles.Shown] | None:
    """Every locality's stored profile as shown; None if none were stored."""
    path = folder(snapshot) / PROFILES
    if manifest(snapshot) is None or not path.exists():
        return None
    data = json.loads(path.read_text())
    return {code: _profile_from_json(value) for code, value in data.items()}


def _frame(path: Path) -> pd.DataFrame:
    return pq.read_table(path).to_pandas()


# --- profiles as JSON (they hold text already suppressed, and a date) -----------------------


def _profile_json(shown: profiles.Shown) -> dict[str, Any]:
    data = asdict(shown)
    data["as_of"] = shown.as_of.isoformat()
    return data


def _row_from_json(data: Mapping[str, Any]) -> profiles.Row:
    # JSON object keys are text: the horizons are numbers of years.
    bands = {int(h): list(texts) for h, texts in data["bands"].items()}
    return profiles.Row(**{**data, "bands": bands})


def _profile_from_json(data: Mapping[str, Any]) -> profiles.Shown:
    fields = {
        # JSON has lists only: the table rows of a profile (deprivation, changes) were tuples.
        name: [tuple(v) for v in value] if _is_table(value) else value
        for name, value in data.items()
    }
    fields["as_of"] = date.fromisoformat(data["as_of"])
    fields["bands"] = list(data["bands"])
    fields["rows"] = [_row_from_json(r) for r in data["rows"]]
    fields["total"] = _row_from_json(data["total"])
    return profiles.Shown(**fields)


def _is_table(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], list)
