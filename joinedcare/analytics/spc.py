"""Statistical process control: the NHS "Making Data Count" XmR chart, its icons and an SVG.

The rules, exactly as issue 6 states them (docs/outcomes.md works an example by hand):

- mean of the points; moving ranges |x[i] - x[i-1]|; process limits mean +- 2.66 x the mean
  moving range (2.66 = 3 / d2, d2 = 1.128 for ranges of two points);
- special cause when a point lies outside the limits (rule `outside_limits`); when a run of
  `run_length` (7, or 6 as a setting) or more points lies on one side of the mean, a point
  exactly on the mean breaking the run (`run`); when `trend_length` (7) or more points each
  rise strictly, or each fall strictly, from the one before (`trend`); when 2 of 3
  consecutive points lie beyond two-thirds of the way from the mean to a limit on the same
  side (`two_of_three`);
- at least 15 points before limits are shown: with fewer the chart is a plain run chart (the
  mean only), no special cause is looked for, and `Chart.note` says so;
- optional screening: moving ranges above 3.267 x the mean moving range (3.267 = D4 for
  ranges of two points) are left out and the mean moving range is computed again, once;
- optional baseline: mean and limits from the first k points only, the rules applied to all.

Which special cause is an improvement depends on the metric: `low_is_good=True` (admissions),
`False` (people at home 91 days after reablement) or `None` (no direction: a special cause is
then "neutral"). The variation icon reads the latest point; the assurance icon compares the
target with the limits. Colours are those of NHS-R's NHSRplotthedots (its `ptd_spc_colours`),
the Making Data Count implementation the NHS-R community maintains.

Pure Python and numpy: no Django, no plotting library, so a page renders a chart without
JavaScript and a test can read every number.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

# Scaling constants for individuals charts (moving ranges of two points).
LIMIT_FACTOR = 2.66  # 3 / d2, d2 = 1.128
SCREEN_FACTOR = 3.267  # D4: the upper range limit
MIN_POINTS = 15  # fewer points: no limits, no special cause
RUN_LENGTHS = (6, 7)
TWO_THIRDS = 2 / 3

# NHS-R NHSRplotthedots `ptd_spc_colours()` (github.com/nhs-r-community/NHSRplotthedots,
# R/ptd_spc_colours.R): the point colours of Making Data Count charts.
COMMON_CAUSE_COLOUR = "#A6A6A6"  # grey
IMPROVEMENT_COLOUR = "#00B0F0"  # blue
CONCERN_COLOUR = "#E46C0A"  # orange
NEUTRAL_COLOUR = "#490092"  # purple: special cause where neither direction is better
MEAN_COLOUR = "#000000"
LIMIT_COLOUR = "#A6A6A6"
TARGET_COLOUR = "#DE1B1B"

# The values a measure can take, (lowest, highest), None where open: (0, 100) for a
# percentage. The y-axis stops there (an axis to 120% shows values no month can have).
Bounds = tuple[float | None, float | None]
NO_BOUNDS: Bounds = (None, None)
PERCENTAGE_BOUNDS: Bounds = (0.0, 100.0)

TOO_FEW_POINTS = (
    f"Fewer than {MIN_POINTS} points: process limits and special cause variation are not "
    "shown until there are enough points to set them."
)


class Rule(enum.StrEnum):
    """A special cause rule that fired for a point."""

    OUTSIDE_LIMITS = "outside_limits"
    RUN = "run"
    TREND = "trend"
    TWO_OF_THREE = "two_of_three"


class Variation(enum.StrEnum):
    """What a point (or, for the icon, the latest point) shows."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "special_cause_improvement"
    CONCERN = "special_cause_concern"
    NEUTRAL = "special_cause_neutral"  # special cause, but the metric has no better direction
    NOT_ENOUGH_POINTS = "not_enough_points"


class Assurance(enum.StrEnum):
    """Whether the process will meet its target, from where the target lies."""

    # Target outside the limits on the good side: consistently met.
    PASS = "pass"  # noqa: S105 (a word, not a password)
    FAIL = "fail"  # target outside the limits on the bad side: consistently missed
    HIT_AND_MISS = "hit_and_miss"  # target within the limits: met some months, not others
    NONE = "none"  # no target, no direction or no limits


VARIATION_COLOURS = {
    Variation.COMMON_CAUSE: COMMON_CAUSE_COLOUR,
    Variation.IMPROVEMENT: IMPROVEMENT_COLOUR,
    Variation.CONCERN: CONCERN_COLOUR,
    Variation.NEUTRAL: NEUTRAL_COLOUR,
    Variation.NOT_ENOUGH_POINTS: COMMON_CAUSE_COLOUR,
}

# How each rule reads on a chart point (run and trend lengths are the chart's own).
RULE_WORDS = {
    Rule.OUTSIDE_LIMITS: "outside the process limits",
    Rule.RUN: "a run on one side of the mean",
    Rule.TREND: "a trend of rising or falling points",
    Rule.TWO_OF_THREE: "two of three points near a limit",
}

VARIATION_WORDS = {
    Variation.COMMON_CAUSE: "common cause variation",
    Variation.IMPROVEMENT: "special cause variation: improvement",
    Variation.CONCERN: "special cause variation: concern",
    Variation.NEUTRAL: "special cause variation (neither direction is better)",
    Variation.NOT_ENOUGH_POINTS: "not enough points to judge variation",
}

ASSURANCE_WORDS = {
    Assurance.PASS: "the process will consistently meet the target",
    Assurance.FAIL: "the process will consistently miss the target",
    Assurance.HIT_AND_MISS: (
        "the process will meet the target in some periods and miss it in others"
    ),
    Assurance.NONE: "no assurance against a target",
}


@dataclass(frozen=True)
class Point:
    """One point of the chart with its lines and the special cause rules that fired."""

    index: int
    label: str
    value: float
    mean: float
    upper: float | None
    lower: float | None
    moving_range: float | None  # None for the first point
    rules: tuple[Rule, ...]
    # "high" or "low": the side the special cause lies on (None for common cause).
    side: str | None
    variation: Variation
    colour: str

    @property
    def special_cause(self) -> bool:
        return bool(self.rules)


@dataclass(frozen=True)
class Chart:
    """An XmR chart: the points, its lines, the settings used and the two icons."""

    points: tuple[Point, ...]
    mean: float
    mean_moving_range: float | None
    upper: float | None
    lower: float | None
    low_is_good: bool | None
    target: float | None
    run_length: int
    trend_length: int
    screened: bool
    baseline: int | None
    # Indices (of the points) whose moving range screening left out.
    excluded_moving_ranges: tuple[int, ...]
    variation: Variation
    # "high" or "low" side of the latest point's special cause, for the icon's letter.
    variation_side: str | None
    assurance: Assurance
    note: str | None

    @property
    def has_limits(self) -> bool:
        return self.upper is not None

    @property
    def latest(self) -> Point:
        return self.points[-1]


def xmr(
    values: Sequence[float],
    *,
    labels: Sequence[str] | None = None,
    low_is_good: bool | None = None,
    target: float | None = None,
    run_length: int = 7,
    trend_length: int = 7,
    screen: bool = False,
    baseline: int | None = None,
) -> Chart:
    """The XmR chart of `values` (oldest first), with the Making Data Count rules."""
    x = _checked_values(values)
    if run_length not in RUN_LENGTHS:
        raise ValueError(f"run_length must be 6 or 7, not {run_length}")
    if baseline is not None and baseline < MIN_POINTS:
        raise ValueError(f"A baseline needs at least {MIN_POINTS} points, not {baseline}")
    labels = [str(i + 1) for i in range(len(x))] if labels is None else [str(s) for s in labels]
    if len(labels) != len(x):
        raise ValueError("labels and values differ in length")
    base = x if baseline is None else x[:baseline]
    mean = float(base.mean())
    ranges = np.abs(np.diff(x))
    if len(base) < MIN_POINTS:
        return _run_chart(
            x, labels, ranges, mean, low_is_good, target, run_length, trend_length, screen, baseline
        )
    base_ranges = ranges[: len(base) - 1]
    mean_mr, excluded = _mean_moving_range(base_ranges, screen)
    upper, lower = mean + LIMIT_FACTOR * mean_mr, mean - LIMIT_FACTOR * mean_mr
    rules, sides = _special_causes(x, mean, upper, lower, run_length, trend_length)
    points = tuple(
        _point(i, labels[i], x[i], mean, upper, lower, ranges, rules[i], sides[i], low_is_good)
        for i in range(len(x))
    )
    return Chart(
        points=points,
        mean=mean,
        mean_moving_range=mean_mr,
        upper=upper,
        lower=lower,
        low_is_good=low_is_good,
        target=target,
        run_length=run_length,
        trend_length=trend_length,
        screened=screen,
        baseline=baseline,
        excluded_moving_ranges=tuple(i + 1 for i in excluded),
        variation=points[-1].variation,
        variation_side=points[-1].side,
        assurance=assurance(upper, lower, target, low_is_good),
        note=None,
    )


def _checked_values(values: Sequence[float]) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or len(x) == 0:
        raise ValueError("An XmR chart needs a non-empty sequence of numbers")
    if not np.isfinite(x).all():
        # A suppressed or missing month must be decided by the caller (left out, or the chart
        # not drawn): silently skipping it would join points that are not neighbours.
        raise ValueError("An XmR chart cannot take missing or infinite values")
    return x


def _run_chart(
    x, labels, ranges, mean, low_is_good, target, run_length, trend_length, screen, baseline
) -> Chart:
    """Too few points for limits: the points and their mean, nothing judged."""
    points = tuple(
        Point(
            i,
            labels[i],
            float(x[i]),
            mean,
            None,
            None,
            _range_at(ranges, i),
            (),
            None,
            Variation.NOT_ENOUGH_POINTS,
            COMMON_CAUSE_COLOUR,
        )
        for i in range(len(x))
    )
    return Chart(
        points,
        mean,
        None,
        None,
        None,
        low_is_good,
        target,
        run_length,
        trend_length,
        screen,
        baseline,
        (),
        Variation.NOT_ENOUGH_POINTS,
        None,
        Assurance.NONE,
        TOO_FEW_POINTS,
    )


def _range_at(ranges: np.ndarray, i: int) -> float | None:
    return None if i == 0 else float(ranges[i - 1])


def _mean_moving_range(ranges: np.ndarray, screen: bool) -> tuple[float, list[int]]:
    """The mean moving range, after leaving out ranges over 3.267 x the mean if screening."""
    mean_mr = float(ranges.mean())
    if not screen:
        return mean_mr, []
    keep = ranges <= SCREEN_FACTOR * mean_mr
    return float(ranges[keep].mean()), [int(i) for i in np.flatnonzero(~keep)]


def _special_causes(x, mean, upper, lower, run_length, trend_length):
    """Per point: the rules that fired and, per rule, the side ("high"/"low") it points to."""
    n = len(x)
    fired: list[dict[Rule, str]] = [{} for _ in range(n)]
    for i in range(n):
        if x[i] > upper or x[i] < lower:
            fired[i][Rule.OUTSIDE_LIMITS] = "high" if x[i] > upper else "low"
    for side, sign in (("high", 1), ("low", -1)):
        for i in _runs(np.sign(x - mean) == sign, run_length):
            fired[i][Rule.RUN] = side
        steps = np.sign(np.diff(x)) == sign
        for i in _runs(steps, trend_length - 1):
            # A run of k strict steps covers k + 1 points: the step's both ends.
            fired[i][Rule.TREND] = side
            fired[i + 1][Rule.TREND] = side
        near = sign * (x - mean) > TWO_THIRDS * (upper - mean if sign > 0 else mean - lower)
        for i in _two_of_three(near):
            fired[i][Rule.TWO_OF_THREE] = side
    return [tuple(r for r in Rule if r in f) for f in fired], [_side(f) for f in fired]


def _runs(flags: np.ndarray, length: int) -> list[int]:
    """Indices inside every stretch of at least `length` consecutive True flags."""
    found, start = [], None
    for i, flag in enumerate([*flags.tolist(), False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start >= length:
                found.extend(range(start, i))
            start = None
    return found


def _two_of_three(near: np.ndarray) -> list[int]:
    """Points beyond the two-thirds line that belong to a window of 3 with 2 or more beyond.

    Only the points beyond the line are flagged: the third point of a window may lie anywhere.
    """
    found = set()
    for i in range(len(near) - 2):
        window = range(i, i + 3)
        if sum(bool(near[j]) for j in window) >= 2:
            found.update(j for j in window if near[j])
    return sorted(found)


def _side(fired: dict[Rule, str]) -> str | None:
    """The side a point's special cause points to.

    Where rules disagree (a point below the mean that is part of a rising trend) the rules
    about where the point lies (limits, run, two of three) win over the trend.
    """
    if not fired:
        return None
    # Position rules agree with each other by construction (each looks at the point's own
    # side of the mean), so `placed` holds at most one side.
    placed = {s for r, s in fired.items() if r is not Rule.TREND}
    return placed.pop() if placed else fired[Rule.TREND]


def _point(i, label, value, mean, upper, lower, ranges, rules, side, low_is_good) -> Point:
    variation = classify(side, low_is_good)
    return Point(
        i,
        label,
        float(value),
        mean,
        upper,
        lower,
        _range_at(ranges, i),
        rules,
        side,
        variation,
        VARIATION_COLOURS[variation],
    )


def classify(side: str | None, low_is_good: bool | None) -> Variation:
    """Common cause, improvement, concern or neutral, from a special cause's side."""
    if side is None:
        return Variation.COMMON_CAUSE
    if low_is_good is None:
        return Variation.NEUTRAL
    good = "low" if low_is_good else "high"
    return Variation.IMPROVEMENT if side == good else Variation.CONCERN


def assurance(
    upper: float | None, lower: float | None, target: float | None, low_is_good: bool | None
) -> Assurance:
    """Pass when the target lies outside the limits on the good side, fail on the bad side.

    A target exactly on a limit counts as within the limits (hit and miss): some points of an
    unchanged process would fall on the wrong side of it.
    """
    if target is None or low_is_good is None or upper is None or lower is None:
        return Assurance.NONE
    if lower <= target <= upper:
        return Assurance.HIT_AND_MISS
    target_above = target > upper
    # Low is good and the whole process lies below a target above it: consistently met.
    return Assurance.PASS if target_above == low_is_good else Assurance.FAIL


def describe(chart: Chart, *, unit: str = "", bounds: Bounds = NO_BOUNDS) -> str:
    """One plain-English paragraph for screen readers and the chart's <desc>.

    `bounds` are the values the measure can take (0 to 100 for a percentage): a limit
    beyond them is said to be drawn at the bound, as the chart draws it.
    """
    latest = chart.latest
    words = [f"{len(chart.points)} points. Latest ({latest.label}): {_fmt(latest.value)}{unit}."]
    words.append(f"Mean {_fmt(chart.mean)}{unit}.")
    if chart.has_limits:
        words.append(f"Process limits {_fmt(chart.lower)} to {_fmt(chart.upper)}{unit}.")
        words += _capped_limits(chart, unit, bounds)
        special = sum(p.special_cause for p in chart.points)
        words.append(f"{special} points show special cause variation.")
    else:
        words.append(chart.note or "")
    words.append(f"Latest point: {VARIATION_WORDS[chart.variation]}.")
    if chart.target is not None:
        words.append(f"Target {_fmt(chart.target)}{unit}: {ASSURANCE_WORDS[chart.assurance]}.")
    return " ".join(words)


def _capped_limits(chart: Chart, unit: str, bounds: Bounds) -> list[str]:
    """Sentences for limits lying beyond what the measure can take, drawn at the bound."""
    floor, ceiling = bounds
    words = []
    if floor is not None and chart.lower is not None and chart.lower < floor:
        words.append(
            f"The lower limit is below {_fmt(floor)}{unit}, the smallest possible value, "
            "and is drawn there."
        )
    if ceiling is not None and chart.upper is not None and chart.upper > ceiling:
        words.append(
            f"The upper limit is above {_fmt(ceiling)}{unit}, the largest possible value, "
            "and is drawn there."
        )
    return words


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:,.0f}"


# --- SVG -------------------------------------------------------------------------------------

WIDTH, HEIGHT = 640, 320
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 16, 40, 48


def render_svg(
    chart: Chart,
    *,
    title: str,
    unit: str = "",
    width: int = WIDTH,
    height: int = HEIGHT,
    element_id: str = "spc",
    bounds: Bounds = NO_BOUNDS,
) -> str:
    """The chart as an accessible SVG string: needs no JavaScript and no plotting library.

    `element_id` keeps the <title>/<desc> ids unique when a page holds several charts.
    `bounds` are the values the measure can take (PERCENTAGE_BOUNDS for a percentage): the
    y-axis stays within them, and a process limit beyond them is drawn at the bound.
    """
    frame = _Frame(chart, width, height, bounds)
    title_id, desc_id = f"{element_id}-title", f"{element_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" class="jc-spc">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(describe(chart, unit=unit, bounds=bounds))}</desc>',
        f'<text x="{MARGIN_LEFT}" y="20" font-size="14" font-weight="bold" '
        f'font-family="Arial, sans-serif">{escape(title)}</text>',
        *frame.axes(unit),
        *frame.lines(),
        *frame.points(),
        "</svg>",
    ]
    return "\n".join(parts)


class _Frame:
    """Scales from data to pixels and draws the chart's parts."""

    def __init__(self, chart: Chart, width: int, height: int, bounds: Bounds = NO_BOUNDS) -> None:
        self.chart, self.width, self.height = chart, width, height
        ys = [p.value for p in chart.points] + [chart.mean]
        ys += [v for v in (chart.upper, chart.lower, chart.target) if v is not None]
        lo, hi = min(ys), max(ys)
        pad = (hi - lo) * 0.08 or abs(hi) * 0.1 or 1.0
        values = [p.value for p in chart.points]
        self.ticks = _nice_ticks(*_axis_range(lo - pad, hi + pad, values, bounds))
        self.y0, self.y1 = self.ticks[0], self.ticks[-1]
        self.left, self.right = MARGIN_LEFT, width - MARGIN_RIGHT
        self.top, self.bottom = MARGIN_TOP, height - MARGIN_BOTTOM

    def x(self, i: int) -> float:
        n = len(self.chart.points)
        return self.left + (self.right - self.left) * (0.5 if n == 1 else i / (n - 1))

    def y(self, v: float) -> float:
        return self.bottom - (self.bottom - self.top) * (v - self.y0) / (self.y1 - self.y0)

    def axes(self, unit: str) -> list[str]:
        out = [
            f'<line x1="{self.left}" y1="{self.bottom}" x2="{self.right}" y2="{self.bottom}" '
            'stroke="#4C6272"/>',
            f'<line x1="{self.left}" y1="{self.top}" x2="{self.left}" y2="{self.bottom}" '
            'stroke="#4C6272"/>',
        ]
        for t in self.ticks:
            y = self.y(t)
            out.append(
                f'<text x="{self.left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
                f'font-family="Arial, sans-serif">{escape(_fmt(t))}</text>'
            )
        if unit.strip():
            out.append(
                f'<text x="12" y="{(self.top + self.bottom) / 2:.1f}" font-size="11" '
                f'transform="rotate(-90 12 {(self.top + self.bottom) / 2:.1f})" '
                f'text-anchor="middle" font-family="Arial, sans-serif">{escape(unit.strip())}'
                "</text>"
            )
        step = max(1, math.ceil(len(self.chart.points) / 12))
        for p in self.chart.points[::step]:
            out.append(
                f'<text x="{self.x(p.index):.1f}" y="{self.bottom + 16}" font-size="11" '
                f'text-anchor="middle" font-family="Arial, sans-serif">{escape(p.label)}</text>'
            )
        return out

    def _hline(self, value: float, colour: str, name: str, dash: str = "") -> str:
        # A limit beyond the axis (beyond what the measure can take) is drawn at its end.
        y = self.y(min(max(value, self.y0), self.y1))
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        return (
            f'<line class="jc-spc-{name}" x1="{self.left}" y1="{y:.1f}" x2="{self.right}" '
            f'y2="{y:.1f}" stroke="{colour}" stroke-width="1.5"{dashes}/>'
        )

    def lines(self) -> list[str]:
        c = self.chart
        out = [self._hline(c.mean, MEAN_COLOUR, "mean")]
        if c.has_limits:
            out.append(self._hline(c.upper, LIMIT_COLOUR, "upper", "6 4"))
            out.append(self._hline(c.lower, LIMIT_COLOUR, "lower", "6 4"))
        if c.target is not None:
            out.append(self._hline(c.target, TARGET_COLOUR, "target", "2 3"))
        path = " ".join(f"{self.x(p.index):.1f},{self.y(p.value):.1f}" for p in c.points)
        out.append(f'<polyline points="{path}" fill="none" stroke="{LIMIT_COLOUR}"/>')
        return out

    def points(self) -> list[str]:
        out = []
        for p in self.chart.points:
            rules = "; ".join(RULE_WORDS[r] for r in p.rules)
            out.append(
                f'<circle class="jc-spc-point" cx="{self.x(p.index):.1f}" '
                f'cy="{self.y(p.value):.1f}" r="4" fill="{p.colour}" '
                f'data-variation="{p.variation.value}"><title>{escape(p.label)}: '
                f"{escape(_fmt(p.value))} ({escape(VARIATION_WORDS[p.variation])}"
                f"{escape(f': {rules}' if rules else '')})</title></circle>"
            )
        return out


def _axis_range(
    low: float, high: float, values: Sequence[float], bounds: Bounds
) -> tuple[float, float]:
    """[low, high] kept within `bounds`, except that every point stays on the axis: padding
    or a limit beyond what the measure can take does not stretch it (a percentage's axis
    stops at 100%), but an occupancy over 100% (places overbooked) is still drawn."""
    floor, ceiling = bounds
    if floor is not None:
        low = max(low, min(floor, *values))
    if ceiling is not None:
        high = min(high, max(ceiling, *values))
    return low, high


def _nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]: whole multiples of one round step."""
    span = hi - lo
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    # Multiples, not a running sum: added-up float noise (99.9999...) would add a tick past
    # hi, and an axis to 100% would run to 120%. The tolerance does the same for hi / step.
    first, last = math.floor(lo / step), math.ceil(hi / step - 1e-9)
    return [round(k * step, 10) for k in range(first, max(last, first + 1) + 1)]
