"""Build Demo County: organisation.json, demographics.parquet, extract/*.parquet, manifest.json."""

import hashlib
import json
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import activity, organisation, people, reference

GENERATOR_VERSION = "1.1.0"
ROW_GROUP_SIZE = 100_000
_SORT_BASE = people.to_day(date(1900, 1, 1))


def build_county(
    out_dir: Path,
    *,
    seed: int = 20170628,
    scale: float = 1.0,
    extract_date: date = date(2026, 3, 31),
    progress: Callable[[str, float], None] | None = None,
) -> dict:
    """Write Demo County to `out_dir` and return its manifest.

    Same seed and scale give byte-identical files. `scale` shrinks each practice's list
    (at least 20 people); teams and localities always come from the real list sizes.
    """
    out_dir = Path(out_dir)
    (out_dir / "extract").mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def stage(name: str) -> None:
        now = time.perf_counter()
        timings[name] = round(now - clock[0], 3)
        clock[0] = now
        if progress is not None:
            progress(name, timings[name])

    rng = np.random.default_rng(np.random.PCG64(seed))
    files: dict[str, int] = {}

    doc = organisation.organisation_document()
    _write_json(out_dir / "organisation.json", doc)
    stage("organisation")

    pop, practices = people.build_population(rng, scale, extract_date)
    # Shuffle people, then hand out NHS numbers in ascending order: person index order is
    # NHS number order, so sorting rows by person sorts them by NHS number.
    pop = pop.take(rng.permutation(len(pop)))
    nhs = people.nhs_numbers(rng, len(pop))
    nhs_str = pa.array(nhs).cast(pa.string())
    stage("people")

    starts = people.year_starts(extract_date)
    extract_day = people.to_day(extract_date)
    tl = activity.Timeline(pop, starts, extract_day)
    adm = activity.emergency_admissions(rng, tl)
    activity.link_care_home_entries(tl, adm)
    stage("admissions_and_deaths")

    enc = activity.other_encounters(rng, tl, adm)
    stage("encounters")
    cond = activity.conditions_rows(rng, tl, adm, enc)
    meds = activity.medications(rng, tl)
    care = activity.social_care(rng, tl, adm)
    truth = activity.truth(tl)
    stage("conditions_medications_social_care_truth")

    ctx = _Context(nhs_str, extract_day)
    # Both person files share one draw of postcodes.
    ctx.person_columns = _common_person_columns(rng, pop, practices, ctx)
    files["demographics.parquet"] = _write(
        out_dir / "demographics.parquet", _demographics(rng, pop, practices, ctx)
    )
    files["extract/practices.parquet"] = _write(
        out_dir / "extract/practices.parquet", _practices_table(doc)
    )
    files["extract/people.parquet"] = _write(
        out_dir / "extract/people.parquet", _people_table(pop, ctx)
    )
    stage("write_people")
    files["extract/encounters.parquet"] = _write(
        out_dir / "extract/encounters.parquet", _encounters_table(enc, ctx)
    )
    stage("write_encounters")
    files["extract/conditions.parquet"] = _write(
        out_dir / "extract/conditions.parquet", _conditions_table(cond, ctx)
    )
    files["extract/medications.parquet"] = _write(
        out_dir / "extract/medications.parquet", _medications_table(meds, ctx)
    )
    files["extract/social_care.parquet"] = _write(
        out_dir / "extract/social_care.parquet", _social_care_table(care, ctx)
    )
    files["extract/truth.parquet"] = _write(
        out_dir / "extract/truth.parquet", _truth_table(truth, ctx)
    )
    stage("write_other_files")

    manifest = {
        "generator": "joinedcare.synthetic",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "scale": scale,
        "extract_date": extract_date.isoformat(),
        "index_dates": [_iso(d) for d in starts[1:]],
        "row_counts": files,
        "sha256": {name: _sha256(out_dir / name) for name in ["organisation.json", *files]},
        # Timings vary run to run, so they are kept apart from everything compared.
        "timings_seconds": timings,
    }
    _write_json(out_dir / "manifest.json", manifest)
    return manifest


class _Context:
    def __init__(self, nhs_str: pa.Array, extract_day: int) -> None:
        self.nhs_str, self.extract_day = nhs_str, extract_day
        self.person_columns: dict[str, pa.Array] = {}

    def nhs(self, pid: np.ndarray) -> pa.Array:
        return self.nhs_str.take(pa.array(pid, pa.int64()))


def _iso(day: int) -> str:
    return (people.EPOCH + timedelta(days=int(day))).isoformat()


def _write_json(path: Path, doc: dict) -> None:
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _write(path: Path, table: pa.Table) -> int:
    pq.write_table(table, path, row_group_size=ROW_GROUP_SIZE, compression="zstd")
    return table.num_rows


def _order(pid: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Row order by NHS number (person index) then date; stable so ties keep their order."""
    key = pid.astype(np.int64) * (1 << 17) + (day.astype(np.int64) - _SORT_BASE)
    return np.argsort(key, kind="stable")


def _date(days: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    arr = pa.array(days.astype(np.int32), pa.int32(), mask=null)
    return arr.cast(pa.date32())


def _cat(index: np.ndarray, values, null: np.ndarray | None = None) -> pa.Array:
    """A plain string column from small integer codes (fast: decoded in Arrow, not Python)."""
    idx = pa.array(np.asarray(index).astype(np.int32), pa.int32(), mask=null)
    return pa.DictionaryArray.from_arrays(idx, pa.array(list(values), pa.string())).cast(
        pa.string()
    )


def _strings(values: np.ndarray) -> pa.Array:
    uniq, inverse = np.unique(values, return_inverse=True)
    return _cat(inverse, uniq.tolist())


def _postcodes(rng: np.random.Generator, pop, practices) -> pa.Array:
    """Synthetic postcodes in the practice's district: 'DH1 4XQ'-like, never looked up."""
    letters = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
    district = np.array([p.district for p in practices])[pop.practice]
    sector = rng.integers(0, 10, len(pop)).astype(str)
    unit = np.char.add(
        letters[rng.integers(0, 20, len(pop))], letters[rng.integers(0, 20, len(pop))]
    )
    return pa.array(np.char.add(np.char.add(np.char.add(district, " "), sector), unit))


def _common_person_columns(rng, pop, practices, ctx) -> dict:
    areas = reference.lsoas()
    death_null = pop.death >= people.NEVER
    stayed = pop.registered_to >= people.NEVER
    return {
        "nhs_number": ctx.nhs_str,
        "date_of_birth": _date(pop.dob),
        "sex": _cat(pop.sex, people.SEXES.tolist()),
        "postcode": _postcodes(rng, pop, practices),
        "lsoa": _cat(pop.lsoa, [a.code for a in areas]),
        "imd_decile": pa.array(pop.imd.astype(np.int32)),
        "ethnic_category": _cat(pop.ethnic, [e for e, _ in reference.ETHNIC_CATEGORIES]),
        "practice_code": _cat(pop.practice, [p.code for p in practices]),
        "registered_from": _date(pop.registered_from),
        "registered_to": _date(np.where(stayed, 0, pop.registered_to), stayed),
        "date_of_death": _date(np.where(death_null, 0, pop.death), death_null),
    }


def _demographics(rng, pop, practices, ctx) -> pa.Table:
    names = reference.names()
    female, male, family = names["given_female"], names["given_male"], names["family"]
    n = len(pop)
    # 'other' and 'unknown' take a given name from either list.
    use_male = (pop.sex == 1) | ((pop.sex >= 2) & (rng.random(n) < 0.5))
    given = np.where(
        use_male,
        len(female) + rng.integers(0, len(male), n),
        rng.integers(0, len(female), n),
    )
    cols = ctx.person_columns
    return pa.table(
        {
            "nhs_number": cols["nhs_number"],
            "given_name": _cat(given, [*female, *male]),
            "family_name": _cat(rng.integers(0, len(family), n), family),
            "date_of_birth": cols["date_of_birth"],
            "sex": cols["sex"],
            "postcode": cols["postcode"],
            "lsoa": cols["lsoa"],
            "imd_decile": cols["imd_decile"],
            "ethnic_category": cols["ethnic_category"],
            "practice_code": cols["practice_code"],
            "registered_from": cols["registered_from"],
            "registered_to": cols["registered_to"],
            "date_of_death": cols["date_of_death"],
        }
    )


def _people_table(pop, ctx) -> pa.Table:
    cols = ctx.person_columns
    return pa.table(
        {
            "nhs_number": cols["nhs_number"],
            "date_of_birth": cols["date_of_birth"],
            "sex": cols["sex"],
            "practice_code": cols["practice_code"],
            "registered_from": cols["registered_from"],
            "registered_to": cols["registered_to"],
            "postcode": cols["postcode"],
            "lsoa": cols["lsoa"],
            "imd_decile": cols["imd_decile"],
            "ethnic_category": cols["ethnic_category"],
            "date_of_death": cols["date_of_death"],
        }
    )


def _practices_table(doc: dict) -> pa.Table:
    rows = doc["practices"]
    return pa.table(
        {
            "practice_code": [p["code"] for p in rows],
            "practice_name": [p["name"] for p in rows],
            "team_code": [p["team_code"] for p in rows],
            "locality_code": [p["locality_code"] for p in rows],
            "postcode": [p["postcode"] for p in rows],
        }
    )


def _encounters_table(enc: dict, ctx: _Context) -> pa.Table:
    order = _order(enc["pid"], enc["start"])
    pid, setting = enc["pid"][order], enc["setting"][order]
    start, end = enc["start"][order], enc["end"][order]
    method, dest = enc["method"][order], enc["dest"][order]
    inpatient = setting == activity.SETTINGS.index("inpatient")
    # Spells still open at the extract date have no discharge date or destination yet.
    open_spell = inpatient & (end > ctx.extract_day)
    ids = pa.array(np.arange(1, len(pid) + 1, dtype=np.int64)).cast(pa.string())
    return pa.table(
        {
            "nhs_number": ctx.nhs(pid),
            "encounter_id": pc.binary_join_element_wise("E", ids, ""),
            "setting": _cat(setting, activity.SETTINGS),
            "admission_method": _cat(np.maximum(method, 0), activity.METHODS, method < 0),
            "start_date": _date(start),
            "end_date": _date(np.where(open_spell, 0, end), open_spell),
            "discharge_destination": _cat(
                np.maximum(dest, 0), activity.DESTINATIONS, ~inpatient | open_spell
            ),
        }
    )


def _conditions_table(cond: dict, ctx: _Context) -> pa.Table:
    order = _order(cond["pid"], cond["day"])
    return pa.table(
        {
            "nhs_number": ctx.nhs(cond["pid"][order]),
            "code_system": _cat(cond["system"][order], ("snomed", "icd10")),
            "code": _strings(cond["code"][order]),
            "recorded_on": _date(cond["day"][order]),
            "source": _cat(cond["source"][order], activity.SOURCES),
        }
    )


def _medications_table(meds: dict, ctx: _Context) -> pa.Table:
    order = _order(meds["pid"], meds["day"])
    n = len(order)
    return pa.table(
        {
            "nhs_number": ctx.nhs(meds["pid"][order]),
            "code_system": _cat(np.zeros(n), ("bnf",)),
            "code": _strings(meds["code"][order]),
            "issued_on": _date(meds["day"][order]),
        }
    )


def _social_care_table(care: dict, ctx: _Context) -> pa.Table:
    order = _order(care["pid"], care["start"])
    end = care["end"][order]
    return pa.table(
        {
            "nhs_number": ctx.nhs(care["pid"][order]),
            "service": _cat(care["service"][order], activity.SERVICES),
            "start_date": _date(care["start"][order]),
            "end_date": _date(np.maximum(end, 0), end < 0),
        }
    )


def _truth_table(truth: dict, ctx: _Context) -> pa.Table:
    order = _order(truth["pid"], truth["day"])
    return pa.table(
        {
            "nhs_number": ctx.nhs(truth["pid"][order]),
            "index_date": _date(truth["day"][order]),
            "p_emergency_admission_12m": pa.array(truth["p"][order], pa.float64()),
        }
    )
