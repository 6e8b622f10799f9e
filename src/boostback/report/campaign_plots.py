"""Static campaign plots (matplotlib PNGs for papers and slides): the same views as the HTML.

Figures are built with ``Figure`` directly (never ``pyplot``): headless and thread-safe. Each
PNG has a fixed size (``SIZES``, inches at ``DPI``), so its pixel size is known in advance.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from boostback.report.campaign_figures import (
    MAX_SENSITIVITY_ROWS,
    METRICS,
    completed,
    metric_values,
    probability_text,
    significance,
    zoom_half_width,
)
from boostback.report.labels import human
from boostback.report.limits import sigma_ellipses
from boostback.report.palette import (
    BLUE,
    FAILED_COLOUR,
    LANDED_COLOUR,
    NOT_SIGNIFICANT,
    PAD_COLOUR,
    PNG_DPI,
    VERMILLION,
    outcome_colour,
    outcome_symbol,
    save_figures,
)

DPI = PNG_DPI  # the PNGs' resolution (report.palette)

if TYPE_CHECKING:
    from boostback.campaign.stats import CampaignSummary

SIZES = {  # file name -> (width, height) in inches
    "campaign_touchdown.png": (13.0, 6.5),
    "campaign_outcomes.png": (8.0, 4.5),
    "campaign_distributions.png": (14.0, 8.0),
    "campaign_sensitivity.png": (10.0, 6.0),
}
LEGEND = {"fontsize": 8, "framealpha": 0.85}


def _touchdowns(ax: Axes, runs: pd.DataFrame, pad_radius_m: float | None, legend: bool) -> None:
    """The pad and the touchdown points, coloured and shaped by outcome."""
    if pad_radius_m:
        ax.add_patch(Circle((0, 0), pad_radius_m, fc=PAD_COLOUR, alpha=0.15, ec=PAD_COLOUR))
        if legend:
            ax.plot(
                [], [], color=PAD_COLOUR, lw=6, alpha=0.3, label=f"pad (r = {pad_radius_m:g} m)"
            )
    if {"touchdown_east_m", "touchdown_north_m"} <= set(runs.columns):
        for name, grp in runs.groupby("outcome", sort=False):
            _, marker = outcome_symbol(str(name))
            ax.scatter(
                grp["touchdown_east_m"],
                grp["touchdown_north_m"],
                s=18,
                alpha=0.85,
                marker=marker,
                color=outcome_colour(str(name)),
                edgecolors="#333333" if marker not in "xX" else None,
                linewidths=0.4,
                label=f"{str(name).replace('_', ' ')} ({len(grp)})" if legend else None,
            )


def touchdown_plot(
    frame: pd.DataFrame, ellipse: dict[str, Any], *, pad_radius_m: float | None, title: str = ""
) -> Figure:
    """Every touchdown (left) and a zoom with the 1, 2 and 3σ ellipses (right)."""
    fig = Figure(figsize=SIZES["campaign_touchdown.png"], layout="constrained")
    ax, zoom = fig.subplots(1, 2)
    runs = completed(frame)
    _touchdowns(ax, runs, pad_radius_m, legend=True)
    _touchdowns(zoom, runs, pad_radius_m, legend=False)
    for e, ls in zip(sigma_ellipses(ellipse), ("-", "--", ":"), strict=False):
        zoom.plot(
            e["x"], e["y"], color="k", ls=ls, lw=1.2, label=f"{e['k']}σ ({100 * e['inside']:.1f} %)"
        )
    if "mean_east_m" in ellipse:
        zoom.plot(ellipse["mean_east_m"], ellipse["mean_north_m"], "k+", ms=12, label="mean")
    h = zoom_half_width(runs, ellipse, pad_radius_m)
    zoom.set(xlim=(-h, h), ylim=(-h, h), title="zoom: 1, 2, 3σ ellipses")
    ax.set_title("every touchdown")
    for a in (ax, zoom):
        a.set_aspect("equal", adjustable="datalim" if a is ax else "box")
        a.set(xlabel="east of pad centre (m)", ylabel="north of pad centre (m)")
        a.grid(True, alpha=0.35)
        if a.get_legend_handles_labels()[0]:  # fewer than 3 runs draw no ellipse on the zoom
            a.legend(loc="best", **LEGEND)
    fig.suptitle(title or "Touchdown points on the pad")
    return fig


def outcomes_plot(outcomes: pd.DataFrame, *, title: str = "") -> Figure:
    fig = Figure(figsize=SIZES["campaign_outcomes.png"], layout="constrained")
    ax = fig.subplots()
    names = [str(o) for o in outcomes["outcome"]]
    bars = ax.bar(names, outcomes["runs"], color=[outcome_colour(n) for n in names])
    ax.bar_label(bars, labels=[f"{100 * f:.1f} %" for f in outcomes["fraction"]], fontsize=8)
    ax.set_ylabel("runs")
    ax.margins(y=0.15)
    ax.grid(True, axis="y", alpha=0.35)
    fig.suptitle(title or "Outcomes")
    return fig


def distributions_plot(frame: pd.DataFrame, limits: dict[str, float] | None = None) -> Figure:
    fig = Figure(figsize=SIZES["campaign_distributions.png"], layout="constrained")
    axs = fig.subplots(2, len(METRICS))
    for k, (col, label, unit, limit_key) in enumerate(METRICS):
        x, ok = metric_values(frame, col)
        hist, cdf = axs[0, k], axs[1, k]
        if len(x):
            bins = np.histogram_bin_edges(x, bins=40)
            hist.hist(
                [x[ok], x[~ok]],
                bins=bins,
                stacked=True,
                color=[LANDED_COLOUR, FAILED_COLOUR],
                label=["landed", "failed"],
            )
            xs = np.sort(x)
            cdf.step(xs, np.arange(1, len(xs) + 1) / len(xs), where="post", color=BLUE)
        limit = (limits or {}).get(limit_key or "")
        for ax in (hist, cdf):
            if limit is not None:
                ax.axvline(limit, color="k", ls=":", label="limit" if ax is hist else None)
            ax.grid(True, alpha=0.35)
        hist.set_title(label)
        hist.set_ylabel("runs" if k == 0 else "")
        cdf.set_ylabel("fraction of runs ≤ x" if k == 0 else "")
        cdf.set_xlabel(f"{label} ({unit})")
        cdf.set_ylim(0.0, 1.02)
        hist.legend(loc="best", **LEGEND)
    fig.suptitle("Touchdown metrics: histograms and empirical CDFs (completed runs)")
    return fig


def sensitivity_plot(sensitivity: pd.DataFrame, frame: pd.DataFrame | None = None) -> Figure:
    """Failure drivers: a coloured bar only where significant after Bonferroni, else a grey
    point; every input with its 95 % interval and its p."""
    fig = Figure(figsize=SIZES["campaign_sensitivity.png"], layout="constrained")
    ax = fig.subplots()
    sens = sensitivity
    if frame is not None and not sens.empty and "significant" not in sens:
        sens = significance(sens, frame)
    top = sens.head(MAX_SENSITIVITY_ROWS).iloc[::-1]
    ax.set_xlim(0.0, 1.15)
    ax.set_xlabel("strength |AUC − 0.5|·2 with 95 % interval (red: high values fail, blue: low)")
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(True, axis="x", alpha=0.35)
    if top.empty:
        ax.set_yticks([])
        ax.text(
            0.5,
            0.5,
            "no ranking: no failed runs, or no dispersed inputs",
            ha="center",
            transform=ax.transAxes,
        )
        fig.suptitle("What drives failures")
        return fig
    y = np.arange(len(top))
    sig = top["significant"].to_numpy(bool) if "significant" in top else np.zeros(len(top), bool)
    colours = [VERMILLION if d.startswith("high") else BLUE for d in top["direction"]]
    strength = top["strength"].to_numpy(float)
    ax.barh(y[sig], strength[sig], color=[c for c, s in zip(colours, sig, strict=True) if s])
    if "strength_lo" in top:
        err = np.vstack([strength - top["strength_lo"], top["strength_hi"] - strength]).clip(0)
        ax.errorbar(strength, y, xerr=err, fmt="none", ecolor="#555555", capsize=3)
        ax.plot(strength[~sig], y[~sig], "o", color=NOT_SIGNIFICANT, label="not significant")
        for k in range(len(top)):
            ax.text(
                top["strength_hi"].iloc[k] + 0.01,
                y[k],
                f"p = {top['p_adjusted'].iloc[k]:.2g}",
                va="center",
                fontsize=7,
                color="k" if sig[k] else "#777777",
            )
    ax.set_yticks(y, [human(str(s))[0] for s in top["input"]])
    head = (
        "What drives failures"
        if sig.any()
        else ("What drives failures: no input is significant (p ≥ 0.05 after Bonferroni)")
    )
    fig.suptitle(head)
    return fig


def save_campaign_plots(
    frame: pd.DataFrame,
    summary: CampaignSummary,
    out_dir: str | Path,
    *,
    pad_radius_m: float | None = None,
    limits: dict[str, float] | None = None,
    title: str = "",
) -> list[Path]:
    """Write the ``SIZES`` PNGs into ``out_dir`` (created) at ``DPI``; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    head = title or "Campaign"
    if math.isfinite(summary.landing_probability):
        head = f"{head}\n{probability_text(summary)}"
    figs = {
        "campaign_touchdown.png": touchdown_plot(
            frame, summary.ellipse, pad_radius_m=pad_radius_m, title=head
        ),
        "campaign_outcomes.png": outcomes_plot(summary.outcomes, title=head),
        "campaign_distributions.png": distributions_plot(frame, limits),
        "campaign_sensitivity.png": sensitivity_plot(summary.sensitivity, frame),
    }
    return save_figures(figs, out)
