"""Reference tables for Demo County: real public data copied into the package, plus our own.

Everything here is read from `data/` next to this module, never from outside the project,
so a user's clone can build the county offline.
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"

# Age bands used to publish and test expected prevalences (as in the locality profiles).
AGE_BANDS = (("0-17", 0, 18), ("18-64", 18, 65), ("65-74", 65, 75), ("75+", 75, 200))


@dataclass(frozen=True)
class Practice:
    code: str
    name: str
    postcode: str
    list_size: int

    @property
    def district(self) -> str:
        return self.postcode.split()[0]


@dataclass(frozen=True)
class Lsoa:
    code: str
    name: str
    imd_decile: int
    population: int

    @property
    def msoa_name(self) -> str:
        # LSOA names are the MSOA name plus one letter ("County Durham 012A").
        return self.name[:-1]


@dataclass(frozen=True)
class Condition:
    """A long-term condition or frailty deficit and the parameters that generate it.

    Prevalence is logistic in age: it passes through `p_young` at `age_young` and
    `p_old` at `age_old` for an average person, is zero below `min_age`, and rises with
    deprivation (`deprivation_log_or` is the log odds ratio between the most and least
    deprived tenths) and with a shared latent morbidity or frailty factor.
    """

    key: str
    kind: str  # ltc | frailty
    name: str
    snomed: str
    icd10: str
    min_age: float
    age_young: float
    p_young: float
    age_old: float
    p_old: float
    deprivation_log_or: float
    latent_loading: float
    admission_log_rr: float
    bnf: tuple[str, ...]


def _read(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@cache
def practices() -> tuple[Practice, ...]:
    """County Durham CCG (84H) practices with their registered list sizes, January 2021."""
    return tuple(
        Practice(r["code"], r["name"], r["postcode"], int(r["list_size"]))
        for r in _read("durham_practices.csv")
    )


@cache
def lsoas() -> tuple[Lsoa, ...]:
    """County Durham's LSOAs in name order (so consecutive LSOAs share an MSOA)."""
    rows = sorted(_read("durham_lsoas.csv"), key=lambda r: r["lsoa_name"])
    return tuple(
        Lsoa(r["lsoa_code"], r["lsoa_name"], int(r["imd_decile"]), int(r["population"]))
        for r in rows
    )


@cache
def names() -> dict[str, tuple[str, ...]]:
    """Given names by sex and family names: common in England, made up by us."""
    out: dict[str, list[str]] = {}
    for r in _read("names.csv"):
        out.setdefault(r["kind"], []).append(r["name"])
    return {k: tuple(v) for k, v in out.items()}


@cache
def conditions() -> tuple[Condition, ...]:
    """Long-term conditions and frailty deficits, in file order."""
    out = []
    for r in _read("conditions.csv"):
        out.append(
            Condition(
                key=r["key"],
                kind=r["kind"],
                name=r["name"],
                snomed=r["snomed"],
                icd10=r["icd10"],
                min_age=float(r["min_age"]),
                age_young=float(r["age_young"]),
                p_young=float(r["p_young"]),
                age_old=float(r["age_old"]),
                p_old=float(r["p_old"]),
                deprivation_log_or=float(r["deprivation_log_or"]),
                latent_loading=float(r["latent_loading"]),
                admission_log_rr=float(r["admission_log_rr"]),
                bnf=tuple(r["bnf"].split()) if r["bnf"] else (),
            )
        )
    return tuple(out)


def long_term_conditions() -> tuple[Condition, ...]:
    return tuple(c for c in conditions() if c.kind == "ltc")


def frailty_deficits() -> tuple[Condition, ...]:
    return tuple(c for c in conditions() if c.kind == "frailty")


@cache
def prevalence_ranges() -> dict[tuple[str, str], tuple[float, float]]:
    """Expected prevalence range (low, high) per (condition key, age band) at extract date."""
    return {
        (r["condition"], r["age_band"]): (float(r["low"]), float(r["high"]))
        for r in _read("prevalence_ranges.csv")
    }


# Approximate ONS mid-2019 population estimates for England, thousands, by 5-year band
# (the last band is 90+). Used as proportions only; documented in docs/demo-county.md.
AGE_SEX_THOUSANDS = (
    # (band start, male, female)
    (0, 1753, 1668),
    (5, 1820, 1731),
    (10, 1715, 1632),
    (15, 1578, 1490),
    (20, 1777, 1676),
    (25, 1936, 1896),
    (30, 1899, 1912),
    (35, 1832, 1858),
    (40, 1714, 1741),
    (45, 1853, 1909),
    (50, 1925, 1973),
    (55, 1772, 1808),
    (60, 1507, 1553),
    (65, 1356, 1431),
    (70, 1346, 1474),
    (75, 933, 1087),
    (80, 636, 817),
    (85, 370, 554),
    (90, 165, 363),
)

# NHS Data Dictionary ethnic category letters with County-Durham-like shares (2011 census:
# about 96% White British). Z = not stated.
ETHNIC_CATEGORIES = (
    ("A", 0.958),
    ("B", 0.003),
    ("C", 0.012),
    ("D", 0.002),
    ("E", 0.001),
    ("F", 0.002),
    ("G", 0.002),
    ("H", 0.003),
    ("J", 0.001),
    ("K", 0.001),
    ("L", 0.002),
    ("M", 0.001),
    ("N", 0.001),
    ("P", 0.0005),
    ("R", 0.002),
    ("S", 0.002),
    ("Z", 0.0045),
)

# Primary diagnoses of emergency admissions that are not a long-term condition (ICD-10, no dot),
# with weights for people under 65 and 65+.
ACUTE_DIAGNOSES = (
    ("J181", 0.05, 0.14),  # lobar pneumonia
    ("N390", 0.05, 0.10),  # urinary tract infection
    ("R074", 0.12, 0.06),  # chest pain
    ("R55", 0.04, 0.06),  # syncope and collapse
    ("S720", 0.01, 0.06),  # fracture of neck of femur
    ("J22", 0.06, 0.08),  # acute lower respiratory infection
    ("A099", 0.08, 0.04),  # gastroenteritis
    ("L039", 0.07, 0.05),  # cellulitis
    ("R104", 0.16, 0.05),  # abdominal pain
    ("K359", 0.06, 0.01),  # acute appendicitis
    ("E86", 0.03, 0.06),  # volume depletion
    ("R296", 0.01, 0.08),  # tendency to fall
    ("S099", 0.08, 0.04),  # head injury
    ("T391", 0.08, 0.01),  # paracetamol poisoning
    ("J069", 0.07, 0.02),  # acute upper respiratory infection
    ("K921", 0.02, 0.04),  # gastrointestinal bleed
    ("F101", 0.04, 0.01),  # harmful use of alcohol
)

# Codes recorded as secondary diagnoses for frail people in hospital (ICD-10).
FRAILTY_ICD10 = {"falls": "R296", "incontinence": "R32", "memory": "R413", "mobility": "R268"}
