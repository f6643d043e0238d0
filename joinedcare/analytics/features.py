"""Features per person at an index date, written once in Ibis for every engine.

`features(tables, index_date)` gives one row per person alive and registered at the index
date. Each source table is read in ONE pass: a filter to the longest look-back window, then
one group-by with conditional aggregates for every window, so the cost stays close to a
plain `count(*) group by person` (the benchmark's floor). Window bounds are computed here in
Python and passed as date literals so DuckDB and Spark compare exactly the same values.

Windows are whole calendar months before the index date: the 12-month window at
2025-04-01 is 2024-04-01 <= date < 2025-04-01.
"""

from __future__ import annotations

import calendar
import csv
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import ibis

# Demo County keeps three observed years, so the first training index date has only 12
# months of history behind it; a 24-month window would be truncated there but not at the
# scoring date, shifting the features between fitting and scoring. Pass windows=(6, 12, 24)
# where the extract holds enough history.
DEFAULT_WINDOWS: tuple[int, ...] = (6, 12)

# Encounter counts: feature stem -> (setting, admission_method or None).
ENCOUNTER_COUNTS: dict[str, tuple[str, str | None]] = {
    "ae_attendances": ("ae", None),
    "emergency_admissions": ("inpatient", "emergency"),
    "elective_admissions": ("inpatient", "elective"),
    "outpatient_attendances": ("outpatient", None),
    "gp_contacts": ("gp", None),
    "community_contacts": ("community", None),
}
CARE_HOME_SERVICES = ("residential_care", "nursing_care")
SCORE_COLUMNS = ("efi", "efi_category", "hfrs", "hfrs_band", "charlson", "lace")

CODELIST = Path(__file__).parent / "codelists" / "ltc.snomed.csv"


@dataclass(frozen=True)
class Condition:
    """One long-term condition or frailty deficit and its SNOMED CT codes."""

    key: str
    kind: str  # "ltc" or "frailty"
    name: str
    codes: tuple[str, ...]


@cache
def conditions() -> tuple[Condition, ...]:
    """The LTC and frailty code list (codelists/ltc.snomed.csv), in file order."""
    lines = [ln for ln in CODELIST.read_text().splitlines() if not ln.startswith("#")]
    by_key: dict[str, Condition] = {}
    for row in csv.DictReader(lines):
        old = by_key.get(row["key"])
        codes = (*old.codes, row["snomed"]) if old else (row["snomed"],)
        by_key[row["key"]] = Condition(row["key"], row["kind"], row["name"], codes)
    return tuple(by_key.values())


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier (clamped to the month's last day)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def feature_columns(windows: Sequence[int] = DEFAULT_WINDOWS) -> list[str]:
    """Numeric model inputs, in a fixed order (the model's column order)."""
    cols = ["age", "sex_male", "sex_female", "imd_decile"]
    for w in windows:
        cols += [f"{stem}_{w}m" for stem in ENCOUNTER_COUNTS]
        cols.append(f"bed_days_{w}m")
    cols += [f"ltc_{c.key}" for c in conditions() if c.kind == "ltc"]
    cols += ["ltc_count"]
    cols += [f"frailty_{c.key}" for c in conditions() if c.kind == "frailty"]
    cols += ["frailty_deficit_count", "medicines_12m"]
    cols += ["care_home", "home_care", "reablement_12m", "social_care_services"]
    cols += ["efi", "hfrs", "charlson"]
    return cols


def cohort(tables: Mapping[str, ibis.Table], index_date: date) -> ibis.Table:
    """People alive and registered at the index date, with their practice's team."""
    p = tables["people"]
    here = p.filter(
        p.date_of_birth <= index_date,
        p.registered_from <= index_date,
        p.registered_to.isnull() | (p.registered_to > index_date),
        p.date_of_death.isnull() | (p.date_of_death >= index_date),
    )
    pr = tables["practices"].select("practice_code", "team_code", "locality_code")
    return here.select(
        "pseudonym",
        "practice_code",
        "date_of_birth",
        "sex",
        "imd_decile",
        "ethnic_category",
    ).left_join(pr, "practice_code")


def _age(dob: ibis.Value, day: date) -> ibis.Value:
    """Whole years at `day`: the year difference, less one before the birthday."""
    before_birthday = (dob.month() > day.month) | (
        (dob.month() == day.month) & (dob.day() > day.day)
    )
    return (day.year - dob.year() - before_birthday.cast("int64")).cast("int64")


def _flag(cond: ibis.Value) -> ibis.Value:
    """1 where `cond` holds, else 0 (nulls count as not holding).

    Left as a small integer: a CAST inside each of many aggregates costs DuckDB a third of
    the feature time; sums come back as 64-bit integers anyway and `_finish` casts.
    """
    return ibis.cases((cond, 1), else_=0)


def encounter_features(
    enc: ibis.Table, index_date: date, windows: Sequence[int] = DEFAULT_WINDOWS
) -> ibis.Table:
    """Windowed counts and bed days per person: one filter, one group-by.

    Each row's kind (A&E, emergency admission, ...) and its narrowest window are first
    turned into small integers, so the many conditional aggregates compare integers rather
    than strings: this halves the time on DuckDB.
    """
    windows = tuple(sorted(windows))
    lo = [months_before(index_date, w) for w in windows]
    e = enc.filter(enc.start_date >= lo[-1], enc.start_date < index_date)
    kinds = list(ENCOUNTER_COUNTS)
    kind = ibis.cases(
        *[
            (
                (e.setting == setting) & (e.admission_method == method)
                if method
                else e.setting == setting,
                i,
            )
            for i, (setting, method) in enumerate(ENCOUNTER_COUNTS.values(), start=1)
        ],
        else_=0,
    )
    # bucket = position of the narrowest window holding the row (0 for the shortest).
    bucket = ibis.cases(*[(e.start_date >= d, i) for i, d in enumerate(lo)], else_=len(lo))
    end = ibis.least(e.end_date.fill_null(index_date), ibis.date(index_date))
    stay = ibis.cases((e.setting == "inpatient", end.delta(e.start_date, unit="day")), else_=0)
    k = e.select(
        "pseudonym", kind=kind.cast("int8"), bucket=bucket.cast("int8"), stay=stay.cast("int64")
    )
    metrics = {}
    for b, w in enumerate(windows):
        for i, stem in enumerate(kinds, start=1):
            metrics[f"{stem}_{w}m"] = _flag((k.kind == i) & (k.bucket <= b)).sum()
        metrics[f"bed_days_{w}m"] = ibis.cases((k.bucket <= b, k.stay), else_=0).sum()
    return k.group_by("pseudonym").aggregate(**metrics)


def condition_features(cond: ibis.Table, index_date: date) -> ibis.Table:
    """0/1 flags per LTC and frailty deficit recorded (SNOMED CT) before the index date."""
    items = conditions()
    number = {code: i for i, item in enumerate(items, start=1) for code in item.codes}
    c = cond.filter(
        cond.code_system == "snomed", cond.recorded_on < index_date, cond.code.isin(list(number))
    )
    # As for encounters: one string lookup per row, then integer comparisons per flag.
    k = c.select("pseudonym", item=c.code.substitute(number, else_=0).cast("int16"))
    metrics = {}
    for i, item in enumerate(items, start=1):
        prefix = "ltc" if item.kind == "ltc" else "frailty"
        metrics[f"{prefix}_{item.key}"] = _flag(k.item == i).max()
    return k.group_by("pseudonym").aggregate(**metrics)


def medication_features(meds: ibis.Table, index_date: date) -> ibis.Table:
    """Distinct medicines issued in the 12 months before the index date."""
    m = meds.filter(meds.issued_on >= months_before(index_date, 12), meds.issued_on < index_date)
    return m.group_by("pseudonym").aggregate(medicines_12m=m.code.nunique().cast("int64"))


def social_care_features(sc: ibis.Table, index_date: date) -> ibis.Table:
    """Care home residence and services active at the index date; reablement in 12 months."""
    s = sc.filter(sc.start_date < index_date)
    active = s.end_date.isnull() | (s.end_date >= index_date)
    year_ago = months_before(index_date, 12)
    return s.group_by("pseudonym").aggregate(
        care_home=_flag(active & s.service.isin(list(CARE_HOME_SERVICES))).max(),
        home_care=_flag(active & (s.service == "home_care")).max(),
        reablement_12m=_flag((s.service == "reablement") & (s.start_date >= year_ago)).max(),
        social_care_services=ibis.cases((active, s.service), else_=None).nunique().cast("int64"),
    )


# The published scores (eFI, HFRS, Charlson, LACE) come from joinedcare.analytics.scores.
# A score that is missing stays null, and the model treats null as "not known" (LightGBM
# handles missing values natively). Pass scores=None to leave them out (spec tests).
ScoreHook = Callable[[Mapping[str, ibis.Table], date], ibis.Table | None]


def published_scores(tables: Mapping[str, ibis.Table], index_date: date) -> ibis.Table | None:
    """pseudonym + efi, efi_category, hfrs, hfrs_band, charlson, lace from
    joinedcare.analytics.scores (its Ibis builders), or None without conditions.

    eFI is scored for the whole cohort as a model input (the published index was
    validated in people aged 65+: read it with that in mind for younger people); LACE only
    exists for people discharged in the 30 days before the index date (null otherwise).
    """
    if "conditions" not in tables:
        return None
    from joinedcare.analytics.scores import charlson, efi, hfrs, lace

    # The score builders count records "up to and including" their date; features see only
    # what was recorded BEFORE the index date (an admission on the index date is part of the
    # outcome), so they are asked for the day before.
    index_date = index_date - timedelta(days=1)
    cond = tables["conditions"]
    meds = tables.get("medications")
    parts = []
    if meds is not None:
        people = cohort(tables, index_date).select("pseudonym")
        e = efi.efi_table(people, cond, meds, index_date)
        parts.append(e.select("pseudonym", "efi", "efi_category"))
    parts.append(hfrs.hfrs_table(cond, index_date).select("pseudonym", "hfrs", "hfrs_band"))
    parts.append(charlson.charlson_table(cond, index_date).select("pseudonym", "charlson"))
    lace_t = lace.lace_table(tables["encounters"], cond, index_date)
    parts.append(lace_t.group_by("pseudonym").aggregate(lace=lace_t.lace.max()))
    found = parts[0]
    for part in parts[1:]:
        j = found.outer_join(part, "pseudonym")
        found = j.mutate(pseudonym=j.pseudonym.fill_null(j.pseudonym_right)).drop("pseudonym_right")
    return found


def features(
    tables: Mapping[str, ibis.Table],
    index_date: date,
    windows: Sequence[int] = DEFAULT_WINDOWS,
    *,
    scores: ScoreHook | None = published_scores,
) -> ibis.Table:
    """One row per person alive and registered at `index_date`, ordered by pseudonym."""
    windows = tuple(sorted(set(windows)))
    base = cohort(tables, index_date)
    parts = [encounter_features(tables["encounters"], index_date, windows)]
    if "conditions" in tables:
        parts.append(condition_features(tables["conditions"], index_date))
    if "medications" in tables:
        parts.append(medication_features(tables["medications"], index_date))
    if "social_care" in tables:
        parts.append(social_care_features(tables["social_care"], index_date))
    score_table = scores(tables, index_date) if scores is not None else None
    if score_table is not None:
        parts.append(score_table)
    t = base
    for part in parts:
        # A left join keeps the right key as pseudonym_right; drop it so the next join's
        # key does not collide with it.
        t = t.left_join(part, "pseudonym").drop("pseudonym_right")
    return _finish(t, index_date, windows).order_by("pseudonym")


def _finish(t: ibis.Table, index_date: date, windows: Sequence[int]) -> ibis.Table:
    """Final columns: zero-filled counts, derived totals and typed score columns."""
    counts = [c for c in feature_columns(windows) if c not in _NOT_COUNTS]
    filled = {
        c: (t[c].fill_null(0) if c in t.columns else ibis.literal(0)).cast("int64") for c in counts
    }
    ltc = [f"ltc_{c.key}" for c in conditions() if c.kind == "ltc"]
    frail = [f"frailty_{c.key}" for c in conditions() if c.kind == "frailty"]
    filled["ltc_count"] = sum((filled[c] for c in ltc), ibis.literal(0)).cast("int64")
    filled["frailty_deficit_count"] = sum((filled[c] for c in frail), ibis.literal(0)).cast("int64")
    score_types = {
        "efi": "float64",
        "efi_category": "string",
        "hfrs": "float64",
        "hfrs_band": "string",
        "charlson": "int64",
        "lace": "int64",
    }
    scores = {
        c: (t[c] if c in t.columns else ibis.null()).cast(dtype) for c, dtype in score_types.items()
    }
    # HFRS and Charlson score 0 for people with no hospital diagnoses in their look-back. The
    # builders return rows only for people with ANY condition record, future ones included,
    # so a null there would tell the model who is admitted AFTER the index date: fill it.
    if "hfrs" in t.columns:
        scores["hfrs"] = scores["hfrs"].fill_null(0.0)
        scores["hfrs_band"] = scores["hfrs_band"].fill_null("low")
    if "charlson" in t.columns:
        scores["charlson"] = scores["charlson"].fill_null(0)
    return t.select(
        "pseudonym",
        "practice_code",
        "team_code",
        "locality_code",
        "ethnic_category",
        age=_age(t.date_of_birth, index_date),
        sex=t.sex,
        sex_male=_flag(t.sex == "male"),
        sex_female=_flag(t.sex == "female"),
        imd_decile=t.imd_decile.cast("int64"),
        **{c: filled[c] for c in [*counts, "ltc_count", "frailty_deficit_count"]},
        **scores,
    )


_NOT_COUNTS = {
    "age",
    "sex_male",
    "sex_female",
    "imd_decile",
    "ltc_count",
    "frailty_deficit_count",
    "efi",
    "hfrs",
    "charlson",
}


def outcome(tables: Mapping[str, ibis.Table], index_date: date, months: int = 12) -> ibis.Table:
    """The training label: any emergency inpatient admission starting in the `months` after
    the index date (index <= start < index + months), per person of the cohort."""
    end = months_before(index_date, -months)
    e = tables["encounters"]
    adm = e.filter(
        e.setting == "inpatient",
        e.admission_method == "emergency",
        e.start_date >= index_date,
        e.start_date < end,
    )
    got = adm.group_by("pseudonym").aggregate(admitted=adm.count())
    c = cohort(tables, index_date).select("pseudonym")
    j = c.left_join(got, "pseudonym").drop("pseudonym_right")
    return j.select("pseudonym", emergency_admission=_flag(j.admitted.fill_null(0) > 0)).order_by(
        "pseudonym"
    )
