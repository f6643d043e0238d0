"""A small seeded snapshot in a Store, and the web app's units with the snapshot's codes."""

import pytest

from joinedcare.analytics.store import Store
from joinedcare.organisations.models import Organisation
from tests import factories
from tests.analytics.metrics.conftest import PRACTICES, SCHEMAS, random_rows, write_snapshot

# The metric tests' codes (P1, T1, L1) made unlikely to meet the factories' own codes.
CODES = {code: f"OUT{code}" for row in PRACTICES for code in (row[0], row[2], row[3])}


def _renamed(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    for table in ("people", "practices"):
        for row in rows[table]:
            for column in ("practice_code", "team_code", "locality_code"):
                if column in row:
                    row[column] = CODES[row[column]]
    for i, row in enumerate(rows["people"]):
        # Five LSOAs for the locality profiles (one person in ten not recorded).
        row["lsoa"] = None if i % 10 == 9 else f"E0100000{i % 5}"
    return rows


@pytest.fixture(scope="session")
def analytics_dir(tmp_path_factory):
    """A Store whose CURRENT names one seeded snapshot (shared, so computed once)."""
    root = tmp_path_factory.mktemp("analytics")
    store = Store(root)
    with store.begin() as writer:
        write_snapshot(writer.path, _renamed(random_rows(6)))
        writer.commit({"source": "tests/outcomes"}, tables=SCHEMAS)
    return root


@pytest.fixture
def units(db, settings, analytics_dir):
    """The snapshot's place, localities, teams and practices in the web app's database."""
    settings.ANALYTICS_DIR = analytics_dir
    place = factories.place()
    localities, teams, practices = {}, {}, {}
    for practice_code, name, team_code, locality_code in PRACTICES:
        if locality_code not in localities:
            localities[locality_code] = factories.locality(
                place=place, code=CODES[locality_code], name=f"Locality {locality_code}"
            )
        if team_code not in teams:
            teams[team_code] = factories.team(
                locality=localities[locality_code], code=CODES[team_code], name=f"{team_code} TAP"
            )
        practices[practice_code] = factories.practice(
            team=teams[team_code],
            organisation=factories.organisation(
                kind=Organisation.Kind.GP_PRACTICE, code=CODES[practice_code], name=name
            ),
        )
    return {"place": place, "localities": localities, "teams": teams, "practices": practices}
