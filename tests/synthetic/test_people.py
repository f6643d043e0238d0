"""Demo County's people: list sizes, NHS numbers, names kept out of the extract."""

from collections import Counter

import duckdb
import nhs_number
import pyarrow.parquet as pq

from joinedcare.synthetic import reference

from .conftest import SCALE


def test_alive_registered_people_per_practice_equal_scaled_list_size(county):
    out, _ = county
    people = pq.read_table(out / "extract/people.parquet").to_pylist()
    alive = Counter(p["practice_code"] for p in people if p["date_of_death"] is None)

    expected = {p.code: max(20, round(p.list_size * SCALE)) for p in reference.practices()}
    assert alive == expected


def test_people_who_died_stay_in_the_files(county):
    out, _ = county
    people = pq.read_table(out / "extract/people.parquet", columns=["date_of_death"])
    dead = people.column("date_of_death").null_count
    died = people.num_rows - dead

    # About 1% a year over three years.
    assert 0.015 < died / people.num_rows < 0.05


def test_nhs_numbers_unique_valid_and_synthetic(county):
    out, _ = county
    numbers = pq.read_table(out / "demographics.parquet").column("nhs_number").to_pylist()

    assert len(numbers) == len(set(numbers))
    assert all(len(n) == 10 for n in numbers)
    assert all(nhs_number.is_valid(n, for_region=nhs_number.REGION_SYNTHETIC) for n in numbers)


def test_demographics_and_people_agree(county):
    out, _ = county
    con = duckdb.connect()
    con.read_parquet(str(out / "demographics.parquet")).create_view("demographics")
    con.read_parquet(str(out / "extract/people.parquet")).create_view("people")
    mismatches = con.execute(
        """
        select count(*) from demographics d full join people p using (nhs_number)
        where d.date_of_birth is distinct from p.date_of_birth
           or d.postcode is distinct from p.postcode
        """
    ).fetchone()[0]

    assert mismatches == 0


def test_no_names_in_the_extract(county):
    out, _ = county
    names = {n for values in reference.names().values() for n in values}
    for path in sorted((out / "extract").glob("*.parquet")):
        table = pq.read_table(path)
        assert not {"given_name", "family_name"} & set(table.column_names), path.name
        for name in table.column_names:
            if table.schema.field(name).type == "string" and name != "practice_name":
                values = set(table.column(name).unique().to_pylist())
                assert not values & names, (path.name, name)


def test_age_structure_like_england(county):
    out, _ = county
    con = duckdb.connect()
    con.read_parquet(str(out / "extract/people.parquet")).create_view("people")
    shares = dict(
        con.execute(
            """
            select age >= 65, count(*) / sum(count(*)) over ()
            from (select date_diff('year', date_of_birth, date '2026-03-31') age
                  from people where date_of_death is null)
            group by 1
            """
        ).fetchall()
    )

    # England mid-2019: about 18.5% aged 65 or over.
    assert 0.16 < shares[True] < 0.21


def test_ethnic_category_mostly_white_british(county):
    out, _ = county
    values = pq.read_table(out / "extract/people.parquet").column("ethnic_category")
    counts = Counter(values.to_pylist())

    assert 0.94 < counts["A"] / len(values) < 0.975
