"""The report of an ``mc boundary`` folder: landing probability against fault size.

``mc boundary --out DIR`` leaves one campaign folder per magnitude flown, named
``<parameter>=<magnitude>`` (``fraction=0.15``), each as ``mc run --out`` writes it. This reads
them all, summarises each (landing probability and its 95 % Wilson interval, outcomes), and
draws the probability against the magnitude with its intervals, the threshold and the boundary.
The threshold and the boundary found are read from the sweep's ``boundary.json`` (``mc boundary``
writes it); for a folder without one, the ``threshold`` given here is used, else none is drawn.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from boostback.campaign.boundary import BOUNDARY_FILE
from boostback.report.figures import TEMPLATE
from boostback.report.html import REPORT_NAME, PlotlyMode, figure_block, key_values, render, table
from boostback.report.palette import (
    BLACK,
    FAILED_COLOUR,
    GREY,
    LANDED_COLOUR,
    OKABE_ITO,
    outcome_colour,
)

__all__ = [
    "BOUNDARY_FILE",
    "BoundarySweep",
    "is_boundary_folder",
    "read_sweep",
    "sweep_figure",
    "write_boundary_report",
]

STEP = re.compile(r"^(?P<param>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>[-+0-9.eE]+)$")


@dataclass(frozen=True)
class BoundarySweep:
    """One row per magnitude flown (``table``), the fault and parameter swept, and what is known
    of the threshold and the boundary."""

    fault: str
    parameter: str
    table: pd.DataFrame
    outcomes: pd.DataFrame  # magnitude x outcome -> runs
    threshold: float | None
    boundary: float | None
    name: str


def _steps(folder: Path) -> list[tuple[str, float, Path]]:
    out = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        m = STEP.match(sub.name)
        if m and (sub / "campaign.json").is_file() and any((sub / "runs").glob("part-*.parquet")):
            try:
                out.append((m["param"], float(m["value"]), sub))
            except ValueError:
                continue
    return out


def is_boundary_folder(folder: str | Path) -> bool:
    """Whether ``folder`` holds the per-magnitude campaigns of ``mc boundary``."""
    folder = Path(folder)
    return folder.is_dir() and len({p for p, _, _ in _steps(folder)}) == 1


def _boundary(tab: pd.DataFrame, threshold: float | None) -> float | None:
    """The largest magnitude meeting the threshold below the smallest that does not."""
    if threshold is None or tab.empty:
        return None
    meets = tab["landing_probability"].to_numpy(float) >= threshold
    mags = tab["magnitude"].to_numpy(float)
    if not meets[0]:
        return None
    first_bad = int(np.argmin(meets)) if not meets.all() else len(meets)
    return float(mags[first_bad - 1])


def read_sweep(folder: str | Path, threshold: float | None = None) -> BoundarySweep:
    """Summarise every campaign of a boundary folder (see the module docstring)."""
    from boostback.campaign.stats import summarize
    from boostback.campaign.store import load_results

    folder = Path(folder)
    steps = _steps(folder)
    meta = folder / BOUNDARY_FILE
    saved = json.loads(meta.read_text()) if meta.is_file() else {}
    rows, outcome_rows, spec = [], [], {}
    if not steps:
        raise ValueError(f"{folder}: no <parameter>=<magnitude> campaign folders")
    param = steps[0][0]
    for _, value, sub in sorted(steps, key=lambda s: s[1]):
        s = summarize(load_results(sub))
        spec = json.loads((sub / "campaign.json").read_text()).get("spec", {})
        rows.append(
            {
                "magnitude": value,
                "runs": s.completed,
                "landed": s.landed,
                "landing_probability": s.landing_probability,
                "lower_95": s.interval_95[0],
                "upper_95": s.interval_95[1],
                "errors": s.errors,
            }
        )
        for r in s.outcomes.to_dict(orient="records"):
            outcome_rows.append({"magnitude": value, "outcome": r["outcome"], "runs": r["runs"]})
    tab = pd.DataFrame(rows)
    thr = saved.get("threshold", threshold)
    kinds = [f.get("kind", "?") for f in spec.get("faults", []) if param in f.get("params", {})]
    return BoundarySweep(
        fault=str(saved.get("fault") or (kinds[0] if kinds else "fault")),
        parameter=str(saved.get("parameter") or param),
        table=tab,
        outcomes=pd.DataFrame(outcome_rows),
        threshold=None if thr is None else float(thr),
        boundary=saved.get("boundary", _boundary(tab, None if thr is None else float(thr))),
        name=str(spec.get("name") or folder.name),
    )


def sweep_figure(sweep: BoundarySweep) -> go.Figure:
    """Landing probability (%) against the magnitude, with its 95 % Wilson interval; the
    threshold dashed and the boundary dotted when known."""
    t = sweep.table
    p = 100 * t["landing_probability"].to_numpy(float)
    thr = sweep.threshold
    ok = p >= 100 * thr if thr is not None else np.ones(len(p), bool)
    fig = go.Figure()
    fig.add_scatter(
        x=t["magnitude"],
        y=p,
        mode="lines+markers",
        line={"color": GREY, "width": 1},
        marker={"size": 10, "color": [LANDED_COLOUR if k else FAILED_COLOUR for k in ok]},
        error_y={
            "type": "data",
            "array": 100 * t["upper_95"] - p,
            "arrayminus": p - 100 * t["lower_95"],
            "color": "#555555",
        },
        customdata=np.column_stack(
            [t["landed"], t["runs"], 100 * t["lower_95"], 100 * t["upper_95"]]
        ),
        hovertemplate="%{x:.4g}: %{y:.1f} % (%{customdata[0]} of %{customdata[1]})<br>"
        "95 % interval %{customdata[2]:.1f}–%{customdata[3]:.1f} %<extra></extra>",
        name="landing probability, 95 % Wilson interval",
    )
    if thr is not None:
        fig.add_hline(y=100 * thr, line={"dash": "dash", "color": BLACK})
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="lines",
            line={"dash": "dash", "color": BLACK},
            name=f"threshold {100 * thr:g} %",
        )
    if sweep.boundary is not None:
        fig.add_vline(x=sweep.boundary, line={"dash": "dot", "color": LANDED_COLOUR, "width": 2})
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="lines",
            line={"dash": "dot", "color": LANDED_COLOUR, "width": 2},
            name=f"boundary: {sweep.parameter} = {sweep.boundary:.4g}",
        )
    fig.update_xaxes(title_text=f"{sweep.fault}: {sweep.parameter.replace('_', ' ')}")
    fig.update_yaxes(title_text="landing probability (%)", range=[-3, 103])
    fig.update_layout(
        template=TEMPLATE,
        height=480,
        colorway=list(OKABE_ITO),
        title={
            "text": f"Landing probability against {sweep.parameter.replace('_', ' ')}",
            "x": 0.01,
        },
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def outcomes_by_magnitude(sweep: BoundarySweep) -> go.Figure:
    """Runs per outcome at each magnitude, stacked."""
    fig = go.Figure()
    o = sweep.outcomes
    for name in dict.fromkeys(o["outcome"]) if not o.empty else []:
        part = o[o["outcome"] == name]
        fig.add_bar(
            x=[f"{m:.4g}" for m in part["magnitude"]],
            y=part["runs"],
            name=str(name).replace("_", " "),
            marker_color=outcome_colour(str(name)),
        )
    fig.update_layout(
        barmode="stack",
        template=TEMPLATE,
        height=360,
        title={"text": "Outcomes at each magnitude", "x": 0.01},
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
    )
    fig.update_xaxes(title_text=sweep.parameter.replace("_", " "), type="category")
    fig.update_yaxes(title_text="runs")
    return fig


def _headline(sweep: BoundarySweep) -> str:
    if sweep.threshold is None:
        return (
            f"{len(sweep.table)} magnitudes flown; no threshold known (give --threshold, "
            "or a boundary.json beside the campaigns)"
        )
    if sweep.boundary is None:
        return (
            f"Even the smallest {sweep.parameter} flown lands less than "
            f"{100 * sweep.threshold:g} % of the time"
        )
    row = sweep.table[sweep.table["magnitude"] == sweep.boundary]
    sure = ""
    if not row.empty and float(row["lower_95"].iloc[0]) < sweep.threshold:
        sure = " (its 95 % lower bound is below the threshold: more runs would settle it)"
    return (
        f"Largest {sweep.parameter} with P(landed) ≥ {100 * sweep.threshold:g} %: "
        f"{sweep.boundary:.4g}{sure}"
    )


def write_boundary_report(
    folder: str | Path,
    out_path: str | Path | None = None,
    *,
    threshold: float | None = None,
    plotly: str = PlotlyMode.SHARED,
) -> Path:
    """Write the report of an ``mc boundary`` folder (default ``FOLDER/report.html``)."""
    sweep = read_sweep(folder, threshold)
    out = Path(out_path) if out_path is not None else Path(folder) / REPORT_NAME
    rows = (
        sweep.table.rename(columns={"magnitude": sweep.parameter})
        .assign(
            landing_probability=lambda d: (100 * d["landing_probability"]).round(1),
            lower_95=lambda d: (100 * d["lower_95"]).round(1),
            upper_95=lambda d: (100 * d["upper_95"]).round(1),
        )
        .rename(
            columns={
                "landing_probability": "P(landed) (%)",
                "lower_95": "95 % low (%)",
                "upper_95": "95 % high (%)",
            }
        )
    )
    if sweep.threshold is not None:
        rows["meets threshold"] = sweep.table["landing_probability"] >= sweep.threshold
    facts = {
        "fault": sweep.fault,
        "parameter": sweep.parameter,
        "threshold": "unknown" if sweep.threshold is None else f"{100 * sweep.threshold:g} %",
        "magnitudes flown": len(sweep.table),
    }
    return render(
        "boundary.html.j2",
        out,
        plotly=plotly,
        title=f"{sweep.name}: boundary",
        headline=_headline(sweep),
        summary=key_values(facts),
        figures=[
            figure_block("boundary-sweep", sweep_figure(sweep)),
            figure_block("boundary-outcomes", outcomes_by_magnitude(sweep)),
        ],
        steps=table(rows, humanize=False),
        pngs=[],
    )
