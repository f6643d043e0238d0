"""The services tests share the SPA's clock and staff fixtures."""

from tests.referrals.conftest import MORNING, NIGHT, assessor, at, coordinator, spa  # noqa: F401
