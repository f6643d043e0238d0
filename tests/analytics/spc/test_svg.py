"""The SVG a page shows: well-formed, accessible, one coloured point per month."""

import xml.etree.ElementTree as ET

from joinedcare.analytics.spc import PERCENTAGE_BOUNDS, describe, render_svg, xmr

from .test_ae_series import series

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output, not untrusted input)


def test_svg_has_title_description_points_and_lines():
    labels, values = series("RXP", "admissions")
    chart = xmr(values, labels=labels, low_is_good=True, target=3_500)
    root = parse(render_svg(chart, title="Emergency admissions <RXP>", unit=" per month"))

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "spc-title spc-desc"
    assert root.find("svg:title", NS).text == "Emergency admissions <RXP>"
    desc = root.find("svg:desc", NS).text
    assert "Latest (2019-03): 3,923 per month" in desc
    assert "special cause variation: concern" in desc
    assert "in some periods and miss it in others" in desc
    circles = root.findall("svg:circle", NS)
    assert len(circles) == 36
    assert circles[-1].get("fill") == "#E46C0A"
    assert circles[9].get("fill") == "#A6A6A6"
    classes = {line.get("class") for line in root.findall("svg:line", NS)}
    assert {"jc-spc-mean", "jc-spc-upper", "jc-spc-lower", "jc-spc-target"} <= classes


def test_svg_without_limits_draws_mean_only():
    chart = xmr([3.0, 4.0, 5.0])
    root = parse(render_svg(chart, title="Short", element_id="short"))
    classes = {line.get("class") for line in root.findall("svg:line", NS)}
    assert "jc-spc-mean" in classes
    assert "jc-spc-upper" not in classes
    assert root.find("svg:title", NS).get("id") == "short-title"
    assert "Fewer than 15 points" in root.find("svg:desc", NS).text


def test_svg_of_a_single_flat_point():
    root = parse(render_svg(xmr([0.0]), title="One"))
    assert len(root.findall("svg:circle", NS)) == 1


def test_description_names_the_limits():
    chart = xmr([-2, 2] * 8 + [30], low_is_good=False)
    text = describe(chart)
    assert "Process limits" in text and "1 points show special cause" in text


def test_each_point_says_in_words_which_rules_fired():
    labels, values = series("RXP", "admissions")
    chart = xmr(values, labels=labels, low_is_good=True, target=3_500)
    root = parse(render_svg(chart, title="Emergency admissions"))
    titles = [c.find("svg:title", NS).text for c in root.findall("svg:circle", NS)]
    assert not any("_" in t or "rules:" in t for t in titles)
    special = [t for t, p in zip(titles, chart.points, strict=True) if p.rules]
    assert special and all(
        any(w in t for w in ("outside the process limits", "a run on one side", "a trend"))
        or "two of three points" in t
        for t in special
    )
    common = [t for t, p in zip(titles, chart.points, strict=True) if not p.rules]
    assert common and all(t.endswith("(common cause variation)") for t in common)


def _y_ticks(root: ET.Element) -> list[float]:
    """The y-axis labels: the only right-aligned texts."""
    texts = root.findall("svg:text", NS)
    return [float(t.text.replace(",", "")) for t in texts if t.get("text-anchor") == "end"]


def test_percentage_axis_stops_at_0_and_100_and_limits_beyond_are_drawn_there():
    chart = xmr([50.0, 100.0] * 8, low_is_good=False)
    assert chart.upper > 100 and chart.lower < 0

    root = parse(render_svg(chart, title="At home", unit="%", bounds=PERCENTAGE_BOUNDS))

    ticks = _y_ticks(root)
    assert min(ticks) == 0 and max(ticks) == 100
    lines = {line.get("class"): float(line.get("y1")) for line in root.findall("svg:line", NS)}
    points = [float(c.get("cy")) for c in root.findall("svg:circle", NS)]
    # The upper limit is drawn on the 100% line, where the 100% points are.
    assert lines["jc-spc-upper"] == min(points)
    desc = root.find("svg:desc", NS).text
    assert "The upper limit is above 100%, the largest possible value" in desc
    assert "The lower limit is below 0%, the smallest possible value" in desc


def test_a_bound_never_hides_a_point_beyond_it():
    # Places overbooked: an occupancy over 100% is a real month and stays on the axis.
    root = parse(render_svg(xmr([90.0, 104.0, 96.0]), title="Occupancy", bounds=(0.0, 100.0)))

    assert max(_y_ticks(root)) >= 104


def test_without_bounds_the_axis_is_as_before():
    root = parse(render_svg(xmr([50.0, 100.0] * 8), title="Anything"))

    assert max(_y_ticks(root)) > 100 and min(_y_ticks(root)) < 0
