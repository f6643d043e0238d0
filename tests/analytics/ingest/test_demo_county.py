"""Demo County at 1% scale: the generator's extract loads with nothing lost."""

import pytest

from joinedcare.analytics.ingest import ingest_folder
from joinedcare.analytics.store import Store

from .conftest import KEY


def test_demo_county_extract_loads(tmp_path):
    try:
        from joinedcare.synthetic import build_county

        build_county(tmp_path / "county", scale=0.01)
    except Exception as e:  # the generator is someone else's work in progress
        pytest.skip(f"joinedcare.synthetic.build_county did not run: {e!r}")
    summary = ingest_folder(tmp_path / "county" / "extract", Store(tmp_path / "store"), KEY)
    assert summary.counts["people"].loaded == summary.counts["people"].read > 5000
    assert summary.counts["encounters"].loaded == summary.counts["encounters"].read
    for counts in summary.counts.values():
        assert counts.loaded + counts.quarantined == counts.read
    assert summary.quarantined < 0.001 * summary.loaded
