"""The run's model card: report.json (every figure) and a readable, self-contained report.html.

The HTML has no scripts and no external resources (inline CSS, inline SVG calibration plot),
so it opens anywhere, including from an e-mail attachment on an NHS laptop.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from html import escape
from pathlib import Path

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
_FACTORS_FOR = {
    "segments": "people on the case lists (top 5% of each practice)",
    "all": "everyone scored",
}


def _index_dates(dates: dict) -> str:
    return ", ".join(f"{escape(_ROLES.get(k, k))} at {long_date(v)}" for k, v in dates.items())


def _windows(months: list[int]) -> str:
    return _and([str(m) for m in months]) + " months"


def _people(people: dict) -> str:
    return ", ".join(f"{n:,} {escape(_PEOPLE.get(k, k))}" for k, n in people.items())


# The Run table: each field's label and how its value is shown, in the order shown.
_RUN_FIELDS = {
    "run_id": ("run", readable),
    "started": ("started", _started),
    "snapshot_fingerprint": ("snapshot fingerprint", readable),
    "code_version": ("code version", readable),
    "engine": ("engine", lambda e: escape(_ENGINES.get(e, str(e)))),
    "seed": ("random seed", lambda s: escape(str(s))),  # an identifier: no thousands commas
    "index_dates": ("index dates", _index_dates),
    "windows_months": ("look-back windows", _windows),
    "people": ("people in the cohort", _people),
    "factors_for": ("top factors given for", lambda f: escape(_FACTORS_FOR.get(f, str(f)))),
    "seconds_total": ("total time", lambda s: f"{s:,.1f} seconds"),
    "scores_sha256": ("scores file SHA-256", readable),
}


def _table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


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
        f'viewBox="0 0 {size} {size}" role="img" aria-label="Calibration plot">',
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
    return _table(head, rows)


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
        parts.append(f"<h3>By {escape(name)}</h3>" + _table(head, body))
    return "".join(parts)


def _metadata(run: dict) -> str:
    rows = [[escape(label), show(run[k])] for k, (label, show) in _RUN_FIELDS.items() if k in run]
    stage_rows = [
        [escape(s), f"{sec:,.1f} s", f"{run['stage_peak_rss_mb'][s]:,.0f} MB"]
        for s, sec in run.get("stage_seconds", {}).items()
    ]
    return (
        _table(["", ""], rows)
        + "<h3>Time and memory by stage</h3>"
        + _table(["stage", "seconds", "peak memory so far"], stage_rows)
    )


def _case_lists(sizes: dict[str, int]) -> str:
    """People on each published list: the top 2% of a practice includes its top 0.5%."""
    rows = [[f"in the {escape(label)} of their practice", f"{n:,}"] for label, n in sizes.items()]
    return (
        '<p class="note">People on each case list, as published: each list includes the '
        "lists above it (the top 2% includes the top 0.5%).</p>"
        + _table(["case list", "people"], rows)
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
        "comparison": _comparison(v),
        "subgroups": _subgroups(v),
        "segments": _case_lists(report["case_list_sizes"]),
        "metadata": _metadata(report["run"]),
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
