"""`joinedcare ingest PATH`: population data into a new pseudonymised analytics snapshot, with
its outcome metrics and locality profiles computed and stored beside it (the outcomes pages
read them instead of computing them)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from joinedcare.analytics.ingest import FORMATS, IngestError, ingest
from joinedcare.analytics.metrics import stored
from joinedcare.analytics.store import Snapshot, Store


class Command(BaseCommand):
    help = "Ingest a folder of CSV/Parquet files (or an OMOP database) into the analytics store."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "path", type=Path, nargs="?", help="folder in the ingest layout, or OMOP CDM"
        )
        parser.add_argument(
            "--format", choices=FORMATS, default="folder", help="folder (CSV/Parquet) or omop"
        )
        parser.add_argument(
            "--replace-smaller",
            action="store_true",
            help="make the new snapshot current even if it holds under half the people of "
            "the current one (otherwise it is kept but not used)",
        )
        parser.add_argument(
            "--use",
            metavar="SNAPSHOT",
            help="instead of ingesting, make an earlier snapshot (or one held back) current",
        )

    def handle(
        self, *args, path: Path | None, format: str, replace_smaller: bool, use, **options
    ) -> None:
        store = Store(settings.ANALYTICS_DIR)
        if use:
            if path is not None:
                raise CommandError("Give either PATH to ingest or --use SNAPSHOT, not both.")
            try:
                snapshot = store.use(use)
            except LookupError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"Current snapshot: {snapshot.path}")
            if stored.manifest(snapshot) is None:
                self._store_outcomes(snapshot)
            return
        if path is None:
            raise CommandError("Give PATH, the folder (or OMOP database) to ingest.")
        if not path.exists():
            raise CommandError(f"{path} does not exist.")
        last = {"stage": None}

        def progress(stage: str, done: int, total: int) -> None:
            if stage != last["stage"]:
                last["stage"] = stage
                self.stdout.write(f"  {stage} ...")

        try:
            summary = ingest(
                path,
                store,
                settings.PSEUDONYM_KEY,
                format=format,
                progress=progress,
                replace_smaller=replace_smaller,
            )
        except IngestError as error:
            raise CommandError(f"Nothing was loaded: {error}") from error
        self.stdout.write(str(summary))
        if summary.held_back:
            # The current snapshot (and its stored results) stay as they were.
            self.stderr.write(
                f"Snapshot {summary.snapshot.id} is kept but the current one is unchanged: "
                f"check the extract is complete. To use it anyway: joinedcare ingest --use "
                f"{summary.snapshot.id}"
            )
            return
        current = store.current()
        self.stdout.write(f"Current snapshot: {current.path if current else 'none'}")
        if current is not None:
            self._store_outcomes(current)

    def _store_outcomes(self, snapshot: Snapshot) -> None:
        """Compute the snapshot's metrics and profiles once, here, not in a page view."""
        self.stdout.write("Outcome metrics and locality profiles ...")
        try:
            stored.compute_and_write(snapshot, progress=lambda m: self.stdout.write(f"  {m}"))
        except Exception as error:
            raise CommandError(
                f"Snapshot {snapshot.id} is loaded and current, but its outcome metrics could "
                f"not be computed: {error}"
            ) from error
        self.stdout.write(f"Stored in {stored.folder(snapshot)}")
