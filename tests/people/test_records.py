"""The person page reads known conditions and recent activity from the Parquet extract."""

from datetime import date, timedelta

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.urls import reverse

from joinedcare.people import terms
from tests import factories

LATEST = date(2025, 6, 30)  # the extract's newest activity: "recent" counts back from here


def _write(folder, table: str, rows: list[dict], schema: pa.Schema) -> None:
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    pq.write_table(pa.table(columns, schema=schema), folder / f"{table}.parquet")


PEOPLE = pa.schema([("nhs_number", pa.string()), ("date_of_birth", pa.date32())])
CONDITIONS = pa.schema(
    [
        ("nhs_number", pa.string()),
        ("source", pa.string()),
        ("code_system", pa.string()),
        ("code", pa.string()),
        ("recorded_on", pa.date32()),
    ]
)
ENCOUNTERS = pa.schema(
    [
        ("nhs_number", pa.string()),
        ("setting", pa.string()),
        ("admission_method", pa.string()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("discharge_destination", pa.string()),
    ]
)
SOCIAL_CARE = pa.schema(
    [
        ("nhs_number", pa.string()),
        ("service", pa.string()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
    ]
)


def _condition(nhs_number, code_system, code, recorded_on, source="gp") -> dict:
    return {
        "nhs_number": nhs_number,
        "source": source,
        "code_system": code_system,
        "code": code,
        "recorded_on": recorded_on,
    }


def _encounter(nhs_number, setting, start, end=None, method=None, destination=None) -> dict:
    return {
        "nhs_number": nhs_number,
        "setting": setting,
        "admission_method": method,
        "start_date": start,
        "end_date": end,
        "discharge_destination": destination,
    }


@pytest.fixture
def known_terms(tmp_path, monkeypatch):
    """A terms file that knows one code, so the other is shown as its code."""
    path = tmp_path / "terms.csv"
    path.write_text("code_system,code,term\nsnomed,44054006,Type 2 diabetes mellitus\n")
    monkeypatch.setattr(terms, "_TERMS", path)
    terms._terms.cache_clear()
    yield
    terms._terms.cache_clear()


@pytest.fixture
def extract(tmp_path, settings, person_a, person_b):
    """An extract holding person A's record and someone else's, in the ingest layout."""
    folder = tmp_path / "extract"
    folder.mkdir()
    a, b = person_a.nhs_number, person_b.nhs_number
    _write(
        folder,
        "people",
        [{"nhs_number": n, "date_of_birth": date(1940, 1, 1)} for n in (a, b)],
        PEOPLE,
    )
    _write(
        folder,
        "conditions",
        [
            _condition(a, "snomed", "44054006", date(2015, 3, 2)),
            _condition(a, "snomed", "44054006", date(2019, 1, 1)),
            _condition(a, "snomed", "9999001", date(2020, 8, 1)),
            _condition(a, "icd10", "J44", date(2021, 1, 1), source="hospital"),
            _condition(b, "snomed", "7777001", date(2018, 1, 1)),
        ],
        CONDITIONS,
    )
    _write(
        folder,
        "encounters",
        [
            _encounter(
                a, "inpatient", date(2025, 2, 10), date(2025, 2, 20), "emergency", "care_home"
            ),
            _encounter(a, "ae", date(2025, 2, 9), date(2025, 2, 9)),
            _encounter(a, "gp", date(2025, 5, 1), date(2025, 5, 1)),
            _encounter(a, "outpatient", LATEST - timedelta(days=400)),
            _encounter(b, "inpatient", LATEST, LATEST, "elective", "usual_residence"),
        ],
        ENCOUNTERS,
    )
    _write(
        folder,
        "social_care",
        [
            {"nhs_number": a, "service": "home_care", "start_date": date(2024, 11, 4)},
            {"nhs_number": b, "service": "day_centre", "start_date": date(2024, 1, 1)},
        ],
        SOCIAL_CARE,
    )
    settings.RECORDS_DIR = folder
    return folder


@pytest.fixture
def page_of_a(client, gp_a, person_a):
    def fetch() -> str:
        client.force_login(gp_a)
        response = client.get(reverse("person", kwargs={"person": person_a.public_id}))
        assert response.status_code == 200
        return response.content.decode()

    return fetch


def test_person_page_shows_known_conditions_with_terms_once_with_first_recording(
    extract, known_terms, page_of_a
):
    body = page_of_a()

    assert body.count("Type 2 diabetes mellitus") == 1
    assert "first recorded Mar 2015" in body


def test_person_page_shows_a_code_without_a_term_as_the_code(extract, known_terms, page_of_a):
    body = page_of_a()

    assert "SNOMED 9999001" in body


def test_person_page_conditions_come_from_the_gp_record_of_this_person_only(
    extract, known_terms, page_of_a
):
    body = page_of_a()

    assert "J44" not in body  # hospital diagnosis, not a GP long-term condition
    assert "7777001" not in body  # someone else's


def test_person_page_shows_recent_hospital_activity(extract, page_of_a):
    body = page_of_a()

    assert "Hospital admission (emergency)" in body
    assert "discharged 20 Feb 2025 to care home" in body
    assert "A&amp;E attendance" in body
    assert "Hospital admission: 1" in body
    assert "A&amp;E attendance: 1" in body
    assert "GP contact: 1" in body


def test_person_page_leaves_out_activity_older_than_a_year_and_other_peoples(extract, page_of_a):
    body = page_of_a()

    assert "Outpatient appointment" not in body
    assert "elective" not in body
    assert "usual residence" not in body


def test_person_page_shows_social_care(extract, page_of_a):
    body = page_of_a()

    assert "Home care: from 4 Nov 2024, ongoing" in body
    assert "Day centre" not in body


def test_person_page_says_no_source_is_connected_when_the_folder_is_empty(
    tmp_path, settings, page_of_a
):
    settings.RECORDS_DIR = tmp_path

    body = page_of_a()

    assert "No GP or hospital record source is connected." in body
    assert "No social care services recorded." in body


def test_person_page_with_an_extract_but_no_record_for_the_person(extract, client, team_a):
    someone = factories.person(practice=factories.practice(team=team_a))
    client.force_login(factories.staff(teams=[team_a]))

    body = client.get(reverse("person", kwargs={"person": someone.public_id})).content.decode()

    assert "No long-term conditions recorded." in body
    assert "No hospital or community activity in the last 12 months." in body
    assert "No GP or hospital record source is connected" not in body


def test_person_page_says_when_activity_rows_are_cut(extract, person_a, page_of_a):
    # 22 rows, 20 shown: the counts said 22 while the table silently held 20.
    rows = [
        _encounter(person_a.nhs_number, "community", LATEST - timedelta(days=i)) for i in range(22)
    ]
    _write(extract, "encounters", rows, ENCOUNTERS)

    body = page_of_a()

    assert "Hospital and community activity: the 20 most recent of 22" in body
    assert "Community health contact: 22" in body


def test_person_page_counts_the_same_12_months_as_the_case_lists(extract, person_a, page_of_a):
    # The extract ends 30 June 2025; the case lists count 1 July 2024 to 30 June 2025. A
    # contact on 30 June 2024 had counted here (365 days back), so the page said 37 where
    # the list said 36.
    _write(
        extract,
        "encounters",
        [
            _encounter(person_a.nhs_number, "gp", date(2024, 6, 30)),
            _encounter(person_a.nhs_number, "gp", date(2024, 7, 1)),
            _encounter(person_a.nhs_number, "gp", LATEST),
        ],
        ENCOUNTERS,
    )

    body = page_of_a()

    assert "GP contact: 2" in body
    assert "From 1 July 2024, the same 12 months as the case lists count." in body
