"""Load a generated Demo County into the web app: organisations, hierarchy and people.

Only organisations and people enter the database; activity stays in the extract's
Parquet files, which the person page and analytics read.
"""

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow.parquet as pq
from django.conf import settings
from django.db import connection, transaction

from joinedcare.organisations.models import Locality, Organisation, Place, Practice, Team, Ward
from joinedcare.people.models import Person
from joinedcare.pseudonym import pseudonymise

from .models import CountyLoad

BATCH = 10_000


def manifest_sha256(county_dir: Path) -> str:
    return hashlib.sha256((county_dir / "manifest.json").read_bytes()).hexdigest()


def _area_code(name: str) -> str:
    # Areas are MSOA-like names ("County Durham 012"): a stable short code per name.
    return "AREA-" + hashlib.sha1(name.encode()).hexdigest()[:8].upper()  # noqa: S324


@transaction.atomic
def load_hierarchy(doc: dict) -> None:
    """Organisations, the place, its localities (with their areas), teams and practices."""
    for org in doc["organisations"]:
        Organisation.objects.update_or_create(
            code=org["code"], defaults={"name": org["name"], "kind": org["kind"]}
        )
    place, _ = Place.objects.update_or_create(
        code=doc["place"]["code"], defaults={"name": doc["place"]["name"]}
    )
    for loc in doc["localities"]:
        locality, _ = Locality.objects.update_or_create(
            code=loc["code"], defaults={"name": loc["name"], "place": place}
        )
        for area in loc["areas"]:
            Ward.objects.update_or_create(
                code=_area_code(area), defaults={"name": area, "locality": locality}
            )
    for t in doc["teams"]:
        Team.objects.update_or_create(
            code=t["code"],
            defaults={
                "name": t["name"],
                "rural": t["rural"],
                "locality": Locality.objects.get(code=t["locality_code"]),
            },
        )
    teams = {t.code: t for t in Team.objects.all()}
    for p in doc["practices"]:
        Practice.objects.update_or_create(
            organisation=Organisation.objects.get(code=p["code"]),
            defaults={"team": teams[p["team_code"]], "postcode": p["postcode"]},
        )


_COLUMNS = [
    "public_id",
    "nhs_number",
    "pseudonym",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "lsoa",
    "imd_decile",
    "ethnic_category",
    "practice_id",
    "registered_from",
    "date_of_death",
]


def _rows(path: Path, practice_ids: dict[str, int]) -> Iterator[list[tuple]]:
    key = settings.PSEUDONYM_KEY
    for batch in pq.ParquetFile(path).iter_batches(batch_size=BATCH):
        cols = batch.to_pydict()
        # Someone who left their practice is registered nowhere in the county now: kept
        # (their history is theirs), but in no practice's list, population or case list.
        left = cols.get("registered_to") or [None] * batch.num_rows
        yield [
            (
                uuid.uuid4().hex if connection.vendor == "sqlite" else uuid.uuid4(),
                n,
                pseudonymise(n, key),
                cols["given_name"][i],
                cols["family_name"][i],
                cols["date_of_birth"][i],
                cols["sex"][i],
                cols["postcode"][i] or "",
                cols["lsoa"][i] or "",
                cols["imd_decile"][i],
                cols["ethnic_category"][i] or "",
                None if left[i] else practice_ids[cols["practice_code"][i]],
                cols["registered_from"][i],
                cols["date_of_death"][i],
            )
            for i, n in enumerate(cols["nhs_number"])
        ]


@transaction.atomic
def load_people(path: Path, progress: Callable[[int], None] | None = None) -> int:
    """Insert every person in demographics.parquet, in batches, in one transaction.

    Raw executemany: the ORM's bulk_create is several times slower for half a million
    rows, and these rows come from our own generator, already validated by its tests.
    """
    practice_ids = {p.code: p.pk for p in Practice.objects.select_related("organisation")}
    table = Person._meta.db_table
    placeholders = ", ".join(["%s"] * len(_COLUMNS))
    sql = f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES ({placeholders})"  # noqa: S608
    loaded = 0
    with connection.cursor() as cursor:
        for rows in _rows(path, practice_ids):
            cursor.executemany(sql, rows)
            loaded += len(rows)
            if progress:
                progress(len(rows))
    return loaded


def load_county(county_dir: Path, progress: Callable[[int], None] | None = None) -> CountyLoad:
    """Load a county once; the same county again is a no-op."""
    sha = manifest_sha256(county_dir)
    existing = CountyLoad.objects.filter(manifest_sha256=sha).first()
    if existing:
        return existing
    if CountyLoad.objects.exists() or Person.objects.exists():
        raise RuntimeError(
            "This database already holds other people. Rebuild with `make demo-reset`."
        )
    manifest = json.loads((county_dir / "manifest.json").read_text())
    with transaction.atomic():
        load_hierarchy(json.loads((county_dir / "organisation.json").read_text()))
        people = load_people(county_dir / "demographics.parquet", progress)
        return CountyLoad.objects.create(
            manifest_sha256=sha, seed=manifest["seed"], scale=manifest["scale"], people=people
        )
