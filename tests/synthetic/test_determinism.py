"""Same seed and scale give byte-identical files; another seed gives other people."""

import pyarrow.parquet as pq

from joinedcare.synthetic import build_county


def test_same_seed_gives_identical_files(tmp_path):
    first = build_county(tmp_path / "a", seed=7, scale=0.01)
    second = build_county(tmp_path / "b", seed=7, scale=0.01)

    assert first["sha256"] == second["sha256"]
    assert {k: v for k, v in first.items() if k != "timings_seconds"} == {
        k: v for k, v in second.items() if k != "timings_seconds"
    }


def test_same_seed_gives_identical_leavers(tmp_path):
    """People who moved away (registered_to set) are drawn from the seed like the rest."""
    build_county(tmp_path / "a", seed=7, scale=0.01)
    build_county(tmp_path / "b", seed=7, scale=0.01)

    def leavers(path):
        people = pq.read_table(path / "extract/people.parquet").to_pylist()
        return [(p["nhs_number"], p["registered_to"]) for p in people if p["registered_to"]]

    assert leavers(tmp_path / "a") == leavers(tmp_path / "b")
    assert len(leavers(tmp_path / "a")) > 100


def test_different_seed_gives_different_people(tmp_path):
    first = build_county(tmp_path / "a", seed=7, scale=0.01)
    second = build_county(tmp_path / "b", seed=8, scale=0.01)

    def numbers(path):
        return set(pq.read_table(path / "demographics.parquet").column("nhs_number").to_pylist())

    assert first["sha256"]["extract/people.parquet"] != second["sha256"]["extract/people.parquet"]
    assert len(numbers(tmp_path / "a") & numbers(tmp_path / "b")) < 10


def test_manifest_lists_every_file_with_rows_and_hash(tmp_path):
    manifest = build_county(tmp_path, seed=7, scale=0.01)

    for name in manifest["row_counts"]:
        assert (tmp_path / name).exists()
        assert len(manifest["sha256"][name]) == 64
    assert "organisation.json" in manifest["sha256"]
    assert (tmp_path / "manifest.json").exists()
