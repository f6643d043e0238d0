"""The run's model card: report.json (every figure) and a readable, self-contained report.html.

The HTML has no scripts and no external resources (inline CSS, inline SVG calibration plot),
so it opens anywhere, including from an e-mail attachment on an NHS laptop.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any

from joinedcare.analytics import evaluation as E

NOT_AVAILABLE = "&ndash;"  # an HTML entity, so the source stays ASCII
TEMPLATE = Path(__file__).parent / "templates" / "model_card.html"


def write_reports(report: dict, run_dir: Path) -> tuple[Path, Path]:
    """Write report.json and report.html into `run_dir`; return their paths."""
    json_path = run_dir / "report.json"
    html_path = run_dir / "report.html"
    json_path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    html_path.write_text(render_html(report))
    return json_path, html_path


def _f(value: object, digits: int = 3) -> str:
    if _missing(value):
        return NOT_AVAILABLE
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return readable(value)


def _pct(value: object) -> str:
    return NOT_AVAILABLE if _missing(value) else f"{100 * float(value):.1f}%"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def readable(value: object) -> str:
    """Any report value as escaped text a commissioner can read: never Python's repr of a
    dict or list, thousands separated, floats to four significant figures."""
    if _missing(value):
        return NOT_AVAILABLE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    if isinstance(value, dict):
        pairs = [f"{escape(str(k).replace('_', ' '))}: {readable(v)}" for k, v in value.items()]
        return "; ".join(pairs)
    if isinstance(value, list | tuple):
        return _and([readable(v) for v in value])
    return escape(str(value))


def _and(items: list[str]) -> str:
    """Items joined as "a", "a and b" or "a, b and c"."""
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def long_date(iso: str) -> str:
    """An ISO date (or a timestamp starting with one) as "1 April 2024"."""
    day = date.fromisoformat(str(iso)[:10])
    return f"{day.day} {day:%B %Y}"


def _started(iso: str) -> str:
    """The run's start as "2 April 2026 at 09:00 UTC" (stratify records it in UTC)."""
    when = datetime.fromisoformat(iso)
    zone = f" {when.tzname()}" if when.tzinfo else ""
    return f"{long_date(iso)} at {when:%H:%M}{zone}"


# Each index date's part in the run, as the card names it.
_ROLES = {"fit": "fitted", "validate": "validated", "score": "scored"}
_PEOPLE = {"fit": "at fitting", "validate": "at validation", "score": "at scoring"}
_ENGINES = {"duckdb": "DuckDB", "spark": "Apache Spark"}


def _widest_share(report: dict) -> str | None:
    """The widest case-list share the run explained ("top 5%"), read from the run itself:
    its case-list sizes run from the narrowest share to the widest."""
    sizes = report.get("case_list_sizes") or report.get("segments") or {}
    return list(sizes)[-1] if sizes else None


def _factors_for(factors_for: str, widest: str | None) -> str:
    """Who has top factors, in words; a published list (a share of each practice no wider
    than the widest segment) is always within them."""
    if factors_for == "all":
        return "everyone scored"
    if factors_for == "segments" and widest:
        return (
            f"the {widest} of each practice by risk (a case list published from this run is "
            "at most that share, so everyone on it has them)"
        )
    return escape(str(factors_for))


def _index_dates(dates: dict) -> str:
    return ", ".join(f"{escape(_ROLES.get(k, k))} at {long_date(v)}" for k, v in dates.items())


def _windows(months: list[int]) -> str:
    return _and([str(m) for m in months]) + " months"


def _people(people: dict) -> str:
    return ", ".join(f"{n:,} {escape(_PEOPLE.get(k, k))}" for k, n in people.items())


# The Run table: each field's label and how its value is shown, in the order shown.
_RUN_FIELDS: dict[str, tuple[str, Callable[[Any], str] | None]] = {
    "run_id": ("run", readable),
    "started": ("started", _started),
    "snapshot_fingerprint": ("snapshot fingerprint", readable),
    "code_version": ("code version", readable),
    "engine": ("engine", lambda e: escape(_ENGINES.get(e, str(e)))),
    "seed": ("random seed", lambda s: escape(str(s))),  # an identifier: no thousands commas
    "index_dates": ("index dates", _index_dates),
    "windows_months": ("look-back windows", _windows),
    "people": ("people in the cohort", _people),
    # Shown by _metadata: its words depend on the run's case-list shares, not only the value.
    "factors_for": ("top factors given for", None),
    "seconds_total": ("total time", lambda s: f"{s:,.1f} seconds"),
    "scores_sha256": ("scores file SHA-256", readable),
}


def _table(caption: str, head: list[str], rows: list[list[str]]) -> str:
    """A table with its caption (what a screen reader announces on entering it); cells are
    HTML already, the caption and headings plain text."""
    th = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{th}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _auc_text(auc: dict) -> str:
    if auc.get("auc") is None:
        return NOT_AVAILABLE
    return f"{auc['auc']:.3f} ({auc['ci_low']:.3f} to {auc['ci_high']:.3f})"


def calibration_svg(bins: list[dict], size: int = 320) -> str:
    """Observed against predicted risk by tenth, with the line of perfect calibration."""
    pad = 40
    top = max([0.05, *[b["predicted"] for b in bins], *[b["observed"] for b in bins]])
    top = math.ceil(top * 20) / 20  # round the axis up to the next 5%
    span = size - 2 * pad

    def xy(px: float, py: float) -> tuple[float, float]:
        return pad + span * px / top, size - pad - span * py / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" role="img" aria-label="Calibration plot: observed '
        "rate against predicted risk by tenth of predicted risk; the figures are in the "
        'table that follows">',
        f'<rect x="{pad}" y="{pad}" width="{span}" height="{span}" fill="none" stroke="#768692"/>',
        '<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="#aeb7bd" '
        'stroke-dasharray="4 3"/>'.format(*xy(0, 0), *xy(top, top)),
    ]
    for i in range(5):
        v = top * i / 4
        x, y = xy(v, 0)
        parts.append(
            f'<text x="{x:.1f}" y="{size - pad + 14}" font-size="10" '
            f'text-anchor="middle">{100 * v:.0f}%</text>'
        )
        x, y = xy(0, v)
        parts.append(
            f'<text x="{pad - 4}" y="{y + 3:.1f}" font-size="10" '
            f'text-anchor="end">{100 * v:.0f}%</text>'
        )
    points = [xy(b["predicted"], b["observed"]) for b in bins]
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#005eb8" stroke-width="2"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#005eb8"/>' for x, y in points]
    parts.append(
        f'<text x="{size / 2}" y="{size - 6}" font-size="11" text-anchor="middle">'
        "predicted risk</text>"
    )
    parts.append(
        f'<text x="12" y="{size / 2}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 12 {size / 2})">observed rate</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def calibration_table(bins: list[dict]) -> str:
    """The plot's points as a table, for anyone who cannot see the plot."""
    rows = [[f"{b['bin']}", f"{b['n']:,}", _pct(b["predicted"]), _pct(b["observed"])] for b in bins]
    return _table(
        "Calibration: average predicted risk and share admitted, by tenth of predicted risk "
        "(1 is the lowest tenth)",
        ["tenth", "people", "average predicted risk", "share admitted (observed)"],
        rows,
    )


def _case_finding_rows(name: str, summary: dict) -> list[str]:
    cf = {c["top"]: c for c in summary["case_finding"]}
    row = [escape(name), _auc_text(summary["auc"])]
    for f in E.TOP_FRACTIONS:
        c = cf.get(f)
        row.append(f"{_pct(c['ppv'])} / {_pct(c['sensitivity'])}" if c else NOT_AVAILABLE)
    cal = summary.get("calibration") or {}
    row += [_f(summary.get("brier"), 4), _f(cal.get("slope")), _f(cal.get("intercept"))]
    return row


def _comparison(validation: dict) -> str:
    rows = [_case_finding_rows("fitted model (LightGBM)", validation["model"])]
    rows += [_case_finding_rows(name, s) for name, s in validation["baselines"].items()]
    oracle = validation.get("oracle")
    if oracle:
        rows.append(_case_finding_rows("oracle: the true probabilities", oracle["oracle"]))
    head = ["score", "AUC (95% CI)"]
    head += [f"top {100 * f:g}%: PPV / sensitivity" for f in E.TOP_FRACTIONS]
    head += ["Brier", "calibration slope", "calibration intercept"]
    return _table(
        "The fitted model against simpler scores on the validation population; lists are "
        "the top of the whole population by each score",
        head,
        rows,
    )


def _subgroups(validation: dict) -> str:
    parts = []
    for name, rows in validation["subgroups"].items():
        head = ["group", "people", "admitted", "AUC"]
        head += [f"top {100 * f:g}%: flagged, PPV, sensitivity" for f in E.TOP_FRACTIONS]
        body = []
        for r in rows:
            cells = [readable(r["group"]), f"{r['n']:,}", f"{r['events']:,}", _f(r["auc"])]
            for f in E.TOP_FRACTIONS:
                cells.append(
                    f"{r[f'flagged_{f}']:,}, {_pct(r[f'ppv_{f}'])}, {_pct(r[f'sensitivity_{f}'])}"
                )
            body.append(cells)
        caption = f"By {name}: lists cut across the whole validation population"
        parts.append(f"<h3>By {escape(name)}</h3>" + _table(caption, head, body))
    return "".join(parts)


def _metadata(report: dict) -> str:
    run = report["run"]
    widest = _widest_share(report)
    rows = [
        [escape(label), show(run[k]) if show else _factors_for(run[k], widest)]
        for k, (label, show) in _RUN_FIELDS.items()
        if k in run
    ]
    return (
        _table("How this run was made", ["detail", "value"], rows)
        + "<h3>Time and memory by stage</h3>"
        + _stages(run)
    )


def _stages(run: dict) -> str:
    """Seconds per stage and the process's peak memory when each stage ended.

    The peak (ru_maxrss) is the highest since the process started and never falls: a
    figure the first stage already shows may have been set before the run began (by
    earlier work in the same process), and a stage that did not raise it is said so rather
    than credited with the same number again.
    """
    peaks = run.get("stage_peak_rss_mb", {})
    rows, before = [], None
    for stage, seconds in run.get("stage_seconds", {}).items():
        peak = peaks.get(stage)
        if peak is None:
            shown = NOT_AVAILABLE
        elif before is not None and peak <= before:
            shown = "no higher"
        else:
            shown = f"{peak:,.0f} MB"
        rows.append([escape(stage), f"{seconds:,.1f} s", shown])
        before = peak if peak is not None else before
    return (
        '<p class="note">Memory is the process&rsquo;s peak resident memory when the stage '
        "ended: the highest since the process started, so the first figure may include work "
        "the process did before this run, and it rises only where a stage used more.</p>"
        + _table(
            "Time and memory by stage",
            ["stage", "seconds", "peak memory of the process when the stage ended"],
            rows,
        )
    )


def _case_lists(sizes: dict[str, int]) -> str:
    """People on each published list: the top 2% of a practice includes its top 0.5%."""
    rows = [[f"in the {escape(label)} of their practice", f"{n:,}"] for label, n in sizes.items()]
    return (
        '<p class="note">People on a case list published at each share of each practice: '
        "each list includes the lists above it (the top 2% includes the top 0.5%). A run is "
        "published at one share; the case-list pages say which.</p>"
        + _table(
            "People on a case list at each share of each practice", ["case list", "people"], rows
        )
    )


def render_html(report: dict) -> str:
    """The model card as one HTML page."""
    v = report["validation"]
    m = v["model"]
    cal = m["calibration"]
    oracle = v.get("oracle")
    oracle_text = ""
    if oracle:
        oracle_text = (
            f"<p>On the same people the true probabilities (known only for synthetic "
            f"data) give AUC {_auc_text(oracle['oracle']['auc'])}: the best any model "
            f"could do.</p>"
        )
    headline = (
        f"<p>Validated at {long_date(report['run']['index_dates']['validate'])} on "
        f"{m['n']:,} people, {m['events']:,} of whom had an emergency admission in the next 12 "
        f"months ({_pct(m['observed_rate'])}; the model predicted {_pct(m['mean_predicted'])}). "
        f"AUC {_auc_text(m['auc'])}; Brier {_f(m['brier'], 4)}; calibration slope "
        f"{_f(cal['slope'])} and intercept {_f(cal['intercept'])} (perfect: 1 and 0).</p>"
        + oracle_text
    )
    body = {
        "title": f"Risk stratification model card: run {escape(report['run']['run_id'])}",
        "headline": headline,
        "plot": calibration_svg(v["calibration_plot"]),
        "calibration_table": calibration_table(v["calibration_plot"]),
        # The shares the run's own lists were cut at, as its figures say.
        "shares": _and([f"{100 * c['top']:g}%" for c in m["case_finding"]]),
        "comparison": _comparison(v),
        "subgroups": _subgroups(v),
        "segments": _case_lists(report["case_list_sizes"]),
        "metadata": _metadata(report),
        "model": escape(
            f"{report['model']['kind']}; {report['model']['trees']:,} trees; "
            f"{len(report['model']['features'])} features; fitted at "
            f"{long_date(report['run']['index_dates']['fit'])} on "
            f"{report['model']['rows_fit']:,} people, calibrated on "
            f"{report['model']['rows_calibration']:,} held out."
        ),
    }
    html = TEMPLATE.read_text()
    for key, value in body.items():
        html = html.replace("{{ " + key + " }}", value)
    return html
