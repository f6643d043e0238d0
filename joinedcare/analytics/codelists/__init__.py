"""Code lists and score weights, kept as data files with their provenance.

Each family lives in its own folder with a PROVENANCE.md saying where the codes came
from, which version, and what we changed:

- `efi/<deficit>.<system>.csv` (code, term): the electronic Frailty Index deficits, plus
  `efi/local_changes.csv` (our documented additions and removals).
- `hfrs/hfrs.csv` (icd10_group, weight, description): Hospital Frailty Risk Score.
- `charlson/charlson_quan.csv` (condition, description, icd10_prefixes, weight) and
  `charlson/lace_charlson.csv` (condition, weight): Charlson conditions.

The loaders return immutable values so a caller cannot edit a list in place and change
every later score in the same process.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

DATA_DIR = Path(__file__).parent

# Code systems we hold eFI lists for: SNOMED CT (EMIS and current systems), Read v2
# (historic EMIS/Vision records) and CTV3 (TPP SystmOne), see efi/PROVENANCE.md.
EFI_SYSTEMS = ("snomed", "read2", "ctv3")


@dataclass(frozen=True)
class CharlsonCondition:
    """One Charlson condition: Quan 2005 ICD-10 prefixes and its weight in one scheme."""

    condition: str
    description: str
    icd10_prefixes: tuple[str, ...]
    weight: int


def _rows(relative: str) -> list[dict[str, str]]:
    with (DATA_DIR / relative).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def load(name: str) -> frozenset[str]:
    """The codes in one list file, e.g. `load("efi/falls.snomed")`, exactly as published."""
    return frozenset(row["code"] for row in _rows(f"{name}.csv"))


@cache
def efi_local_changes() -> tuple[dict[str, str], ...]:
    """Our documented additions to and removals from the published eFI lists."""
    return tuple(_rows("efi/local_changes.csv"))


@cache
def efi_codelist(deficit: str, system: str) -> frozenset[str]:
    """The codes we use for one eFI deficit: the published list plus our local changes."""
    path = DATA_DIR / "efi" / f"{deficit}.{system}.csv"
    codes = set(load(f"efi/{deficit}.{system}")) if path.exists() else set()
    for change in efi_local_changes():
        if (change["deficit"], change["code_system"]) != (deficit, system):
            continue
        if change["change"] == "add":
            codes.add(change["code"])
        else:
            codes.discard(change["code"])
    return frozenset(codes)


@cache
def hfrs_weights() -> MappingProxyType[str, float]:
    """ICD-10 three-character group -> HFRS weight (Gilbert et al. 2018)."""
    weights = {row["icd10_group"]: float(row["weight"]) for row in _rows("hfrs/hfrs.csv")}
    return MappingProxyType(weights)


@cache
def charlson_quan() -> tuple[CharlsonCondition, ...]:
    """The 17 Charlson conditions, Quan 2005 ICD-10 codes, Quan 2011 weights."""
    return tuple(
        CharlsonCondition(
            condition=row["condition"],
            description=row["description"],
            icd10_prefixes=tuple(row["icd10_prefixes"].split()),
            weight=int(row["weight"]),
        )
        for row in _rows("charlson/charlson_quan.csv")
    )


@cache
def lace_charlson_weights() -> MappingProxyType[str, int]:
    """Charlson condition -> points in the LACE index's own comorbidity table."""
    weights = {row["condition"]: int(row["weight"]) for row in _rows("charlson/lace_charlson.csv")}
    return MappingProxyType(weights)
