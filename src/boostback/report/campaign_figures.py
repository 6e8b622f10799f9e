"""Interactive campaign figures (plotly): the results table and its summary in, ``Figure`` out.

``frame`` is the table of :func:`boostback.campaign.store.load_results` (one row per run) and
``summary`` a :class:`boostback.campaign.stats.CampaignSummary`. The helpers that pick the data
(:func:`completed`, :func:`ellipse_xy`, ``METRICS``) are shared with the matplotlib versions in
:mod:`boostback.report.campaign_plots`; colours come from :mod:`boostback.report.palette`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from boostback.config.vocab import Outcome
from boostback.report.figures import TEMPLATE
from boostback.report.palette import (
    BLACK,
    BLUE,
    FAILED_COLOUR,
    LANDED_COLOUR,
    OKABE_ITO,
    PAD_COLOUR,
    VERMILLION,
    outcome_colour,
    rgba,
)

if TYPE_CHECKING:
    from boostback.campaign.stats import CampaignSummary

# column, label, unit, the landing limit that applies (a key of the vehicle's limits) or None
METRICS = (
    ("touchdown_vertical_speed_mps", "touchdown vertical speed", "m/s", "max_vertical_speed_mps"),
    ("miss_distance_m", "miss distance", "m", "max_miss_m"),
    ("propellant_left_kg", "propellant margin at touchdown", "kg", None),
)
MAX_SENSITIVITY_ROWS = 15


def completed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["outcome"] != Outcome.ERROR] if "outcome" in frame else frame


def metric_values(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Finite values of ``column`` over completed runs, and whether each of those runs landed."""
    runs = completed(frame)
    if column not in runs:
        return np.zeros(0), np.zeros(0, bool)
    x = pd.to_numeric(runs[column], errors="coerce").to_numpy(float)
    ok = np.isfinite(x)
    return x[ok], (runs["outcome"] == Outcome.LANDED).to_numpy(bool)[ok]


def ellipse_xy(ellipse: dict[str, Any], k: int = 121) -> tuple[np.ndarray, np.ndarray] | None:
    """Points on the dispersion ellipse of :func:`boostback.campaign.stats.dispersion_ellipse`."""
    if "semi_major_m" not in ellipse:
        return None
    a = np.linspace(0.0, 2 * math.pi, k)
    th = math.radians(ellipse["orientation_deg"])
    u, v = ellipse["semi_major_m"] * np.cos(a), ellipse["semi_minor_m"] * np.sin(a)
    x = ellipse["mean_east_m"] + u * math.cos(th) - v * math.sin(th)
    y = ellipse["mean_north_m"] + u * math.sin(th) + v * math.cos(th)
    return x, y


def probability_text(summary: CampaignSummary) -> str:
    lo, hi = summary.interval_95
    p = summary.landing_probability
    if not math.isfinite(p):
        return "no completed runs"
    return (
        f"{100 * p:.1f} % landed ({summary.landed} of {summary.completed}); "
        f"95 % Wilson interval {100 * lo:.1f}–{100 * hi:.1f} %"
    )


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title, "x": 0.01},
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        colorway=list(OKABE_ITO),
    )
    return fig


def probability_figure(summary: CampaignSummary) -> go.Figure:
    """The landing probability as a bar with its 95 % interval as the error bar."""
    p = summary.landing_probability if math.isfinite(summary.landing_probability) else 0.0
    lo, hi = summary.interval_95
    fig = go.Figure(
        go.Bar(
            x=[100 * p],
            y=["landing probability"],
            orientation="h",
            marker_color=LANDED_COLOUR,
            error_x={"type": "data", "array": [100 * (hi - p)], "arrayminus": [100 * (p - lo)]},
            text=[f"{100 * p:.1f} %"],
            textposition="inside",
            hovertemplate=f"{probability_text(summary)}<extra></extra>",
        )
    )
    fig.update_xaxes(range=[0, 100], title_text="% of completed runs (95 % Wilson interval)")
    return _layout(fig, "Landing probability with its 95 % Wilson interval", 200)


def touchdown_scatter(
    frame: pd.DataFrame, ellipse: dict[str, Any], *, pad_radius_m: float | None = None
) -> go.Figure:
    """Touchdown points on the pad, one colour per outcome, with the dispersion ellipse."""
    fig = go.Figure()
    if pad_radius_m:
        a = np.linspace(0.0, 2 * math.pi, 73)
        fig.add_scatter(
            x=pad_radius_m * np.cos(a),
            y=pad_radius_m * np.sin(a),
            fill="toself",
            mode="lines",
            line={"color": PAD_COLOUR},
            fillcolor=rgba(PAD_COLOUR, 0.12),
            name=f"pad (r = {pad_radius_m:g} m)",
        )
    runs = completed(frame)
    if {"touchdown_east_m", "touchdown_north_m"} <= set(runs.columns):
        for name, grp in runs.groupby("outcome", sort=False):
            fig.add_scatter(
                x=grp["touchdown_east_m"].to_numpy(float),
                y=grp["touchdown_north_m"].to_numpy(float),
                mode="markers",
                marker={"color": outcome_colour(str(name)), "size": 7, "opacity": 0.8},
                name=f"{name} ({len(grp)})",
                customdata=np.column_stack(
                    [grp["run"], grp.get("touchdown_vertical_speed_mps", np.nan)]
                ),
                hovertemplate="run %{customdata[0]}<br>E %{x:.2f} m, N %{y:.2f} m<br>"
                "vertical speed %{customdata[1]:.2f} m/s<extra>" + str(name) + "</extra>",
            )
    xy = ellipse_xy(ellipse)
    if xy is not None:
        fig.add_scatter(
            x=xy[0],
            y=xy[1],
            mode="lines",
            line={"color": BLACK, "dash": "dash"},
            name=f"{100 * ellipse.get('confidence', 0.95):g} % ellipse "
            f"({ellipse['semi_major_m']:.2f} × {ellipse['semi_minor_m']:.2f} m)",
        )
        fig.add_scatter(
            x=[ellipse["mean_east_m"]],
            y=[ellipse["mean_north_m"]],
            mode="markers",
            marker={"symbol": "cross", "size": 10, "color": BLACK},
            name="mean touchdown",
        )
    fig.update_xaxes(title_text="east of pad centre (m)")
    fig.update_yaxes(title_text="north of pad centre (m)", scaleanchor="x", scaleratio=1)
    return _layout(fig, "Touchdown points on the pad", 560)


def outcomes_figure(outcomes: pd.DataFrame) -> go.Figure:
    """Runs per outcome."""
    names = [str(o) for o in outcomes["outcome"]]
    fig = go.Figure(
        go.Bar(
            x=names,
            y=outcomes["runs"].to_numpy(int),
            marker_color=[outcome_colour(n) for n in names],
            text=[f"{100 * f:.1f} %" for f in outcomes["fraction"]],
            textposition="outside",
            hovertemplate="%{x}: %{y} runs<extra></extra>",
        )
    )
    fig.update_yaxes(title_text="runs")
    return _layout(fig, "Outcomes", 340)


def distributions_figure(frame: pd.DataFrame, limits: dict[str, float] | None = None) -> go.Figure:
    """Histograms (landed and failed stacked) and empirical CDFs of the touchdown metrics."""
    titles = [m[1] for m in METRICS] + [f"CDF of {m[1]}" for m in METRICS]
    fig = make_subplots(rows=2, cols=len(METRICS), subplot_titles=titles, vertical_spacing=0.16)
    for k, (col, label, unit, limit_key) in enumerate(METRICS, start=1):
        x, ok = metric_values(frame, col)
        for landed, name, colour in (
            (True, "landed", LANDED_COLOUR),
            (False, "failed", FAILED_COLOUR),
        ):
            fig.add_histogram(
                x=x[ok == landed],
                name=name,
                legendgroup=name,
                showlegend=k == 1,
                marker_color=colour,
                nbinsx=40,
                row=1,
                col=k,
            )
        xs = np.sort(x)
        fig.add_scatter(
            x=xs,
            y=np.arange(1, len(xs) + 1) / max(len(xs), 1),
            mode="lines",
            line={"shape": "hv", "color": BLUE},
            name="CDF",
            showlegend=False,
            row=2,
            col=k,
        )
        fig.update_xaxes(title_text=f"{label} ({unit})", row=2, col=k)
        limit = (limits or {}).get(limit_key or "")
        if limit is not None:
            for row in (1, 2):
                fig.add_vline(x=limit, line={"dash": "dot", "color": BLACK}, row=row, col=k)
    fig.update_yaxes(title_text="runs", row=1, col=1)
    fig.update_yaxes(title_text="fraction of runs ≤ x", row=2, col=1)
    fig.update_layout(barmode="stack")
    return _layout(fig, "Touchdown metrics (dotted: the vehicle's landing limit)", 640)


def sensitivity_figure(sensitivity: pd.DataFrame) -> go.Figure:
    """Inputs ranked by how well each alone separates failures from landings (|AUC − 0.5|·2)."""
    top = sensitivity.head(MAX_SENSITIVITY_ROWS).iloc[::-1]
    if not len(top) or not np.isfinite(top["strength"].to_numpy(float)).any():
        fig = go.Figure(go.Bar(x=[], y=[], orientation="h"))
        fig.add_annotation(
            text="Every run ended the same way: there are no failures to explain.",
            showarrow=False,
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
        )
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return _layout(fig, "What drives failures", 160)
    colours = [VERMILLION if d.startswith("high") else BLUE for d in top["direction"]]
    fig = go.Figure(
        go.Bar(
            x=top["strength"].to_numpy(float),
            y=[str(s) for s in top["input"]],
            orientation="h",
            marker_color=colours,
            customdata=np.column_stack([top["auc"], top["p_value"], top["direction"]]),
            hovertemplate="%{y}<br>strength %{x:.2f}, AUC %{customdata[0]:.2f}, "
            "p = %{customdata[1]:.2g}<br>%{customdata[2]}<extra></extra>",
        )
    )
    fig.update_xaxes(range=[0, 1], title_text="strength (red: high values fail, blue: low values)")
    fig.update_yaxes(automargin=True)
    return _layout(fig, "What drives failures", 120 + 28 * max(len(top), 1))
