"""Static economics and deployment plots (matplotlib PNGs for papers and slides): the same views
as the HTML. Figures are built with ``Figure`` directly (never ``pyplot``): headless and
thread-safe, each at a fixed size (``SIZES``, inches at ``palette.PNG_DPI``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure

from boostback.report.economics_figures import (
    MILESTONE_COLOURS,
    ecdf,
    growth_series,
    mode_colour,
)
from boostback.report.palette import BLACK, GREY, ORANGE, save_figures

if TYPE_CHECKING:
    from boostback.economics.deploy import DeployResult
    from boostback.economics.montecarlo import EconomicsResult

__all__ = ["SIZES", "save_deploy_plots", "save_economics_plots"]

SIZES = {  # file name -> (width, height) in inches
    "economics_cost_curve.png": (9.0, 5.5),
    "economics_growth.png": (9.0, 5.0),
    "deploy_milestones.png": (9.0, 5.0),
}
LEGEND = {"fontsize": 8, "framealpha": 0.85}


def cost_curve_plot(result: EconomicsResult) -> Figure:
    """Cost per kilogram against landing probability, the 95 % interval shaded."""
    fig = Figure(figsize=SIZES["economics_cost_curve.png"], layout="constrained")
    ax = fig.add_subplot()
    p = 100 * np.asarray(result.curve["landing_probability"])
    lo, hi = result.belief.interval
    ax.axvspan(100 * lo, 100 * hi, color=GREY, alpha=0.25, label=f"{result.belief.source}: 95 %")
    for mode, values in result.curve["per_kg_usd"].items():
        ax.plot(p, values, color=mode_colour(mode), lw=2.2, label=mode)
    for m in result.modes:
        ax.plot(100 * result.belief.mean, m.expected.per_kg_usd, "D", color=BLACK, ms=6)
    ax.set_xlabel("landing probability (%)")
    ax.set_ylabel("expected cost per kg ($)")
    ax.set_ylim(bottom=0)
    ax.set_xlim(p[0], p[-1])
    ax.set_title(f"{result.cost.name}: cost per kg against landing probability")
    ax.grid(alpha=0.3)
    ax.legend(**LEGEND)
    return fig


def growth_plot(growth: dict[str, Any]) -> Figure:
    """Falcon 9's cumulative failed landings and the Crow-AMSAA fit."""
    fig = Figure(figsize=SIZES["economics_growth.png"], layout="constrained")
    ax = fig.add_subplot()
    s = growth_series(growth)
    ax.step(s["attempts"], s["failures"], where="post", color=BLACK, label="Falcon 9 (year ends)")
    ax.plot(s["attempts"], s["failures"], "o", color=BLACK, ms=4)
    fit = growth["fit"]
    label = f"Crow-AMSAA N = {fit['lambda']:.2f} t^{fit['beta']:.3f}"
    ax.plot(s["t"], s["fitted"], color=ORANGE, lw=2.2, label=label)
    ax.set_xscale("log")
    ax.set_xlabel("landing attempts")
    ax.set_ylabel("cumulative failed landings")
    ax.set_title("Reliability growth fitted to the Falcon 9 landing history")
    ax.grid(alpha=0.3, which="both")
    ax.legend(**LEGEND)
    return fig


def milestone_plot(result: DeployResult) -> Figure:
    """Share of samples past each ITU milestone by year, with the deadlines."""
    from boostback.economics.deploy import itu_deadlines

    fig = Figure(figsize=SIZES["deploy_milestones.png"], layout="constrained")
    ax = fig.add_subplot()
    for i, d in enumerate(itu_deadlines(result.constellation.filing_year)):
        x, y = ecdf(result.milestone_years[:, i])
        colour = MILESTONE_COLOURS[i]
        label = f"{100 * d['share']:.0f} % deployed"
        if len(x):
            ax.step(x, 100 * y, where="post", color=colour, lw=2.2, label=label)
        ax.axvline(d["deadline_year"], color=colour, ls=":", label=f"ITU deadline, {label}")
    ax.set_xlabel("year")
    ax.set_ylabel("share of samples reached (%)")
    ax.set_ylim(0, 102)
    ax.set_title(
        f"{result.constellation.name} by {result.cost.name} ({result.study.recovery}): "
        "ITU milestones"
    )
    ax.grid(alpha=0.3)
    ax.legend(**LEGEND)
    return fig


def _save(figs: dict[str, Figure], out_dir: str | Path) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return save_figures(figs, out)


def save_economics_plots(
    result: EconomicsResult, growth: dict[str, Any], out_dir: str | Path
) -> list[Path]:
    """Write the economics PNGs into ``out_dir``; returns their paths."""
    return _save(
        {
            "economics_cost_curve.png": cost_curve_plot(result),
            "economics_growth.png": growth_plot(growth),
        },
        out_dir,
    )


def save_deploy_plots(result: DeployResult, out_dir: str | Path) -> list[Path]:
    """Write the deployment PNG into ``out_dir``; returns its path."""
    return _save({"deploy_milestones.png": milestone_plot(result)}, out_dir)
