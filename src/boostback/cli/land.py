"""``boostback land``: fly a landing burn from a descent state to touchdown."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer

from boostback.cli.common import (
    EXIT_NOT_LANDED,
    builtin_site,
    check_finite,
    check_out_dir,
    check_range,
    console,
    fail,
    guarded,
    out_folder,
    prepare_out,
    print_notes,
    spinner,
    wall_clock_limit,
    write_html_report,
)
from boostback.cli.json_out import print_json, write_json
from boostback.config import ConfigError, list_scenarios, load_vehicle
from boostback.config.loader import (
    check_kind,
    check_scenario,
    file_kind,
    load_landing,
    read_toml,
    scenario_from_dict,
    scenario_vehicle,
)
from boostback.config.vocab import FileKind
from boostback.gnc.outcome import landing_margin
from boostback.mission.tables import landing_table

__all__ = ["land"]

DEFAULT_VEHICLE = "falcon9"
DEFAULT_WALL_LIMIT_S = 300.0
WALL_LIMIT_RANGE_S = (1.0, 86_400.0)
DofOption = Annotated[
    int | None,
    typer.Option(
        "--dof",
        help="Fidelity: 3 (point mass) or 6 (rigid body with attitude control; the vehicle "
        "needs a booster.rigid_body table); default: the scenario's sim.dof, else 3.",
        show_default=False,
    ),
]
GuidanceOption = Annotated[
    str | None,
    typer.Option(
        "--guidance",
        help="Landing guidance: lcvx (the point mass's plan) or scvx (the rigid body's, by "
        "successive convexification; needs --dof 6); default: the scenario's guidance.method, "
        "else lcvx.",
        show_default=False,
    ),
]
# The scenario key each override writes: an error about that key names the option, not the file.
OPTION_KEYS = {
    "--altitude": "initial.altitude_m",
    "--speed": "initial.velocity_enu_mps",
    "--offset": "initial.position_en_m",
    "--propellant": "initial.propellant_kg",
    "--wind": "environment.wind_enu_mps",
}


@guarded
def land(
    vehicle: Annotated[
        str | None,
        typer.Argument(
            help="Built-in vehicle key, built-in landing scenario (see 'boostback scenarios'), "
            "or a vehicle or scenario TOML file (default: the --from file's vehicle, else "
            "falcon9); it must agree with the --from file's vehicle.",
            show_default=False,
        ),
    ] = None,
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
    site: Annotated[
        str | None,
        typer.Option(
            "--site",
            help="With --report: the built-in site (lz1, lz4, zq3_landing, ...) where the pad "
            "is, to draw the landing on a map and write its KML.",
        ),
    ] = None,
    wall_limit: Annotated[
        float,
        typer.Option(
            "--wall-limit",
            help="Wall-clock seconds the run may take, ignition search included; past it the "
            "run stops with status 2 (1 to 86400).",
        ),
    ] = DEFAULT_WALL_LIMIT_S,
    dof: DofOption = None,
    guidance: GuidanceOption = None,
) -> None:
    """Fly a landing burn from a descent state to touchdown and classify the outcome.

    Exit status: 0 landed, 1 did not land, 2 bad input (one line), 3 internal error (one line
    naming the log file with the traceback), 130 interrupted.
    """
    from boostback.mission.landing import fly_landing
    from boostback.plant.setup import landing_setup

    overrides = dict(
        zip(OVERRIDES, (altitude, speed, offset, propellant, wind), strict=True)
    )  # fmt: skip
    check_finite(overrides)
    check_range("--wall-limit", wall_limit, *WALL_LIMIT_RANGE_S)
    pad_site = _report_site(site, report, speed)
    check_out_dir(out)
    scenario, veh = _landing_inputs(vehicle, from_file, overrides)
    scenario, faults = _as_flown(scenario, dof, guidance)
    out = out_folder(out, report=report, default=f"{veh.key}_landing")
    check_out_dir(out)
    with spinner("flying the landing burn…", quiet=as_json), wall_clock_limit(wall_limit):
        result = fly_landing(landing_setup(veh, scenario), faults, wall_limit_s=wall_limit)
    summary = _summary(result, veh, scenario.initial.propellant_kg)
    if out is not None:
        _write_outputs(result, veh, out, summary)
        if report:
            write_html_report(result, veh, out, quiet=as_json, site=pad_site)
    if as_json:
        print_json(summary)
    else:
        console.print(landing_table(summary, f"{veh.name}: landing burn"))
        print_notes(result.notes)
        if out is not None:
            console.print(f"plots and trajectory written to [bold]{out}[/]")
    if result.outcome.value != "landed":
        raise typer.Exit(code=EXIT_NOT_LANDED)


def _report_site(site: str | None, report: bool, speed: float | None) -> Any:
    """The built-in site ``--site`` names (None without one); refused in one line: a site
    without ``--report`` (only the report draws it) and a negative ``--speed`` (a descent
    speed, downwards: it has no sign to give)."""
    if speed is not None and speed < 0.0:
        fail(f"--speed: the descent speed is a magnitude (m/s, downwards), got {speed:g}")
    if site is not None and not report:
        fail("--site places the landing on the report's map: add --report")
    return builtin_site(site)


def _as_flown(scenario: Any, dof: int | None, guidance: str | None = None) -> tuple[Any, Any]:
    """The scenario at the fidelity ``--dof`` asks (its own ``sim.dof`` without it) and with the
    guidance ``--guidance`` asks (its own ``guidance.method`` without it), and the faults it
    carries (``[[faults]]``). SCvx guidance plans a rigid body: refused below 6-DoF."""
    from boostback.campaign.scenario_faults import scenario_faults
    from boostback.gnc.faults import FaultState

    scenario = with_fidelity(scenario, dof, guidance, "guidance")
    return scenario, FaultState(scenario_faults(scenario.faults, scenario.name or None))


def with_fidelity(scenario: Any, dof: int | None, guidance: str | None, key: str) -> Any:
    """A landing or flight scenario at the fidelity ``--dof`` asks (its own ``sim.dof`` without
    it) and with the landing guidance ``--guidance`` asks (its own ``KEY.method`` without it:
    ``guidance`` of a landing burn, ``landing`` of a flight). SCvx plans a rigid body: refused
    below 6-DoF, in one line."""
    if dof is not None:
        if dof not in (3, 6):
            fail(f"--dof: {dof} is not a fidelity boostback flies (3 or 6)")
        scenario = scenario.model_copy(update={"sim": scenario.sim.model_copy(update={"dof": dof})})
    if guidance is not None:
        if guidance not in ("lcvx", "scvx"):
            fail(f"--guidance: '{guidance}' is not a landing guidance (lcvx or scvx)")
        method = getattr(scenario, key).model_copy(update={"method": guidance})
        scenario = scenario.model_copy(update={key: method})
    if getattr(scenario, key).method == "scvx" and scenario.sim.dof != 6:
        where = "--guidance scvx" if guidance else f"{key}.method = 'scvx'"
        fail(f"{where} plans a rigid body: fly it with --dof 6 (or sim.dof = 6)")
    return scenario


OVERRIDES = ("--altitude", "--speed", "--offset", "--propellant", "--wind")  # land's state options


def _landing_inputs(
    vehicle: str | None, from_file: Path | None, overrides: dict[str, float | None]
) -> tuple[Any, Any]:
    """The scenario and the vehicle to fly, with the command-line overrides applied; a file of
    another kind (a flight scenario, a campaign...) is refused in one line naming its command."""
    if vehicle is not None:
        check_kind(vehicle, FileKind.LANDING, FileKind.VEHICLE)
    if from_file is not None:
        check_kind(str(from_file), FileKind.LANDING, names=False)
    if vehicle is not None and from_file is None and _is_scenario(Path(vehicle)):
        if all(value is None for value in overrides.values()):
            return load_landing(vehicle)
        vehicle, from_file = None, Path(vehicle)  # its state overridden, as --from FILE's
    data, file = _scenario_data(vehicle, from_file)
    _apply_overrides(data, overrides)
    try:
        scenario = scenario_from_dict(data, file)
    except ConfigError as exc:
        raise _named_option(exc, overrides) from None
    base = Path(file).parent if file and from_file else None
    veh = scenario_vehicle(scenario.vehicle, file, base) if from_file else None
    veh = veh or load_vehicle(scenario.vehicle, base_dir=base)
    try:
        check_scenario(scenario, veh, file)
    except ConfigError as exc:
        raise _named_option(exc, overrides) from None
    return scenario, veh


def _named_option(exc: ConfigError, overrides: dict[str, float | None]) -> ConfigError:
    """``exc`` naming the option instead of the file when a given option wrote the bad key
    (``--altitude: initial.altitude_m: must be > 0, got -5.0``)."""
    for option, key in OPTION_KEYS.items():
        if overrides.get(option) is None or exc.key is None:
            continue
        if exc.key == key or exc.key.startswith((f"{key}[", f"{key}.")):
            return ConfigError(exc.problem, file=option, key=exc.key)
    return exc


def _apply_overrides(data: dict[str, Any], overrides: dict[str, float | None]) -> None:
    """Write ``--altitude``, ``--speed``, ``--offset``, ``--propellant`` and ``--wind`` (those
    given) into the scenario dict."""
    init = data.setdefault("initial", {})
    if (altitude := overrides["--altitude"]) is not None:
        init["altitude_m"] = altitude
    if (speed := overrides["--speed"]) is not None:
        vel = list(init.get("velocity_enu_mps", [0.0, 0.0, -250.0]))
        vel[2] = -abs(speed)
        init["velocity_enu_mps"] = vel
    if (offset := overrides["--offset"]) is not None:
        init["position_en_m"] = [offset, 0.0]
    if (propellant := overrides["--propellant"]) is not None:
        init["propellant_kg"] = propellant
    if (wind := overrides["--wind"]) is not None:
        data.setdefault("environment", {})["wind_enu_mps"] = [wind, 0.0, 0.0]


def _default_scenario_name(vehicle: str) -> str | None:
    """The built-in landing scenario for a vehicle key, or ``vehicle`` itself when it names
    one (``boostback land mars_lander_case1``)."""
    for name in (vehicle, f"{vehicle}_landing", f"{vehicle}_case1"):
        if name in list_scenarios():
            return name
    return None


def _scenario_data(
    vehicle: str | None, state_file: Path | None
) -> tuple[dict[str, Any], str | None]:
    """The scenario as a dict (so command-line overrides can be applied) and its file name."""
    if state_file is not None:
        data = read_toml(state_file)
        named = data.get("vehicle")
        if vehicle is not None and isinstance(named, str):
            _check_same_vehicle(vehicle, named, state_file)
        elif vehicle is not None and Path(vehicle).is_file():
            data["vehicle"] = str(Path(vehicle).resolve())  # not relative to the file's folder
        data.setdefault("vehicle", vehicle or DEFAULT_VEHICLE)
        return data, str(state_file)
    vehicle = vehicle or DEFAULT_VEHICLE
    name = _default_scenario_name(vehicle)
    if name is not None:
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


def _check_same_vehicle(given: str, named: str, state_file: Path) -> None:
    """Bad input unless the VEHICLE argument and the file's ``vehicle`` name the same vehicle
    (the same key, or paths to the same file; the file's path is relative to its folder)."""
    if given == named:
        return
    mine, theirs = Path(given), Path(named)
    if not theirs.is_absolute():
        theirs = state_file.parent / theirs
    if mine.is_file() and theirs.is_file() and mine.resolve() == theirs.resolve():
        return
    raise ConfigError(
        f"the file flies '{named}' but the command line asks for '{given}'; "
        "drop the VEHICLE argument or make the two agree",
        file=str(state_file),
        key="vehicle",
    )


_SCENARIO = (FileKind.LANDING, None)


def _is_scenario(path: Path) -> bool:
    """Whether the VEHICLE argument is a landing scenario's TOML file, or one that does not say
    what it is (then checked as a scenario); else a vehicle's."""
    return path.suffix == ".toml" and path.is_file() and file_kind(read_toml(path)) in _SCENARIO


def _summary(result: Any, vehicle: Any, propellant0_kg: float) -> dict[str, Any]:
    """The result's summary with the vehicle key, the limits the report draws and the landing
    margin (the signed distance to failure, ``gnc.outcome.landing_margin``)."""
    summary = result.summary()
    summary["landing_margin"] = landing_margin(
        result.touchdown, vehicle.booster.limits, propellant0_kg
    )
    summary["vehicle"] = vehicle.key
    if vehicle.booster.landing is not None:
        summary["glide_slope_deg"] = vehicle.booster.landing.glide_slope_deg
    summary["max_miss_m"] = vehicle.booster.limits.max_miss_m
    return summary


def _write_outputs(result: Any, vehicle: Any, out: Path, summary: dict[str, Any]) -> None:
    """``trajectory.csv``, ``summary.json`` and the landing plots, in ``out``."""
    import numpy as np

    from boostback.report.plots import save_landing_plots

    prepare_out(out)
    cols = result.trajectory.columns()
    names = [k for k in cols if k != "phase"]
    np.savetxt(
        out / "trajectory.csv",
        np.column_stack([_csv_column(k, cols[k]) for k in names]),
        fmt=[_csv_format(k) for k in names],
        delimiter=",",
        header=",".join(names),
        comments="",
    )
    write_json(out / "summary.json", summary)
    save_landing_plots(result, vehicle, out)


def _csv_format(column: str) -> str:
    """How ``trajectory.csv`` writes a column: times to the millisecond, lengths to the
    millimetre, everything else to six significant digits."""
    return "%.3f" if column.endswith(("_s", "_m")) else "%.6g"


def _csv_column(column: str, values: Any) -> Any:
    """The column as ``trajectory.csv`` writes it (rounded, no ``-0.000``)."""
    import numpy as np

    values = np.asarray(values, dtype=float)
    return np.round(values, 3) + 0.0 if column.endswith(("_s", "_m")) else values
