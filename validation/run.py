"""Fly the held-out Falcon 9 flights from public mission data and compare them with their telemetry.

Each flight in ``FLIGHTS`` is a scenario in ``validation/scenarios`` (public mission data only:
no fitted key) and a webcast telemetry folder in ``validation/telemetry/falcon9``. The ascent is
designed for the target orbit (``payload.design.design_ascent``), the mission flown
(``flight.executive.fly_mission``) and compared with the telemetry (``telemetry.compare``) under
the tolerances the test suite holds the three shared flights to: event times within 10 %,
altitude and speed within 15 % at MECO, boostback end, entry start and landing start.
``--shared`` adds those three flights, flown from their built-in scenarios with the fitted keys
removed. A flight the model refuses to pose is reported with its one-line refusal.

Run from the repository root: ``.venv/bin/python validation/run.py [--dof 3|6] [--shared]
[--json PATH] [FLIGHT ...]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from boostback.config.errors import ConfigError
from boostback.config.flight_models import BoostbackPlan, FlightScenario
from boostback.config.loader import load_flight
from boostback.flight.executive import fly_mission
from boostback.payload.design import design_ascent
from boostback.telemetry import STATE_EVENTS, TIMED_EVENTS, compare, load_telemetry, misses

ROOT = Path(__file__).resolve().parent
SCENARIOS = ROOT / "scenarios"
TELEMETRY = ROOT / "telemetry" / "falcon9"
SHARED_TELEMETRY = ROOT.parent.parent / "shared" / "data" / "telemetry" / "falcon9"

# held-out flight -> (scenario file in SCENARIOS, telemetry folder in TELEMETRY)
FLIGHTS: dict[str, tuple[str, str]] = {
    "NROL-76": ("nrol76.toml", "NROL-76"),
    "CRS-12": ("crs12.toml", "SpaceX_CRS-12"),
    "X-37B_OTV-5": ("x37b_otv5.toml", "X-37B_OTV-5"),
    "Zuma": ("zuma.toml", "Zuma"),
    "Iridium_NEXT_8": ("iridium_next8.toml", "Iridium_NEXT_8"),
    "BulgariaSat-1": ("bulgariasat1.toml", "BulgariaSat-1"),
    "SES-11": ("ses11.toml", "SES-11"),
    "KoreaSat_5A": ("koreasat5a.toml", "KoreaSat_5A"),
}
# the three calibration flights -> (built-in scenario, telemetry folder in SHARED_TELEMETRY)
SHARED: dict[str, tuple[str, str]] = {
    "CRS-11": ("falcon9_rtls", "SpaceX_CRS-11"),
    "SAOCOM_1A": ("falcon9_saocom1a", "SAOCOM_1A"),
    "Iridium_NEXT_3": ("falcon9_iridium3", "Iridium_NEXT_3"),
}

# calibration flights whose drone-ship station was read off their own telemetry (a fitted key;
# a held-out file gives a station only from a published source)
FITTED_STATIONS = ("Iridium_NEXT_3",)


@dataclass
class FlightResult:
    """One flight's outcome and its comparison with the telemetry (errors: sim - real, % of
    real)."""

    flight: str
    held_out: bool
    refused: str | None = None
    outcome: str | None = None
    design_fpa_deg: float | None = None
    real_fpa_deg: float | None = None
    meco_speed_pct: float | None = None
    entry_end_alt_pct: float | None = None
    apogee_speed_pct: float | None = None
    worst_t_pct: float | None = None
    worst_t_event: str | None = None
    misses: list[str] = field(default_factory=list)
    compared: int = 0  # comparisons held to a tolerance (timed events present + 2 per state)
    rows: dict[str, dict[str, float]] = field(default_factory=dict)
    cpu_s: float = 0.0


def strip_fitted(sc: FlightScenario, station_fitted: bool = False) -> FlightScenario:
    """The scenario without its fitted keys: no MECO flight path, no pitch kick, the boostback
    pitch range back to the model's default, and a drone ship's station read off telemetry
    (Iridium NEXT 3's) left to the design."""
    fields = BoostbackPlan.model_fields
    asc = sc.ascent.model_copy(update={"meco_flight_path_deg": None, "pitch_kick_deg": None})
    bb = sc.boostback.model_copy(
        update={
            "pitch_min_deg": fields["pitch_min_deg"].default,
            "pitch_max_deg": fields["pitch_max_deg"].default,
        }
    )
    update: dict[str, Any] = {"ascent": asc, "boostback": bb}
    if station_fitted:
        update["recovery"] = sc.recovery.model_copy(update={"ship_downrange_km": None})
    return sc.model_copy(update=update)


def real_meco_fpa(folder: Path, t_meco_s: float) -> float | None:
    """The flight-path angle (deg) the telemetry's analysed.json gives at MECO."""
    data = json.loads((folder / "analysed.json").read_text(encoding="utf-8"))
    if "angle" not in data:
        return None
    return float(np.interp(t_meco_s, data["time"], data["angle"]))


def _pct(x: float) -> float:
    return x * 100.0


def fly_one(
    name: str, sc: FlightScenario, veh: Any, tel_dir: Path, held_out: bool, dof: int
) -> FlightResult:
    """Design, fly and compare one flight."""
    out = FlightResult(name, held_out)
    t0 = time.process_time()
    sc = sc.model_copy(update={"sim": sc.sim.model_copy(update={"dof": dof})})
    try:
        sc, design = design_ascent(sc, veh)
        res = fly_mission(sc, veh)
    except ConfigError as exc:
        out.refused = exc.problem
        out.cpu_s = time.process_time() - t0
        return out
    out.cpu_s = time.process_time() - t0
    tel = load_telemetry(tel_dir)
    found = compare(res.trajectory.sim_profile(), tel)
    rows = {r.event: r for r in found}
    out.outcome = str(res.outcome)
    out.design_fpa_deg = design.meco_flight_path_deg if design is not None else None
    if "meco" in tel.events:
        out.real_fpa_deg = real_meco_fpa(tel_dir, tel.events["meco"])
    out.misses = misses(found, tel.events)
    out.compared = sum(e in rows for e in TIMED_EVENTS) + 2 * sum(
        e in tel.events for e in STATE_EVENTS
    )
    if "meco" in rows:
        out.meco_speed_pct = _pct(rows["meco"].speed_error)
    if "entry_end" in rows:
        out.entry_end_alt_pct = _pct(rows["entry_end"].altitude_error)
    if "apogee" in rows:
        out.apogee_speed_pct = _pct(rows["apogee"].speed_error)
    timed = [e for e in TIMED_EVENTS if e in rows]
    if timed:
        worst = max(timed, key=lambda e: abs(rows[e].t_error))
        out.worst_t_pct, out.worst_t_event = _pct(rows[worst].t_error), worst
    out.rows = {
        k: {"t": _pct(r.t_error), "h": _pct(r.altitude_error), "v": _pct(r.speed_error)}
        for k, r in rows.items()
    }
    return out


def _f(v: float | None, fmt: str = "+.1f") -> str:
    return "-" if v is None else format(v, fmt)


def print_flight(r: FlightResult) -> None:
    tag = "" if r.held_out else " (shared)"
    if r.refused is not None:
        print(f"{r.flight}{tag}: REFUSED: {r.refused}")
        return
    print(
        f"{r.flight}{tag}: {r.outcome}; MECO flight path designed {_f(r.design_fpa_deg, '.1f')}"
        f" / real {_f(r.real_fpa_deg, '.1f')} deg; MECO speed {_f(r.meco_speed_pct)} %, entry-end"
        f" altitude {_f(r.entry_end_alt_pct)} %, apogee speed {_f(r.apogee_speed_pct)} %, worst"
        f" event time {_f(r.worst_t_pct)} % ({r.worst_t_event}); cpu {r.cpu_s:.0f} s"
    )
    print("   event            t %     h %     v %")
    for k, d in r.rows.items():
        print(f"   {k:<15}{d['t']:+7.1f} {d['h']:+7.1f} {d['v']:+7.1f}")
    print(f"   missed {len(r.misses)} of {r.compared}: {', '.join(r.misses) or 'none'}")


def _spread(vals: list[float]) -> str:
    if not vals:
        return "-"
    sd = statistics.stdev(vals) if len(vals) > 1 else 0.0
    mean = statistics.fmean(vals)
    return (
        f"mean {mean:+.1f}, sd {sd:.1f}, range {min(vals):+.1f}..{max(vals):+.1f} (n={len(vals)})"
    )


def print_aggregate(results: list[FlightResult], label: str) -> None:
    flown = [r for r in results if r.refused is None]
    landed = [r for r in flown if r.outcome == "landed"]
    print(
        f"\n{label}: {len(results)} flights, {len(results) - len(flown)} refused, "
        f"{len(landed)} of {len(flown)} flown landed, "
        f"{sum(len(r.misses) for r in flown)} of {sum(r.compared for r in flown)} comparisons "
        "missed"
    )
    by: dict[str, int] = {}
    for r in flown:
        for m in r.misses:
            key = " ".join(m.split()[:2])
            by[key] = by.get(key, 0) + 1
    if by:
        print(
            "   missed most: "
            + ", ".join(f"{k} x{n}" for k, n in sorted(by.items(), key=lambda kv: -kv[1]))
        )
    for attr, what in (
        ("meco_speed_pct", "MECO speed %"),
        ("entry_end_alt_pct", "entry-end altitude %"),
        ("apogee_speed_pct", "apogee speed %"),
        ("worst_t_pct", "worst event time %"),
    ):
        vals = [getattr(r, attr) for r in flown if getattr(r, attr) is not None]
        print(f"   {what}: {_spread(vals)}")
    fpa = [
        r.design_fpa_deg - r.real_fpa_deg
        for r in flown
        if r.design_fpa_deg is not None and r.real_fpa_deg is not None
    ]
    print(f"   MECO flight path, designed - real (deg): {_spread(fpa)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "flights",
        nargs="*",
        help=f"a subset of {', '.join(FLIGHTS)} (and, with --shared, {', '.join(SHARED)})",
    )
    ap.add_argument("--dof", type=int, choices=(3, 6), default=3)
    ap.add_argument(
        "--shared",
        action="store_true",
        help="also fly the three calibration flights without their fitted keys",
    )
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args(argv)
    names = list(FLIGHTS) + (list(SHARED) if args.shared else [])
    unknown = [f for f in args.flights if f not in names]
    if unknown:
        ap.error(f"unknown flight(s) {', '.join(unknown)}; known: {', '.join(names)}")
    chosen = args.flights or names
    results = []
    for name in chosen:
        if name in FLIGHTS:
            scen, folder = FLIGHTS[name]
            sc, veh = load_flight(SCENARIOS / scen)
            r = fly_one(name, sc, veh, TELEMETRY / folder, True, args.dof)
        else:
            scen, folder = SHARED[name]
            sc, veh = load_flight(scen)
            sc = strip_fitted(sc, name in FITTED_STATIONS)
            r = fly_one(name, sc, veh, SHARED_TELEMETRY / folder, False, args.dof)
        print_flight(r)
        sys.stdout.flush()
        results.append(r)
    print_aggregate([r for r in results if r.held_out], f"held-out, {args.dof}-DoF")
    if any(not r.held_out for r in results):
        print_aggregate(
            [r for r in results if not r.held_out], f"shared, no fitted keys, {args.dof}-DoF"
        )
        print_aggregate(results, f"all, {args.dof}-DoF")
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
