"""Demo County's people: who they are, their conditions over time and their yearly risk.

The risk model is documented in docs/demo-county.md. Dates are int32 days since 1970-01-01
throughout, so everything stays vectorised in numpy.
"""

from dataclasses import dataclass, field
from datetime import date

import nhs_number
import numpy as np

from . import organisation, reference

EPOCH = date(1970, 1, 1)
YEAR_DAYS = 365.25

# Baseline emergency admissions per person-year by age for someone with no recorded
# condition or deficit (interpolated on the log scale); conditions, deficits, deprivation,
# care home residence and the hidden component multiply it.
_BASE_AGES = np.array([0, 1, 5, 15, 20, 30, 45, 60, 70, 80, 90, 105], dtype=float)
_BASE_RATES = np.array(
    [0.17, 0.06, 0.024, 0.024, 0.03, 0.027, 0.028, 0.036, 0.06, 0.115, 0.21, 0.30], dtype=float
)
MALE_LOG_RR = 0.10
# Log rate ratio between the most (decile 1) and least (decile 10) deprived tenths.
DEPRIVATION_LOG_RR = 0.70
CARE_HOME_LOG_RR = 0.50
HIDDEN_SD = 0.35
BURDEN_CAP = 2.0  # largest log rate ratio from conditions, deficits and care home
ADMISSION_LOG_SCALE = 0.16  # overall calibration of the emergency admission rate

# Care home residence is a threshold in age, like the conditions: it passes through these
# probabilities at 75 and 95 for an average person and rises with latent frailty.
_CARE_HOME = (75.0, 0.006, 95.0, 0.32, 1.2)  # age_young, p_young, age_old, p_old, frailty loading

# Leaving a practice other than by death (moving away, registering elsewhere): a yearly rate
# by age, the same for everyone of an age. Internal migration in England peaks at 18-30
# (students, first jobs and homes) and is lowest from 50 to 80, with a small rise in the
# oldest (moving near family or into a care home); only moves that change practice count,
# so the rates are below ONS's address-change rates. About 7% of a list a year in all.
# Rows: (youngest age of the band, leaving rate per person-year).
LEAVING_RATES = (
    (0, 0.07),
    (5, 0.05),
    (16, 0.08),
    (18, 0.16),
    (25, 0.12),
    (35, 0.07),
    (50, 0.04),
    (65, 0.03),
    (80, 0.04),
)

SEXES = np.array(["female", "male", "other", "unknown"])
NEVER = np.int32(2**31 - 1)  # "no such date" (condition never starts, person never dies)


def to_day(d: date) -> int:
    return (d - EPOCH).days


def years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def year_starts(extract_date: date) -> np.ndarray:
    """Start days of years 0-3: three observed years ending at extract date, then the next."""
    from datetime import timedelta

    return np.array(
        [to_day(years_before(extract_date, 3 - t) + timedelta(days=1)) for t in range(4)],
        dtype=np.int64,
    )


@dataclass
class Population:
    """One row per person (numpy arrays of equal length)."""

    practice: np.ndarray  # index into organisation practice order
    sex: np.ndarray  # index into SEXES
    dob: np.ndarray
    registered_from: np.ndarray
    registered_to: np.ndarray  # first day no longer registered (moved away), or NEVER
    lsoa: np.ndarray  # index into reference.lsoas()
    imd: np.ndarray
    ethnic: np.ndarray  # index into reference.ETHNIC_CATEGORIES
    hidden: np.ndarray  # person-level hidden utilisation component (log scale)
    onset: np.ndarray  # (people, conditions) first day each condition is present, or NEVER
    care_home_from: np.ndarray
    admissions: np.ndarray  # (people, 4) emergency admissions in years 0-3 (year 3: unused)
    log_rate: np.ndarray  # (people, 4) log expected emergency admissions per year
    death: np.ndarray  # day of death or NEVER; deaths fall in years 0-2
    death_year: np.ndarray  # -1 if alive at extract
    extra: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.dob)

    def take(self, idx: np.ndarray) -> "Population":
        return Population(
            **{k: (v[idx] if isinstance(v, np.ndarray) else v) for k, v in self.__dict__.items()}
        )


def _age_sex_weights() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    starts = np.array([r[0] for r in reference.AGE_SEX_THOUSANDS], dtype=float)
    male = np.array([r[1] for r in reference.AGE_SEX_THOUSANDS], dtype=float)
    female = np.array([r[2] for r in reference.AGE_SEX_THOUSANDS], dtype=float)
    return starts, male, female


def _approx_survival_3y(age: np.ndarray) -> np.ndarray:
    # Crude English mortality by age, only to oversample old people in the pool so that
    # the survivors keep England's age structure.
    q = np.clip(np.exp(-10.4 + 0.094 * age), 0.0002, 0.5)
    return (1 - q) ** 3


def leaving_rate(age: np.ndarray) -> np.ndarray:
    """Yearly rate of leaving the practice other than by death, at each age."""
    bands = np.array([a for a, _ in LEAVING_RATES], dtype=float)
    rates = np.array([r for _, r in LEAVING_RATES])
    return rates[np.searchsorted(bands, np.maximum(age, 0), side="right") - 1]


def _joined_share(rate: np.ndarray) -> np.ndarray:
    """Share of the people on a list during three years who joined during them.

    Joiners arrive as fast as people leave, so the list neither grows nor shrinks: with
    leaving rate m, a list of N people loses 3mN in three years and gains as many, so the
    joiners are f = 3m / (1 + 3m) of everyone who was on it.
    """
    return 3 * rate / (1 + 3 * rate)


def _approx_still_registered_3y(age: np.ndarray) -> np.ndarray:
    # Of everyone on a list during the three years, the share still on it at the end:
    # (1 - f) e^(-3m) + f (1 - e^(-3m)) / (3m), which simplifies to 1 - f.
    return 1 - _joined_share(leaving_rate(age - 1.5))


def _draw_age_sex(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    starts, male, female = _age_sex_weights()
    mid = np.minimum(starts + 2.5, 93)
    stay = _approx_survival_3y(mid) * _approx_still_registered_3y(mid)
    weights = np.concatenate([female, male]) / np.tile(stay, 2)
    cell = rng.choice(len(weights), size=n, p=weights / weights.sum())
    band = cell % len(starts)
    sex = (cell >= len(starts)).astype(np.int8)  # 0 female, 1 male
    age = starts[band] + rng.random(n) * 5
    old = starts[band] >= 90
    age[old] = 90 + np.minimum(rng.exponential(3.5, old.sum()), 15)
    # A few people recorded with sex 'other' or 'unknown'.
    rare = rng.random(n)
    sex = np.where(rare < 0.0002, 2, np.where(rare < 0.0005, 3, sex)).astype(np.int8)
    return age, sex


def _logit(p: np.ndarray | float) -> np.ndarray | float:
    return np.log(p) - np.log1p(-p)


def _onset_day(
    rng: np.random.Generator,
    dob: np.ndarray,
    shift: np.ndarray,
    age_young: float,
    p_young: float,
    age_old: float,
    p_old: float,
    min_age: float,
) -> np.ndarray:
    """First day a threshold condition is present.

    Each person has a uniform draw U; they have the condition at age a when
    U < logistic(logit(p_young) + slope * (a - age_young) + shift). Inverting gives the onset
    age, so prevalence at every age follows the logistic curve and onsets spread over life.
    """
    slope = (_logit(p_old) - _logit(p_young)) / (age_old - age_young)
    u = rng.random(len(dob)).clip(1e-12, 1 - 1e-12)
    onset_age = age_young + (_logit(u) - _logit(p_young) - shift) / slope
    onset_age = np.maximum(onset_age, min_age)
    days = dob + onset_age * YEAR_DAYS
    return np.where(onset_age < 130, days, NEVER).astype(np.int64)


def _deprivation(imd: np.ndarray) -> np.ndarray:
    # +1 for the most deprived tenth, -1 for the least.
    return (5.5 - imd) / 4.5


def _present(onset: np.ndarray, day: np.ndarray | int) -> np.ndarray:
    return onset <= np.asarray(day)[..., None] if np.ndim(day) else onset <= day


def base_log_rate(age: np.ndarray) -> np.ndarray:
    return np.interp(age, _BASE_AGES, np.log(_BASE_RATES))


def emergency_log_rate(pop: Population, day: int, conds: tuple) -> np.ndarray:
    """Log expected emergency admissions in the 12 months from `day` (the oracle's model)."""
    age = (day - pop.dob) / YEAR_DAYS
    lp = base_log_rate(np.clip(age, 0, 105)) + ADMISSION_LOG_SCALE
    lp = lp + MALE_LOG_RR * (pop.sex == 1) + DEPRIVATION_LOG_RR / 2 * _deprivation(pop.imd)
    rr = np.array([c.admission_log_rr for c in conds])
    # Conditions and deficits count if recorded before the index day. Their effects add on
    # the log scale but saturate, so the most multimorbid (often in care homes) have a few
    # admissions a year rather than dozens.
    burden = (pop.onset < day) @ rr + CARE_HOME_LOG_RR * (pop.care_home_from < day)
    lp = lp + BURDEN_CAP * np.tanh(burden / BURDEN_CAP)
    return lp + pop.hidden


def _practice_targets(scale: float) -> tuple[list[reference.Practice], np.ndarray]:
    practices = [p for t in organisation.teams() for p in t.practices]
    sizes = np.array([max(20, round(p.list_size * scale)) for p in practices], dtype=np.int64)
    return practices, sizes


def build_population(
    rng: np.random.Generator, scale: float, extract_date: date
) -> tuple[Population, list[reference.Practice]]:
    """Draw a pool per practice, live three years through it, and keep exactly list size
    alive and registered at the extract date."""
    practices, targets = _practice_targets(scale)
    # About 80% of a pool is alive and still registered at the extract date.
    pool_sizes = np.ceil(targets * 1.4).astype(np.int64) + 15
    n = int(pool_sizes.sum())
    practice = np.repeat(np.arange(len(practices)), pool_sizes)
    starts = year_starts(extract_date)
    extract_day = to_day(extract_date)

    age, sex = _draw_age_sex(rng, n)
    dob = (extract_day - np.floor(age * YEAR_DAYS)).astype(np.int64)

    # Place of residence: a block of LSOAs per team, weighted by LSOA population.
    areas = reference.lsoas()
    area_index = {a.code: i for i, a in enumerate(areas)}
    team_of_practice = np.array(
        [ti for ti, t in enumerate(organisation.teams()) for _ in t.practices]
    )
    blocks = organisation.lsoa_blocks()
    lsoa = np.empty(n, dtype=np.int64)
    person_team = team_of_practice[practice]
    for ti, team in enumerate(organisation.teams()):
        members = np.flatnonzero(person_team == ti)
        idx = np.array([area_index[a.code] for a in blocks[team.code]])
        w = np.array([a.population for a in blocks[team.code]], dtype=float)
        lsoa[members] = idx[rng.choice(len(idx), size=len(members), p=w / w.sum())]
    imd = np.array([a.imd_decile for a in areas], dtype=np.int64)[lsoa]
    eth_p = np.array([p for _, p in reference.ETHNIC_CATEGORIES])
    ethnic = rng.choice(len(eth_p), size=n, p=eth_p / eth_p.sum()).astype(np.int8)

    registered_from, registered_to = _registrations(rng, dob, age, starts[0], extract_day)

    # Latent factors: morbidity drives conditions; frailty (correlated with it) drives
    # deficits and care home entry; the hidden component drives use of services.
    morbidity = rng.standard_normal(n)
    frailty = 0.6 * morbidity + 0.8 * rng.standard_normal(n)
    hidden = HIDDEN_SD * rng.standard_normal(n)
    dep = _deprivation(imd)

    conds = reference.conditions()
    onset = np.empty((n, len(conds)), dtype=np.int64)
    for j, c in enumerate(conds):
        latent = morbidity if c.kind == "ltc" else frailty
        shift = c.deprivation_log_or / 2 * dep + c.latent_loading * latent
        onset[:, j] = _onset_day(
            rng, dob, shift, c.age_young, c.p_young, c.age_old, c.p_old, c.min_age
        )
    a_y, p_y, a_o, p_o, load = _CARE_HOME
    care_home_from = _onset_day(rng, dob, load * frailty + 0.2 * dep, a_y, p_y, a_o, p_o, 40)

    pop = Population(
        practice=practice,
        sex=sex,
        dob=dob,
        registered_from=registered_from,
        registered_to=registered_to,
        lsoa=lsoa,
        imd=imd,
        ethnic=ethnic,
        hidden=hidden,
        onset=onset,
        care_home_from=care_home_from,
        admissions=np.zeros((n, 4), dtype=np.int64),
        log_rate=np.zeros((n, 4)),
        death=np.full(n, NEVER, dtype=np.int64),
        death_year=np.full(n, -1, dtype=np.int64),
        extra={"frailty": frailty},
    )
    _live_three_years(rng, pop, starts, conds)
    keep = _keep_list_size_alive(pop, targets)
    return pop.take(keep), practices


def _registrations(
    rng: np.random.Generator, dob: np.ndarray, age: np.ndarray, start: int, extract_day: int
) -> tuple[np.ndarray, np.ndarray]:
    """Registered from and to: joiners during the window, and leavers at their age's rate.

    Babies register from birth. A share f of the others (by their age's leaving rate m, see
    `_joined_share`) joined on a uniform day in the three years (moved in); everyone else
    some time between birth and the start of the window. From the later of joining and the
    window's start, each person leaves after an exponential time at rate m; a departure by
    the extract date sets registered_to (the first day no longer registered).
    """
    n = len(dob)
    rate = leaving_rate(age - 1.5)  # the age in the middle of the three years
    moved = rng.random(n) < _joined_share(rate)
    joined_in_window = start + rng.integers(0, extract_day - start, n)
    joined_before = dob + rng.random(n) * np.maximum(start - 1 - dob, 0)
    registered_from = np.where(moved, joined_in_window, joined_before)
    registered_from = np.maximum(registered_from, dob).astype(np.int64)
    here_from = np.maximum(registered_from, start)
    stay = np.ceil(rng.exponential(YEAR_DAYS / rate)).astype(np.int64)
    leaves = here_from + np.maximum(stay, 1)
    registered_to = np.where(leaves <= extract_day, leaves, NEVER).astype(np.int64)
    return registered_from, registered_to


def _live_three_years(
    rng: np.random.Generator, pop: Population, starts: np.ndarray, conds: tuple
) -> None:
    """Emergency admissions per year (Poisson) and deaths, year by year.

    Someone who leaves in a year is counted for the days before they left and cannot die
    that year (the extract would not see it); from the next year they are gone.
    """
    here = np.ones(len(pop), dtype=bool)
    n_ltc_cols = np.array([c.kind == "ltc" for c in conds])
    frailty = pop.extra["frailty"]
    for t in range(4):
        lo, hi = starts[t], (starts[t + 1] if t < 3 else starts[3] + 365)
        pop.log_rate[:, t] = emergency_log_rate(pop, int(lo), conds)
        if t == 3:
            break
        # Exposure: the share of the year each person was born, registered and here.
        begin = np.maximum(lo, np.maximum(pop.registered_from, pop.dob))
        end = np.minimum(hi, pop.registered_to)
        exposure = np.clip((end - begin) / (hi - lo), 0, 1) * here
        pop.admissions[:, t] = rng.poisson(np.exp(pop.log_rate[:, t]) * exposure)
        # Deaths: only for people here for the whole year; driven by age and frailty, more
        # likely in a year with an emergency admission. The death date is placed after
        # the year's admissions later on, so the truth stays exact.
        age = (lo - pop.dob) / YEAR_DAYS
        whole_year = here & (begin <= lo) & (pop.registered_to >= hi)
        n_ltc = (pop.onset[:, n_ltc_cols] < lo).sum(axis=1)
        logit_q = (
            -11.3
            + 0.094 * age
            + 0.35 * frailty
            + 0.12 * n_ltc
            + 0.8 * (pop.care_home_from < lo)
            + 0.25 * (pop.sex == 1)
            + 0.15 * _deprivation(pop.imd)
            + 1.5 * (pop.admissions[:, t] > 0)
        )
        dies = whole_year & (age >= 0) & (rng.random(len(pop)) < 1 / (1 + np.exp(-logit_q)))
        pop.death_year[dies] = t
        here &= ~dies & (pop.registered_to >= hi)
    # The dead were registered until they died: their leaving dates lay in a later year.
    pop.registered_to[pop.death_year >= 0] = NEVER


def _keep_list_size_alive(pop: Population, targets: np.ndarray) -> np.ndarray:
    """Indices of a prefix of each practice's pool holding exactly `target` people alive
    and registered at the extract date.

    The pool is drawn independently person by person, so a prefix is a random sample and
    keeps the dead and the leavers in their natural proportion.
    """
    alive = (pop.death_year < 0) & (pop.registered_to == NEVER)
    keep = np.zeros(len(pop), dtype=bool)
    bounds = np.flatnonzero(np.diff(pop.practice, prepend=-1, append=len(targets) + 1))
    for i, target in enumerate(targets):
        lo, hi = bounds[i], bounds[i + 1]
        cum = np.cumsum(alive[lo:hi])
        if cum[-1] < target:
            raise RuntimeError("pool too small for a practice; raise the pool factor")
        last = int(np.searchsorted(cum, target))  # first index where cum == target
        keep[lo : lo + last + 1] = True
    return np.flatnonzero(keep)


def nhs_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """n unique valid NHS numbers in the synthetic range 9000000000-9999999999, ascending."""
    bases = rng.integers(900_000_000, 1_000_000_000, size=int(n * 1.2) + 100)
    _, first = np.unique(bases, return_index=True)
    bases = bases[np.sort(first)]  # unique, in drawn order (not biased to low numbers)
    numbers = []
    for base in bases.tolist():
        check = nhs_number.calculate_checksum(str(base))
        if check is not None and check < 10:  # 10 means no valid number has this base
            numbers.append(base * 10 + check)
            if len(numbers) == n:
                break
    if len(numbers) < n:
        raise RuntimeError("not enough NHS numbers drawn")
    return np.sort(np.array(numbers, dtype=np.int64))
