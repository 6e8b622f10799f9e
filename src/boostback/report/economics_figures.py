"""Interactive economics and deployment figures (plotly): results in, ``Figure`` out.

The data-picking helpers (:func:`mode_colour`, :func:`ecdf`, :func:`growth_series`) are shared
with the matplotlib versions in :mod:`boostback.report.economics_plots`; colours come from
:mod:`boostback.report.palette`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import plotly.graph_objects as go

from boostback.report.figures import TEMPLATE
from boostback.report.palette import (
    BLACK,
    BLUE,
    GREEN,
    GREY,
    OKABE_ITO,
    ORANGE,
    PURPLE,
    SKY_BLUE,
    VERMILLION,
    rgba,
)

if TYPE_CHECKING:
    from boostback.economics.deploy import DeployResult
    from boostback.economics.montecarlo import EconomicsResult

__all__ = [
    "BREAKDOWN",
    "breakdown_figure",
    "cost_curve_figure",
    "cost_distribution_figure",
    "ecdf",
    "growth_figure",
    "growth_series",
    "milestone_figure",
    "mode_colour",
    "projection_figure",
]

MODE_COLOURS = {"expendable": VERMILLION, "droneship": BLUE, "rtls": GREEN, "downrange": PURPLE}
BREAKDOWN = (  # FlightCost field, label, colour
    ("booster_usd", "booster", BLUE),
    ("refurbishment_usd", "refurbishment", SKY_BLUE),
    ("landing_failures_usd", "failed landings", VERMILLION),
    ("upper_stage_usd", "upper stage", ORANGE),
    ("fairing_usd", "fairing", PURPLE),
    ("operations_usd", "operations and propellant", GREY),
    ("recovery_usd", "recovery", GREEN),
)
MILESTONE_COLOURS = (BLUE, ORANGE, VERMILLION)


def mode_colour(mode: str) -> str:
    return MODE_COLOURS.get(str(mode), OKABE_ITO[-1])


def ecdf(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted finite values and their cumulative share of all values (NaN: never reached)."""
    x = np.sort(values[np.isfinite(values)])
    return x, np.arange(1, len(x) + 1) / max(len(values), 1)


def growth_series(growth: dict[str, Any]) -> dict[str, np.ndarray]:
    """Year-end attempts and failures of the history, and the fitted curve over them."""
    hist = growth["history"]
    attempts = np.array([h["attempts"] for h in hist], float)
    fit = growth["fit"]
    t = np.linspace(1.0, attempts[-1], 300)
    return {
        "attempts": attempts,
        "failures": np.array([h["failures"] for h in hist], float),
        "years": np.array([h["year"] for h in hist]),
        "t": t,
        "fitted": fit["lambda"] * t ** fit["beta"],
        "intensity": fit["lambda"] * fit["beta"] * t ** (fit["beta"] - 1.0),
    }


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title, "x": 0.01},
        height=height,
        margin={"l": 70, "r": 20, "t": 50, "b": 50},
        colorway=list(OKABE_ITO),
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def cost_curve_figure(result: EconomicsResult) -> go.Figure:
    """Cost per kilogram of each mode against the landing probability, the campaign's (or the
    given) 95 % interval shaded and its mean marked."""
    curve = result.curve
    p = np.asarray(curve["landing_probability"])
    fig = go.Figure()
    lo, hi = result.belief.interval
    top = max(max(v) for v in curve["per_kg_usd"].values())
    fig.add_trace(
        go.Scatter(
            x=[100 * lo, 100 * hi, 100 * hi, 100 * lo, 100 * lo],
            y=[0, 0, top, top, 0],
            fill="toself",
            fillcolor=rgba(GREY, 0.25),
            line={"width": 0},
            mode="lines",
            name=f"{result.belief.source}: 95 % interval",
            hoverinfo="skip",
        )
    )
    for mode, values in curve["per_kg_usd"].items():
        fig.add_trace(
            go.Scatter(
                x=100 * p,
                y=values,
                mode="lines",
                name=mode,
                line={"color": mode_colour(mode), "width": 2.5},
                hovertemplate=f"{mode}: %{{y:$,.0f}}/kg at %{{x:.1f}} %<extra></extra>",
            )
        )
    means = [(str(m.mode), m.expected.per_kg_usd) for m in result.modes]
    fig.add_trace(
        go.Scatter(
            x=[100 * result.belief.mean] * len(means),
            y=[v for _, v in means],
            mode="markers",
            marker={"color": BLACK, "size": 9, "symbol": "diamond"},
            name=f"at the mean, {100 * result.belief.mean:.1f} %",
            text=[m for m, _ in means],
            hovertemplate="%{text}: %{y:$,.0f}/kg<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="landing probability (%)", range=[100 * p[0], 100 * p[-1]])
    fig.update_yaxes(title_text="expected cost per kg ($)", rangemode="tozero")
    return _layout(fig, "Cost per kilogram against landing probability", 460)


def cost_distribution_figure(result: EconomicsResult) -> go.Figure:
    """Monte Carlo spread of the cost per kilogram of each mode."""
    fig = go.Figure()
    for m in result.modes:
        fig.add_trace(
            go.Box(
                x=m.per_kg_usd,
                name=str(m.mode),
                marker_color=mode_colour(str(m.mode)),
                boxpoints=False,
                hovertemplate="%{x:$,.0f}/kg<extra></extra>",
            )
        )
    fig.update_xaxes(title_text="cost per kg over the samples ($)")
    fig.update_layout(showlegend=True)
    return _layout(fig, f"Cost per kilogram, {result.study.samples} programmes", 320)


def breakdown_figure(result: EconomicsResult) -> go.Figure:
    """Where the money of one flight goes, per mode (expected, at the mean probability)."""
    fig = go.Figure()
    modes = [str(m.mode) for m in result.modes]
    for key, label, colour in BREAKDOWN:
        fig.add_trace(
            go.Bar(
                y=modes,
                x=[getattr(m.expected, key) / 1e6 for m in result.modes],
                name=label,
                orientation="h",
                marker_color=colour,
                hovertemplate=f"{label}: %{{x:.2f}} $M<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text="expected cost per flight ($M)")
    return _layout(fig, "Cost of one flight, by item", 320)


def growth_figure(growth: dict[str, Any]) -> go.Figure:
    """Falcon 9's cumulative failed landings against attempts, and the Crow-AMSAA fit."""
    s = growth_series(growth)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=s["attempts"],
            y=s["failures"],
            mode="lines+markers",
            line={"shape": "hv", "color": BLACK},
            name="Falcon 9 failed landings (year ends)",
            text=[str(y) for y in s["years"]],
            hovertemplate="%{text}: %{y} failures in %{x} attempts<extra></extra>",
        )
    )
    fit = growth["fit"]
    fig.add_trace(
        go.Scatter(
            x=s["t"],
            y=s["fitted"],
            mode="lines",
            line={"color": ORANGE, "width": 2.5},
            name=f"Crow-AMSAA N = {fit['lambda']:.2f} t^{fit['beta']:.3f}",
        )
    )
    fig.update_xaxes(title_text="landing attempts", type="log")
    fig.update_yaxes(title_text="cumulative failed landings")
    return _layout(fig, "Reliability growth fitted to the Falcon 9 landing history", 380)


def projection_figure(growth: dict[str, Any]) -> go.Figure:
    """A new programme's landing reliability against attempts: Falcon 9's learning capped by
    the design's potential (the campaign's probability), with the 90 % and 99 % targets."""
    fit = growth["fit"]
    potential = growth["design_potential"]
    t = np.unique(np.round(np.logspace(0, 3.5, 200)))
    rel = potential * np.exp(-fit["lambda"] * fit["beta"] * t ** (fit["beta"] - 1.0))
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=t,
            y=100 * rel,
            mode="lines",
            line={"color": BLUE, "width": 2.5},
            name=f"new programme, design potential {100 * potential:.1f} %",
        )
    )
    for colour, target in zip((GREEN, VERMILLION), (0.90, 0.99), strict=True):
        fig.add_trace(
            go.Scatter(
                x=[t[0], t[-1]],
                y=[100 * target] * 2,
                mode="lines",
                line={"color": colour, "dash": "dash"},
                name=f"target {100 * target:.0f} %",
            )
        )
    fig.update_xaxes(title_text="landing attempts", type="log")
    fig.update_yaxes(title_text="landing reliability (%)")
    return _layout(fig, "The price of learning: attempts to reach 90 % and 99 %", 380)


def milestone_figure(result: DeployResult) -> go.Figure:
    """Share of the samples that reached each ITU milestone by each year, with the deadlines."""
    from boostback.economics.deploy import itu_deadlines

    fig = go.Figure()
    deadlines = itu_deadlines(result.constellation.filing_year)
    for i, d in enumerate(deadlines):
        x, y = ecdf(result.milestone_years[:, i])
        colour = MILESTONE_COLOURS[i]
        label = f"{100 * d['share']:.0f} % deployed"
        fig.add_trace(
            go.Scatter(
                x=x,
                y=100 * y,
                mode="lines",
                line={"shape": "hv", "color": colour, "width": 2.5},
                name=label,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[d["deadline_year"]] * 2,
                y=[0, 100],
                mode="lines",
                line={"color": colour, "dash": "dot"},
                name=f"ITU deadline, {label}",
            )
        )
    fig.update_xaxes(title_text="year")
    fig.update_yaxes(title_text="share of samples reached (%)", range=[0, 102])
    return _layout(fig, "ITU milestones (WRC-19 Resolution 35) against deployment", 420)


def launches_figure(result: DeployResult) -> go.Figure:
    """Launches flown and boosters built and lost, over the samples."""
    fig = go.Figure()
    for values, name, colour in (
        (result.launches, "launches", BLUE),
        (result.boosters_built, "boosters built", ORANGE),
        (result.boosters_lost, "boosters lost", VERMILLION),
    ):
        fig.add_trace(go.Box(x=values, name=name, marker_color=colour, boxpoints=False))
    fig.update_xaxes(title_text="count over the samples")
    return _layout(fig, "Launches and boosters", 300)
