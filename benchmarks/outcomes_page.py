"""Time the outcomes dashboard page of a team and a practice of Demo County.

    .venv/bin/python benchmarks/outcomes_page.py --scale 1 [--workdir DIR]

Builds Demo County, ingests it and stores its metric results and locality profiles as
`joinedcare ingest` does (or reuses them from `--workdir`, the layout `benchmarks/metrics.py
--workdir` keeps), loads its organisations into a Django test database, signs a TAP lead of
the largest team in with the test client and times, for the team and its largest practice:

- cold: a new process's first page when nothing was worked out ahead (the stored results
  read from disk, the web app's operations metrics computed while the page waits);
- first: a new process's first page after `figures.warm`, which `joinedcare serve` runs as
  each worker starts (its seconds are printed too);
- warm views: the median of the next ones (the results cached in the process).

The inequality and locality profile pages are timed the same way. The last line printed is
one JSON object with every figure (aim: a dashboard page under 300 ms).
"""

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

WARM_VIEWS = 7
AIM_SECONDS = 0.3


def _county(out: Path, seed: int, scale: float) -> dict:
    """The county and its analytics store under `out`, with stored results; what it took."""
    from metrics import county_store  # benchmarks/metrics.py: build and ingest unless there

    from joinedcare.analytics.metrics import stored

    store, build_seconds, ingest_seconds = county_store(out, seed, scale)
    took = {"seconds_build": build_seconds, "seconds_ingest": ingest_seconds}
    start = time.perf_counter()
    if stored.read_profiles(store.current()) is None:
        stored.compute_and_write(store.current())
    took["seconds_store_results"] = time.perf_counter() - start
    return took


def _units(out: Path) -> tuple[str, str]:
    """The team with most people in the snapshot, and its practice with most."""
    from joinedcare.analytics.metrics import engine
    from joinedcare.analytics.store import Store

    tables = engine.read_snapshot(Store(out / "store").current().path)
    people = tables["people"].group_by("practice_code").aggregate(people=tables["people"].count())
    frame = people.execute().merge(engine.practices_frame(tables), on="practice_code")
    team = frame.groupby("team_code")["people"].sum().idxmax()
    practice = frame[frame.team_code == team].sort_values("people").practice_code.iloc[-1]
    return str(team), str(practice)


def _time(client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    seconds = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return seconds


def _new_process() -> None:
    from joinedcare.outcomes import figures

    figures._cache.clear()
    figures._profiles.clear()


def _measure(client, url: str, analytics_dir: Path) -> dict:
    """A 'new process's' first view (the caches emptied) without and with warming, then warm
    views."""
    from joinedcare.outcomes import figures

    _new_process()
    cold = _time(client, url)
    _new_process()
    start = time.perf_counter()
    figures.warm(analytics_dir)
    warming = time.perf_counter() - start
    first = _time(client, url)
    warm = statistics.median(_time(client, url) for _ in range(WARM_VIEWS))
    print(
        f"{url:45s} cold {cold * 1000:7.1f} ms   warming {warming:5.2f} s   "
        f"first {first * 1000:7.1f} ms   warm {warm * 1000:7.1f} ms"
    )
    return {
        "cold_ms": round(cold * 1000, 1),
        "warming_s": round(warming, 2),
        "first_ms": round(first * 1000, 1),
        "warm_ms": round(warm * 1000, 1),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20170628)
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temporary one")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="outcomes_bench_") as tmp:
        out = args.workdir or Path(tmp)
        os.environ["JOINEDCARE_ENV"] = "test"
        os.environ["JOINEDCARE_VAR_DIR"] = str(Path(tmp) / "var")
        os.environ["JOINEDCARE_ANALYTICS_DIR"] = str(out / "store")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedcare.settings")
        import django

        django.setup()
        from django.db import connection
        from django.test import Client
        from django.test.utils import setup_test_environment

        from joinedcare.demo.loader import load_hierarchy
        from joinedcare.staff.models import Membership, StaffUser
        from joinedcare.staff.roles import Role

        took = _county(out, args.seed, args.scale)
        team_code, practice_code = _units(out)
        setup_test_environment()
        connection.creation.create_test_db(verbosity=0)
        load_hierarchy(json.loads((out / "county" / "organisation.json").read_text()))
        lead = StaffUser.objects.create(username="bench-lead", role=Role.TAP_LEAD)
        Membership.objects.create(user=lead, team_id=_team_id(team_code), role=Role.TAP_LEAD)
        client = Client()
        client.force_login(lead)

        store = out / "store"
        team = _measure(client, f"/outcomes/team/{team_code}/", store)
        practice = _measure(client, f"/outcomes/practice/{practice_code}/", store)
        inequalities = _measure(client, f"/outcomes/team/{team_code}/inequalities/", store)
        locality = _team_locality(team_code)
        profile = _measure(client, f"/outcomes/locality/{locality}/profile/", store)

    slowest = max(team["first_ms"], team["warm_ms"], practice["first_ms"], practice["warm_ms"])
    figures = {
        "scale": args.scale,
        "team": team_code,
        "practice": practice_code,
        **{k: round(v, 2) for k, v in took.items()},
        "team_dashboard": team,
        "practice_dashboard": practice,
        "team_inequalities": inequalities,
        "locality_profile": profile,
        "dashboard_slowest_ms": slowest,
        "dashboard_under_300_ms": slowest < AIM_SECONDS * 1000,
    }
    print(json.dumps(figures))
    return figures


def _team_id(code: str) -> int:
    from joinedcare.organisations.models import Team

    return Team.objects.get(code=code).pk


def _team_locality(code: str) -> str:
    from joinedcare.organisations.models import Team

    return Team.objects.select_related("locality").get(code=code).locality.code


if __name__ == "__main__":
    main()
