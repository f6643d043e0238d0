"""The checks on each row, as SQL generated from the schema.

`checked_sql` turns raw_<table> (text) into a table with typed columns `_t_<name>`, the
`_pseudonym`, and `_reason` (NULL for a good row; otherwise why the row is quarantined) and
`_kind` (the reason without its values, for the summary's top reasons). Checks run in order
and the first failing one is the reason: row checks, then references (a known practice or
person), then duplicates among the rows still good, so "first seen on line N" names a row that
was loaded.
"""

# ruff: noqa: S608 -- SQL here is built from the schema's own names (quoted by quote()) and
# values escaped by literal(); no input text is put into SQL unescaped.

from dataclasses import dataclass
from datetime import date

from joinedcare.analytics.schema import EARLIEST_DATE, PERSON_ID, Column, Table

from .staging import literal, quote


@dataclass(frozen=True)
class Rule:
    """A failing condition and what quarantine.csv says about it."""

    condition: str
    reason: str  # SQL expression
    kind: str  # plain text


def typed(column: Column) -> str:
    """SQL for a column's typed value: NULL when missing or not of its type."""
    c = quote(column.name)
    if column.type == "date":
        # Exactly YYYY-MM-DD: try_cast alone would also take 2020-1-1 and 2020/01/01.
        shape = f"length({c}) = 10 AND substr({c}, 5, 1) = '-' AND substr({c}, 8, 1) = '-'"
        return f"CASE WHEN {shape} THEN try_cast({c} AS DATE) END"
    if column.type == "int":
        return f"CASE WHEN regexp_full_match({c}, '[+-]?\\d{{1,9}}') THEN CAST({c} AS INTEGER) END"
    if column.type == "float":
        return f"CASE WHEN isfinite(try_cast({c} AS DOUBLE)) THEN try_cast({c} AS DOUBLE) END"
    return c


def _shown(name: str, alias: str = "") -> str:
    """The raw value quoted for a reason, cut short so a reason stays one readable line."""
    return f"'''' || left({alias}{quote(name)}, 40) || ''''"


def _text(*parts: str) -> str:
    return " || ".join(parts)


def column_rules(column: Column, today: date, identity_label: str) -> list[Rule]:
    """Rules for one column, in order."""
    name, c, t = column.name, quote(column.name), f"_t_{column.name}"
    rules = []
    if column.required:
        label = identity_label if name == PERSON_ID else name
        kind = f"missing value in required column {label}"
        rules.append(Rule(f"{c} IS NULL", literal(kind), kind))
    if name == PERSON_ID:
        return [*rules, Rule("_problem IS NOT NULL", "_problem", "")]
    rules += _type_rules(column, t)
    if column.allowed is not None:
        rules.append(_allowed_rule(column))
    if column.bounds is not None:
        low, high = (f"{b:g}" for b in column.bounds)
        kind = f"{name} not in {low}-{high}"
        rules.append(
            Rule(
                f"{t} NOT BETWEEN {low} AND {high}",
                _text(literal(f"{name} "), c, literal(f" not in {low}-{high}")),
                kind,
            )
        )
    if column.type == "date":
        rules.append(
            Rule(
                f"{t} < DATE {literal(EARLIEST_DATE)}",
                literal(f"{name} before {EARLIEST_DATE}"),
                f"{name} before {EARLIEST_DATE}",
            )
        )
    if column.not_future:
        kind = f"{name} in the future"
        rules.append(Rule(f"{t} > DATE {literal(today.isoformat())}", literal(kind), kind))
    return rules


def _type_rules(column: Column, t: str) -> list[Rule]:
    name, c = column.name, quote(column.name)
    described = {
        "date": "is not a date (YYYY-MM-DD)",
        "int": "is not a whole number",
        "float": "is not a number",
    }.get(column.type)
    if described is None:
        return []
    reason = _text(literal(f"{name} "), _shown(name), literal(f" {described}"))
    return [Rule(f"{c} IS NOT NULL AND {t} IS NULL", reason, f"{name} {described}")]


def _allowed_rule(column: Column) -> Rule:
    name, c = column.name, quote(column.name)
    values = ", ".join(literal(v) for v in column.allowed or ())
    if column.unknown_reason:
        reason = _text(literal(f"unknown {name} "), _shown(name))
        kind = f"unknown {name}"
    else:
        listed = "|".join(column.allowed or ())
        reason = _text(literal(f"{name} "), _shown(name), literal(f" not one of {listed}"))
        kind = f"{name} not one of {listed}"
    return Rule(f"{c} IS NOT NULL AND {c} NOT IN ({values})", reason, kind)


def order_rules(table: Table) -> list[Rule]:
    """A later date (end, death) may not come before the earlier one."""
    rules = []
    for earlier, later in table.date_order:
        kind = f"{later} before {earlier}"
        rules.append(Rule(f"_t_{later} < _t_{earlier}", literal(kind), kind))
    return rules


def row_rules(table: Table, today: date, identity_label: str) -> list[Rule]:
    """Every check on a single row of `table`, in order."""
    rules = []
    for column in table.columns:
        rules += column_rules(column, today, identity_label)
    return rules + order_rules(table)


def _case(rules: list[Rule], field: str) -> str:
    whens = " ".join(f"WHEN {r.condition} THEN {getattr(r, field)}" for r in rules)
    return f"CASE {whens} END"


def checked_sql(table: Table, today: date, identity_label: str) -> str:
    """SELECT every raw row with its typed values, pseudonym, _reason and _kind."""
    rules = row_rules(table, today, identity_label)
    # The identifier's reason is data (from the identity table): its kind is the reason.
    kinds = [Rule(r.condition, r.reason if r.kind == "" else literal(r.kind), "") for r in rules]
    typed_columns = ", ".join(
        f"{typed(c)} AS _t_{c.name}" for c in table.columns if c.type != "str"
    )
    person = PERSON_ID in table.column_names
    join = f"LEFT JOIN ids ON r.{quote(PERSON_ID)} = ids._raw" if person else ""
    ids = "ids._pseudonym, ids._problem" if person else "NULL AS _pseudonym, NULL AS _problem"
    typed_part = f"SELECT r.*, {ids}{', ' + typed_columns if typed_columns else ''}"
    return (
        f"SELECT *, {_case(rules, 'reason')} AS _reason, {_case(kinds, 'reason')} AS _kind "
        f"FROM ({typed_part} FROM raw_{table.name} r {join})"
    )


def reference_sql(table: Table, source: str) -> str:
    """Rows still good but naming a practice or person that was not loaded are rejected."""
    if table.name == "people":
        kind = "unknown practice_code"
        reason = _text(literal(f"{kind} "), _shown("practice_code", "s."))
        join = "LEFT JOIN good_practices g ON s.practice_code = g.practice_code"
        missing = "g.practice_code IS NULL"
    elif table.has_person:
        kind = f"{table.noun} for an unknown person"
        reason = literal(kind)
        join = "LEFT JOIN good_people g ON s._pseudonym = g.pseudonym"
        missing = "g.pseudonym IS NULL"
    else:
        return f"SELECT * FROM ({source})"
    return (
        "SELECT s.* REPLACE ("
        f"coalesce(s._reason, CASE WHEN {missing} THEN {reason} END) AS _reason, "
        f"coalesce(s._kind, CASE WHEN {missing} THEN {literal(kind)} END) AS _kind) "
        f"FROM ({source}) s {join}"
    )


def duplicate_update_sql(table: Table) -> str:
    """UPDATE `checked`: a good row with the key of an earlier good row is a duplicate.

    Grouping finds the few repeated keys, so only those rows are touched (a window over every
    row would sort the whole table).
    """
    keys, reason, kind = _key(table)
    aliases = [f"k{i}" for i in range(len(keys))]
    chosen = ", ".join(f"{k} AS {a}" for k, a in zip(keys, aliases, strict=True))
    match = " AND ".join(
        f"checked.{k} IS NOT DISTINCT FROM d.{a}" for k, a in zip(keys, aliases, strict=True)
    )
    seen = _text(reason, literal(" (first seen on line "), "CAST(d.first_line AS VARCHAR)", "')'")
    return (
        f"UPDATE checked SET _reason = {seen}, _kind = {literal(kind)} "
        f"FROM (SELECT {chosen}, min(_line) AS first_line FROM checked WHERE _reason IS NULL "
        f"GROUP BY ALL HAVING count(*) > 1) d "
        f"WHERE checked._reason IS NULL AND {match} AND checked._line > d.first_line"
    )


def checked_column(table: Table, name: str) -> str:
    """The SQL for column `name`'s checked value: typed, or the pseudonym for the NHS number."""
    if name == PERSON_ID:
        return "_pseudonym"
    return f"_t_{name}" if table.column(name).type != "str" else quote(name)


def _key(table: Table) -> tuple[list[str], str, str]:
    """Key columns (SQL), reason SQL and kind for duplicates of `table`."""
    if table.key is None:
        kind = "duplicate row"
        return [checked_column(table, n) for n in table.column_names], literal(kind), kind
    columns = [checked_column(table, n) for n in table.key]
    kind = f"duplicate {' and '.join(table.key)}"
    if PERSON_ID in table.key:
        # The NHS number itself must not appear in the quarantine.
        return columns, literal(kind), kind
    shown = _text(literal(f"{kind} "), f"left(checked.{quote(table.key[0])}, 40)")
    return columns, shown, kind
