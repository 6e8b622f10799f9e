"""``boostback payload VEHICLE --orbit 200x200x28.5``: the most payload each recovery mode can
put into an orbit, what it gives up against expendable, and the staging state of each.

The booster flies the planner's ascent to MECO keeping its mode's reserve, the upper stage flies
powered explicit guidance to the orbit, and the payload is root-found (docs/payload.md).
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from boostback.cli.common import console, err_console, fail, guarded, spinner
from boostback.cli.json_out import print_json
from boostback.config.vocab import FileKind

__all__ = ["payload"]

MODES = ("rtls", "droneship", "downrange", "expendable")
VehicleArgument = Annotated[
    str,
    typer.Argument(
        help="Built-in vehicle key (falcon9, zhuque3), or a whole-flight scenario (a TOML file "
        "or a built-in name): its vehicle."
    ),
]


def _check_site(key: str | None, option: str) -> str | None:
    from boostback.environment.frames import SITES

    if key is not None and key not in SITES:
        fail(f"{option}: unknown site '{key}'; known sites: {', '.join(sorted(SITES))}")
    return key


def _vehicle_key(ref: str, *, as_json: bool) -> str:
    """The built-in vehicle to solve for: ``ref`` itself, or the vehicle a whole-flight scenario
    (a file or a built-in name) flies, said in a note; files of other kinds, and vehicle files
    (payload solves from a built-in vehicle's own scenarios), are refused in one line."""
    from boostback.config.loader import check_kind, flight_vehicles, load_flight, require_file

    require_file(ref)  # a missing file, not an unknown vehicle key
    kind = check_kind(ref, FileKind.VEHICLE, FileKind.FLIGHT)
    flying = flight_vehicles()
    by_key = f"payload solves a built-in vehicle, by key ({', '.join(flying)})"
    if kind is FileKind.VEHICLE and Path(ref).exists():
        fail(f"'{ref}' is a vehicle file: {by_key}")
    if kind is not FileKind.FLIGHT:
        return ref
    scenario, _ = load_flight(ref)
    if scenario.vehicle not in flying:
        fail(f"'{ref}' is a whole-flight scenario of the vehicle '{scenario.vehicle}': {by_key}")
    (err_console if as_json else console).print(  # --json: standard output holds the JSON
        f"[dim]'{escape(ref)}' is a whole-flight scenario: solving for its vehicle, "
        f"{scenario.vehicle}, from {scenario.vehicle}'s built-in scenarios (the file's own "
        "mission and settings are not used)[/]",
        highlight=False,
        soft_wrap=True,
    )
    return scenario.vehicle


def _fmt(v: float | None, spec: str = ",.0f") -> str:
    return "–" if v is None or not math.isfinite(v) else format(v, spec)


def _table(data: dict[str, Any]) -> Table:
    table = Table(
        title=f"{data['vehicle']}: payload to {data['orbit']} from {data['launch_site']}",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    cols = ("mode", "payload\nkg", "vs exp.\nkg", "MECO\nkm", "MECO\nm/s",
            "path\ndeg", "reserve\nkg", "insert\nkm/deg")  # fmt: skip
    for col in cols:
        table.add_column(col, justify="left" if col == "mode" else "right", no_wrap=True)
    for m in data["modes"]:
        st, ins = m.get("staging"), m.get("insertion")
        err = ins["errors"] if ins else None
        miss = (
            f"{max(abs(err['perigee_m']), abs(err['apogee_m'])) / 1e3:.2f}/"
            f"{abs(err['inclination_deg']):.3f}"
            if err
            else "–"
        )
        given = m["given_up_kg"]
        table.add_row(
            m["mode"],
            _fmt(m["payload_kg"]),
            "–" if given is None else _fmt(-given, "+,.0f") if given else "0",
            _fmt(st["altitude_m"] / 1e3, ".1f") if st else "–",
            _fmt(st["speed_mps"], ",.0f") if st else "–",
            _fmt(st["flight_path_deg"], ".1f") if st else "–",
            _fmt(max(st["booster_propellant_kg"], 0.0)) if st else "–",
            miss,
        )
    return table


@guarded
def payload(
    vehicle: VehicleArgument,
    orbit: Annotated[
        str,
        typer.Option(
            "--orbit",
            help="PERIGEE_KMxAPOGEE_KMxINCLINATION_DEG, optionally xARGP_DEG, e.g. 200x200x28.5 "
            "or 185x35786x28.5x180 (with an argument of perigee: parking orbit and perigee "
            "burn).",
        ),
    ] = "200x200x28.5",
    recovery: Annotated[
        str | None,
        typer.Option("--recovery", help="rtls, droneship, downrange or expendable (default all)."),
    ] = None,
    site: Annotated[
        str | None, typer.Option("--site", help="Launch site key (default the vehicle's pad).")
    ] = None,
    landing: Annotated[
        str | None,
        typer.Option("--landing", help="Landing site key for rtls/downrange (default the mode's)."),
    ] = None,
    burns: Annotated[
        int | None,
        typer.Option(
            "--burns",
            help="Upper-stage burns to an orbit without an argument of perigee: 1 (direct) or 2 "
            "(a transfer orbit, a coast and a burn at its apogee), as the mission's timeline "
            "says; default: 2 when the perigee is above 350 km, else 1.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """The most payload each recovery mode can carry to an orbit, and its staging state."""
    from boostback.payload.table import solve_modes
    from boostback.payload.upper_stage import parse_orbit

    try:
        target = parse_orbit(orbit)
    except ValueError as exc:
        fail(f"--orbit: {exc}")
    if burns is not None:
        try:
            target = replace(target, burns=burns)
        except ValueError as exc:
            fail(f"--burns: {exc}")
    if recovery is not None and recovery not in MODES:
        fail(f"--recovery: unknown mode '{recovery}'; choose one of {', '.join(MODES)}")
    key = _vehicle_key(vehicle, as_json=as_json)
    modes = MODES if recovery is None else (recovery,)
    if recovery is None or recovery != "expendable":
        modes = tuple(dict.fromkeys((*modes, "expendable")))  # what each mode gives up
    with spinner(f"solving the payload of {len(modes)} mode(s)", quiet=as_json):
        table = solve_modes(
            key, target, modes, _check_site(site, "--site"), _check_site(landing, "--landing")
        )
    data = table.as_dict()
    if recovery is not None and recovery != "expendable":
        data["modes"] = [m for m in data["modes"] if m["mode"] == recovery]
    if as_json:
        print_json(data)
        return
    console.print(_table(data))
    notes: dict[str, list[str]] = {}
    for m in data["modes"]:
        for note in filter(None, m["note"].split("; ")):
            notes.setdefault(note, []).append(m["mode"])
    for note, which in notes.items():
        console.print(f"[dim]{', '.join(which)}: {note}[/]")
    for u in data["unavailable"]:
        console.print(f"[dim]{u['mode']}: not solved: {u['why']} (give --landing SITE)[/]")
    console.print(
        "[dim]vs exp.: payload against expendable; MECO: staging altitude, Earth-relative speed "
        "and flight path; reserve: booster propellant at MECO; "
        "insert: worst apsis (km) and inclination (deg) error; the upper stage keeps 1 % of "
        f"its propellant; solved in {data['wall_s']:.1f} s[/]"
    )
