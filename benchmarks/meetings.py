"""Time to build MDT agendas and render meeting packs for a ~50,000-person team.

    .venv/bin/python benchmarks/meetings.py [--scale 1] [--var-dir DIR]

Loads Demo County (`joinedcare migrate`, then `joinedcare demo --scale S --no-stratify`)
into a temporary JOINEDCARE_VAR_DIR (or DIR, reused if it is already loaded), takes the
team whose registered population is nearest 50,000, publishes a synthetic case list
(random risks; the top 2% of every practice of the county, as a real publication would),
and then times, signed in as a GP of that team:

- every practice MDT of the team: building its agenda (a first meeting takes the whole
  top 2%), rendering its pack page (HTML, through the view) and its PDF;
- the team MDT: building its agenda (escalations from the practice MDTs, the team's most
  vulnerable people) and rendering its pack.

The last line printed is one JSON object with the figures.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
TEAM_SIZE = 50_000
ESCALATED_PER_PRACTICE = 3


def _load(var_dir: Path, scale: float) -> float:
    env = {**os.environ, "JOINEDCARE_VAR_DIR": str(var_dir), "JOINEDCARE_ENV": "development"}
    started = time.perf_counter()
    if not (var_dir / "demo" / "manifest.json").exists():
        subprocess.run([BIN / "joinedcare", "migrate", "-v", "0"], env=env, check=True)
        subprocess.run(
            [BIN / "joinedcare", "demo", "--scale", str(scale), "--no-stratify"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return time.perf_counter() - started


def _publish_case_list(run_dir: Path, by) -> object:
    """A synthetic run over everyone registered, published like a real one (top 2%)."""
    import random

    import pyarrow as pa
    import pyarrow.parquet as pq

    from joinedcare.caselists.actions import publish_run
    from joinedcare.people.models import Person

    rng = random.Random(20170628)
    people = Person.objects.filter(practice__isnull=False).values_list(
        "pseudonym", "practice__organisation__code"
    )
    rows, by_practice = [], {}
    for pseudonym, code in people.iterator(chunk_size=20_000):
        by_practice.setdefault(code, []).append((rng.betavariate(1.2, 12), pseudonym))
    for code, scored in by_practice.items():
        for rank, (risk, pseudonym) in enumerate(sorted(scored, reverse=True), start=1):
            efi = min(1.0, risk * 2.5)
            rows.append(
                {
                    "pseudonym": pseudonym,
                    "practice_code": code,
                    "risk": risk,
                    "rank_in_practice": rank,
                    "segment": "",
                    "efi": efi,
                    "efi_category": "severe" if efi > 0.36 else "moderate",
                    "hfrs": risk * 20,
                    "hfrs_band": "high" if risk > 0.4 else "intermediate",
                    "charlson": int(risk * 10),
                    "lace": None,
                    "top_factors": ["emergency admissions in the last 12 months"],
                }
            )
    run_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), run_dir / "scores.parquet")
    report = {
        "run": {
            "run_id": run_dir.name,
            "snapshot_fingerprint": "0" * 64,
            "index_dates": {"score": "2026-03-31"},
        },
        "validation": {},
    }
    (run_dir / "report.json").write_text(json.dumps(report))
    return publish_run(by=by, run_dir=run_dir)


def _pack(meeting, user) -> tuple[float, float, int]:
    """Seconds to render the pack page through its view, and its PDF; PDF bytes."""
    from django.test import RequestFactory

    from joinedcare.meetings import views

    request = RequestFactory().get(f"/meetings/{meeting.pk}/pack/")
    request.user = user
    started = time.perf_counter()
    response = views.pack_page(request, meeting.pk)
    html = time.perf_counter() - started
    assert response.status_code == 200
    started = time.perf_counter()
    pdf = views.pack_pdf(request, meeting.pk)
    return html, time.perf_counter() - started, len(pdf.content)


def measure(var_dir: Path) -> dict:
    """Runs inside the temporary environment."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedcare.settings")
    django.setup()
    from datetime import date

    from django.db.models import Count

    from joinedcare.meetings import actions
    from joinedcare.meetings.models import Level
    from joinedcare.organisations.models import Team
    from joinedcare.staff.models import Membership, StaffUser
    from joinedcare.staff.roles import Role

    teams = Team.objects.annotate(people=Count("practices__registered"))
    team = min(teams, key=lambda t: abs(t.people - TEAM_SIZE))
    gp, _ = StaffUser.objects.get_or_create(
        username="bench-gp", defaults={"role": Role.GP, "first_name": "Bench", "last_name": "GP"}
    )
    lead, _ = StaffUser.objects.get_or_create(
        username="bench-lead",
        defaults={"role": Role.TAP_LEAD, "first_name": "Bench", "last_name": "Lead"},
    )
    Membership.objects.get_or_create(user=gp, team=team, role=Role.GP)
    Membership.objects.get_or_create(user=lead, team=team, role=Role.TAP_LEAD)
    started = time.perf_counter()
    run = _publish_case_list(var_dir / "runs" / f"bench-{int(time.time())}", gp)
    publish_seconds = time.perf_counter() - started

    practices = []
    for practice in team.practices.select_related("organisation"):
        meeting = actions.create_meeting(
            by=gp, level=Level.MICRO, unit=practice, held_on=date.today()
        )
        started = time.perf_counter()
        items = actions.build_agenda(by=gp, meeting=meeting)
        build = time.perf_counter() - started
        html, pdf, _ = _pack(meeting, gp)
        for item in items[:ESCALATED_PER_PRACTICE]:
            actions.escalate(by=gp, item=item, kind="support", summary="Needs a care package")
        practices.append(
            {"items": len(items), "build_s": build, "pack_html_s": html, "pack_pdf_s": pdf}
        )
        print(f"practice {practice.code}: {practices[-1]}", file=sys.stderr)

    team_meeting = actions.create_meeting(
        by=lead, level=Level.INTERMEDIATE, unit=team, held_on=date.today(), members=[gp]
    )
    started = time.perf_counter()
    team_items = actions.build_agenda(by=lead, meeting=team_meeting)
    team_build = time.perf_counter() - started
    team_html, team_pdf, _ = _pack(team_meeting, lead)
    return {
        "benchmark": "meetings",
        "team": team.code,
        "team_registered_people": team.people,
        "practices": len(practices),
        "case_list_entries_in_team": run.entries.filter(practice__team=team).count(),
        "publish_case_list_s": round(publish_seconds, 2),
        "practice_agenda_items_total": sum(p["items"] for p in practices),
        "practice_agenda_items_max": max(p["items"] for p in practices),
        "practice_build_agenda_s_total": round(sum(p["build_s"] for p in practices), 3),
        "practice_build_agenda_s_max": round(max(p["build_s"] for p in practices), 3),
        "practice_pack_html_s_max": round(max(p["pack_html_s"] for p in practices), 3),
        "practice_pack_pdf_s_max": round(max(p["pack_pdf_s"] for p in practices), 3),
        "team_agenda_items": len(team_items),
        "team_build_agenda_s": round(team_build, 3),
        "team_pack_html_s": round(team_html, 3),
        "team_pack_pdf_s": round(team_pdf, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--var-dir", type=Path, help="reuse a loaded county here")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        print(json.dumps(measure(Path(os.environ["JOINEDCARE_VAR_DIR"]))))
        return
    var_dir = args.var_dir or Path(tempfile.mkdtemp(prefix="joinedcare-bench-meetings-"))
    load_seconds = _load(var_dir, args.scale)
    env = {**os.environ, "JOINEDCARE_VAR_DIR": str(var_dir), "JOINEDCARE_ENV": "development"}
    done = subprocess.run(
        [BIN / "python", __file__, "--inside"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    sys.stderr.write(done.stderr)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures |= {"scale": args.scale, "load_county_s": round(load_seconds, 1)}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
