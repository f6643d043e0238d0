"""The extract/ folder: the ingest layout, value sets, and the truth the risk model must meet."""

import datetime

import duckdb
import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from joinedcare.synthetic import reference

LAYOUT = {
    "practices": ["practice_code", "practice_name", "team_code", "locality_code", "postcode"],
    "people": [
        "nhs_number",
        "date_of_birth",
        "sex",
        "practice_code",
        "registered_from",
        "registered_to",
        "postcode",
        "lsoa",
        "imd_decile",
        "ethnic_category",
        "date_of_death",
    ],
    "conditions": ["nhs_number", "code_system", "code", "recorded_on", "source"],
    "encounters": [
        "nhs_number",
        "encounter_id",
        "setting",
        "admission_method",
        "start_date",
        "end_date",
        "discharge_destination",
    ],
    "medications": ["nhs_number", "code_system", "code", "issued_on"],
    "social_care": ["nhs_number", "service", "start_date", "end_date"],
    "truth": ["nhs_number", "index_date", "p_emergency_admission_12m"],
}

VALUE_SETS = {
    ("people", "sex"): {"female", "male", "other", "unknown"},
    ("conditions", "code_system"): {"snomed", "icd10", "ctv3", "read2"},
    ("conditions", "source"): {"gp", "inpatient", "outpatient", "ae", "community"},
    ("encounters", "setting"): {"gp", "ae", "inpatient", "outpatient", "community"},
    ("encounters", "admission_method"): {"emergency", "elective", "other", None},
    ("encounters", "discharge_destination"): {
        "usual_residence",
        "care_home",
        "died",
        "other",
        None,
    },
    ("medications", "code_system"): {"bnf"},
    ("social_care", "service"): {
        "home_care",
        "reablement",
        "residential_care",
        "nursing_care",
        "day_care",
        "equipment",
        "telecare",
        "direct_payment",
        "other",
    },
    ("people", "ethnic_category"): set("ABCDEFGHJKLMNPRSZ"),
}

DATE_COLUMNS = {
    "date_of_birth",
    "registered_from",
    "registered_to",
    "date_of_death",
    "recorded_on",
    "start_date",
    "end_date",
    "issued_on",
    "index_date",
}


def _sql(county, query, parameters=()):
    """Run SQL over the extract files, each a view named after its file."""
    out, _ = county
    con = duckdb.connect()
    for name in LAYOUT:
        con.read_parquet(str(out / "extract" / f"{name}.parquet")).create_view(name)
    return con.execute(query, list(parameters))


@pytest.mark.parametrize("name", sorted(LAYOUT))
def test_extract_file_has_exact_columns(county, name):
    out, _ = county
    schema = pq.read_schema(out / "extract" / f"{name}.parquet")

    assert schema.names == LAYOUT[name]
    for column in schema.names:
        if column in DATE_COLUMNS:
            assert str(schema.field(column).type) == "date32[day]", column
    if "nhs_number" in schema.names:
        assert str(schema.field("nhs_number").type) == "string"


@pytest.mark.parametrize(("name", "column"), sorted(VALUE_SETS))
def test_extract_values_in_allowed_sets(county, name, column):
    out, _ = county
    table = pq.read_table(out / "extract" / f"{name}.parquet", columns=[column])
    values = set(table.column(column).unique().to_pylist())

    assert values <= VALUE_SETS[(name, column)]


def test_imd_decile_between_1_and_10(county):
    out, _ = county
    imd = pq.read_table(out / "extract/people.parquet").column("imd_decile")

    assert pc.min(imd).as_py() >= 1 and pc.max(imd).as_py() <= 10
    assert imd.null_count == 0


def test_encounter_ids_unique(county):
    out, _ = county
    ids = pq.read_table(out / "extract/encounters.parquet").column("encounter_id")

    assert len(pc.unique(ids)) == len(ids)


def test_conditions_have_no_exact_duplicate_rows(county):
    """Ingest quarantines exact duplicates: the generator must not write any (at this scale
    and seed it wrote 118, from falls coded both as primary and secondary and from two
    spells of one person starting on one day)."""
    duplicates = _sql(
        county,
        """
        select count(*) from (
          select 1 from conditions
          group by nhs_number, code_system, code, recorded_on, source having count(*) > 1
        )
        """,
    ).fetchone()[0]

    assert duplicates == 0


def test_inpatient_fields_only_on_inpatient_rows(county):
    bad = _sql(
        county,
        """
        select count(*) from encounters
        where (setting = 'inpatient') != (admission_method is not null)
           or (setting != 'inpatient' and discharge_destination is not null)
           or end_date < start_date
        """,
    ).fetchone()[0]

    assert bad == 0


def test_no_activity_after_death(county):
    late = _sql(
        county,
        """
        select count(*) from encounters e join people p using (nhs_number)
        where p.date_of_death is not null
          and (e.start_date > p.date_of_death or e.end_date > p.date_of_death)
        """,
    ).fetchone()[0]

    assert late == 0


def test_hospital_diagnoses_are_icd10_without_dots(county):
    codes = _sql(
        county,
        "select distinct code from conditions where code_system = 'icd10'",
    ).fetchall()

    assert codes
    assert all(c[0][0].isalpha() and "." not in c[0] and len(c[0]) <= 4 for c in codes)


def test_files_sorted_by_nhs_number_then_date(county):
    out, _ = county
    for name, date_column in (
        ("encounters", "start_date"),
        ("conditions", "recorded_on"),
        ("medications", "issued_on"),
        ("social_care", "start_date"),
        ("truth", "index_date"),
    ):
        table = pq.read_table(out / "extract" / f"{name}.parquet")
        keys = list(
            zip(
                table.column("nhs_number").to_pylist(),
                table.column(date_column).to_pylist(),
                strict=True,
            )
        )
        assert keys == sorted(keys), name


def test_care_home_residents_at_extract_mostly_75_plus(county):
    share = _sql(
        county,
        """
        select avg(case when date_diff('year', p.date_of_birth, date '2026-03-31') >= 75
                   then 1.0 else 0.0 end)
        from social_care s join people p using (nhs_number)
        where s.service in ('residential_care', 'nursing_care') and s.end_date is null
          and p.date_of_death is null
        """,
    ).fetchone()[0]

    assert share > 0.75


def test_truth_probabilities_between_0_and_1(county):
    out, manifest = county
    truth = pq.read_table(out / "extract/truth.parquet")
    p = truth.column("p_emergency_admission_12m").to_numpy()
    index_dates = {d.isoformat() for d in truth.column("index_date").unique().to_pylist()}

    assert ((p > 0) & (p < 1)).all()
    assert index_dates == set(manifest["index_dates"])


def test_truth_one_row_per_person_here_at_the_current_index_date(county):
    _, manifest = county
    current = datetime.date.fromisoformat(manifest["index_dates"][-1])
    counts = _sql(
        county,
        """
        select
          (select count(*) from truth where index_date = ?),
          (select count(*) from people where date_of_death is null and registered_to is null)
        """,
        [current],
    ).fetchone()

    assert counts[0] == counts[1]


def test_truth_leaves_out_people_who_left_before_each_index_date(county):
    """The oracle's cohort is the analytics' cohort: registered_to after the index date."""
    rows = _sql(
        county,
        """
        with dates as (select distinct index_date from truth),
        registered as (
          select d.index_date, p.nhs_number from dates d join people p
            on p.date_of_birth < d.index_date and p.registered_from < d.index_date
           and (p.registered_to is null or p.registered_to > d.index_date)
           and (p.date_of_death is null or p.date_of_death >= d.index_date)
        )
        select d.index_date,
          (select count(*) from people p where p.registered_to <= d.index_date),
          (select count(*) from truth t join people p using (nhs_number)
            where t.index_date = d.index_date and p.registered_to <= d.index_date),
          (select count(*) from truth t where t.index_date = d.index_date),
          (select count(*) from registered r where r.index_date = d.index_date)
        from dates d order by d.index_date
        """,
    ).fetchall()

    assert len(rows) == 3
    for _, left, left_in_truth, truth_rows, registered in rows:
        assert left > 0
        assert left_in_truth == 0
        assert truth_rows == registered


def test_no_activity_on_or_after_leaving(county):
    """Nothing starts on or after the day someone left the practice: the extract of a
    practice they no longer belong to would not hold it."""
    late, active_leavers = _sql(
        county,
        """
        with leavers as (select nhs_number, registered_to from people
                         where registered_to is not null),
        events as (
          select nhs_number, start_date as day from encounters
          union all select nhs_number, recorded_on from conditions
          union all select nhs_number, issued_on from medications
          union all select nhs_number, start_date from social_care
        )
        select count(*) filter (where e.day >= l.registered_to),
               count(distinct l.nhs_number) filter (where e.day < l.registered_to)
        from events e join leavers l using (nhs_number)
        """,
    ).fetchone()

    assert late == 0
    assert active_leavers > 1000


def _first_follow_up(county):
    _, manifest = county
    index = datetime.date.fromisoformat(manifest["index_dates"][0])
    follow_up_end = index.replace(year=index.year + 1)
    result = _sql(
        county,
        """
        with admitted as (
          select distinct nhs_number from encounters
          where admission_method = 'emergency' and start_date >= $1 and start_date < $2
        )
        select t.p_emergency_admission_12m as p, a.nhs_number is not null as y
        from truth t left join admitted a using (nhs_number)
        where t.index_date = $1
        """,
        [index, follow_up_end],
    ).fetchnumpy()
    return result["p"], result["y"].astype(bool)


def test_realised_emergency_admissions_agree_with_truth(county):
    p, y = _first_follow_up(county)
    standard_error = np.sqrt((p * (1 - p)).sum()) / len(p)

    assert abs(y.mean() - p.mean()) < 4 * standard_error
    assert 0.07 < p.mean() < 0.11


def test_oracle_auc_in_target_range(county):
    p, y = _first_follow_up(county)
    ranks = np.argsort(np.argsort(p)) + 1
    n1, n0 = y.sum(), (~y).sum()
    auc = (ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)

    assert 0.74 < auc < 0.86


@pytest.mark.parametrize("condition", [c.key for c in reference.long_term_conditions()])
def test_prevalence_by_age_band_within_published_range(county, condition):
    snomed = next(c.snomed for c in reference.long_term_conditions() if c.key == condition)
    rows = _sql(
        county,
        """
        with alive as (
          select nhs_number,
                 date_diff('year', date_of_birth, date '2026-03-31')
                 - (strftime(date_of_birth, '%m%d') > '0331')::int as age
          from people where date_of_death is null
        ),
        has as (
          select distinct nhs_number from conditions
          where code_system = 'snomed' and code = ?
            and recorded_on <= date '2026-03-31'
        )
        select case when age < 18 then '0-17' when age < 65 then '18-64'
                    when age < 75 then '65-74' else '75+' end as band,
               avg((h.nhs_number is not null)::int) as prevalence
        from alive left join has h using (nhs_number)
        group by band
        """,
        [snomed],
    ).fetchall()
    ranges = reference.prevalence_ranges()

    for band, prevalence in rows:
        low, high = ranges[(condition, band)]
        assert low <= prevalence <= high, (condition, band, prevalence)
