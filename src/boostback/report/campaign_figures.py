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
from boostback.report.labels import human
from boostback.report.limits import sigma_ellipses
from boostback.report.palette import (
    BLACK,
    BLUE,
    FAILED_COLOUR,
    LANDED_COLOUR,
    NOT_SIGNIFICANT,
    OKABE_ITO,
    PAD_COLOUR,
    VERMILLION,
    outcome_colour,
    outcome_symbol,
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


def _touchdown_traces(runs: pd.DataFrame, col: int) -> list[dict[str, Any]]:
    """One marker trace per outcome, coloured and shaped by it (legend once, in column 1)."""
    out = []
    for name, grp in runs.groupby("outcome", sort=False):
        symbol, _ = outcome_symbol(str(name))
        out.append(
            {
                "x": grp["touchdown_east_m"].to_numpy(float),
                "y": grp["touchdown_north_m"].to_numpy(float),
                "mode": "markers",
                "marker": {
                    "color": outcome_colour(str(name)),
                    "symbol": symbol,
                    "size": 7,
                    "opacity": 0.85,
                    "line": {"width": 0.5, "color": "#333333"},
                },
                "name": f"{str(name).replace('_', ' ')} ({len(grp)})",
                "legendgroup": f"outcome:{name}",
                "showlegend": col == 1,
                "customdata": np.column_stack(
                    [grp["run"], grp.get("touchdown_vertical_speed_mps", np.nan)]
                ),
                "hovertemplate": "run %{customdata[0]}<br>E %{x:.2f} m, N %{y:.2f} m<br>"
                "vertical speed %{customdata[1]:.2f} m/s<extra>" + str(name) + "</extra>",
            }
        )
    return out


def _pad_trace(pad_radius_m: float, col: int) -> dict[str, Any]:
    a = np.linspace(0.0, 2 * math.pi, 73)
    return {
        "x": pad_radius_m * np.cos(a),
        "y": pad_radius_m * np.sin(a),
        "fill": "toself",
        "mode": "lines",
        "line": {"color": PAD_COLOUR},
        "fillcolor": rgba(PAD_COLOUR, 0.12),
        "name": f"pad (r = {pad_radius_m:g} m)",
        "legendgroup": "pad",
        "showlegend": col == 1,
        "hoverinfo": "skip",
    }


def _sigma_traces(ellipse: dict[str, Any]) -> list[dict[str, Any]]:
    dashes = {1: "solid", 2: "dash", 3: "dot"}
    out = [
        {
            "x": e["x"],
            "y": e["y"],
            "mode": "lines",
            "line": {"color": BLACK, "dash": dashes[e["k"]], "width": 1.3},
            "name": f"{e['k']}σ ellipse ({100 * e['inside']:.1f} % of a normal scatter; "
            f"{e['semi_major_m']:.2f} × {e['semi_minor_m']:.2f} m)",
            "hoverinfo": "name",
        }
        for e in sigma_ellipses(ellipse)
    ]
    if out:
        out.append(
            {
                "x": [ellipse["mean_east_m"]],
                "y": [ellipse["mean_north_m"]],
                "mode": "markers",
                "marker": {
                    "symbol": "cross-thin-open",
                    "size": 12,
                    "color": BLACK,
                    "line": {"width": 2, "color": BLACK},
                },
                "name": "mean touchdown",
            }
        )
    return out


def zoom_half_width(
    runs: pd.DataFrame, ellipse: dict[str, Any], pad_radius_m: float | None
) -> float:
    """Half-width (m) of the zoom: the 3σ ellipse with a margin (the pad when no ellipse)."""
    for e in sigma_ellipses(ellipse)[-1:]:
        return max(1.3 * float(max(np.abs(e["x"]).max(), np.abs(e["y"]).max())), 0.5)
    return 1.5 * (pad_radius_m or 10.0)


def touchdown_scatter(
    frame: pd.DataFrame, ellipse: dict[str, Any], *, pad_radius_m: float | None = None
) -> go.Figure:
    """Touchdown points, shaped and coloured by outcome: every run (left) and a zoom on the pad
    with the 1, 2 and 3σ dispersion ellipses (right)."""
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.5, 0.5],
        subplot_titles=("every touchdown", "zoom on the pad: 1, 2, 3σ ellipses"),
    )
    runs = completed(frame)
    has_points = {"touchdown_east_m", "touchdown_north_m"} <= set(runs.columns)
    for col in (1, 2):
        if pad_radius_m:
            fig.add_scatter(**_pad_trace(pad_radius_m, col), row=1, col=col)
        if has_points:
            for trace in _touchdown_traces(runs, col):
                fig.add_scatter(**trace, row=1, col=col)
    for trace in _sigma_traces(ellipse):
        fig.add_scatter(**trace, row=1, col=2)
    h = zoom_half_width(runs, ellipse, pad_radius_m)
    fig.update_xaxes(title_text="east of pad centre (m)")
    fig.update_yaxes(
        title_text="north of pad centre (m)", scaleanchor="x", scaleratio=1, row=1, col=1
    )
    fig.update_xaxes(range=[-h, h], row=1, col=2)
    fig.update_yaxes(range=[-h, h], scaleanchor="x2", scaleratio=1, row=1, col=2)
    _layout(fig, "Touchdown points", 560)
    fig.update_layout(legend={"orientation": "h", "y": -0.18, "x": 0.0}, margin={"b": 140})
    return fig


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


SIGNIFICANCE = 0.05  # family-wise, Bonferroni over the inputs ranked


def _input_counts(frame: pd.DataFrame, inputs: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Failed and landed completed runs that have a value of each input (a fault's parameter
    has none where the fault did not occur)."""
    runs = completed(frame)
    failed = (runs["outcome"] != Outcome.LANDED).to_numpy(bool)
    n1, n2 = [], []
    for col in inputs:
        has = pd.to_numeric(runs[col], errors="coerce").notna().to_numpy(bool)
        n1.append(int((has & failed).sum()))
        n2.append(int((has & ~failed).sum()))
    return np.maximum(np.array(n1), 1), np.maximum(np.array(n2), 1)


def significance(sensitivity: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """The ranking with what it can support: the Bonferroni-adjusted p-value, whether that is
    under ``SIGNIFICANCE``, and a 95 % interval on the strength (Hanley & McNeil 1982 standard
    error of the AUC, from the runs that have a value of the input)."""
    out = sensitivity.copy()
    if out.empty:
        return out.assign(p_adjusted=[], significant=[], strength_lo=[], strength_hi=[])
    m = len(out)
    n1, n2 = _input_counts(frame, out["input"])
    out["p_adjusted"] = np.minimum(out["p_value"].to_numpy(float) * m, 1.0)
    out["significant"] = out["p_adjusted"] < SIGNIFICANCE
    # an AUC of exactly 0 or 1 (a handful of failures) has a zero standard error by the formula:
    # take it one run short of perfect instead, so that few runs give a wide interval
    a0 = out["auc"].to_numpy(float)
    edge = 1.0 / (n1 + n2)
    auc = np.clip(a0, edge, 1.0 - edge)
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    var = (auc * (1 - auc) + (n1 - 1) * (q1 - auc**2) + (n2 - 1) * (q2 - auc**2)) / (n1 * n2)
    se = np.sqrt(np.maximum(var, 0.0))
    lo, hi = np.clip(a0 - 1.96 * se, 0.0, 1.0), np.clip(a0 + 1.96 * se, 0.0, 1.0)
    # strength = |AUC - 0.5| * 2: an interval that straddles 0.5 reaches strength 0
    s_lo = np.where(
        (lo - 0.5) * (hi - 0.5) <= 0, 0.0, np.minimum(np.abs(lo - 0.5), np.abs(hi - 0.5)) * 2
    )
    out["strength_lo"] = np.clip(s_lo, 0.0, 1.0)
    out["strength_hi"] = np.clip(np.maximum(np.abs(lo - 0.5), np.abs(hi - 0.5)) * 2, 0.0, 1.0)
    return out


def _empty_sensitivity() -> go.Figure:
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


def sensitivity_figure(sensitivity: pd.DataFrame, frame: pd.DataFrame | None = None) -> go.Figure:
    """Inputs ranked by how well each alone separates failures from landings (|AUC − 0.5|·2),
    with a 95 % interval. Only inputs significant after Bonferroni get a coloured bar (red: high
    values fail, blue: low); the rest are a grey point and interval, labelled with their p."""
    if not len(sensitivity) or not np.isfinite(sensitivity["strength"].to_numpy(float)).any():
        return _empty_sensitivity()
    if "significant" not in sensitivity:
        if frame is None:
            raise ValueError("a ranking without its significance needs the runs table (frame)")
        sensitivity = significance(sensitivity, frame)
    top = sensitivity.head(MAX_SENSITIVITY_ROWS).iloc[::-1]
    names = [human(str(s))[0] for s in top["input"]]
    sig = top["significant"].to_numpy(bool)
    err = {
        "type": "data",
        "array": (top["strength_hi"] - top["strength"]).clip(lower=0).to_numpy(float),
        "arrayminus": (top["strength"] - top["strength_lo"]).clip(lower=0).to_numpy(float),
        "color": "#555555",
    }
    text = [f"p = {p:.2g}" for p in top["p_adjusted"]]
    custom = np.column_stack([top["auc"], top["p_adjusted"], top["direction"]])
    hover = (
        "%{y}<br>strength %{x:.2f}, AUC %{customdata[0]:.2f}, p (Bonferroni) = "
        "%{customdata[1]:.2g}<br>%{customdata[2]}<extra></extra>"
    )
    fig = go.Figure()
    colours = [VERMILLION if d.startswith("high") else BLUE for d in top["direction"]]
    fig.add_bar(
        x=np.where(sig, top["strength"], 0.0),
        y=names,
        orientation="h",
        marker_color=[c if s else "rgba(0,0,0,0)" for c, s in zip(colours, sig, strict=True)],
        error_x={
            **err,
            "array": np.where(sig, err["array"], 0.0),
            "arrayminus": np.where(sig, err["arrayminus"], 0.0),
        },
        text=[t if s else "" for t, s in zip(text, sig, strict=True)],
        textposition="outside",
        customdata=custom,
        hovertemplate=hover,
        name="significant (p < 0.05, Bonferroni)",
    )
    fig.add_scatter(
        x=np.where(sig, np.nan, top["strength"]),
        y=names,
        mode="markers+text",
        marker={"color": NOT_SIGNIFICANT, "size": 8},
        error_x={**err, "color": NOT_SIGNIFICANT},
        text=[t if not s else "" for t, s in zip(text, sig, strict=True)],
        textposition="middle right",
        textfont={"color": "#777777"},
        customdata=custom,
        hovertemplate=hover,
        name="not significant: could be chance",
    )
    head = (
        "What drives failures"
        if sig.any()
        else ("What drives failures: no input is significant (p ≥ 0.05 after Bonferroni)")
    )
    fig.update_xaxes(
        range=[0, 1.15],
        title_text="strength |AUC − 0.5|·2, with its 95 % interval "
        "(red: high values fail, blue: low values fail)",
    )
    fig.update_yaxes(automargin=True)
    _layout(fig, head, 160 + 30 * max(len(top), 1))
    fig.update_layout(
        barmode="overlay",
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 1, "xanchor": "right"},
    )
    return fig
