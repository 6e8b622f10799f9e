"""The report of an ``mc rare`` folder: the failure probability, how the method got there, the
most likely failure points and the inputs that lead there.

``mc rare --out DIR`` leaves ``DIR/rare_result.json`` and the runs it flew in
``DIR/evaluations``. The page has the estimate with its interval and runs spent, the levels of
subset simulation (or the cross-entropy steps) as the threshold on the landing margin falls to
0, the margins of every run flown against the most informative inputs, the design points and
the importance factors.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from boostback.campaign.rare_campaign import load_rare
from boostback.report.figures import TEMPLATE
from boostback.report.html import (
    PLOTLY_FILE,
    REPORT_NAME,
    PlotlyMode,
    _env,
    _plotly_js,
    figure_block,
    key_values,
    shared_plotly,
    table,
)
from boostback.report.palette import FAILED_COLOUR, GREY, LANDED_COLOUR

__all__ = ["importance_figure", "levels_figure", "margins_figure", "write_rare_report"]

PAGE = """{% extends "base.html.j2" %}
{% from "macros.j2" import plot, grid, kv %}
{% block subtitle %}Rare-event estimate{% endblock %}
{% block nav %}
<a href="#estimate">estimate</a><a href="#levels">levels</a><a href="#runs">runs</a>
<a href="#design">design points</a><a href="#importance">importance</a>
{% endblock %}
{% block content %}
<section id="estimate">
  <h2>Failure probability</h2>
  <p class="headline">{{ headline }}</p>
  {{ kv(summary) }}
  {% for n in notes %}<p class="muted">{{ n }}</p>{% endfor %}
</section>
<section id="levels">
  <h2>How the method got there</h2>
  {{ plot(fig["rare-levels"]) }}
  <p class="muted">Subset simulation: each level's threshold on the landing margin and the
  probability of falling below it, down to the failure threshold 0. Cross-entropy: its
  thresholds. FORM: none (one design point).</p>
</section>
<section id="runs">
  <h2>Runs flown</h2>
  {{ plot(fig["rare-margins"]) }}
</section>
<section id="design">
  <h2>Most likely failure points</h2>
  {{ grid(design, "no failed run") }}
</section>
<section id="importance">
  <h2>Inputs that lead there</h2>
  {{ plot(fig["rare-importance"]) }}
</section>
{% endblock %}
"""


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(template=TEMPLATE, title=title, height=height)
    return fig


def levels_figure(result: dict[str, Any]) -> go.Figure:
    """Each level's margin threshold and probability (log scale)."""
    steps = result.get("steps") or []
    fig = go.Figure()
    if steps:
        thresholds = [s["threshold"] for s in steps]
        probs = [s["probability"] for s in steps]
        fig.add_scatter(
            x=thresholds,
            y=probs,
            mode="lines+markers",
            name="P(margin < threshold)",
            line={"color": GREY},
        )
    lo, hi = result["interval_95"]
    p = result["probability"]
    fig.add_scatter(
        x=[0.0],
        y=[p],
        mode="markers",
        marker={"color": FAILED_COLOUR, "size": 10},
        error_y={"type": "data", "array": [hi - p], "arrayminus": [p - lo]},
        name="estimate, 95 % interval",
    )
    fig.update_yaxes(type="log", title="probability")
    fig.update_xaxes(title="threshold on the landing margin", autorange="reversed")
    return _layout(fig, "Levels")


def margins_figure(result: dict[str, Any], runs: pd.DataFrame) -> go.Figure:
    """Every run's margin against the input with the largest importance factor."""
    fig = go.Figure()
    importance = result.get("importance") or {}
    if runs.empty or "landing_margin" not in runs:
        return _layout(fig, "Runs flown (none)")
    name = max(importance, key=importance.get) if importance else result["names"][0]
    column = f"x:{name}"
    margin = runs["landing_margin"].to_numpy(float)
    margin = np.where(np.isnan(margin), -1.0, margin)
    failed = margin < 0
    for mask, label, colour in (
        (~failed, "landed", LANDED_COLOUR),
        (failed, "failed", FAILED_COLOUR),
    ):
        fig.add_scattergl(
            x=runs.loc[mask, column],
            y=margin[mask],
            mode="markers",
            name=f"{label} ({int(mask.sum())})",
            marker={"color": colour, "size": 4, "opacity": 0.6},
        )
    fig.add_hline(y=0.0, line={"color": GREY, "dash": "dash"})
    fig.update_xaxes(title=name.removeprefix("input:"))
    fig.update_yaxes(title="landing margin", range=[-1.05, max(1.0, float(np.nanmax(margin)))])
    return _layout(fig, f"Landing margin of the {len(runs)} runs flown")


def importance_figure(result: dict[str, Any]) -> go.Figure:
    """Each input's share of the design point's distance from the mean (alpha^2)."""
    items = sorted((result.get("importance") or {}).items(), key=lambda kv: kv[1])
    fig = go.Figure(
        go.Bar(
            x=[v for _, v in items],
            y=[k.removeprefix("input:") for k, _ in items],
            orientation="h",
            marker={"color": FAILED_COLOUR},
        )
    )
    fig.update_xaxes(title="importance factor (alpha^2)", tickformat=".0%")
    return _layout(fig, "Importance factors at the design point", 120 + 30 * max(len(items), 1))


def _headline(r: dict[str, Any]) -> str:
    lo, hi = r["interval_95"]
    cov = r["cov"]
    cov_text = f"{cov:.3f}" if math.isfinite(cov) else "unknown"
    return (
        f"P(failure) = {r['probability']:.4g} (95 % interval {lo:.4g} to {hi:.4g}, CoV "
        f"{cov_text}) by {r['method']} in {r['runs']} runs."
    )


def write_rare_report(
    folder: str | Path, out_path: str | Path | None = None, *, plotly: str = PlotlyMode.SHARED
) -> Path:
    """Write the report of an ``mc rare`` folder (default ``FOLDER/report.html``).

    Parameters
    ----------
    folder : str or Path
        The folder ``mc rare --out`` wrote.
    out_path : str or Path, optional
        The page to write.
    plotly : str
        Where plotly.js goes (:class:`~boostback.report.html.PlotlyMode`).

    Returns
    -------
    Path
        The page written.
    """
    result, runs = load_rare(folder)
    out = Path(out_path) if out_path is not None else Path(folder) / REPORT_NAME
    out.parent.mkdir(parents=True, exist_ok=True)
    mode = PlotlyMode(plotly)
    if mode is PlotlyMode.SHARED:
        shared_plotly(out.parent)
    facts = {
        "method": result["method"],
        "failure probability": result["probability"],
        "coefficient of variation": result["cov"],
        "95 % interval": "{:.4g} to {:.4g}".format(*result["interval_95"]),
        "runs asked": result["runs"],
        "runs flown this time": result.get("flown", ""),
        "runs reused": result.get("reused", ""),
        "failed runs": result["failures"],
    }
    if result.get("form"):
        facts["FORM beta"] = result["form"]["beta"]
        facts["FORM Phi(-beta)"] = result["form"]["probability"]
    design = [{k.removeprefix("input:"): v for k, v in p.items()} for p in result["design_points"]]
    figures = [
        figure_block("rare-levels", levels_figure(result)),
        figure_block("rare-margins", margins_figure(result, runs)),
        figure_block("rare-importance", importance_figure(result)),
    ]
    html = (
        _env()
        .from_string(PAGE)
        .render(
            title=f"{Path(folder).name}: rare-event estimate",
            plotly_js=_plotly_js() if mode is PlotlyMode.INLINE else "",
            plotly_src=PLOTLY_FILE if mode is PlotlyMode.SHARED else "",
            manifest=_manifest(figures),
            fig={f["id"]: f for f in figures},
            figures=figures,
            generated=pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d %H:%M UTC"),
            headline=_headline(result),
            summary=key_values(facts),
            notes=result.get("notes", []),
            design=table(design, humanize=False),
            pngs=[],
            files=[],
        )
    )
    out.write_text(html, encoding="utf-8")
    return out


def _manifest(figures: list[dict[str, Any]]) -> str:
    import json

    return json.dumps([{k: f[k] for k in ("id", "traces", "kind")} for f in figures])
