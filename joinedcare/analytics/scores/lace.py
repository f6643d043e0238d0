"""LACE index for early death or unplanned readmission after discharge.

van Walraven C, Dhalla IA, Bell C, et al. Derivation and validation of an index to
predict early death or unplanned readmission after discharge from hospital to the
community. CMAJ 2010;182(6):551-7. doi:10.1503/cmaj.091117. Points (the paper's LACE
index table):

- L, length of stay in days: <1 -> 0, 1 -> 1, 2 -> 2, 3 -> 3, 4-6 -> 4, 7-13 -> 5, >=14 -> 7
- A, acute (emergent) admission: 3
- C, Charlson comorbidity index score: 0-3 -> same, >=4 -> 5
- E, emergency department visits in the previous 6 months: 0-3 -> same, >=4 -> 4

so the index runs from 0 to 19. The C component uses the paper's own Charlson weights
(`codelists/charlson/lace_charlson.csv`, see its PROVENANCE.md), not Quan 2011's; the
conditions are found with the Quan 2005 ICD-10 codes and hierarchy (`charlson.py`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import ibis
from ibis.expr.types import Table

from joinedcare.analytics.codelists import lace_charlson_weights
from joinedcare.analytics.scores._windows import HOSPITAL_SOURCES
from joinedcare.analytics.scores.charlson import charlson, condition_flags, weighted_sum

DISCHARGE_WINDOW_DAYS = 30  # people discharged in the 30 days up to the index date
ED_LOOKBACK_DAYS = 183  # "the previous 6 months" as whole days
COMORBIDITY_LOOKBACK_DAYS = 365  # hospital diagnoses in the year up to discharge


def length_of_stay_points(days: int) -> int:
    """L: points for length of stay in whole days."""
    if days < 1:
        return 0
    if days <= 3:
        return days
    if days <= 6:
        return 4
    if days <= 13:
        return 5
    return 7


def acuity_points(acute: bool) -> int:
    """A: 3 points for an acute (emergency) admission."""
    return 3 if acute else 0


def comorbidity_points(charlson_points: int) -> int:
    """C: the Charlson score, with 4 or more worth 5."""
    return charlson_points if charlson_points < 4 else 5


def ed_points(ed_visits_6m: int) -> int:
    """E: emergency department visits in the previous 6 months, capped at 4."""
    return min(ed_visits_6m, 4)


def lace(length_of_stay_days: int, acute: bool, charlson_points: int, ed_visits_6m: int) -> int:
    """The LACE index (0-19) from its four inputs."""
    return (
        length_of_stay_points(length_of_stay_days)
        + acuity_points(acute)
        + comorbidity_points(charlson_points)
        + ed_points(ed_visits_6m)
    )


def lace_charlson(icd10_codes: Iterable[str]) -> int:
    """Charlson points for LACE's C: Quan 2005 conditions, LACE paper weights."""
    return charlson(icd10_codes, weights=lace_charlson_weights())


def last_discharges(encounters: Table, index_date: dt.date) -> Table:
    """Each person's last inpatient discharge in the 30 days up to the index date.

    Ties on discharge date go to the later admission, then the larger encounter id, so
    the choice is deterministic on every engine.
    """
    start = index_date - dt.timedelta(days=DISCHARGE_WINDOW_DAYS)
    stays = encounters.filter(
        encounters.setting == "inpatient",
        encounters.start_date.notnull(),
        encounters.end_date >= ibis.literal(start),
        encounters.end_date <= ibis.literal(index_date),
    )
    order = [ibis.desc("end_date"), ibis.desc("start_date"), ibis.desc("encounter_id")]
    ranked = stays.mutate(rank=ibis.row_number().over(group_by="pseudonym", order_by=order))
    return ranked.filter(ranked.rank == 0).drop("rank")


def _ed_visits(stays: Table, encounters: Table) -> Table:
    ae = encounters.filter(encounters.setting == "ae", encounters.start_date.notnull())
    ae = ae.select(pseudonym="pseudonym", ae_date="start_date")
    joined = stays.join(ae, "pseudonym")
    gap = joined.start_date.delta(joined.ae_date, unit="day")
    # Days 1-183 before admission: the attendance on the day of admission is the one that
    # led to it, part of the index stay rather than a previous visit.
    prior = joined.filter(gap >= 1, gap <= ED_LOOKBACK_DAYS)
    return prior.group_by("encounter_id").aggregate(ed_visits=prior.ae_date.count())


def _comorbidity(stays: Table, conditions: Table) -> Table:
    dx = conditions.filter(
        conditions.code_system == "icd10", conditions.source.isin(HOSPITAL_SOURCES)
    )
    dx = dx.select("pseudonym", "recorded_on", code=dx.code.strip().upper().replace(".", ""))
    joined = stays.select("pseudonym", "encounter_id", "end_date").join(dx, "pseudonym")
    age = joined.end_date.delta(joined.recorded_on, unit="day")
    window = joined.filter(age >= 0, age <= COMORBIDITY_LOOKBACK_DAYS)
    # Keyed by encounter so condition_flags groups per stay (one stay per person here).
    flags = condition_flags(window.select(pseudonym="encounter_id", code="code"))
    points = weighted_sum(flags, lace_charlson_weights())
    return flags.select(encounter_id="pseudonym", charlson_points=points)


def lace_table(encounters: Table, conditions: Table, index_date: dt.date) -> Table:
    """LACE for people whose last inpatient discharge was in the 30 days to `index_date`.

    Columns: pseudonym, encounter_id, admission_date, discharge_date,
    length_of_stay_days, acute, charlson_points, ed_visits_6m, lace.
    Length of stay is discharge date minus admission date in days (same-day stays are
    0); acute means admission_method 'emergency'; Charlson points use hospital ICD-10
    diagnoses recorded in the 365 days up to and including the discharge date; ED visits
    are A&E encounters starting 1-183 days before the admission date.
    """
    stays = last_discharges(encounters, index_date)
    ed = _ed_visits(stays, encounters)
    comorbid = _comorbidity(stays, conditions)
    joined = stays.left_join(ed, "encounter_id").left_join(comorbid, "encounter_id")
    out = joined.select(
        "pseudonym",
        "encounter_id",
        admission_date=joined.start_date,
        discharge_date=joined.end_date,
        length_of_stay_days=joined.end_date.delta(joined.start_date, unit="day"),
        acute=(joined.admission_method == "emergency").fill_null(False),
        charlson_points=ibis.coalesce(joined.charlson_points, 0).cast("int64"),
        ed_visits_6m=ibis.coalesce(joined.ed_visits, 0).cast("int64"),
    )
    return out.mutate(lace=_lace_expr(out))


def _lace_expr(t: Table) -> ibis.Value:
    los = t.length_of_stay_days
    l_points = ibis.cases((los < 1, 0), (los <= 3, los), (los <= 6, 4), (los <= 13, 5), else_=7)
    a_points = t.acute.ifelse(3, 0)
    c_points = (t.charlson_points < 4).ifelse(t.charlson_points, 5)
    e_points = (t.ed_visits_6m < 4).ifelse(t.ed_visits_6m, 4)
    return (l_points + a_points + c_points + e_points).cast("int64")
