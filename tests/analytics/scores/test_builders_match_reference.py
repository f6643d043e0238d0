"""Generative tests: each Ibis builder on DuckDB, and the feature stage's own scores,
equal the plain-Python reference.

Hypothesis draws small random populations around the look-back boundaries; the oracle
below recomputes every score person by person with the reference functions and the
windows stated in each builder's docstring.
"""

import datetime as dt

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedcare.analytics.codelists import efi_codelist
from joinedcare.analytics.features import features
from joinedcare.analytics.scores import charlson, efi, hfrs, lace
from joinedcare.analytics.scores._windows import HOSPITAL_SOURCES, in_window
from tests.analytics.conftest import SCHEMAS

INDEX = dt.date(2024, 6, 30)
PEOPLE = [f"p{i}" for i in range(6)]
OFFSETS = [-800, -731, -730, -729, -366, -365, -364, -200, -184, -183, -31, -30, -29, -1, 0, 1]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CONDITION_SCHEMA = SCHEMAS["conditions"]
MEDICATION_SCHEMA = SCHEMAS["medications"]
ENCOUNTER_SCHEMA = SCHEMAS["encounters"]


def _pick(deficit, system, n=2):
    return [(system, code) for code in sorted(efi_codelist(deficit, system))[:n]]


GP_CODES = [
    *_pick("falls", "snomed"),
    *_pick("falls", "read2"),
    *_pick("diabetes", "snomed"),
    *_pick("hypertension", "snomed"),
    *_pick("housebound", "read2"),
    *_pick("skin_ulcer", "snomed"),
    *_pick("mobility_transfer_problems", "snomed"),
    ("snomed", "82971005"),
    ("snomed", "73211009"),
    ("snomed", "22298006"),
    *_pick("falls", "ctv3"),
    *_pick("respiratory_disease", "ctv3"),
    ("ctv3", "XE0Uc"),
    ("snomed", "999999999"),
]
ICD10_CODES = [
    "F000",
    "F03",
    "G810",
    "R296",
    "W19",
    "I500",
    "C787",
    "C189",
    "E112",
    "E119",
    "K703",
    "I850",
    "B20",
    "J449",
    "N183",
    "I219",
    "J181",
    "I10",
    "A00",
]

dates = st.sampled_from(OFFSETS).map(lambda d: INDEX + dt.timedelta(days=d))
pseudonyms = st.sampled_from(PEOPLE)
gp_rows = st.tuples(pseudonyms, st.sampled_from(GP_CODES), dates, st.sampled_from(["gp", None]))
hospital_rows = st.tuples(
    pseudonyms,
    st.sampled_from(ICD10_CODES),
    dates,
    st.sampled_from([*HOSPITAL_SOURCES, "gp", "community", None]),
)
condition_lists = st.tuples(
    st.lists(gp_rows, max_size=30), st.lists(hospital_rows, max_size=30)
).map(
    lambda lists: (
        [(p, s, c, d, src) for p, (s, c), d, src in lists[0]]
        + [(p, "icd10", c, d, src) for p, c, d, src in lists[1]]
    )
)
medication_lists = st.lists(
    st.tuples(
        pseudonyms,
        st.sampled_from(["dmd", "bnf"]),
        st.sampled_from([f"m{i}" for i in range(8)]),
        dates,
    ),
    max_size=40,
)
stays = st.tuples(
    pseudonyms,
    st.sampled_from(["inpatient", "ae", "gp"]),
    st.sampled_from(["emergency", "elective", "other", None]),
    dates,
    st.sampled_from([0, 1, 2, 3, 4, 6, 7, 13, 14, None]),
)
encounter_lists = st.lists(stays, max_size=25).map(
    lambda rows: [
        (
            p,
            f"e{i:02d}",
            setting,
            method,
            start,
            None if los is None else start + dt.timedelta(days=los),
            None,
        )
        for i, (p, setting, method, start, los) in enumerate(rows)
    ]
)


def _table(rows, schema):
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
    return ibis.memtable(pa.table(dict(zip(schema.names, columns, strict=True)), schema=schema))


@pytest.fixture(scope="module")
def con():
    return ibis.duckdb.connect()


def _people():
    return ibis.memtable(pa.table({"pseudonym": PEOPLE}))


def _rows(expr, con, columns):
    # Through Arrow, not pandas: pandas 3 warns inside Ibis's pandas conversion.
    rows = con.to_pyarrow(expr).to_pylist()
    return {row["pseudonym"]: tuple(row[c] for c in columns) for row in rows}


# ---- the oracle: the plain-Python reference applied person by person ----------------


def _hospital_codes(conditions, person, end, days):
    return [
        code
        for p, system, code, recorded, source in conditions
        if p == person
        and system == "icd10"
        and source in HOSPITAL_SOURCES
        and in_window(recorded, end, days)
    ]


def _efi_expected(conditions, medications):
    expected = {}
    for person in PEOPLE:
        records = {(s, c) for p, s, c, d, _ in conditions if p == person and d <= INDEX}
        found = set(efi.coded_deficits(records))
        medicines = {
            (s, c) for p, s, c, d in medications if p == person and in_window(d, INDEX, 365)
        }
        if efi.has_polypharmacy(len(medicines)):
            found.add(efi.POLYPHARMACY)
        value = efi.efi_index(found)
        expected[person] = (len(found), value, efi.efi_category(value))
    return expected


def _score_expected(conditions, score, days):
    return {person: score(_hospital_codes(conditions, person, INDEX, days)) for person in PEOPLE}


def _lace_expected(encounters, conditions):
    expected = {}
    for person in PEOPLE:
        stays = [
            e
            for e in encounters
            if e[0] == person
            and e[2] == "inpatient"
            and e[4] is not None
            and e[5] is not None
            and in_window(e[5], INDEX, 30)
        ]
        if not stays:
            continue
        # Last discharge; ties: later admission, then the emergency one, then larger id.
        _, encounter_id, _, method, start, end, _ = max(
            stays, key=lambda e: (e[5], e[4], e[3] == "emergency", e[1])
        )
        ed = sum(
            1
            for e in encounters
            if e[0] == person and e[2] == "ae" and 1 <= (start - e[4]).days <= 183
        )
        points = lace.lace_charlson(_hospital_codes(conditions, person, end, 365))
        los = (end - start).days
        acute = method == "emergency"
        expected[person] = (encounter_id, los, acute, points, ed, lace.lace(los, acute, points, ed))
    return expected


# ---- the properties ----------------------------------------------------------------


@SETTINGS
@given(condition_lists, medication_lists)
def test_efi_table_matches_reference(con, conditions, medications):
    expr = efi.efi_table(
        _people(),
        _table(conditions, CONDITION_SCHEMA),
        _table(medications, MEDICATION_SCHEMA),
        INDEX,
    )
    got = _rows(expr, con, ["efi_deficits", "efi", "efi_category"])
    assert got == _efi_expected(conditions, medications)


@SETTINGS
@given(condition_lists)
def test_hfrs_table_matches_reference(con, conditions):
    got = _rows(
        hfrs.hfrs_table(_people(), _table(conditions, CONDITION_SCHEMA), INDEX),
        con,
        ["hfrs", "hfrs_band"],
    )
    scores = _score_expected(conditions, hfrs.hfrs, hfrs.LOOKBACK_DAYS)
    assert got == {p: (s, hfrs.hfrs_band(s)) for p, s in scores.items()}


@SETTINGS
@given(condition_lists)
def test_charlson_table_matches_reference(con, conditions):
    got = _rows(
        charlson.charlson_table(_people(), _table(conditions, CONDITION_SCHEMA), INDEX),
        con,
        ["charlson"],
    )
    scores = _score_expected(conditions, charlson.charlson, charlson.LOOKBACK_DAYS)
    assert got == {p: (s,) for p, s in scores.items()}


def test_efi_table_counts_ctv3_coded_deficits(con):
    # A SystmOne (CTV3) record: recurrent falls, essential hypertension, and a Read v2 falls
    # code for the same person, which is the same deficit and counts once.
    conditions = [
        ("p0", "ctv3", "Xa1GP", INDEX, "gp"),
        ("p0", "ctv3", "XE0Uc", INDEX, "gp"),
        ("p0", "read2", "16D..", INDEX, "gp"),
    ]
    expr = efi.efi_table(
        _people(), _table(conditions, CONDITION_SCHEMA), _table([], MEDICATION_SCHEMA), INDEX
    )
    assert _rows(expr, con, ["efi_deficits"])["p0"] == (2,)


def test_hfrs_and_charlson_score_everyone_given_even_without_conditions(con):
    # p0 has a hospital frailty diagnosis; p1 only a GP code; the rest no record at all.
    conditions = [
        ("p0", "icd10", "F001", INDEX, "inpatient"),
        ("p1", "snomed", "161898004", INDEX, "gp"),
    ]
    table = _table(conditions, CONDITION_SCHEMA)
    hfrs_rows = _rows(hfrs.hfrs_table(_people(), table, INDEX), con, ["hfrs", "hfrs_band"])
    charlson_rows = _rows(charlson.charlson_table(_people(), table, INDEX), con, ["charlson"])
    assert hfrs_rows == {"p0": (7.1, "intermediate"), **{p: (0.0, "low") for p in PEOPLE[1:]}}
    assert charlson_rows == {"p0": (2,), **{p: (0,) for p in PEOPLE[1:]}}


@SETTINGS
@given(encounter_lists, condition_lists)
def test_lace_table_matches_reference(con, encounters, conditions):
    expr = lace.lace_table(
        _table(encounters, ENCOUNTER_SCHEMA), _table(conditions, CONDITION_SCHEMA), INDEX
    )
    columns = [
        "encounter_id",
        "length_of_stay_days",
        "acute",
        "charlson_points",
        "ed_visits_6m",
        "lace",
    ]
    assert _rows(expr, con, columns) == _lace_expected(encounters, conditions)


# Ibis 12's DuckDB read_parquet calls DuckDB's deprecated fetch_arrow_table(); the
# warning is theirs, not ours, and only this message is let through.
def test_builders_read_parquet_snapshots(con, tmp_path):
    # The same builders on tables read from Parquet files, as the analytics snapshot is.
    conditions = [
        ("p0", "snomed", "161898004", INDEX, "gp"),
        ("p0", "icd10", "F001", INDEX, "inpatient"),
        ("p0", "icd10", "C787", INDEX - dt.timedelta(days=10), "inpatient"),
    ]
    encounters = [
        (
            "p0",
            "e1",
            "inpatient",
            "emergency",
            INDEX - dt.timedelta(days=9),
            INDEX - dt.timedelta(days=2),
            "home",
        )
    ]
    paths = {}
    for name, rows, schema in [
        ("conditions", conditions, CONDITION_SCHEMA),
        ("encounters", encounters, ENCOUNTER_SCHEMA),
        ("medications", [], MEDICATION_SCHEMA),
    ]:
        columns = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
        paths[name] = tmp_path / f"{name}.parquet"
        pq.write_table(
            pa.table(dict(zip(schema.names, columns, strict=True)), schema=schema), paths[name]
        )
    tables = {name: con.read_parquet(path) for name, path in paths.items()}
    people = con.read_parquet(paths["conditions"]).select("pseudonym").distinct()
    assert _rows(
        efi.efi_table(people, tables["conditions"], tables["medications"], INDEX),
        con,
        ["efi_deficits"],
    ) == {"p0": (1,)}
    assert _rows(hfrs.hfrs_table(people, tables["conditions"], INDEX), con, ["hfrs"]) == {
        "p0": (7.1,)
    }
    assert _rows(
        charlson.charlson_table(people, tables["conditions"], INDEX), con, ["charlson"]
    ) == {"p0": (8,)}
    # 7-day emergency stay (5) + acute (3) + LACE Charlson 3+6=9 -> 5 + no ED visits.
    assert _rows(
        lace.lace_table(tables["encounters"], tables["conditions"], INDEX), con, ["lace"]
    ) == {"p0": (13,)}


def test_lace_by_person_counts_ed_visits_before_a_long_stay(con):
    # The feature stage reads A&E rows only from 183 days before the earliest admission
    # among the month's discharges: a stay of over a year still has its earlier visits.
    def day(offset):
        return INDEX + dt.timedelta(days=offset)

    encounters = [
        ("p0", "e1", "inpatient", "emergency", day(-400), day(-10), None),
        ("p0", "e2", "ae", None, day(-450), None, None),
        ("p0", "e3", "ae", None, day(-583), None, None),  # day 183 before admission
        ("p0", "e4", "ae", None, day(-584), None, None),  # day 184: not counted
        ("p1", "e5", "inpatient", "elective", day(-5), day(-2), None),
        ("p1", "e6", "ae", None, day(-60), None, None),
    ]
    table = _table(encounters, ENCOUNTER_SCHEMA)
    no_conditions = _table([], CONDITION_SCHEMA)
    by_person = _rows(lace.lace_by_person(table, no_conditions, INDEX), con, ["lace"])
    # p0: 390 days (7) + acute (3) + no Charlson + 2 visits (2); p1: 3 days + 1 visit.
    assert by_person == {"p0": (12,), "p1": (4,)}
    full = _rows(lace.lace_table(table, no_conditions, INDEX), con, ["lace"])
    assert by_person == full


@SETTINGS
@given(condition_lists, medication_lists, encounter_lists)
def test_feature_stage_scores_match_reference(con, conditions, medications, encounters):
    # The feature stage scores from its own passes (bit masks over coded rows, not these
    # builders); asked at the next day's index date it scores as of INDEX, as the oracle.
    born, registered = dt.date(1940, 1, 1), dt.date(2000, 1, 1)
    people = [(p, born, "female", "P1", registered, None, None, 3, "A", None) for p in PEOPLE]
    tables = {
        "people": _table(people, SCHEMAS["people"]),
        "practices": _table([("P1", "Practice 1", "T1", "L1", None)], SCHEMAS["practices"]),
        "conditions": _table(conditions, CONDITION_SCHEMA),
        "medications": _table(medications, MEDICATION_SCHEMA),
        "encounters": _table(encounters, ENCOUNTER_SCHEMA),
    }
    expr = features(tables, INDEX + dt.timedelta(days=1))
    got = _rows(expr, con, ["efi", "efi_category", "hfrs", "hfrs_band", "charlson", "lace"])
    found = _efi_expected(conditions, medications)
    hfrs_scores = _score_expected(conditions, hfrs.hfrs, hfrs.LOOKBACK_DAYS)
    charlson_scores = _score_expected(conditions, charlson.charlson, charlson.LOOKBACK_DAYS)
    lace_scores = _lace_expected(encounters, conditions)
    assert got == {
        p: (
            *found[p][1:],
            hfrs_scores[p],
            hfrs.hfrs_band(hfrs_scores[p]),
            charlson_scores[p],
            lace_scores[p][-1] if p in lace_scores else None,
        )
        for p in PEOPLE
    }
