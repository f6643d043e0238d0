"""The analytics store: pseudonymised snapshots of population data, one of them current.

```
<root>/
  CURRENT                     the id of the current snapshot (replaced atomically)
  snapshots/<id>/             one complete ingest: <table>.parquet, manifest.json,
                              quarantine.csv
  snapshots/.tmp-<id>/        an ingest still being written (never read)
```

A snapshot is written under `.tmp-<id>`, renamed when complete, and only then named in
CURRENT, so a reader never sees half an ingest and a failed one leaves the previous snapshot
current. Old snapshots are kept: removing them is an operator's decision.
"""

import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any, Self

CURRENT = "CURRENT"
SNAPSHOTS = "snapshots"
MANIFEST = "manifest.json"
QUARANTINE = "quarantine.csv"
TEMPORARY_PREFIX = ".tmp-"


class Snapshot:
    """One complete ingest in the store (read-only)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.id = path.name

    def __repr__(self) -> str:
        return f"Snapshot({self.id!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Snapshot) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)

    def table_path(self, name: str) -> Path:
        """The Parquet file of table `name` (people, encounters, ...)."""
        return self.path / f"{name}.parquet"

    @property
    def quarantine_path(self) -> Path:
        return self.path / QUARANTINE

    @cached_property
    def manifest(self) -> dict[str, Any]:
        """What was loaded, from where, when, and how many rows were quarantined."""
        return json.loads((self.path / MANIFEST).read_text())

    @property
    def fingerprint(self) -> str:
        return self.manifest["fingerprint"]


class SnapshotWriter:
    """A snapshot being written; use as a context manager so a failure removes it."""

    def __init__(self, store: "Store", snapshot_id: str) -> None:
        self.store = store
        self.id = snapshot_id
        self.path = store.snapshots_dir / f"{TEMPORARY_PREFIX}{snapshot_id}"
        self.path.mkdir(parents=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None or self.path.exists():
            self.abort()

    def table_path(self, name: str) -> Path:
        """Where to write table `name` while the snapshot is being built."""
        return self.path / f"{name}.parquet"

    @property
    def quarantine_path(self) -> Path:
        return self.path / QUARANTINE

    def commit(
        self, manifest: dict[str, Any], tables: Iterable[str], *, make_current: bool = True
    ) -> Snapshot:
        """Fingerprint the tables, write the manifest, publish the snapshot and, unless told
        not to, make it current."""
        manifest = {
            "id": self.id,
            **manifest,
            "fingerprint": fingerprint(self.table_path(t) for t in sorted(tables)),
        }
        (self.path / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        final = self.store.snapshots_dir / self.id
        os.replace(self.path, final)
        if make_current:
            self.store._make_current(self.id)
        return Snapshot(final)

    def abort(self) -> None:
        """Remove the half-written snapshot."""
        shutil.rmtree(self.path, ignore_errors=True)


class Store:
    """The analytics store under `root` (the web app passes settings.VAR_DIR / "analytics")."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.snapshots_dir = self.root / SNAPSHOTS

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    def current(self) -> Snapshot | None:
        """The snapshot named in CURRENT, or None before the first ingest."""
        try:
            snapshot_id = (self.root / CURRENT).read_text().strip()
        except FileNotFoundError:
            return None
        return Snapshot(self.snapshots_dir / snapshot_id)

    def snapshots(self) -> list[Snapshot]:
        """Every complete snapshot, oldest first (ids sort by creation time)."""
        if not self.snapshots_dir.exists():
            return []
        return [
            Snapshot(p)
            for p in sorted(self.snapshots_dir.iterdir())
            if p.is_dir() and not p.name.startswith(TEMPORARY_PREFIX)
        ]

    def use(self, snapshot_id: str) -> Snapshot:
        """Make an earlier complete snapshot current again (or one held back by ingest)."""
        found = {s.id: s for s in self.snapshots()}
        if snapshot_id not in found or not (found[snapshot_id].path / MANIFEST).exists():
            known = ", ".join(list(found)[-5:]) or "none yet"
            raise LookupError(
                f"No complete snapshot {snapshot_id!r} in {self.snapshots_dir} "
                f"(the latest: {known})."
            )
        self._make_current(snapshot_id)
        return found[snapshot_id]

    def begin(self) -> SnapshotWriter:
        """Start writing a new snapshot (not visible until committed)."""
        return SnapshotWriter(self, new_snapshot_id())

    def _make_current(self, snapshot_id: str) -> None:
        # os.replace is atomic on POSIX: a reader sees the old id or the new one, never half.
        temporary = self.root / f"{CURRENT}.{snapshot_id}.tmp"
        with temporary.open("w") as f:
            f.write(snapshot_id + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, self.root / CURRENT)


def new_snapshot_id() -> str:
    """Sortable by creation time; the random tail keeps two ingests in one second apart."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)


def fingerprint(paths: Iterable[Path]) -> str:
    """sha256 over each file's name and contents, in the order given."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()
