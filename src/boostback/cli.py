"""The ``boostback`` command line: ``land`` and ``vehicles`` (more verbs arrive with campaigns).

Errors meant for people (a bad configuration file, an unknown vehicle) print one line to stderr
and exit with status 2, without a traceback.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from boostback.cli_bench import bench
from boostback.cli_mc import mc_app
from boostback.cli_report import report as report_command
from boostback.config import ConfigError, list_scenarios, list_vehicles, load_vehicle
from boostback.config.loader import check_scenario, load_landing, read_toml, scenario_from_dict
from boostback.flight.cli import compare, fly

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Fly reusable boosters to touchdown with convex guidance in the loop.",
)
console = Console()
err_console = Console(stderr=True)
app.add_typer(mc_app, name="mc")
app.command("bench")(bench)
app.command("report")(report_command)
app.command("fly")(fly)
app.command("compare")(compare)


def _fail(message: str) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _default_scenario_name(vehicle: str) -> str | None:
    """The built-in landing scenario for a vehicle key, or ``vehicle`` itself when it names
    one (``boostback land mars_lander_case1``)."""
    for name in (vehicle, f"{vehicle}_landing", f"{vehicle}_case1"):
        if name in list_scenarios():
            return name
    return None


def _scenario_data(vehicle: str, state_file: Path | None) -> tuple[dict[str, Any], str | None]:
    """The scenario as a dict (so command-line overrides can be applied) and its file name."""
    if state_file is not None:
        data = read_toml(state_file)
        data.setdefault("vehicle", vehicle)
        return data, str(state_file)
    name = _default_scenario_name(vehicle)
    if name is not None:
        from importlib import resources

        path = resources.files("boostback") / "scenarios" / f"{name}.toml"
        return read_toml(Path(str(path))), f"{name}.toml"
    return {
        "vehicle": vehicle,
        "initial": {
            "altitude_m": 3000.0,
            "velocity_enu_mps": [0.0, 0.0, -250.0],
            "position_en_m": [400.0, 0.0],
            "propellant_kg": 0.3 * load_vehicle(vehicle).booster.dry_mass_kg,
        },
    }, None


def _summary_table(summary: dict[str, Any], title: str) -> Table:
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    rows = [
        ("outcome", summary["outcome"], ""),
        ("ignition time", summary["ignition_t_s"], "s"),
        ("ignition altitude", summary["ignition_altitude_m"], "m"),
        ("burn time", summary["burn_time_s"], "s"),
        ("touchdown vertical speed", summary["touchdown_vertical_speed_mps"], "m/s"),
        ("touchdown lateral speed", summary["touchdown_lateral_speed_mps"], "m/s"),
        ("touchdown tilt", summary["touchdown_tilt_deg"], "deg"),
        ("miss distance", summary["miss_distance_m"], "m"),
        ("propellant used", summary["propellant_used_kg"], "kg"),
        ("propellant left", summary["propellant_left_kg"], "kg"),
        ("guidance re-plans", summary["replans"], ""),
        ("guidance solves", summary["guidance_solves"], ""),
    ]
    for name, value, unit in rows:
        if isinstance(value, float):
            text = "n/a" if not math.isfinite(value) else f"{value:,.2f} {unit}".strip()
        else:
            text = f"{value} {unit}".strip()
        if name == "outcome":
            colour = "green" if value == "landed" else "red"
            text = f"[bold {colour}]{value}[/]"
        table.add_row(name, text)
    return table


@app.command()
def vehicles() -> None:
    """List the built-in vehicles."""
    table = Table(title="Built-in vehicles")
    for col in ("key", "name", "landing engines", "dry mass", "throttle"):
        table.add_column(col)
    for key in list_vehicles():
        v = load_vehicle(key)
        b = v.booster
        e = b.engine
        table.add_row(
            key,
            v.name,
            f"{b.landing_engines} x {e.name}",
            f"{b.dry_mass_kg / 1000:.1f} t",
            f"{e.throttle_min:.0%}-{e.throttle_max:.0%}",
        )
    console.print(table)


@app.command()
def scenarios() -> None:
    """List the built-in scenarios: whole flights (for 'fly') and landing burns (for 'land')."""
    from boostback.config.loader import scenario_catalogue

    table = Table(title="Built-in scenarios")
    for col in ("name", "kind", "vehicle", "description"):
        table.add_column(col, no_wrap=col != "description")
    for row in scenario_catalogue():
        table.add_row(*row)
    console.print(table)


@app.command()
def land(
    vehicle: Annotated[
        str,
        typer.Argument(
            help="Built-in vehicle key, built-in landing scenario (see 'boostback scenarios'), "
            "or a vehicle or scenario TOML file."
        ),
    ] = "falcon9",
    altitude: Annotated[float | None, typer.Option(help="Start altitude above the pad, m.")] = None,
    speed: Annotated[float | None, typer.Option(help="Descent speed at the start, m/s.")] = None,
    offset: Annotated[float | None, typer.Option(help="Start distance east of the pad, m.")] = None,
    propellant: Annotated[float | None, typer.Option(help="Propellant aboard, kg.")] = None,
    wind: Annotated[float | None, typer.Option(help="Constant east wind, m/s.")] = None,
    from_file: Annotated[
        Path | None, typer.Option("--from", help="Scenario TOML with the initial state.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for plots and the trajectory.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    report: Annotated[
        bool, typer.Option("--report", help="Also write report.html (needs --out, or uses out/).")
    ] = False,
) -> None:
    """Fly a landing burn from a descent state to touchdown and classify the outcome."""
    from boostback.config.loader import list_flights
    from boostback.sim.landing import fly_landing
    from boostback.sim.setup import landing_setup

    if vehicle in list_flights() and not Path(vehicle).exists():
        _fail(f"'{vehicle}' is a whole-flight scenario: fly it with 'boostback fly {vehicle}'")
        return
    try:
        if Path(vehicle).suffix == ".toml" and from_file is None and _is_scenario(Path(vehicle)):
            scenario, veh = load_landing(vehicle)
            file = vehicle
        else:
            data, file = _scenario_data(vehicle, from_file)
            init = data.setdefault("initial", {})
            if altitude is not None:
                init["altitude_m"] = altitude
            if speed is not None:
                vel = list(init.get("velocity_enu_mps", [0.0, 0.0, -250.0]))
                vel[2] = -abs(speed)
                init["velocity_enu_mps"] = vel
            if offset is not None:
                init["position_en_m"] = [offset, 0.0]
            if propellant is not None:
                init["propellant_kg"] = propellant
            if wind is not None:
                data.setdefault("environment", {})["wind_enu_mps"] = [wind, 0.0, 0.0]
            scenario = scenario_from_dict(data, file)
            base = Path(file).parent if file and from_file else None
            veh = load_vehicle(scenario.vehicle, base_dir=base)
            check_scenario(scenario, veh, file)
    except ConfigError as exc:
        _fail(str(exc))
        return
    with console.status("flying the landing burn…", spinner="dots") if not as_json else _null():
        result = fly_landing(landing_setup(veh, scenario))
    summary = result.summary()
    summary["vehicle"] = veh.key
    if veh.booster.landing is not None:
        summary["glide_slope_deg"] = veh.booster.landing.glide_slope_deg
    summary["max_miss_m"] = veh.booster.limits.max_miss_m
    if report and out is None:
        out = Path("out") / f"{veh.key}_landing"
    if out is not None:
        _write_outputs(result, veh, out, summary)
        if report:
            from boostback.report.html import write_flight_report

            path = write_flight_report(result, veh, out, png=False)
            if not as_json:
                console.print(f"report written to [bold]{path}[/]")
    if as_json:
        sys.stdout.write(json.dumps(_jsonable(summary)) + "\n")
    else:
        console.print(_summary_table(summary, f"{veh.name}: landing burn"))
        for note in result.notes:
            console.print(f"[yellow]note:[/] {note}")
        if out is not None:
            console.print(f"plots and trajectory written to [bold]{out}[/]")
    if result.outcome.value != "landed":
        raise typer.Exit(code=1)


def _is_scenario(path: Path) -> bool:
    try:
        return "initial" in read_toml(path)
    except ConfigError:
        return False


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _jsonable(summary: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v)
        for k, v in summary.items()
    }


def _write_outputs(result: Any, vehicle: Any, out: Path, summary: dict[str, Any]) -> None:
    import numpy as np

    from boostback.report.plots import save_landing_plots

    out.mkdir(parents=True, exist_ok=True)
    cols = result.trajectory.columns()
    names = [k for k in cols if k != "phase"]
    np.savetxt(
        out / "trajectory.csv",
        np.column_stack([cols[k] for k in names]),
        delimiter=",",
        header=",".join(names),
        comments="",
    )
    (out / "summary.json").write_text(json.dumps(_jsonable(summary), indent=2) + "\n")
    save_landing_plots(result, vehicle, out)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
