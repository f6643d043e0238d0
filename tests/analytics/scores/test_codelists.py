"""Code-list files: each family loads, carries provenance, and keeps its local changes."""

from pathlib import Path

import pytest

from joinedcare.analytics.codelists import (
    DATA_DIR,
    efi_codelist,
    efi_local_changes,
    hfrs_weights,
    load,
)
from joinedcare.analytics.scores.efi import CODED_DEFICITS


@pytest.mark.parametrize("family", ["efi", "hfrs", "charlson"])
def test_codelists_every_family_has_provenance(family):
    text = (DATA_DIR / family / "PROVENANCE.md").read_text()
    assert "Source" in text and "Version" in text


def test_codelists_efi_files_are_all_deficits():
    names = {p.name.split(".")[0] for p in (DATA_DIR / "efi").glob("*.*.csv")}
    assert names == set(CODED_DEFICITS)


def test_codelists_load_returns_an_immutable_set():
    codes = load("efi/falls.snomed")
    assert isinstance(codes, frozenset) and "161898004" in codes


def test_codelists_local_changes_apply():
    for change in efi_local_changes():
        codes = efi_codelist(change["deficit"], change["code_system"])
        assert (change["code"] in codes) is (change["change"] == "add"), change


def test_codelists_local_removals_are_in_the_published_list():
    # A removal of a code that is not there would hide a typo.
    for change in efi_local_changes():
        if change["change"] == "remove":
            name = f"efi/{change['deficit']}.{change['code_system']}"
            assert change["code"] in load(name), change


def test_codelists_weights_are_read_only():
    with pytest.raises(TypeError):
        hfrs_weights()["F00"] = 0  # type: ignore[index]


def test_codelists_scores_do_not_use_comorbidipy():
    # comorbidipy weights AIDS/HIV as 2 (Quan 2011 says 4): it must not creep in.
    roots = [Path("joinedcare/analytics/scores"), Path("joinedcare/analytics/codelists")]
    sources = [p for root in roots for p in root.rglob("*.py")]
    assert not any("comorbidipy" in p.read_text() for p in sources)
