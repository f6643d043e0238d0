"""One pass over `conditions` for every coded list: codes -> items by ONE equi-join.

Each list (long-term conditions, eFI deficits, HFRS groups, Charlson conditions) is given
as rows of one code -> item table. Each distinct code recorded is turned into its lookup
keys (the code itself; for ICD-10 the dot-less prefixes of every length the lists use) and
matched to the table, and the records are joined to that small lookup once, so a
population's conditions are read once however many lists they feed.
A join to a small table is also far cheaper than the alternative per-row CASE over hundreds
of codes, and, being an equi-join, every engine plans it as a hash join.

Items carry their own look-back (`since`) and source rule (`hospital_only`), so lists with
different windows share the pass; `tenths` carries a weight for lists that sum one (HFRS),
and `bit` a distinct power of two for items read back as flags: `bit_or` over a person's
rows is a bit mask, one aggregate for dozens of flags.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import pyarrow as pa
from ibis.expr.types import Table

from joinedcare.analytics.scores._windows import HOSPITAL_SOURCES, normalised


@ibis.udf.agg.builtin
def bit_or(x: int) -> int:  # type: ignore[empty-body]
    """Bitwise OR of a group's values: DuckDB's and Spark SQL's own `bit_or` (Ibis names
    it for DuckDB only). Unlike a sum of bits it needs no distinct rows first."""


@ibis.udf.scalar.builtin
def bit_count(x: int) -> int:  # type: ignore[empty-body]
    """The number of bits set in `x`: DuckDB's and Spark SQL's own `bit_count`."""


@dataclass(frozen=True)
class ItemCode:
    """One row of a code -> item table.

    `key` is the code as recorded (SNOMED CT, Read v2, CTV3) or, for ICD-10, a dot-less
    upper-case prefix matched with `startswith`. A record counts for the item when recorded
    on or after `since` (None: any time) and, if `hospital_only`, from a hospital source.
    """

    code_system: str
    key: str
    item: str
    since: dt.date | None = None
    hospital_only: bool = False
    tenths: int = 0
    bit: int = 0


@dataclass(frozen=True)
class Matched:
    """The (pseudonym, item, tenths, bit) rows found, each once, and the item -> number
    map."""

    table: Table
    ids: dict[str, int]

    def id_range(self, prefix: str) -> tuple[int, int]:
        """First and last number of the items named `prefix...` (numbered contiguously)."""
        found = [i for name, i in self.ids.items() if name.startswith(prefix)]
        return min(found, default=0), max(found, default=-1)


def item_table(codes: Sequence[ItemCode], ids: dict[str, int]) -> Table:
    """The code -> item table as an in-memory Arrow table (a dict would go via pandas)."""
    return ibis.memtable(
        pa.table(
            {
                "code_system": pa.array([c.code_system for c in codes], pa.string()),
                "key": pa.array([c.key for c in codes], pa.string()),
                "item": pa.array([ids[c.item] for c in codes], pa.int16()),
                "since": pa.array([c.since for c in codes], pa.date32()),
                "hospital_only": pa.array([c.hospital_only for c in codes], pa.bool_()),
                "tenths": pa.array([c.tenths for c in codes], pa.int32()),
                "bit": pa.array([c.bit for c in codes], pa.int64()),
            }
        )
    )


def coded_rows(
    conditions: Table, codes: Sequence[ItemCode], until: dt.date
) -> tuple[Table, dict[str, int]]:
    """Every (pseudonym, recorded_on, item, tenths, bit) row of `conditions` recorded up
    to and including `until` that counts for an item, and the item -> number map.

    Items are numbered in the order they first appear in `codes`, so each list's items are
    contiguous numbers (`Matched.id_range`) and aggregates compare small integers.
    """
    ids = {name: i for i, name in enumerate(dict.fromkeys(c.item for c in codes), start=1)}
    lengths = sorted({len(c.key) for c in codes if c.code_system == "icd10"})
    systems = sorted({c.code_system for c in codes})
    c = conditions.filter(
        conditions.code_system.isin(systems), conditions.recorded_on <= ibis.literal(until)
    )
    if all(code.since for code in codes):
        # Every item has a look-back: rows older than all of them need no keys.
        c = c.filter(c.recorded_on >= ibis.literal(min(code.since for code in codes)))
    # Matched once per distinct code rather than per row: the lookup (prefixes unnested,
    # joined to the lists) is as small as the vocabulary recorded, and each record then
    # needs one equi-join on its code as recorded (the conditions pass: -21% single-threaded
    # at a million people).
    seen = c.select("code_system", "code").distinct()
    if lengths:
        # Every prefix length the lists use, as separate keys: `startswith` as equi-joins.
        code = normalised(seen.code)
        prefixes = ibis.array([code.substr(0, n) for n in lengths])
        keys = ibis.cases((seen.code_system == "icd10", prefixes), else_=ibis.array([seen.code]))
        seen = seen.select("code_system", "code", key=keys.unnest())
    else:
        seen = seen.mutate(key=seen.code)
    items = item_table(codes, ids)
    lookup = seen.join(items, ["code_system", "key"]).drop("key")
    j = c.select("pseudonym", "code_system", "code", "recorded_on", "source").join(
        lookup, ["code_system", "code"]
    )
    j = j.filter(
        j.since.isnull() | (j.recorded_on >= j.since),
        ~j.hospital_only | j.source.isin(HOSPITAL_SOURCES),
    )
    return j.select("pseudonym", "recorded_on", "item", "tenths", "bit"), ids


def match(conditions: Table, codes: Sequence[ItemCode], until: dt.date) -> Matched:
    """Each person's items among `conditions` recorded up to and including `until`, once."""
    rows, ids = coded_rows(conditions, codes, until)
    return Matched(rows.select("pseudonym", "item", "tenths", "bit").distinct(), ids)
