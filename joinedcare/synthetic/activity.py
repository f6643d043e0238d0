"""Demo County's activity: admissions, deaths, contacts, diagnoses, medicines, social care, truth.

Every table is a dict of equal-length numpy arrays with a `pid` column (person index, which is
also the NHS number order) and int day columns; `county.py` turns them into Parquet.
"""

import numpy as np

from . import reference
from .people import NEVER, YEAR_DAYS, Population, base_log_rate

SETTINGS = ("gp", "ae", "inpatient", "outpatient", "community")
METHODS = ("emergency", "elective", "other")
DESTINATIONS = ("usual_residence", "care_home", "died", "other")
SERVICES = (
    "home_care",
    "reablement",
    "residential_care",
    "nursing_care",
    "day_care",
    "equipment",
    "telecare",
    "direct_payment",
    "other",
)
SOURCES = ("gp", "inpatient", "outpatient", "ae", "community")
ELECTIVE_DIAGNOSES = ("H259", "K409", "M171", "K573", "Z511", "N40", "K802")


class Timeline:
    """Per person and year: the days each person was here, and their state at the year start.

    A person is here from the later of birth and registration until the earlier of death
    and leaving the practice; nothing is recorded on or after the day they left.
    """

    def __init__(self, pop: Population, starts: np.ndarray, extract_day: int) -> None:
        self.pop, self.starts, self.extract_day = pop, starts, extract_day
        conds = reference.conditions()
        self.ltc_cols = np.array([c.kind == "ltc" for c in conds])
        n = len(pop)
        self.lo = np.zeros((n, 3), dtype=np.int64)
        self.age = np.zeros((n, 3))
        self.n_ltc = np.zeros((n, 3))
        self.n_def = np.zeros((n, 3))
        self.care_home = np.zeros((n, 3), dtype=bool)
        for t in range(3):
            s = starts[t]
            self.lo[:, t] = np.maximum(s, np.maximum(pop.registered_from, pop.dob))
            self.age[:, t] = np.clip((s - pop.dob) / YEAR_DAYS, 0, None)
            present = pop.onset < s
            self.n_ltc[:, t] = present[:, self.ltc_cols].sum(axis=1)
            self.n_def[:, t] = present[:, ~self.ltc_cols].sum(axis=1)
            self.care_home[:, t] = pop.care_home_from < s
        self.year_end = (starts[1:4] - 1)[None, :].repeat(n, axis=0)
        # Last day registered in each year (the year's end unless the person left in it).
        self.last = np.minimum(self.year_end, pop.registered_to[:, None] - 1)

    def hi(self) -> np.ndarray:
        """Last day here in each year (year end, leaving, death or extract date)."""
        return np.minimum(self.last, self.pop.death[:, None])

    def gone(self) -> np.ndarray:
        """Last day anything can be recorded: death, the day before leaving, or NEVER."""
        pop = self.pop
        return np.where(pop.registered_to < NEVER, pop.registered_to - 1, pop.death)


def _group_starts(keys: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.diff(keys, prepend=keys[:1] - 1) != 0) if len(keys) else keys


def emergency_admissions(rng: np.random.Generator, tl: Timeline) -> dict:
    """Place each year's emergency admissions in time, then the deaths after them."""
    pop = tl.pop
    rows = []
    for t in range(3):
        k = pop.admissions[:, t]
        pid = np.repeat(np.arange(len(pop)), k)
        lo, end_of_year = tl.lo[pid, t], tl.last[pid, t]
        start = lo + (rng.random(len(pid)) * (end_of_year - lo + 1)).astype(np.int64)
        order = np.lexsort((start, pid))
        pid, start, end_of_year = pid[order], start[order], end_of_year[order]
        age = tl.age[pid, t]
        # Length of stay rises with age: many zero-day stays, a long tail in the old.
        mean_los = 0.8 + 0.11 * np.clip(age - 15, 0, 80)
        los = rng.poisson(rng.gamma(0.8, mean_los / 0.8))
        first = _group_starts(pid)
        rank = np.arange(len(pid)) - np.repeat(first, np.diff(np.append(first, len(pid))))
        end = start + los
        # Admissions of one person follow each other; a quarter of repeats are readmissions
        # within 30 days of the previous discharge.
        for r in range(1, int(rank.max(initial=0)) + 1):
            i = np.flatnonzero(rank == r)
            prev_end = end[i - 1]
            readmit = rng.random(len(i)) < 0.25
            new_start = np.where(
                readmit,
                prev_end + 1 + rng.integers(0, 30, len(i)),
                np.maximum(start[i], prev_end + 1),
            )
            start[i] = np.minimum(new_start, end_of_year[i])
            end[i] = start[i] + los[i]
        dest = np.where(rng.random(len(pid)) < 0.03, 3, 0)
        rows.append(_place_deaths(rng, tl, t, pid, start, end, dest, first))
    return {k: np.concatenate([r[k] for r in rows]) for k in rows[0]}


def _place_deaths(rng, tl, t, pid, start, end, dest, first) -> dict:
    """Deaths never come before an admission of their year, so the truth stays exact."""
    pop = tl.pop
    year_end = tl.year_end[0, t]
    dying = np.flatnonzero(pop.death_year == t)
    pop.death[dying] = tl.lo[dying, t] + (
        rng.random(len(dying)) * (year_end - tl.lo[dying, t] + 1)
    ).astype(np.int64)
    if len(pid):
        last = np.append(first[1:], len(pid)) - 1
        last_end = np.maximum.reduceat(end, first)
        group_pid = pid[first]
        dies = pop.death_year[group_pid] == t
        in_hospital = dies & (rng.random(len(first)) < 0.55)
        after = dies & ~in_hospital
        gap = (rng.random(len(first)) * (year_end - last_end)).astype(np.int64)
        pop.death[group_pid[after]] = np.minimum(last_end + 1 + gap, year_end)[after]
        death_day = np.minimum(last_end, year_end)
        pop.death[group_pid[in_hospital]] = death_day[in_hospital]
        dest[last[in_hospital]] = 2
        # Nobody is discharged after their death.
        end = np.minimum(end, pop.death[pid])
    return {"pid": pid, "start": start, "end": end, "dest": dest, "year": np.full(len(pid), t)}


def link_care_home_entries(tl: Timeline, adm: dict) -> None:
    """A care home entry within 180 days of an emergency discharge starts at that discharge.

    Only moved within the same year, so care home residence at each index date (and the
    truth) is unchanged.
    """
    pop, starts = tl.pop, tl.starts
    ch = pop.care_home_from
    entering = np.flatnonzero((ch >= starts[0]) & (ch <= tl.extract_day) & (ch <= tl.gone()))
    order = np.lexsort((adm["end"], adm["pid"]))
    key = adm["pid"][order] * 2**20 + adm["end"][order] - starts[0] + 1000
    probe = entering * 2**20 + ch[entering] - starts[0] + 1000
    j = np.searchsorted(key, probe, side="right") - 1
    ok = j >= 0
    j = np.where(ok, j, 0)
    a = order[j]
    ok &= adm["pid"][a] == entering
    gap = ch[entering] - adm["end"][a]
    same_year = np.searchsorted(starts, ch[entering], "right") == np.searchsorted(
        starts, adm["end"][a], "right"
    )
    ok &= (gap >= 0) & (gap <= 180) & same_year & (adm["dest"][a] != 2)
    ch[entering[ok]] = adm["end"][a[ok]]
    adm["dest"][a[ok]] = 1
    resident = ch[adm["pid"]] <= adm["start"]
    adm["dest"][resident & (adm["dest"] != 2)] = 1


def poisson_events(rng: np.random.Generator, tl: Timeline, rate: np.ndarray) -> dict:
    """Events at `rate` per person-year, uniform over the days each person was here."""
    lo, hi = tl.lo, tl.hi()
    days = np.clip(hi - lo + 1, 0, None)
    counts = rng.poisson(rate * days / YEAR_DAYS).ravel()
    cell = np.repeat(np.arange(counts.size), counts)
    pid, t = np.divmod(cell, 3)
    day = lo.ravel()[cell] + (rng.random(len(cell)) * days.ravel()[cell]).astype(np.int64)
    return {"pid": pid, "day": day, "year": t}


def other_encounters(rng: np.random.Generator, tl: Timeline, adm: dict) -> dict:
    """GP, A&E, outpatient, community contacts and elective and other admissions."""
    pop = tl.pop
    age, n_ltc, n_def = tl.age, tl.n_ltc, tl.n_def
    hidden = pop.hidden[:, None]
    female = (pop.sex == 0)[:, None]
    dep = ((5.5 - pop.imd) / 4.5)[:, None]
    housebound = [c.key for c in reference.conditions()].index("housebound")
    is_housebound = np.stack([pop.onset[:, housebound] < s for s in tl.starts[:3]], axis=1)
    # The hidden component raises GP and A&E use too, so past activity carries information.
    gp_rate = np.exp(
        1.05
        + 0.012 * np.clip(age - 20, 0, None)
        + 0.12 * n_ltc
        + 0.05 * n_def
        + 0.8 * hidden
        + 0.15 * female
        + 0.08 * dep
    )
    ae_rate = np.exp(
        -1.75
        + 0.5 * (base_log_rate(age) - base_log_rate(40))
        + 0.08 * n_ltc
        + 0.9 * hidden
        + 0.25 * dep
    )
    op_rate = np.exp(-0.25 + 0.012 * age + 0.18 * n_ltc + 0.3 * hidden)
    community_rate = np.exp(
        -1.6 + 0.05 * np.clip(age - 50, 0, None) + 0.25 * n_def + 1.2 * is_housebound + 0.3 * hidden
    )
    elective_rate = np.exp(-3.3 + 0.022 * age + 0.1 * n_ltc)
    maternity_rate = np.where(female & (age >= 18) & (age < 45), 0.05, 0.0)

    parts = []
    for setting, rate in (
        ("gp", gp_rate),
        ("ae", ae_rate),
        ("outpatient", op_rate),
        ("community", community_rate),
    ):
        ev = poisson_events(rng, tl, rate)
        parts.append(_encounter_rows(ev["pid"], setting, ev["day"], ev["day"]))
    # Most emergency admissions come through A&E on the day.
    via_ae = rng.random(len(adm["pid"])) < 0.7
    parts.append(
        _encounter_rows(adm["pid"][via_ae], "ae", adm["start"][via_ae], adm["start"][via_ae])
    )
    elective = poisson_events(rng, tl, elective_rate)
    day_case = rng.random(len(elective["pid"])) < 0.7
    los = np.where(day_case, 0, 1 + rng.geometric(0.4, len(day_case)))
    gone = tl.gone()
    el_end = np.minimum(elective["day"] + los, gone[elective["pid"]])
    parts.append(
        _encounter_rows(elective["pid"], "inpatient", elective["day"], el_end, method=1, dest=0)
    )
    maternity = poisson_events(rng, tl, maternity_rate)
    mat_end = np.minimum(maternity["day"] + 2, gone[maternity["pid"]])
    parts.append(
        _encounter_rows(maternity["pid"], "inpatient", maternity["day"], mat_end, method=2, dest=0)
    )
    emergency = _encounter_rows(adm["pid"], "inpatient", adm["start"], adm["end"], method=0)
    emergency["dest"] = adm["dest"]
    parts.append(emergency)
    out = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    out["elective_pid"], out["elective_day"] = elective["pid"], elective["day"]
    return out


def _encounter_rows(pid, setting, start, end, method=-1, dest=-1) -> dict:
    n = len(pid)
    return {
        "pid": pid,
        "setting": np.full(n, SETTINGS.index(setting), dtype=np.int8),
        "start": start,
        "end": end,
        "method": np.full(n, method, dtype=np.int8),
        "dest": np.full(n, dest, dtype=np.int8),
    }


def conditions_rows(rng: np.random.Generator, tl: Timeline, adm: dict, enc: dict) -> dict:
    """GP-recorded conditions and deficits (SNOMED) and hospital diagnoses (ICD-10)."""
    pop = tl.pop
    conds = reference.conditions()
    last_day = np.minimum(tl.gone(), tl.extract_day)
    recorded = pop.onset <= last_day[:, None]
    pid, j = np.nonzero(recorded)
    snomed = np.array([c.snomed for c in conds])
    # A third of frailty deficits are recorded by community staff.
    is_deficit = np.array([c.kind == "frailty" for c in conds])[j]
    source = np.where(is_deficit & (rng.random(len(j)) < 0.33), SOURCES.index("community"), 0)
    gp = {
        "pid": pid,
        "system": np.zeros(len(pid), dtype=np.int8),
        "code": snomed[j],
        "day": pop.onset[pid, j],
        "source": source.astype(np.int8),
    }
    hospital = _hospital_diagnoses(rng, tl, adm, conds)
    elective = _elective_diagnoses(rng, enc)
    # GP rows are one per person and condition, each with its own SNOMED code: only the
    # hospital's can repeat.
    hospital = _distinct_rows({k: np.concatenate([hospital[k], elective[k]]) for k in gp})
    return {k: np.concatenate([gp[k], hospital[k]]) for k in gp}


def _distinct_rows(rows: dict) -> dict:
    """The rows without exact repeats, first occurrences in their order.

    The extract has no spell identifier, so two spells of one person starting on one day
    (a same-day readmission, two day cases) would repeat their codes as exact duplicate
    rows, which ingest quarantines: a code is recorded once per person, day and source.
    """
    code = np.unique(rows["code"], return_inverse=True)[1]
    columns = [rows["source"], rows["day"], code, rows["system"], rows["pid"]]
    order = np.lexsort(columns)  # stable: the first of equal rows comes first
    repeat = np.ones(len(order), dtype=bool)
    repeat[:1] = False
    for column in columns:
        ordered = column[order]
        repeat[1:] &= ordered[1:] == ordered[:-1]
    return {k: v[np.sort(order[~repeat])] for k, v in rows.items()}


def _hospital_diagnoses(rng, tl, adm, conds) -> dict:
    pop = tl.pop
    n = len(adm["pid"])
    icd = np.array([c.icd10 for c in conds])
    ltc = np.array([c.kind == "ltc" for c in conds])
    frail_codes = set(reference.FRAILTY_ICD10)
    frail_cols = np.array([c.key in frail_codes for c in conds])
    active = pop.onset[adm["pid"]] <= adm["start"][:, None]
    age = (adm["start"] - pop.dob[adm["pid"]]) / YEAR_DAYS
    # Primary: an exacerbation of a long-term condition (more likely with more of them),
    # otherwise an acute problem typical of the person's age.
    weights = active * ltc * np.array([max(c.admission_log_rr, 0.05) for c in conds])
    n_active = (active & ltc).sum(axis=1)
    use_ltc = rng.random(n) < np.minimum(0.15 * n_active, 0.6)
    cum = np.cumsum(weights, axis=1)
    pick = (cum < rng.random(n)[:, None] * cum[:, -1:]).sum(axis=1)
    pick = np.minimum(pick, len(conds) - 1)
    acute_codes = np.array([a[0] for a in reference.ACUTE_DIAGNOSES])
    w_young = np.array([a[1] for a in reference.ACUTE_DIAGNOSES])
    w_old = np.array([a[2] for a in reference.ACUTE_DIAGNOSES])
    acute = np.where(
        age < 65,
        rng.choice(len(acute_codes), n, p=w_young / w_young.sum()),
        rng.choice(len(acute_codes), n, p=w_old / w_old.sum()),
    )
    primary = np.where(use_ltc & (n_active > 0), icd[pick], acute_codes[acute])
    # Secondary: most of the person's active conditions and some frailty codes.
    secondary = active & (ltc | frail_cols) & (rng.random(active.shape) < 0.7)
    a_idx, j = np.nonzero(secondary)
    frail_icd = np.array([reference.FRAILTY_ICD10.get(c.key, c.icd10) for c in conds])
    sec_code = np.where(ltc[j], icd[j], frail_icd[j])
    # A secondary diagnosis never repeats the primary: not the exacerbated condition, nor a
    # frailty code that is also an acute primary (R296, a fall).
    repeats = sec_code == primary[a_idx]
    a_idx, sec_code = a_idx[~repeats], sec_code[~repeats]
    pid = np.concatenate([adm["pid"], adm["pid"][a_idx]])
    return {
        "pid": pid,
        "system": np.ones(len(pid), dtype=np.int8),
        "code": np.concatenate([primary, sec_code]),
        "day": np.concatenate([adm["start"], adm["start"][a_idx]]),
        "source": np.full(len(pid), SOURCES.index("inpatient"), dtype=np.int8),
    }


def _elective_diagnoses(rng, enc) -> dict:
    pid, day = enc["elective_pid"], enc["elective_day"]
    codes = np.array(ELECTIVE_DIAGNOSES)[rng.integers(0, len(ELECTIVE_DIAGNOSES), len(pid))]
    return {
        "pid": pid,
        "system": np.ones(len(pid), dtype=np.int8),
        "code": codes,
        "day": day,
        "source": np.full(len(pid), SOURCES.index("inpatient"), dtype=np.int8),
    }


def medications(rng: np.random.Generator, tl: Timeline) -> dict:
    """Repeat medicines for long-term conditions, issued every 3 months in the last year."""
    pop = tl.pop
    conds = [c for c in reference.conditions() if c.bnf]
    cols = [reference.conditions().index(c) for c in conds]
    codes = sorted({b for c in conds for b in c.bnf})
    # A medicine starts with the first condition it treats.
    med_onset = np.full((len(pop), len(codes)), NEVER, dtype=np.int64)
    for c, col in zip(conds, cols, strict=True):
        for b in c.bnf:
            k = codes.index(b)
            med_onset[:, k] = np.minimum(med_onset[:, k], pop.onset[:, col])
    offset = rng.integers(0, 91, len(pop))
    first_issue = tl.extract_day - 364 + offset
    parts_pid, parts_code, parts_day = [], [], []
    last_day = np.minimum(tl.gone(), tl.extract_day)
    for q in range(4):
        day = first_issue + 91 * q
        ok = (med_onset <= day[:, None]) & (day <= last_day)[:, None]
        ok &= (day >= pop.registered_from)[:, None]
        pid, k = np.nonzero(ok)
        parts_pid.append(pid)
        parts_code.append(k)
        parts_day.append(day[pid])
    return {
        "pid": np.concatenate(parts_pid),
        "code": np.array(codes)[np.concatenate(parts_code)],
        "day": np.concatenate(parts_day),
    }


def social_care(rng: np.random.Generator, tl: Timeline, adm: dict) -> dict:
    """Care home stays, reablement after discharge, home care and other services."""
    pop = tl.pop
    window_start = tl.starts[0]
    gone = tl.gone()  # services end when the person dies or moves away
    last_day = np.minimum(gone, tl.extract_day)
    rows = []

    def add(pid, service, start, end):
        end = np.where(end > tl.extract_day, -1, end)  # still open at extract date
        rows.append(
            {
                "pid": pid,
                "service": np.full(len(pid), SERVICES.index(service), dtype=np.int8),
                "start": start,
                "end": end,
            }
        )

    # Care homes: everyone resident at some time in the window, with their real start.
    ch = pop.care_home_from
    resident = np.flatnonzero((ch <= last_day) & (ch < NEVER))
    resident = resident[np.maximum(ch[resident], window_start) <= last_day[resident]]
    nursing = rng.random(len(resident)) < 0.4
    end = np.where(gone[resident] < NEVER, gone[resident], tl.extract_day + 1)
    add(resident[nursing], "nursing_care", ch[resident[nursing]], end[nursing])
    add(resident[~nursing], "residential_care", ch[resident[~nursing]], end[~nursing])

    # Reablement after some discharges home of people aged 65+, then sometimes home care.
    age = (adm["start"] - pop.dob[adm["pid"]]) / YEAR_DAYS
    home = (adm["dest"] == 0) & (age >= 65)
    reable = home & (rng.random(len(home)) < 0.2)
    pid = adm["pid"][reable]
    start = adm["end"][reable] + 1
    stop = np.minimum(start + rng.integers(10, 43, len(pid)), gone[pid])
    ok = start <= last_day[pid]
    add(pid[ok], "reablement", start[ok], stop[ok])
    to_home_care = ok & (rng.random(len(pid)) < 0.3) & (stop < last_day[pid])
    hc_end = np.minimum(stop + 1 + rng.integers(30, 400, len(pid)), gone[pid])
    add(pid[to_home_care], "home_care", stop[to_home_care] + 1, hc_end[to_home_care])

    # Other services, mostly for frail older people living at home.
    frail_age = np.clip(tl.age - 65, 0, None)
    base = np.exp(-5.5 + 0.08 * frail_age + 0.35 * tl.n_def) * ~tl.care_home
    for service, share, duration in (
        ("home_care", 0.25, (60, 700)),
        ("equipment", 0.30, (0, 0)),
        ("telecare", 0.20, (200, 2000)),
        ("day_care", 0.10, (60, 500)),
        ("direct_payment", 0.08, (180, 2000)),
        ("other", 0.07, (7, 120)),
    ):
        ev = poisson_events(rng, tl, base * share)
        length = rng.integers(duration[0], duration[1] + 1, len(ev["pid"]))
        end = np.minimum(ev["day"] + length, gone[ev["pid"]])
        add(ev["pid"], service, ev["day"], end)
    return {k: np.concatenate([r[k] for r in rows]) for k in rows[0]}


def truth(tl: Timeline) -> dict:
    """The oracle: p(emergency admission in 12 months) for everyone here at each index date.

    Here means born, registered and alive on the day, and not yet left (registered_to after
    it), as the analytics' cohort counts people.
    """
    pop = tl.pop
    parts = []
    for t in (1, 2, 3):
        day = tl.starts[t]
        here = (pop.dob < day) & (pop.registered_from < day) & (pop.death >= day)
        here &= pop.registered_to > day
        pid = np.flatnonzero(here)
        p = -np.expm1(-np.exp(pop.log_rate[pid, t]))
        parts.append({"pid": pid, "day": np.full(len(pid), day), "p": p})
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
