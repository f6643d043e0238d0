"""Small-number suppression for every aggregate shown beyond the care team.

The rule (the same as OpenSAFELY's published outputs): a count of 7 or fewer is suppressed;
any other count is rounded to the nearest 5. A rate or percentage made from a suppressed
count is suppressed too, and one made from counts that were not is computed from the
*rounded* counts, so that no shown figure can be combined with another to recover a small
number.

Zero is suppressed like any other count of 7 or fewer. Showing "0" while hiding 1-7 would
let a reader tell "none" from "a few", and with a total (or a neighbouring month) shown,
zeros and totals together can pin small cells down. A page shows SUPPRESSED_TEXT in place.

Halves round up (13 -> 15, 12 -> 10, 10 -> 10): whole numbers only reach .5 after dividing
by 5 at 2.5, which cannot happen, so the choice only matters for fractional inputs such as
bed days averaged over a stay, which we round half up, never to even.

`suppress` is the one function pages call; `RULE_TEXT` is the sentence the page shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

THRESHOLD = 7  # counts of this or fewer are suppressed
ROUND_TO = 5
SUPPRESSED_TEXT = "[c]"  # the ONS symbol for "confidential" (suppressed) figures

RULE_TEXT = (
    f"To protect privacy, counts of {THRESHOLD} or fewer (including zero) are not shown "
    f"({SUPPRESSED_TEXT}), other counts are rounded to the nearest {ROUND_TO}, and rates and "
    "percentages are worked out from the rounded counts; a rate is not shown when either of "
    "its counts is not."
)


@dataclass(frozen=True)
class Figure:
    """A figure ready to show: the numerator and denominator as published, and the value."""

    numerator: int | None
    denominator: int | None
    value: float | None
    suppressed: bool

    def text(self, places: int = 1) -> str:
        """The value for a page: SUPPRESSED_TEXT, or the number to `places` decimals."""
        if self.value is None:
            return SUPPRESSED_TEXT
        return f"{self.value:,.{places}f}"


def round_count(count: float) -> int | None:
    """A count as it may be published: None when 7 or fewer, else to the nearest 5."""
    if count is None or (isinstance(count, float) and math.isnan(count)):
        return None
    if count < 0:
        raise ValueError(f"A count cannot be negative: {count}")
    if count <= THRESHOLD:
        return None
    return math.floor(count / ROUND_TO + 0.5) * ROUND_TO


def suppress(numerator: float, denominator: float | None = None, *, per: float = 1) -> Figure:
    """The one function pages call for every aggregate shown beyond the care team.

    A count alone: `suppress(12)` -> numerator 10, value 10. A rate: `suppress(12, 1_000,
    per=100_000)` rounds both counts and computes the rate from the rounded ones; it is
    suppressed when either count is. `per` is 1 for a proportion, 100 for a percentage,
    1,000 or 100,000 for rates per population.
    """
    top = round_count(numerator)
    if denominator is None:
        return Figure(top, None, None if top is None else float(top), top is None)
    bottom = round_count(denominator)
    if top is None or bottom is None:
        return Figure(top, bottom, None, True)
    return Figure(top, bottom, top / bottom * per, False)
