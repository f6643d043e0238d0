"""Response times of the SPA intake API and the capacity board on a real server.

    .venv/bin/python benchmarks/spa.py [--people 559540] [--requests 400]

Loads a Demo County-sized database into a temporary JOINEDCARE_VAR_DIR (559,540 people
on 61 practices in 13 teams by default, an SPA with its catalogue and 60 days of
capacity, and open referrals with assessments), starts `joinedcare serve` on a loopback
port, and times many sequential requests to `/api/health` (a trivial endpoint, the
baseline), `POST /api/spa/referrals` (each a new person and key) and `/spa/capacity/`
(signed in as the SPA coordinator). The last line is one JSON object with the figures.
"""

import argparse
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

# Every URL here is http://127.0.0.1 on the server this script started.
# ruff: noqa: S310
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PASSWORD = "benchmark horse battery staple"  # noqa: S105  (a throwaway database)
PRACTICES, TEAMS = 61, 13
OPEN_REFERRALS = 1_500
CAPACITY_DAYS = 60


def seed(people: int, api_numbers: int, out: Path) -> None:
    """Runs inside the temporary environment: bulk-load the county and the SPA."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedcare.settings")
    django.setup()
    from datetime import date, timedelta

    import nhs_number
    from django.conf import settings

    from joinedcare.organisations.models import Locality, Organisation, Place, Practice, Team
    from joinedcare.people.models import Person
    from joinedcare.pseudonym import pseudonymise
    from joinedcare.referrals.models import ApiClient, Assessment, Referral, SinglePointOfAccess
    from joinedcare.services.models import Service, ServiceDay
    from joinedcare.staff.models import StaffUser
    from joinedcare.staff.roles import Role

    place = Place.objects.create(code="DEMO", name="Demo County")
    locality = Locality.objects.create(place=place, code="L1", name="Locality 1")
    teams = [
        Team.objects.create(locality=locality, code=f"TAP{i}", name=f"TAP {i}")
        for i in range(TEAMS)
    ]
    practices = [
        Practice.objects.create(
            team=teams[i % TEAMS],
            organisation=Organisation.objects.create(
                code=f"A{i:05d}", name=f"Practice {i}", kind=Organisation.Kind.GP_PRACTICE
            ),
        )
        for i in range(PRACTICES)
    ]
    numbers = set()
    while len(numbers) < people + api_numbers:
        numbers.update(
            nhs_number.generate(
                quantity=min(200_000, people + api_numbers - len(numbers)),
                for_region=nhs_number.REGION_SYNTHETIC,
            )
        )
    numbers = sorted(numbers)
    county, for_api = numbers[:people], numbers[people:]
    key = settings.PSEUDONYM_KEY
    batch = []
    for i, n in enumerate(county):
        batch.append(
            Person(
                nhs_number=n,
                pseudonym=pseudonymise(n, key),
                given_name=f"Given{i}",
                family_name=f"Family{i % 5000}",
                date_of_birth=date(1930, 1, 1) + timedelta(days=i % 30000),
                sex=Person.Sex.FEMALE if i % 2 else Person.Sex.MALE,
                practice=practices[i % PRACTICES],
            )
        )
        if len(batch) == 20_000:
            Person.objects.bulk_create(batch)
            batch = []
    Person.objects.bulk_create(batch)
    coordinator = StaffUser.objects.create_user(
        "spa_coordinator", password=PASSWORD, role=Role.SPA_COORDINATOR
    )
    spa = SinglePointOfAccess.objects.create(place=place, name="Demo County SPA")
    spa.staff.add(coordinator)
    _, token = ApiClient.issue(name="Ward list", spa=spa, acts_as=coordinator)
    trust = Organisation.objects.create(
        code="RXX", name="Community trust", kind=Organisation.Kind.COMMUNITY_TRUST
    )
    today = date.today()
    for kind in Service.Kind:
        for provider in range(2):
            service = Service.objects.create(
                place=place,
                kind=kind,
                name=f"{kind.label} {provider + 1}",
                provider=trust,
                unit=Service.Unit.BEDS,
            )
            ServiceDay.objects.bulk_create(
                ServiceDay(
                    service=service, day=today + timedelta(days=d), capacity=20, filled=d % 7
                )
                for d in range(CAPACITY_DAYS)
            )
    people_ids = list(Person.objects.values_list("pk", flat=True)[:OPEN_REFERRALS])
    from django.utils import timezone

    now = timezone.now()
    referrals = Referral.objects.bulk_create(
        Referral(
            spa=spa,
            person_id=pk,
            status=Referral.Status.AWAITING_ASSESSMENT,
            received_at=now,
            received_by=coordinator,
            referrer_source=Referral.Source.GP,
            referrer_name="GP",
            reason="Benchmark",
            urgency=Referral.Urgency.ROUTINE,
            medically_stable=True,
            consent_to_share=True,
        )
        for pk in people_ids
    )
    Assessment.objects.bulk_create(
        Assessment(
            referral=r,
            assessor=coordinator,
            assessed_at=now,
            needs="Benchmark",
            proposed_services=[list(Service.Kind)[i % 12].value],
        )
        for i, r in enumerate(referrals)
    )
    out.write_text(json.dumps({"token": token, "numbers": for_api}))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _time(opener, request_for, n: int) -> list[float]:
    times = []
    for i in range(n):
        request = request_for(i)
        start = time.perf_counter()
        with opener.open(request, timeout=30) as response:
            response.read()
            assert response.status in (200, 201), response.status
        times.append((time.perf_counter() - start) * 1000)
    return times


def _summary(times: list[float]) -> dict:
    q = statistics.quantiles(times, n=100, method="inclusive")
    return {"n": len(times), "p50_ms": round(q[49], 2), "p95_ms": round(q[94], 2)}


def _sign_in(opener, base: str) -> None:
    page = opener.open(f"{base}/sign-in/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "spa_coordinator", "password": PASSWORD}
    ).encode()
    request = urllib.request.Request(f"{base}/sign-in/", data=data, headers={"Referer": base})
    opener.open(request).read()


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=559_540)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed-into", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seed_into:
        seed(args.people, args.requests + 10, args.seed_into)
        return {}

    with tempfile.TemporaryDirectory(prefix="bench_spa_") as tmp:
        env = {**os.environ, "JOINEDCARE_VAR_DIR": tmp, "JOINEDCARE_ENV": "development"}
        env.pop("DATABASE_URL", None)
        env.pop("JOINEDCARE_CLOCK", None)
        started = time.perf_counter()
        subprocess.run([BIN / "joinedcare", "migrate", "-v", "0"], env=env, check=True)
        seeded = Path(tmp) / "seed.json"
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--people",
                str(args.people),
                "--requests",
                str(args.requests),
                "--seed-into",
                str(seeded),
            ],
            env=env,
            check=True,
        )
        load_seconds = time.perf_counter() - started
        print(f"loaded {args.people:,d} people and the SPA in {load_seconds:.1f} s")
        seed_data = json.loads(seeded.read_text())
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                BIN / "joinedcare",
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--threads",
                "4",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            result = _measure(base, seed_data, args)
        finally:
            server.terminate()
            server.wait(timeout=30)
    result |= {
        "people": args.people,
        "open_referrals": OPEN_REFERRALS,
        "services": 24,
        "load_seconds": round(load_seconds, 1),
    }
    print(json.dumps(result))
    return result


def _measure(base: str, seed_data: dict, args) -> dict:
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{base}/api/health", timeout=1).read()
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    _sign_in(opener, base)
    plain = urllib.request.build_opener()
    n = args.requests
    warm = 20
    _time(plain, lambda i: f"{base}/api/health", warm)
    _time(opener, lambda i: f"{base}/spa/capacity/", warm)
    health = _time(plain, lambda i: f"{base}/api/health", n)
    board = _time(opener, lambda i: f"{base}/spa/capacity/", n)
    numbers = seed_data["numbers"]

    def intake(i: int) -> urllib.request.Request:
        body = {
            "nhs_number": numbers[i],
            "given_name": "Bench",
            "family_name": f"Mark{i}",
            "date_of_birth": "1944-04-04",
            "sex": "female",
            "referrer_source": "hospital_ward",
            "referrer_name": "Ward 6",
            "reason": "Needs help at home",
            "urgency": "today",
            "medically_stable": True,
            "consent_to_share": True,
        }
        return urllib.request.Request(
            f"{base}/api/spa/referrals",
            data=json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {seed_data['token']}",
                "Idempotency-Key": f"bench-{i}",
                "Content-Type": "application/json",
            },
        )

    api = _time(plain, intake, n)
    figures = {
        "health": _summary(health),
        "intake_api": _summary(api),
        "capacity_board": _summary(board),
    }
    for name in ("intake_api", "capacity_board"):
        for p in ("p50", "p95"):
            ratio = figures[name][f"{p}_ms"] / figures["health"][f"{p}_ms"]
            figures[name][f"{p}_ratio_to_health"] = round(ratio, 1)
    for name, f in figures.items():
        print(f"{name:16s} p50 {f['p50_ms']:7.2f} ms  p95 {f['p95_ms']:7.2f} ms")
    return figures


if __name__ == "__main__":
    main()
