"""One small Demo County per test session: building it takes a couple of seconds."""

import pytest

from joinedcare.synthetic import build_county

# Large enough for stable prevalences by age band (about 56,000 people), small enough to
# build in a few seconds.
SCALE = 0.1


@pytest.fixture(scope="session")
def county(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo_county")
    manifest = build_county(out, scale=SCALE)
    return out, manifest
