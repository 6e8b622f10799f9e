"""The HTML reports of ``boostback economics --report`` and ``boostback deploy --report``:
cost per kilogram against landing probability (with the campaign's interval), the Monte Carlo
spread, where a flight's money goes, the Falcon 9 reliability-growth fit and the price of
learning; the ITU milestones of a deployment. PNGs beside each page."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from boostback.report import economics_figures as ef
from boostback.report.html import REPORT_NAME, PlotlyMode, figure_block, render, table

if TYPE_CHECKING:
    from boostback.economics.deploy import DeployResult
    from boostback.economics.montecarlo import EconomicsResult

__all__ = ["write_deploy_report", "write_economics_report"]


def _money(v: float | None) -> str:
    return "–" if v is None else f"${v:,.0f}"


def _mode_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for m in data["modes"]:
        kg, flight = m["per_kg_usd"], m["per_flight_usd"]
        rows.append(
            {
                "mode": m["mode"],
                "payload (kg)": f"{m['payload_kg']:,.0f}",
                "per flight, mean": _money(flight["mean"]),
                "per kg, mean": _money(kg["mean"]),
                "per kg, 5-95 %": f"{_money(kg['p5'])} – {_money(kg['p95'])}",
                "flights per booster": f"{m['expected']['flights_per_booster']:.1f}",
                "break-even flights": m["break_even_flights"] or "–",
                "boosters in service": m["fleet"]["in_service"],
                "boosters built per year": f"{m['fleet']['built_per_year']:.1f}",
            }
        )
    return rows


def _growth_rows(growth: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "target": f"{100 * r['target']:.0f} %",
            "attempts": "never (above the design's potential)"
            if r["attempts"] is None
            else r["attempts"],
            "90 % range (beta)": "–"
            if not r["attempts_90"]
            else " – ".join(str(a) for a in r["attempts_90"]),
            "failed landings expected": "–" if r["failures"] is None else f"{r['failures']:.1f}",
            "their cost": _money(r["cost_usd"]),
        }
        for r in growth["projection"]
    ]


def write_economics_report(
    result: EconomicsResult,
    growth: dict[str, Any],
    folder: str | Path,
    *,
    png: bool = True,
    plotly: str = PlotlyMode.SHARED,
) -> Path:
    """Write ``report.html`` (and PNGs) of an economics result into ``folder``."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    pngs: list[str] = []
    if png:
        from boostback.report.economics_plots import save_economics_plots

        pngs = [p.name for p in save_economics_plots(result, growth, out)]
    data = result.as_dict()
    b = result.belief
    lo, hi = b.interval
    headline = (
        f"landing probability {100 * b.mean:.1f} % (95 % interval {100 * lo:.1f}–{100 * hi:.1f} %,"
        f" from {b.source}); {data['programme_flights']} flights to {result.study.orbit.upper()}"
    )
    if data["list_price_usd"] is not None:
        headline += f"; list price {_money(data['list_price_per_kg_usd'])}/kg expendable"
    dev = data["development"]
    payback = [
        {
            "mode": mode,
            "reuse development": _money(dev["reuse_usd"]),
            "paid back after (flights)": "never" if n is None else f"{n:,.0f}",
            "years at this cadence": "–"
            if n is None
            else f"{dev['reuse_payback_years'][mode]:.1f}",
        }
        for mode, n in dev["reuse_payback_flights"].items()
    ]
    figures = [
        figure_block("cost-vs-probability", ef.cost_curve_figure(result)),
        figure_block("cost-distribution", ef.cost_distribution_figure(result)),
        figure_block("cost-breakdown", ef.breakdown_figure(result)),
        figure_block("reliability-growth", ef.growth_figure(growth)),
        figure_block("learning-projection", ef.projection_figure(growth)),
    ]
    return render(
        "economics.html.j2",
        out / REPORT_NAME,
        plotly=plotly,
        title=f"{result.cost.name}: reuse economics",
        headline=headline,
        modes=table(_mode_rows(data), humanize=False),
        payback=table(payback, humanize=False),
        growth=table(_growth_rows(growth), humanize=False),
        fit=growth["fit"],
        sources=table(
            [{"key": k, "source": v} for k, v in result.cost.sources.items()], humanize=False
        ),
        figures=figures,
        pngs=pngs,
    )


def write_deploy_report(
    result: DeployResult, folder: str | Path, *, png: bool = True, plotly: str = PlotlyMode.SHARED
) -> Path:
    """Write ``report.html`` (and a PNG) of a deployment result into ``folder``."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    pngs: list[str] = []
    if png:
        from boostback.report.economics_plots import save_deploy_plots

        pngs = [p.name for p in save_deploy_plots(result, out)]
    data = result.as_dict()
    rows = []
    for m in data["milestones"]:
        y = m["year"]
        rows.append(
            {
                "milestone": f"{100 * m['share']:.0f} %",
                "ITU deadline": f"{m['deadline_year']:.1f}",
                "reached, median": "never" if y["p50"] is None else f"{y['p50']:.1f}",
                "5-95 %": "–" if y["p5"] is None else f"{y['p5']:.1f} – {y['p95']:.1f}",
                "on time": f"{100 * m['probability_on_time']:.0f} %",
            }
        )
    cost = data["total_cost_usd"]
    headline = (
        f"{data['satellites']:,} satellites, {data['satellites_per_launch']} per launch; "
        f"median {data['launches']['p50']:.0f} launches, launch cost {_money(cost['p50'])}"
    )
    return render(
        "deploy.html.j2",
        out / REPORT_NAME,
        plotly=plotly,
        title=f"{result.constellation.name} by {result.cost.name}",
        headline=headline,
        milestones=table(rows, humanize=False),
        figures=[
            figure_block("itu-milestones", ef.milestone_figure(result)),
            figure_block("launches", ef.launches_figure(result)),
        ],
        pngs=pngs,
    )
