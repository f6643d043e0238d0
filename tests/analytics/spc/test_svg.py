"""The SVG a page shows: well-formed, accessible, one coloured point per month."""

import xml.etree.ElementTree as ET

from joinedcare.analytics.spc import describe, render_svg, xmr

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
