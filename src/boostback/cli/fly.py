"""``boostback fly`` and ``boostback compare``: whole first-stage missions, and real flights."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from boostback.cli.common import (
    EXIT_NOT_LANDED,
    check_out_dir,
    check_range,
    console,
    fail,
    guarded,
    out_folder,
    prepare_out,
    safe_name,
    spinner,
    wall_clock_limit,
    write_html_report,
)
from boostback.cli.json_out import jsonable, print_json, write_json
from boostback.cli.land import DofOption, GuidanceOption, with_fidelity
from boostback.config import ConfigError
from boostback.config.flight_models import FlightScenario
from boostback.config.loader import (
    check_kind,
    flight_from_dict,
    list_flights,
    load_flight,
    load_vehicle,
    require_file,
)
from boostback.config.models import Vehicle
from boostback.config.vocab import FileKind
from boostback.mission.tables import FLIGHT_SUCCESS, flight_tables, fmt_number
from boostback.payload.missions import no_flight_for

__all__ = ["compare", "fly", "resolve_flight"]

DEFAULT_WALL_LIMIT_S = 600.0
WALL_LIMIT_RANGE_S = (1.0, 86_400.0)
MODES = ("rtls", "droneship", "downrange", "expendable")


def resolve_flight(vehicle: str, recovery: str | None) -> tuple[FlightScenario, Vehicle]:
    """The scenario for ``boostback fly VEHICLE [--recovery MODE]`` (or a scenario file)."""
    scenario, veh, _ = _resolve(vehicle, recovery)
    return scenario, veh


def _builtin_file(name: str) -> str:
    return f"scenarios/{name}.toml"


def _resolve(vehicle: str, recovery: str | None) -> tuple[FlightScenario, Vehicle, str]:
    """:func:`resolve_flight`, and the scenario file the flight comes from (named in the
    errors that the flight's set-up raises)."""
    if recovery is not None and recovery not in MODES:
        raise ConfigError(
            f"unknown recovery mode '{recovery}'; choose one of {', '.join(MODES)}",
            file="--recovery",
        )
    require_file(vehicle)
    path = Path(vehicle)
    kind = check_kind(vehicle, FileKind.FLIGHT, FileKind.VEHICLE)
    if vehicle in list_flights() and not path.exists():  # a built-in flight scenario by name
        scenario, veh = load_flight(vehicle)
        return _with_mode(scenario, recovery), veh, _builtin_file(vehicle)
    if path.suffix == ".toml" and path.exists():
        if kind is not FileKind.VEHICLE:  # a flight scenario, or a file meant as one
            scenario, veh = load_flight(str(path))
            return _with_mode(scenario, recovery, str(path)), veh, str(path)
        key = load_vehicle(str(path)).key
    else:
        key = vehicle
    names = [n for n in list_flights() if n.startswith(f"{key}_")]
    if recovery is not None and f"{key}_{recovery}" in names:
        name = f"{key}_{recovery}"
        scenario, veh = load_flight(name)
    else:
        if not names:
            raise no_flight_for(key)
        name = sorted(names, key=lambda n: (not n.endswith("_rtls"), n))[0]
        scenario, veh = load_flight(name)
        scenario = _with_mode(scenario, recovery, _builtin_file(name))
    if path.suffix == ".toml" and path.exists():
        veh = load_vehicle(str(path))
    return scenario, veh, _builtin_file(name)


def _with_mode(
    scenario: FlightScenario, recovery: str | None, file: str | None = None
) -> FlightScenario:
    """``scenario`` flown in the ``--recovery`` mode (errors name the option and the file)."""
    if recovery is None or recovery == scenario.recovery.mode:
        return scenario
    data = scenario.model_dump()
    data["recovery"]["mode"] = recovery
    if data.get("name"):  # the title says the flight is not the scenario's own recovery
        data["name"] = f"{data['name']}, flown {recovery}"
    where = f"--recovery {recovery} with {file}" if file else "--recovery"
    if recovery == "rtls" and data["recovery"]["site"] is None:
        raise ConfigError(
            "an RTLS flight needs a landing site: give a scenario file with [recovery] site",
            file=where,
            key="recovery.site",
        )
    if recovery == "droneship":
        data["recovery"]["site"] = None
    return flight_from_dict(data, where)


@guarded
def fly(
    vehicle: Annotated[
        str,
        typer.Argument(
            help="Built-in vehicle key, built-in flight scenario (see 'boostback scenarios'), "
            "vehicle TOML, or flight scenario TOML."
        ),
    ] = "falcon9",
    recovery: Annotated[
        str | None, typer.Option(help="rtls, droneship, downrange or expendable.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for plots and the trajectory.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    report: Annotated[
        bool, typer.Option("--report", help="Also write report.html (needs --out, or uses out/).")
    ] = False,
    wall_limit: Annotated[
        float,
        typer.Option(
            "--wall-limit",
            help="Wall-clock seconds the flight may take, every phase included; past it the "
            "run stops with status 2 (1 to 86400).",
        ),
    ] = DEFAULT_WALL_LIMIT_S,
    dof: DofOption = None,
    guidance: GuidanceOption = None,
) -> None:
    """Fly a whole first-stage mission: liftoff to MECO, boostback, entry, landing.

    With --dof 6 the booster flies as a rigid body from separation to touchdown (flip on its
    thrusters, burns steered by the gimbals, descent on the grid fins; docs/six_dof.md).

    Exit status: 0 landed (or expended as planned), 1 did not land, 2 bad input (one line),
    3 internal error (one line naming the log file with the traceback), 130 interrupted.
    """
    from boostback.flight.executive import fly_mission

    check_range("--wall-limit", wall_limit, *WALL_LIMIT_RANGE_S)
    check_out_dir(out)
    scenario, veh, file = _resolve(vehicle, recovery)
    scenario = _as_flown(scenario, veh, dof, guidance)
    out = out_folder(out, report=report, default=f"{veh.key}_{scenario.recovery.mode}")
    check_out_dir(out)
    with wall_clock_limit(wall_limit):
        scenario, design = _designed(scenario, veh, file, quiet=as_json)
        with spinner("flying…", quiet=as_json):
            result = fly_mission(scenario, veh, file)
    if out is not None:
        from boostback.report.flight_plots import save_flight_plots

        prepare_out(out)
        result.trajectory.to_parquet(out / "trajectory.parquet")
        write_json(out / "summary.json", _payload(result, design))
        save_flight_plots(result, out)
        if report:
            write_html_report(result, result.vehicle, out, quiet=as_json)
    if as_json:
        print_json(_payload(result, design))
    else:
        if design is not None:
            console.print(_design_line(design))
        for part in flight_tables(result, console.width):
            console.print(part)
        if out is not None:
            console.print(f"plots, trajectory.parquet and summary.json written to [bold]{out}[/]")
    if result.outcome not in FLIGHT_SUCCESS:
        raise typer.Exit(code=EXIT_NOT_LANDED)


def _as_flown(scenario: Any, veh: Any, dof: int | None, guidance: str | None) -> Any:
    """The flight at the fidelity and landing guidance asked (``land.with_fidelity``); a rigid
    body needs the vehicle's rigid-body data (one line, exit 2, without it)."""
    scenario = with_fidelity(scenario, dof, guidance, "landing")
    if scenario.sim.dof == 6:
        from boostback.plant.sixdof_setup import sixdof_params

        sixdof_params(veh)
    return scenario


def _designed(scenario: Any, veh: Any, file: str, *, quiet: bool) -> tuple[Any, Any]:
    """The scenario with its ascent designed for its target orbit when it names one and no
    override (``payload.design.design_ascent``), and the design (None: nothing designed). A
    payload no ascent can put into that orbit is bad input: one line, exit 2."""
    from boostback.payload.design import design_ascent, needs_design

    if not needs_design(scenario):
        return scenario, None
    with spinner("designing the ascent for the target orbit…", quiet=quiet):
        try:
            return design_ascent(scenario, veh, file)
        except ConfigError as exc:  # the design's own set-up (lift-off) names no file
            raise exc.with_context(file=file) from None


def _design_line(design: Any) -> str:
    line = (
        f"Ascent designed for {design.target.label}: pitch kick {design.kick_deg:.2f} deg, "
        f"MECO flight path {design.meco_flight_path_deg:.1f} deg, upper stage "
        f"{design.margin_kg:,.0f} kg over its reserve."
    )
    ins = design.insertion
    if ins is not None:
        err = ins.errors
        line += (
            f" Inserted into {ins.elements.perigee_alt_m / 1e3:.1f} x "
            f"{ins.elements.apogee_alt_m / 1e3:.1f} km x {math.degrees(ins.elements.i_rad):.2f} deg"
            f" (perigee {err['perigee_km']:+.2f} km, apogee {err['apogee_km']:+.2f} km, "
            f"inclination {err['inclination_deg']:+.3f} deg off) at T+{ins.t_s:.0f} s."
        )
    station = design.station
    if station is not None:
        line += (
            f" Drone ship stationed {station.downrange_km:.0f} km downrange (ballistic path "
            f"{station.ballistic_km:.0f} km), entry at {station.entry_speed_mps:.0f} m/s."
        )
    return line


def _payload(result: Any, design: Any = None) -> dict[str, Any]:
    """What ``fly --json`` prints and ``summary.json`` holds (non-finite numbers as null),
    with the ascent's design when the tool designed it."""
    ascent = None
    if design is not None:
        ascent = {
            "target_orbit": design.target.label,
            "pitch_kick_deg": design.kick_deg,
            "meco_flight_path_deg": design.meco_flight_path_deg,
            "upper_stage_margin_kg": design.margin_kg,
            "ship_downrange_km": None if design.station is None else design.station.downrange_km,
            "insertion_errors": None if design.insertion is None else design.insertion.errors,
        }
    return jsonable(
        {
            "summary": result.summary(),
            "ascent_design": ascent,
            "timeline": [e.as_dict() for e in result.timeline()],
            "budget": dict(result.budget()),
            "reserve_at_meco": {m: b.as_dict() for m, b in result.reserve_table.items()},
            "notes": list(result.notes),
        }
    )


@guarded
def compare(
    trajectory: Annotated[Path, typer.Argument(help="trajectory.parquet written by 'fly --out'.")],
    telemetry: Annotated[
        Path, typer.Argument(help="Telemetry folder (analysed.json, events.json).")
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            help="Folder for the plot of the overlaid curves (default: out/compare/NAME, NAME "
            "the telemetry folder's name).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON.")] = False,
) -> None:
    """Compare a simulated flight with flight telemetry: event table, and the overlaid curves
    as compare_NAME.png in --out (default out/compare/NAME)."""
    from boostback.telemetry import compare as compare_profiles
    from boostback.telemetry import load_telemetry, read_trajectory

    check_out_dir(out)
    if not trajectory.is_file():
        fail(f"{trajectory}: {'not a regular file' if trajectory.exists() else 'file not found'}")
    if not (telemetry / "analysed.json").is_file() or not (telemetry / "events.json").is_file():
        fail(f"{telemetry}: not a telemetry folder (needs analysed.json and events.json)")
    try:
        sim = read_trajectory(trajectory)
    except Exception as exc:  # pyarrow raises several types for a bad file
        fail(f"{trajectory}: cannot read the trajectory: {exc}")
    tel = _read_telemetry(telemetry, load_telemetry)
    rows = compare_profiles(sim, tel)
    from boostback.report.flight_plots import comparison_figure

    name = safe_name(tel.name or telemetry.resolve().name, default="telemetry")
    check_out_dir(folder := out if out is not None else Path("out") / "compare" / name)
    plot = prepare_out(folder)
    plot = plot / f"compare_{name}.png"
    comparison_figure(sim, tel).savefig(plot)
    if as_json:
        print_json([r.as_dict() for r in rows])
        return
    console.print(_comparison_table(rows, tel.name))
    console.print(f"plot written to [bold]{escape(str(plot))}[/]")


def _read_telemetry(folder: Path, load: Any) -> Any:
    """The telemetry in ``folder``, or bad input (status 2) naming the file that is wrong."""
    try:
        return load(folder)
    except ValueError as exc:  # load_telemetry's one line, naming the file and the key
        fail(str(exc))


def _comparison_table(rows: list[Any], name: str) -> Table:
    table = Table(title=f"simulated flight vs {name}")
    for col in (
        "event",
        "T+ sim",
        "T+ real",
        "dt",
        "alt sim (km)",
        "alt real (km)",
        "dh",
        "v sim (m/s)",
        "v real (m/s)",
        "dv",
    ):
        table.add_column(col, justify="left" if col == "event" else "right")
    for r in rows:
        table.add_row(
            r.event,
            fmt_number(r.t_sim_s),
            fmt_number(r.t_tel_s),
            f"{r.t_error:+.0%}",
            fmt_number(r.altitude_sim_m, 1e3, 1),
            fmt_number(r.altitude_tel_m, 1e3, 1),
            f"{r.altitude_error:+.0%}" if math.isfinite(r.altitude_error) else "n/a",
            fmt_number(r.speed_sim_mps, 1.0, 0),
            fmt_number(r.speed_tel_mps, 1.0, 0),
            f"{r.speed_error:+.0%}" if math.isfinite(r.speed_error) else "n/a",
        )
    return table
