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
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import ibis

from joinedcare.analytics.schema import MEDICATION_CODE_SYSTEMS
from joinedcare.analytics.scores import charlson, efi, hfrs, lace
from joinedcare.analytics.scores._codes import ItemCode, Matched, bit_count, bit_or, coded_rows

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
    """1 where `cond` holds, else 0 (nulls count as not holding)."""
    return ibis.cases((cond, 1), else_=0)


def encounter_features(
    enc: ibis.Table, index_date: date, windows: Sequence[int] = DEFAULT_WINDOWS
) -> ibis.Table:
    """Windowed counts and bed days per person: one filter, one group-by.

    Each row's kind (A&E, emergency admission, ...) and its narrowest window are first
    turned into small integers, so the many conditional aggregates compare integers rather
    than strings; counts are `count(*) FILTER (...)`, which DuckDB keeps as 64-bit integers
    (a sum of flags would come back as 128-bit and cost a conversion per column).
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
    # Null, not 0, outside inpatient stays: the bed-day sums then skip most rows (-4% for
    # that group-by); a person without a stay gets 0 from `_finish`.
    stay = ibis.cases((e.setting == "inpatient", end.delta(e.start_date, unit="day")))
    k = e.select(
        "pseudonym", kind=kind.cast("int8"), bucket=bucket.cast("int8"), stay=stay.cast("int64")
    )
    metrics = {}
    for b, w in enumerate(windows):
        # Every row is inside the longest window (filtered above): no bucket test there.
        inside = k.bucket <= b if b < len(windows) - 1 else None
        for i, stem in enumerate(kinds, start=1):
            kind = k.kind == i
            metrics[f"{stem}_{w}m"] = k.count(where=kind if inside is None else kind & inside)
        metrics[f"bed_days_{w}m"] = k.stay.sum(where=inside)
    return k.group_by("pseudonym").aggregate(**metrics)


def condition_codes(index_date: date, *, scores: bool) -> list[ItemCode]:
    """The one code -> item table of the conditions pass: LTC and frailty flags (SNOMED CT,
    recorded before the index date) and, with `scores`, eFI deficits, HFRS groups and
    Charlson conditions as their builders define them (asked for the day before).

    Items read back from a mask carry their bit (`condition_bits`, `efi_bits`).
    """
    bit = condition_bits()
    codes = [
        ItemCode("snomed", code, f"{c.kind}:{c.key}", bit=bit[f"{c.kind}:{c.key}"])
        for c in conditions()
        for code in c.codes
    ]
    if scores:
        day = index_date - timedelta(days=1)
        charlson_codes = [replace(c, bit=bit[c.item]) for c in charlson.item_codes(day)]
        codes += [*_efi_codes(), *hfrs.item_codes(day), *charlson_codes]
    return codes


@cache
def condition_bits() -> dict[str, int]:
    """Item -> its bit of the 64-bit `condition_mask`: every LTC and frailty flag
    ("ltc:copd"), then every Charlson condition.

    The mask travels through the joins as one column and is read back into flags at the
    end: as 24 flag columns they made that join three times as costly.
    """
    items = [f"{c.kind}:{c.key}" for c in conditions()]
    items += [f"charlson:{c}" for c in charlson.quan_weights()]
    return _bits(items)


@cache
def efi_bits() -> dict[str, int]:
    """eFI deficit item ("efi:falls") -> its bit of the `efi_mask` (coded deficits only)."""
    return _bits([f"efi:{d}" for d in efi.CODED_DEFICITS])


def _bits(items: Sequence[str]) -> dict[str, int]:
    if len(items) > 63:
        raise ValueError(f"{len(items)} flagged items do not fit one 64-bit mask")
    return {item: 1 << i for i, item in enumerate(items)}


@cache
def _efi_codes() -> tuple[ItemCode, ...]:
    # Thousands of rows: given their bits once per process, not at every index date.
    bit = efi_bits()
    return tuple(replace(c, bit=bit[c.item]) for c in efi.item_codes())


def condition_features(cond: ibis.Table, index_date: date, *, scores: bool = False) -> ibis.Table:
    """One pass over conditions: each person's `condition_mask` of LTC and frailty deficits
    recorded (SNOMED CT) before the index date (`condition_bits`; `_finish` reads the flags
    from it) and, with `scores`, their score inputs: coded eFI deficits (`efi_coded`),
    summed HFRS weights in tenths (`hfrs_tenths`) and the Charlson index (`charlson`, Quan
    2011 weights).

    Flags and eFI deficits are `bit_or` masks, which a code recorded twice cannot
    overcount, so the matched rows need no DISTINCT (at a million people that DISTINCT
    kept 2.65 M of 2.84 M rows and cost a third of the pass). HFRS weights must be summed
    once per group, so its rows alone are grouped per person and group first; the other
    rows share one group per person there. The Charlson index is summed here, on the
    people with a record, so its 17 conditions are not carried through the joins.
    """
    codes = condition_codes(index_date, scores=scores)
    t, ids = coded_rows(cond, codes, index_date - timedelta(days=1))
    if not scores:
        return t.group_by("pseudonym").aggregate(condition_mask=bit_or(t.bit))
    found = Matched(t, ids)
    is_efi = t.item.between(*found.id_range("efi:"))
    hfrs_item = ibis.cases((t.item.between(*found.id_range("hfrs:")), t.item), else_=0)
    g = t.group_by("pseudonym", hfrs_item=hfrs_item).aggregate(
        flags=bit_or(t.bit, where=~is_efi),
        deficits=bit_or(t.bit, where=is_efi),
        tenths=t.tenths.max(),
    )
    agg = g.group_by("pseudonym").aggregate(
        condition_mask=bit_or(g.flags), efi_mask=bit_or(g.deficits), hfrs_tenths=g.tenths.sum()
    )
    bit = condition_bits()
    present = {c: (agg.condition_mask & bit[f"charlson:{c}"]) != 0 for c in charlson.quan_weights()}
    return agg.select(
        "pseudonym",
        "condition_mask",
        "hfrs_tenths",
        efi_coded=bit_count(agg.efi_mask).cast("int64"),
        charlson=charlson.weighted_sum(present, charlson.quan_weights()),
    )


def medication_features(meds: ibis.Table, index_date: date, *, scores: bool = False) -> ibis.Table:
    """Distinct medicines issued in the 12 months before the index date and, with `scores`,
    the eFI's polypharmacy deficit as of the day before (`efi.polypharmacy`'s rule: five or
    more distinct code-system and code pairs issued in the 365 days up to that day).

    One pass for both: each person's medicines with the day each was last issued and a flag
    per code system. Both windows end the day before the index date, so a medicine was
    issued in a window exactly when it was last issued on or after the window's first day.
    At a million people this pass took 0.37 s; two passes, or one with a count of distinct
    codes, 0.57 s.
    """
    year_ago = months_before(index_date, 12)
    poly_since = efi.polypharmacy_since(index_date - timedelta(days=1))
    since = min(year_ago, poly_since) if scores else year_ago
    m = meds.filter(meds.issued_on >= since, meds.issued_on < index_date)
    per_medicine = {"last": m.issued_on.max()}
    if scores:
        for system in MEDICATION_CODE_SYSTEMS:
            issued = (m.code_system == system) & (m.issued_on >= poly_since)
            per_medicine[system] = _flag(issued).max()
    g = m.group_by(["pseudonym", "code"]).aggregate(**per_medicine)
    metrics = {"medicines_12m": g.count(where=g.last >= year_ago)}
    if scores:
        metrics["poly_pairs"] = sum((g[s] for s in MEDICATION_CODE_SYSTEMS), ibis.literal(0)).sum()
    agg = g.group_by("pseudonym").aggregate(**metrics)
    if not scores:
        return agg
    return agg.select(
        "pseudonym",
        "medicines_12m",
        polypharmacy=_flag(agg.poly_pairs >= efi.POLYPHARMACY_MEDICINES),
    )


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


def published_scores(tables: Mapping[str, ibis.Table], index_date: date) -> ibis.Table | None:
    """pseudonym + efi, efi_category, hfrs, hfrs_band, charlson, lace for the cohort at
    the index date (from `features`, which computes them in its passes), or None without
    conditions.

    Passed as `features(..., scores=published_scores)` it only says "with the scores".
    """
    if "conditions" not in tables:
        return None
    return features(tables, index_date, scores=True).select("pseudonym", *SCORE_COLUMNS)


def features(
    tables: Mapping[str, ibis.Table],
    index_date: date,
    windows: Sequence[int] = DEFAULT_WINDOWS,
    *,
    scores: bool | Callable[..., object] | None = True,
) -> ibis.Table:
    """One row per person alive and registered at `index_date`, ordered by pseudonym.

    Conditions are read once for the LTC flags and every score input. With `scores` (the
    default; None or False leaves them out, as the spec tests do; `published_scores`, the
    former hook, still reads as "with them") the published scores come from that pass
    (eFI deficits, HFRS groups, Charlson conditions), the medications pass (polypharmacy)
    and LACE's pass over the last discharges, with the arithmetic from
    `joinedcare.analytics.scores`.
    They are asked for the day before the index date (their windows include their end
    day; an admission on the index date belongs to the outcome). eFI is scored for the
    whole cohort as a model input (it was validated in people aged 65+); LACE exists only
    for people discharged in the 30 days before the index date (null otherwise).
    """
    windows = tuple(sorted(set(windows)))
    with_scores = bool(scores) and "conditions" in tables
    base = cohort(tables, index_date)
    parts = [encounter_features(tables["encounters"], index_date, windows)]
    if "conditions" in tables:
        parts.append(condition_features(tables["conditions"], index_date, scores=with_scores))
    if "medications" in tables:
        parts.append(medication_features(tables["medications"], index_date, scores=with_scores))
    if "social_care" in tables:
        parts.append(social_care_features(tables["social_care"], index_date))
    if with_scores:
        day = index_date - timedelta(days=1)
        parts.append(lace.lace_by_person(tables["encounters"], tables["conditions"], day))
    t = base
    for i, part in enumerate(parts):
        # One join chain, each right key renamed apart and dropped once at the end: a
        # projection between joins makes Ibis re-walk the whole expression per join (a
        # third of a second at every index date).
        t = t.left_join(part, "pseudonym", rname=f"{{name}}_{i}")
    t = t.select(*[c for c in t.columns if not c.startswith("pseudonym_")])
    # Sorted before `_finish` derives the final columns: the sort then carries the joined
    # inputs (one condition mask, not 24 flags and the derived scores), and the feature
    # stage at a million people is 10% faster. A projection keeps row order on DuckDB and
    # Spark (test_rows_come_in_pseudonym_order_whatever_order_people_are_stored_in).
    return _finish(t.order_by("pseudonym"), index_date, windows, scores=with_scores)


def _scores(t: ibis.Table) -> dict[str, ibis.Value]:
    """The published scores from the passes' inputs; people without a record score 0."""
    out: dict[str, ibis.Value] = {}
    if "polypharmacy" in t.columns:
        n = t.efi_coded.fill_null(0) + t.polypharmacy.fill_null(0)
        found = efi.scored(n)
        out.update(efi=found["efi"], efi_category=found["efi_category"])
    else:
        out.update(efi=ibis.null("float64"), efi_category=ibis.null("string"))
    out.update(hfrs.scored(t.hfrs_tenths.fill_null(0)))
    out["charlson"] = t.charlson.fill_null(0).cast("int64")
    out["lace"] = t.lace.cast("int64")
    return out


def _finish(t: ibis.Table, index_date: date, windows: Sequence[int], *, scores: bool) -> ibis.Table:
    """Final columns: zero-filled counts, derived totals and typed score columns.

    Counts and flags are 32-bit: half the bytes to sort and collect, which made the feature
    stage 5% faster at a million people; no count comes near 2**31.
    """
    counts = [c for c in feature_columns(windows) if c not in _NOT_COUNTS]
    filled = {c: t[c].fill_null(0) if c in t.columns else ibis.literal(0) for c in counts}
    mask = t.condition_mask.fill_null(0) if "condition_mask" in t.columns else ibis.literal(0)
    bit = condition_bits()
    for c in conditions():
        filled[f"{c.kind}_{c.key}"] = _flag((mask & bit[f"{c.kind}:{c.key}"]) != 0)
    for kind, count in (("ltc", "ltc_count"), ("frailty", "frailty_deficit_count")):
        # One bit count, not a sum of the flags: a shorter query and cheaper arithmetic.
        filled[count] = bit_count(
            mask & sum(bit[f"{c.kind}:{c.key}"] for c in conditions() if c.kind == kind)
        )
    filled = {c: v.cast("int32") for c, v in filled.items()}
    score_types = {
        "efi": "float64",
        "efi_category": "string",
        "hfrs": "float64",
        "hfrs_band": "string",
        "charlson": "int64",
        "lace": "int64",
    }
    found = _scores(t) if scores else {}
    typed = {c: found.get(c, ibis.null()).cast(dtype) for c, dtype in score_types.items()}
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
        **typed,
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
