"""The model card's words for report values: no Python reprs, readable numbers and dates."""

from __future__ import annotations

import pytest

from joinedcare.analytics import report


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ({"fit": 484475, "validate": 0.123456789}, "fit: 484,475; validate: 0.1235"),
        ([6, 12], "6 and 12"),
        ([3, 6, 12], "3, 6 and 12"),
        (None, report.NOT_AVAILABLE),
        (float("nan"), report.NOT_AVAILABLE),
        (12.345678912345, "12.35"),
        (True, "yes"),
        ("<b>", "&lt;b&gt;"),
    ],
)
def test_readable_values(value, shown):
    assert report.readable(value) == shown


def test_long_dates_are_day_month_year():
    assert report.long_date("2024-04-01") == "1 April 2024"
    assert report.long_date("2026-04-02T09:00:00+00:00") == "2 April 2026"
