"""`joinedcare demo`: build Demo County (once) and load it with one login per role."""

import json
import time
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from tqdm import tqdm

from joinedcare.analytics.store import Store
from joinedcare.caselists.models import PublishedRun
from joinedcare.demo.loader import load_county
from joinedcare.demo.meetings import arrange_demo_meetings
from joinedcare.demo.operations_history import seed_history
from joinedcare.demo.spa import create_demo_spa
from joinedcare.demo.staff import create_demo_staff
from joinedcare.referrals import clock
from joinedcare.settings import _local_secret
from joinedcare.staff.roles import Role
from joinedcare.synthetic import GENERATOR_VERSION, build_county

DEFAULT_SEED = 20170628


class Command(BaseCommand):
    help = "Build Demo County (synthetic people on County Durham's real practices) and logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="same seed, same county")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="fraction of the real list sizes (0-1]"
        )
        parser.add_argument(
            "--out", type=Path, default=settings.VAR_DIR / "demo", help="where the county goes"
        )
        parser.add_argument(
            "--no-stratify",
            action="store_true",
            help="skip ingest, risk stratification and publishing the case lists",
        )

    def handle(
        self, *args, seed: int, scale: float, out: Path, no_stratify: bool, **options
    ) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo County is synthetic: it never goes into production.")
        if not 0 < scale <= 1:
            raise CommandError("--scale must be more than 0 and at most 1.")
        if settings.RECORDS_DIR.resolve() != (out / "extract").resolve():
            self.stderr.write(
                f"Note: the person page reads {settings.RECORDS_DIR}, not {out / 'extract'}."
            )
        started = time.perf_counter()
        self._generate(out, seed=seed, scale=scale)
        self._load(out)
        password = _local_secret("demo_password", nbytes=9)
        users = create_demo_staff(password)
        create_demo_spa(users)  # the SPA's catalogue, capacity and a few referrals
        if not no_stratify:
            self._stratify(out)
        self.stdout.write(f"Operations history: {seed_history(users, out) or 'already there'}")
        self.stdout.write(f"MDT meetings: {arrange_demo_meetings(users) or 'already arranged'}")
        refresh_statistics()
        self.stdout.write(f"Demo County ready in {time.perf_counter() - started:.1f} s.\n")
        self._print_logins(users, password)

    def _generate(self, out: Path, *, seed: int, scale: float) -> None:
        manifest = out / "manifest.json"
        if manifest.exists():
            built = json.loads(manifest.read_text())
            if (built["seed"], built["scale"], built["generator_version"]) == (
                seed,
                scale,
                GENERATOR_VERSION,
            ):
                self.stdout.write(f"Demo County already built in {out}: reusing it.")
                return
            raise CommandError(
                f"{out} holds a different county (seed {built['seed']}, scale "
                f"{built['scale']}). Rebuild everything with `make demo-reset`."
            )
        # The extract ends with last month, as a monthly feed would: the dashboards, case
        # lists and operations history then lead up to today, not to a fixed past date.
        extract_date = clock.today().replace(day=1) - timedelta(days=1)
        self.stdout.write(
            f"Building Demo County (seed {seed}, scale {scale}, extract to "
            f"{extract_date:%-d %B %Y}) in {out} ..."
        )

        def report(stage: str, seconds: float) -> None:
            self.stdout.write(f"  {stage:<28} {seconds:6.1f} s")

        build_county(out, seed=seed, scale=scale, extract_date=extract_date, progress=report)

    def _load(self, out: Path) -> None:
        with tqdm(desc="  loading people", unit=" people", disable=None) as bar:
            load = load_county(out, progress=bar.update)
        self.stdout.write(f"Database holds Demo County: {load.people:,} people.")

    def _stratify(self, out: Path) -> None:
        """Ingest the county's extract and publish case lists, once."""
        if PublishedRun.objects.exists():
            self.stdout.write("Case lists already published: reusing them.")
            return
        if Store(settings.ANALYTICS_DIR).current() is None:
            self.stdout.write("Ingesting the county's extract into the analytics store ...")
            call_command("ingest", out / "extract", stdout=self.stdout)
        self.stdout.write("Risk stratification and case lists ...")
        call_command("stratify", publish=True, by=Role.ANALYST, stdout=self.stdout)

    def _print_logins(self, users, password: str) -> None:
        self.stdout.write("Demo logins (password for all: " + password + "):")
        for user in users:
            second = (
                f"  + code: .venv/bin/joinedcare totp {user.username}"
                if user.needs_second_factor
                else ""
            )
            where = ", ".join(m.team.name for m in user.memberships.select_related("team"))
            self.stdout.write(
                f"  {user.username:<18} {user.get_full_name():<18} "
                f"{user.organisation.name if user.organisation else '':<45} {where}{second}"
            )
        self.stdout.write(f"As of {date.today():%-d %B %Y}; sign in at http://127.0.0.1:8000/")


def refresh_statistics() -> None:
    """Have PostgreSQL re-read the tables just loaded before the site serves them.

    Its planner's row counts come from statistics that autovacuum refreshes only some
    time after a bulk load; until then a page joining episodes, referrals and people can be
    planned as if the tables were nearly empty (PostgreSQL's "Populating a Database" advice:
    run ANALYZE afterwards).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
