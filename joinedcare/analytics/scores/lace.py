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
(`codelists/charlson/lace_charlson.csv`, see its PROVENANCE.md), not Quan 2011's: previous
myocardial infarction, cerebrovascular disease, peripheral vascular disease, diabetes
without complications 1; congestive heart failure, diabetes with end-organ damage,
chronic pulmonary disease, mild liver or renal disease, any tumour (including lymphoma or
leukaemia) 2; dementia, connective tissue disease 3; AIDS, moderate or severe liver or
renal disease 4; metastatic solid tumour 6. The conditions are found with the Quan 2005
ICD-10 codes and hierarchy (`charlson.py`); Quan's renal category is Charlson's moderate
or severe renal disease (chronic renal failure, dialysis, transplant), so it scores 4;
peptic ulcer and hemiplegia are not in LACE's table and score 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

import ibis
import pyarrow.compute as pc
from ibis.expr.types import Table

from joinedcare.analytics.codelists import charlson_quan, lace_charlson_weights
from joinedcare.analytics.scores._codes import coded_rows
from joinedcare.analytics.scores.charlson import charlson, item_codes, weighted_sum

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


def last_discharges(
    encounters: Table, index_date: dt.date, *, with_encounter_id: bool = True
) -> Table:
    """Each person's last inpatient discharge in the 30 days up to the index date.

    Ties on discharge date go to the later admission, then the emergency one, then the
    larger encounter id, so the choice is deterministic on every engine. Stays tied on all
    but the id score the same LACE, so `with_encounter_id=False` (which spares reading the
    id column, most of an encounters file) gives every person the same score.
    """
    start = index_date - dt.timedelta(days=DISCHARGE_WINDOW_DAYS)
    stays = encounters.filter(
        encounters.setting == "inpatient",
        encounters.start_date.notnull(),
        encounters.end_date >= ibis.literal(start),
        encounters.end_date <= ibis.literal(index_date),
    )
    ids = ["encounter_id"] if with_encounter_id else []
    stays = stays.select(
        "pseudonym",
        *ids,
        "start_date",
        "end_date",
        acute=(stays.admission_method == "emergency").fill_null(False),
    )
    order = [ibis.desc("end_date"), ibis.desc("start_date"), ibis.desc("acute")]
    order += [ibis.desc(c) for c in ids]
    ranked = stays.mutate(rank=ibis.row_number().over(group_by="pseudonym", order_by=order))
    return ranked.filter(ranked.rank == 0).drop("rank")


def _scored(
    stays: Table,
    encounters: Table,
    conditions: Table,
    index_date: dt.date,
    ae_since: dt.date | None = None,
) -> Table:
    """LACE's inputs and points per stay, as one chain of joins from `stays`.

    Each step consumes the previous result once, so the stays (a scan of the whole
    encounters file) are computed once; joining `stays` to its own derived tables would
    make engines that do not share subqueries scan for them three times. `ae_since`, no
    later than 183 days before the earliest admission, spares reading older A&E rows.
    """
    keys = stays.columns
    ae = encounters.filter(encounters.setting == "ae", encounters.start_date.notnull())
    if ae_since is not None:
        ae = ae.filter(ae.start_date >= ibis.literal(ae_since))
    ae = ae.select(ae_person="pseudonym", ae_date="start_date")
    gap = stays.start_date.delta(ae.ae_date, unit="day")
    # Days 1-183 before admission: the attendance on the day of admission is the one that
    # led to it, part of the index stay rather than a previous visit.
    ed = stays.left_join(ae, [stays.pseudonym == ae.ae_person, gap >= 1, gap <= ED_LOOKBACK_DAYS])
    ed = ed.group_by(keys).aggregate(ed_visits=ed.ae_date.count())
    # Only diagnoses that can fall in some stay's window are expanded and matched.
    earliest = index_date - dt.timedelta(days=DISCHARGE_WINDOW_DAYS + COMORBIDITY_LOOKBACK_DAYS)
    codes = [replace(c, since=earliest) for c in item_codes(None)]
    dx, ids = coded_rows(conditions, codes, index_date)
    dx = dx.select(dx_person="pseudonym", recorded_on="recorded_on", item="item")
    age = ed.end_date.delta(dx.recorded_on, unit="day")
    window = [ed.pseudonym == dx.dx_person, age >= 0, age <= COMORBIDITY_LOOKBACK_DAYS]
    with_dx = ed.left_join(dx, window)
    flags = {
        c.condition: (with_dx.item == ids[f"charlson:{c.condition}"]).any() for c in charlson_quan()
    }
    found = with_dx.group_by([*keys, "ed_visits"]).aggregate(**flags)
    out = found.select(
        *[k for k in keys if k not in ("start_date", "end_date", "acute")],
        admission_date=found.start_date,
        discharge_date=found.end_date,
        length_of_stay_days=found.end_date.delta(found.start_date, unit="day"),
        acute=found.acute,
        charlson_points=weighted_sum(found, lace_charlson_weights()).cast("int64"),
        ed_visits_6m=found.ed_visits.cast("int64"),
    )
    return out.mutate(lace=_lace_expr(out))


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
    return _scored(stays, encounters, conditions, index_date)


def lace_by_person(encounters: Table, conditions: Table, index_date: dt.date) -> Table:
    """pseudonym, lace: `lace_table`'s scores without naming the stay (cheaper to read).

    The month's few discharges are read first (a query of their own): their earliest
    admission bounds the A&E rows the E component reads, which otherwise span the whole
    extract (at a million people with encounters in date order: 260,000 A&E rows read, not
    990,000, and the feature query's CPU time 4.2 s -> 3.8 s).
    """
    stays = last_discharges(encounters, index_date, with_encounter_id=False).to_pyarrow()
    earliest = pc.min(stays["start_date"]).as_py() or index_date
    since = earliest - dt.timedelta(days=ED_LOOKBACK_DAYS)
    scored = _scored(ibis.memtable(stays), encounters, conditions, index_date, since)
    return scored.select("pseudonym", "lace")


def _lace_expr(t: Table) -> ibis.Value:
    los = t.length_of_stay_days
    l_points = ibis.cases((los < 1, 0), (los <= 3, los), (los <= 6, 4), (los <= 13, 5), else_=7)
    a_points = t.acute.ifelse(3, 0)
    c_points = (t.charlson_points < 4).ifelse(t.charlson_points, 5)
    e_points = (t.ed_visits_6m < 4).ifelse(t.ed_visits_6m, 4)
    return (l_points + a_points + c_points + e_points).cast("int64")
