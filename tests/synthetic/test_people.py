"""Demo County's people: list sizes, turnover, NHS numbers, names kept out of the extract."""

import datetime
from collections import Counter

import duckdb
import nhs_number
import pyarrow.parquet as pq

from joinedcare.synthetic import organisation, reference

from .conftest import SCALE


def _people(county):
    """The people and practices files, and registered_on(day): the people registered on a
    day as the analytics' cohort counts them (born, registered from on or before it, not
    yet left, alive)."""
    out, _ = county
    con = duckdb.connect()
    con.read_parquet(str(out / "extract/people.parquet")).create_view("people")
    con.read_parquet(str(out / "extract/practices.parquet")).create_view("practices")
    con.execute(
        """
        create macro registered_on(day) as table
        select * from people
        where date_of_birth <= day and registered_from <= day
          and (registered_to is null or registered_to > day)
          and (date_of_death is null or date_of_death >= day)
        """
    )
    return con


def _firsts_of_months(county) -> list[datetime.date]:
    """The first day of every month of the three observed years, and the day after them."""
    _, manifest = county
    first = datetime.date.fromisoformat(manifest["index_dates"][0])
    first = first.replace(year=first.year - 1)
    end = datetime.date.fromisoformat(manifest["extract_date"]) + datetime.timedelta(days=1)
    months = [first.replace(day=1)]
    while months[-1] < end.replace(day=1):
        m = months[-1]
        months.append(m.replace(year=m.year + m.month // 12, month=m.month % 12 + 1))
    return [max(first, months[0]), *months[1:]]


def test_alive_registered_people_per_practice_equal_scaled_list_size(county):
    out, _ = county
    people = pq.read_table(out / "extract/people.parquet").to_pylist()
    alive = Counter(
        p["practice_code"]
        for p in people
        if p["date_of_death"] is None and p["registered_to"] is None
    )

    expected = {p.code: max(20, round(p.list_size * SCALE)) for p in reference.practices()}
    assert alive == expected


def test_county_registered_population_changes_less_than_3_percent_a_year(county):
    """People move away as well as in, so the list neither grows nor shrinks much (real
    practice lists change by a few per cent a year; generator 1.0 grew 24% in three years
    because nobody left other than by death)."""
    con = _people(county)
    months = _firsts_of_months(county)
    counts = [
        con.execute("select count(*) from registered_on($day)", {"day": m}).fetchone()[0]
        for m in months
    ]

    assert len(counts) >= 36
    for earlier, later in zip(counts, counts[12:], strict=False):
        assert abs(later / earlier - 1) < 0.03, (earlier, later)
    assert abs(counts[-1] / counts[0] - 1) < 0.03, (counts[0], counts[-1])


def test_people_leave_practices_at_plausible_ages(county):
    _, manifest = county
    extract_date = datetime.date.fromisoformat(manifest["extract_date"])
    con = _people(county)
    leavers, bad, dead_leavers = con.execute(
        """
        select count(registered_to),
               count(*) filter (where registered_to <= registered_from
                                   or registered_to > $extract_date),
               count(*) filter (where registered_to is not null and date_of_death is not null)
        from people
        """,
        {"extract_date": extract_date},
    ).fetchone()
    # Yearly leaving rate by age at leaving: leavers over person-years registered (about the
    # current list size in the band, times three years).
    rates = dict(
        con.execute(
            """
            with band as (
              select case when age < 18 then 'child' when age < 35 then '18-34'
                          when age < 65 then '35-64' else '65+' end as band, left_
              from (
                select date_diff('year', date_of_birth, coalesce(registered_to, $extract_date))
                       as age, registered_to is not null as left_
                from people where date_of_death is null
              )
            )
            select band, count(*) filter (where left_)
                         / (3.0 * count(*) filter (where not left_))
            from band group by band
            """,
            {"extract_date": extract_date},
        ).fetchall()
    )
    registered = con.execute(
        "select count(*) from people where registered_to is null and date_of_death is null"
    ).fetchone()[0]

    assert bad == 0 and dead_leavers == 0
    # Roughly 5-10% of a list leaves in a year.
    assert 0.05 < leavers / (3 * registered) < 0.10
    # Young adults move most, older people least.
    assert rates["18-34"] > 0.10
    assert rates["65+"] < 0.05
    assert rates["18-34"] > 1.5 * rates["35-64"] > 1.5 * rates["65+"]


def test_every_team_within_30000_to_50000_throughout_the_extract(county):
    """The 13 Teams Around Patients keep their size over the three years, not only at the
    extract date (scaled back up to the full county)."""
    con = _people(county)
    codes = {t.code for t in organisation.teams()}
    months = _firsts_of_months(county)

    for day in sorted({months[0], *months[12::12], months[-1]}):
        sizes = dict(
            con.execute(
                """
                select team_code, count(*) / $scale from registered_on($day)
                join practices using (practice_code) group by team_code
                """,
                {"day": day, "scale": SCALE},
            ).fetchall()
        )
        assert set(sizes) == codes
        assert all(30_000 <= n <= 50_000 for n in sizes.values()), (day, sizes)


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
           or d.registered_to is distinct from p.registered_to
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
