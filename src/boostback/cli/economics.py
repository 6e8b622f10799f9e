"""``boostback economics`` and ``boostback deploy``: what landing reliability is worth.

``economics FILE`` prices every recovery mode of a vehicle (cost per flight and per kilogram as
Monte Carlo distributions, break-even reuses, fleet per cadence, the curve of cost per kilogram
against landing probability, and the price of learning); ``deploy FILE`` launches a
constellation against the ITU milestones. The landing probability comes from a campaign folder
(``--landing-from``), from the command line (``--landing-probability P --interval LO HI``), or
from the file's ``[landing]`` table, in that order. docs/economics.md states every assumption.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from boostback.cli.common import (
    check_out_dir,
    check_range,
    fail,
    guarded,
    make_console,
    out_folder,
)
from boostback.cli.json_out import print_json
from boostback.config.loader import check_kind
from boostback.config.vocab import FileKind

__all__ = ["deploy", "economics"]

console = make_console(piped_width=130)  # the tables are wide: lay them out whole in a pipe

LandingFrom = Annotated[
    Path | None,
    typer.Option("--landing-from", help="A campaign results folder (mc run --out): its counts."),
]
LandingP = Annotated[
    float | None,
    typer.Option("--landing-probability", help="Landing probability, instead of a campaign."),
]
Interval = Annotated[
    tuple[float, float] | None,
    typer.Option("--interval", help="The probability's 95 % interval: LO HI."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
Report = Annotated[bool, typer.Option("--report", help="Write report.html and PNGs to --out.")]
Out = Annotated[Path | None, typer.Option(help="Folder for the report (default out/<name>).")]


def _check_kind(file: str, *takes: FileKind) -> None:
    """``check_kind`` for a study file, or for a built-in economics name (``falcon9``,
    ``guowang``) by its data file's contents: these commands resolve names of their own."""
    from boostback.economics.models import builtin_names, read_economics

    data = None
    if file in builtin_names() and not Path(file).exists():
        data = read_economics(file)[0]
    check_kind(file, *takes, names=False, data=data)


def _belief(landing_from: Path | None, p: float | None, interval: Any, spec: Any) -> Any:
    """The landing belief: campaign folder, else command-line figure, else the file's."""
    from boostback.economics import landing

    if landing_from is not None and p is not None:
        fail("--landing-from and --landing-probability: give one of them")
    if interval is not None and p is None:
        fail("--interval: needs --landing-probability")
    if landing_from is not None:
        if not landing_from.is_dir():
            fail(f"--landing-from: {landing_from}: not a campaign results folder")
        return landing.from_campaign(landing_from)
    if p is not None:
        check_range("--landing-probability", p, 0.0, 1.0)
        if interval is not None:
            lo, hi = interval
            check_range("--interval", lo, 0.0, 1.0)
            check_range("--interval", hi, 0.0, 1.0)
            if not lo <= p <= hi:
                fail(f"--interval: {lo:g} {hi:g} must hold the probability {p:g}")
        return landing.from_interval(p, interval, source="command line")
    if spec is None:
        fail("no landing probability: give --landing-from, --landing-probability or [landing]")
    if spec.landed is not None:
        return landing.from_counts(
            spec.landed, spec.attempts, source="file", damaged_share=spec.damaged_share
        )
    return landing.from_interval(
        spec.probability, spec.interval, source="file", damaged_share=spec.damaged_share
    )


def _money(v: float | None, unit: str = "M") -> str:
    if v is None:
        return "–"
    return f"${v / 1e6:,.1f}M" if unit == "M" else f"${v:,.0f}"


def _economics_table(data: dict[str, Any]) -> Table:
    table = Table(title=f"{data['name']}: cost per flight and per kg to {data['orbit'].upper()}")
    for col in (
        "mode",
        "payload kg",
        "per flight (mean)",
        "per kg (mean)",
        "per kg p5–p95",
        "flights/booster",
        "break-even",
        "fleet",
        "built/yr",
    ):
        table.add_column(col, justify="left" if col == "mode" else "right")
    for m in data["modes"]:
        kg = m["per_kg_usd"]
        table.add_row(
            m["mode"],
            f"{m['payload_kg']:,.0f}",
            _money(m["per_flight_usd"]["mean"]),
            _money(kg["mean"], "$"),
            f"{_money(kg['p5'], '$')}–{_money(kg['p95'], '$')}",
            f"{m['expected']['flights_per_booster']:.1f}",
            "–" if m["break_even_flights"] is None else str(m["break_even_flights"]),
            str(m["fleet"]["in_service"]),
            f"{m['fleet']['built_per_year']:.1f}",
        )
    return table


def _print_payback(dev: dict[str, Any]) -> None:
    if not dev["reuse_usd"]:
        return
    parts = [
        f"{mode} never"
        if n is None
        else f"{mode} after {n:,.0f} flights ({dev['reuse_payback_years'][mode]:.1f} years)"
        for mode, n in dev["reuse_payback_flights"].items()
    ]
    console.print(f"reuse development {_money(dev['reuse_usd'])} pays back: {'; '.join(parts)}")


def _growth_table(growth: dict[str, Any]) -> Table:
    table = Table(title="The price of learning (Crow-AMSAA fitted to Falcon 9 landings)")
    for col in ("target", "attempts", "90 % range (beta)", "failed landings", "their cost"):
        table.add_column(col, justify="right")
    for row in growth["projection"]:
        spread = row["attempts_90"]
        table.add_row(
            f"{100 * row['target']:.0f} %",
            "never" if row["attempts"] is None else str(row["attempts"]),
            "–" if not spread else "–".join(str(a) for a in spread),
            "–" if row["failures"] is None else f"{row['failures']:.1f}",
            _money(row["cost_usd"]),
        )
    return table


def _growth(cost: Any, belief: Any) -> dict[str, Any]:
    from boostback.economics.growth import fit_crow_amsaa, load_history, project

    history = load_history()
    fit = fit_crow_amsaa(history.failure_attempts, history.total_attempts)
    lost = cost.hardware.booster_unit_usd + cost.reuse.lost_booster_extra_usd
    return {
        "fit": fit.as_dict(),
        "design_potential": belief.mean,
        "projection": project(fit, potential=belief.mean, lost_booster_usd=lost),
        "history": history.cumulative(),
    }


@guarded
def economics(
    file: Annotated[str, typer.Argument(help="Economics study or cost file (or built-in name).")],
    landing_from: LandingFrom = None,
    landing_probability: LandingP = None,
    interval: Interval = None,
    as_json: AsJson = False,
    report: Report = False,
    out: Out = None,
) -> None:
    """Cost per flight and per kg of each recovery mode, break-even reuses, fleet, and the cost
    of learning, at the landing reliability a campaign measured."""
    from boostback.economics.models import load_study
    from boostback.economics.montecarlo import run_economics

    check_out_dir(out)
    _check_kind(file, FileKind.ECONOMICS, FileKind.COST)
    study, cost = load_study(file)
    belief = _belief(landing_from, landing_probability, interval, study.landing)
    result = run_economics(cost, study, belief)
    data = result.as_dict() | {"growth": _growth(cost, belief)}
    folder = out_folder(out, report=report, default=f"economics_{cost.key}")
    if report and folder is not None:
        from boostback.report.economics_html import write_economics_report

        path = write_economics_report(result, data["growth"], folder)
        data["report"] = str(path)
    if as_json:
        print_json(data)
        return
    p = belief.mean
    lo, hi = belief.interval
    console.print(
        f"landing probability {100 * p:.1f} % (95 % interval {100 * lo:.1f}–{100 * hi:.1f} %, "
        f"from {belief.source}); {data['programme_flights']} flights, {study.samples} samples"
    )
    if data["list_price_usd"] is not None:
        console.print(
            f"list price {_money(data['list_price_usd'])}: "
            f"{_money(data['list_price_per_kg_usd'], '$')}/kg expendable"
        )
    console.print(_economics_table(data))
    _print_payback(data["development"])
    console.print(_growth_table(data["growth"]))
    if "report" in data:
        console.print(f"report written to [bold]{data['report']}[/]")


def _deploy_table(data: dict[str, Any]) -> Table:
    table = Table(
        title=f"{data['constellation']} ({data['satellites']:,} satellites) by {data['vehicle']} "
        f"({data['recovery']}, {data['satellites_per_launch']} per launch)"
    )
    for col in ("ITU milestone", "deadline", "reached p5 / p50 / p95", "on time"):
        table.add_column(col, justify="right")
    for m in data["milestones"]:
        y = m["year"]
        when = "never" if y["p50"] is None else f"{y['p5']:.1f} / {y['p50']:.1f} / {y['p95']:.1f}"
        table.add_row(
            f"{100 * m['share']:.0f} %",
            f"{m['deadline_year']:.1f}",
            when,
            f"{100 * m['probability_on_time']:.0f} %",
        )
    return table


@guarded
def deploy(
    file: Annotated[str, typer.Argument(help="Deployment study file.")],
    landing_from: LandingFrom = None,
    landing_probability: LandingP = None,
    interval: Interval = None,
    as_json: AsJson = False,
    report: Report = False,
    out: Out = None,
) -> None:
    """Launch a constellation at the cadence pads, turnaround, fleet and landing losses allow,
    against the ITU bring-into-use milestones (WRC-19 Resolution 35)."""
    from boostback.economics.deploy import run_deploy
    from boostback.economics.models import load_deploy

    check_out_dir(out)
    _check_kind(file, FileKind.DEPLOY)
    study, constellation, cost = load_deploy(file)
    belief = _belief(landing_from, landing_probability, interval, study.landing)
    result = run_deploy(study, constellation, cost, belief)
    data = result.as_dict()
    folder = out_folder(out, report=report, default=f"deploy_{constellation.key}")
    if report and folder is not None:
        from boostback.report.economics_html import write_deploy_report

        data["report"] = str(write_deploy_report(result, folder))
    if as_json:
        print_json(data)
        return
    console.print(_deploy_table(data))
    launches, cost_usd = data["launches"], data["total_cost_usd"]
    console.print(
        f"launches {launches['p50']:.0f} (p5 {launches['p5']:.0f}, p95 {launches['p95']:.0f}); "
        f"boosters built {data['boosters_built']['p50']:.0f}, lost "
        f"{data['boosters_lost']['p50']:.0f}; launch cost {_money(cost_usd['p50'])} "
        f"(p5 {_money(cost_usd['p5'])}, p95 {_money(cost_usd['p95'])})"
    )
    if "report" in data:
        console.print(f"report written to [bold]{data['report']}[/]")
