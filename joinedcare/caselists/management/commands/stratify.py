"""`joinedcare stratify`: score everyone on the current snapshot; optionally publish."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from joinedcare.analytics import stratify
from joinedcare.analytics.store import Store
from joinedcare.caselists.actions import (
    DEFAULT_TOP_PERCENT,
    PublishError,
    check_top_percent,
    publish_run,
)
from joinedcare.staff.models import StaffUser


class Command(BaseCommand):
    help = "Risk-stratify the current snapshot (features, scores, model, model card)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--engine",
            choices=["duckdb", "spark"],
            default="duckdb",
            help="where the features are computed: DuckDB (default) or Spark in local mode",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=stratify.DEFAULT_SEED,
            help="random seed: the same snapshot and seed give identical scores",
        )
        parser.add_argument("--publish", action="store_true", help="send case lists to MDTs")
        parser.add_argument(
            "--top",
            type=float,
            default=DEFAULT_TOP_PERCENT,
            help="percent of each practice to publish (default %(default)s)",
        )
        parser.add_argument("--by", help="username of the analyst publishing (with --publish)")

    def handle(self, *args, engine: str, seed: int, publish: bool, top: float, by, **options):
        # Everything that can refuse the publication is checked before the run, which takes
        # minutes at county scale.
        user = None
        if publish:
            user = StaffUser.objects.filter(username=by or "", is_active=True).first()
            if user is None:
                raise CommandError("--publish needs --by USERNAME of an active analyst.")
            try:
                check_top_percent(top)
            except PublishError as error:
                raise CommandError(str(error)) from error
        snapshot = Store(settings.ANALYTICS_DIR).current()
        if snapshot is None:
            raise CommandError("No analytics snapshot yet: run `joinedcare ingest PATH` first.")

        def progress(stage: str, seconds: float) -> None:
            self.stdout.write(f"  {stage:<12} {seconds:7.1f} s")

        self.stdout.write(f"Stratifying snapshot {snapshot.path.name} on {engine} ...")
        try:
            result = stratify.run(
                snapshot.path, settings.RUNS_DIR, engine=engine, seed=seed, progress=progress
            )
        except stratify.StratifyError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Run {result.run_id}: model card {result.report_html}")
        if publish:
            try:
                published = publish_run(by=user, run_dir=result.run_dir, top_percent=top)
            except PublishError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"Published {published.entries.count():,} people to case lists.")
