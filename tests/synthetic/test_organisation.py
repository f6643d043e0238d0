"""Demo County's structure, computed from County Durham's real list sizes."""

import json

from joinedcare.synthetic import organisation


def test_structure_counts_match_county_durham():
    doc = organisation.organisation_document()

    assert len(doc["localities"]) == 3
    assert len(doc["teams"]) == 13
    assert len(doc["practices"]) == 61
    assert doc["place"]["population"] == 559_540
    assert sum(t["population"] for t in doc["teams"]) == 559_540


def test_team_populations_within_30_to_50_thousand_unless_rural():
    for team in organisation.organisation_document()["teams"]:
        assert team["population"] <= 50_000, team["code"]
        if team["population"] < 30_000:
            assert team["rural"] and team["rural_reason"], team["code"]


def test_every_practice_in_one_team_of_its_locality():
    doc = organisation.organisation_document()
    team_locality = {t["code"]: t["locality_code"] for t in doc["teams"]}
    in_teams = [c for t in doc["teams"] for c in t["practice_codes"]]

    assert sorted(in_teams) == sorted(p["code"] for p in doc["practices"])
    for p in doc["practices"]:
        assert team_locality[p["team_code"]] == p["locality_code"]


def test_team_lsoa_blocks_cover_the_county_once():
    doc = organisation.organisation_document()
    lsoas = [code for t in doc["teams"] for code in t["lsoas"]]

    assert len(lsoas) == len(set(lsoas)) == 324
    assert all(t["lsoas"] for t in doc["teams"])


def test_organisations_include_every_kind_and_real_codes():
    orgs = organisation.organisation_document()["organisations"]
    kinds = {o["kind"] for o in orgs}
    codes = {o["code"]: o for o in orgs}

    assert kinds == {
        "icb",
        "council_adult_social_care",
        "council_childrens_services",
        "acute_trust",
        "community_trust",
        "gp_practice",
        "vcs",
    }
    assert codes["84H"]["kind"] == "icb"
    assert codes["RXP"]["kind"] == "acute_trust"
    assert sum(o["kind"] == "vcs" for o in orgs) >= 2
    assert sum(o["kind"] == "gp_practice" for o in orgs) == 61


def test_organisation_json_written(county):
    out, _ = county
    doc = json.loads((out / "organisation.json").read_text())

    assert doc["place"]["name"] == "Demo County"
    assert {t["code"] for t in doc["teams"]} == {f"TAP{i:02d}" for i in range(1, 14)}
