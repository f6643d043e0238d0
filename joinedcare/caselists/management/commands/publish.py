"""`joinedcare publish RUN`: send a stratification run's case lists to the MDTs."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from joinedcare.caselists.actions import DEFAULT_TOP_PERCENT, PublishError, publish_run
from joinedcare.staff.models import StaffUser


class Command(BaseCommand):
    help = "Publish a stratification run's case lists (top 2% of each practice by default)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("run", help="run id (a folder under var/runs) or a run folder")
        parser.add_argument(
            "--top",
            type=float,
            default=DEFAULT_TOP_PERCENT,
            help="percent of each practice to publish (default %(default)s)",
        )
        parser.add_argument("--by", required=True, help="username of the analyst publishing")

    def handle(self, *args, run: str, top: float, by: str, **options) -> None:
        user = StaffUser.objects.filter(username=by, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user called {by!r}.")
        run_dir = Path(run) if Path(run).is_dir() else settings.RUNS_DIR / run
        if not run_dir.is_dir():
            raise CommandError(no_such_run(run))
        try:
            published = publish_run(by=user, run_dir=run_dir, top_percent=top)
        except PublishError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Published run {published.run_id}: {published.entries.count():,} people on "
            f"{published.entries.values('practice').distinct().count()} practices' case lists."
        )


def no_such_run(run: str) -> str:
    """Say where runs are looked for and, if there are any, which is the newest."""
    runs_dir = Path(settings.RUNS_DIR)
    # Run ids begin with their UTC start time (20260402T090000Z-...), so they sort by age.
    runs = sorted(report.parent.name for report in runs_dir.glob("*/report.json"))
    newest = f" The newest run there is {runs[-1]}." if runs else " There are no runs there yet."
    return (
        f"There is no run called {run!r}: runs are looked for in {runs_dir} "
        f"(JOINEDCARE_RUNS_DIR), or give the path of a run folder.{newest}"
    )
