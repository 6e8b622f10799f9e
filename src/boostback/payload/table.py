"""The payload table: every recovery mode of a vehicle solved to one orbit, as plain data.

What ``boostback payload`` prints and the bench times; ``as_dict`` is its JSON.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass, field
from typing import Any

from boostback.config.flight_models import SiteRef
from boostback.payload.missions import MODES, mode_problems
from boostback.payload.solver import ModeResult, solve_payload
from boostback.payload.upper_stage import TargetOrbit, parse_orbit

__all__ = ["PayloadTable", "payload_kg", "solve_modes"]


@dataclass
class PayloadTable:
    """The solved modes of one vehicle to one orbit (``unavailable``: modes not posed, why)."""

    vehicle: str
    target: TargetOrbit
    launch_site: str
    results: list[ModeResult]
    unavailable: list[tuple[str, str]] = field(default_factory=list)
    wall_s: float = math.nan

    def result(self, mode: str) -> ModeResult | None:
        return next((r for r in self.results if r.mode == mode), None)

    def given_up_kg(self, mode: str) -> float | None:
        """Payload the mode gives up against expendable (None without an expendable row)."""
        exp, res = self.result("expendable"), self.result(mode)
        if exp is None or res is None:
            return None
        return exp.payload_kg - res.payload_kg

    def as_dict(self) -> dict[str, Any]:
        """The table for JSON: SI units, suffixed names."""
        return {
            "vehicle": self.vehicle,
            "orbit": self.target.label,
            "target": {
                "perigee_alt_m": self.target.perigee_alt_m,
                "apogee_alt_m": self.target.apogee_alt_m,
                "inclination_deg": self.target.inclination_deg,
                "argp_deg": self.target.argp_deg,
            },
            "launch_site": self.launch_site,
            "modes": [self._mode_dict(r) for r in self.results],
            "unavailable": [{"mode": m, "why": why} for m, why in self.unavailable],
            "wall_s": self.wall_s,
        }

    def _mode_dict(self, r: ModeResult) -> dict[str, Any]:
        out: dict[str, Any] = {
            "mode": r.mode,
            "payload_kg": r.payload_kg,
            "given_up_kg": self.given_up_kg(r.mode),
            "upper_stage_reserve_kg": r.residual_kg,
            "note": r.note,
        }
        if r.staging is not None:
            out["staging"] = r.staging.as_dict()
        if r.reserve is not None:
            out["booster_reserve"] = r.reserve.as_dict()
        ins = r.insertion
        if ins is not None:
            el = ins.elements
            out["insertion"] = {
                "perigee_alt_m": el.perigee_alt_m,
                "apogee_alt_m": el.apogee_alt_m,
                "inclination_deg": math.degrees(el.i_rad),
                "argp_deg": math.degrees(el.argp_rad),
                "errors": {
                    "perigee_m": ins.errors["perigee_km"] * 1e3,
                    "apogee_m": ins.errors["apogee_km"] * 1e3,
                    **{k: v for k, v in ins.errors.items() if k.endswith("_deg")},
                },
                "propellant_left_kg": ins.propellant_left_kg,
                "cutoff_s": ins.t_s,
                "fairing_jettison_s": ins.fairing_t_s,
                "burns": [
                    {
                        "name": b.name,
                        "ignition_s": b.ignition_s,
                        "duration_s": b.duration_s,
                        "propellant_kg": b.propellant_kg,
                    }
                    for b in ins.burns
                ],
            }
        return out


def solve_modes(
    vehicle_key: str,
    target: TargetOrbit,
    modes: tuple[str, ...] = MODES,
    launch_site: SiteRef | None = None,
    landing_site: SiteRef | None = None,
) -> PayloadTable:
    """Solve the payload of each mode (see ``payload.solver``) and time the whole solve.

    Parameters
    ----------
    vehicle_key : str
        A built-in vehicle with a flight scenario (``falcon9``, ``zhuque3``).
    target : TargetOrbit
    modes : tuple of str
        Recovery modes (``payload.missions.MODES``).
    launch_site, landing_site : str or SiteSpec, optional
        Override the reference scenario's pad and the modes' landing site.

    Returns
    -------
    PayloadTable
    """
    t0 = time.perf_counter()
    vehicle, problems = mode_problems(vehicle_key, target, modes, launch_site, landing_site)
    results: list[ModeResult] = []
    unavailable: list[tuple[str, str]] = []
    site_name = ""
    for p in problems:
        if isinstance(p, tuple):
            unavailable.append(p)
            continue
        site_name = p.setup.launch_site.name
        results.append(solve_payload(p))
    return PayloadTable(
        vehicle.key, target, site_name, results, unavailable, time.perf_counter() - t0
    )


@functools.lru_cache(maxsize=64)
def payload_kg(vehicle_key: str, mode: str, orbit: str) -> float:
    """The most payload (kg) ``vehicle_key`` carries to ``orbit`` in recovery ``mode``, from its
    reference pad and the mode's built-in landing site (cached per arguments).

    Parameters
    ----------
    vehicle_key : str
        A built-in vehicle with a flight scenario.
    mode : str
        ``rtls``, ``droneship``, ``downrange`` or ``expendable``.
    orbit : str
        An orbit string (``payload.upper_stage.parse_orbit``), e.g. ``"200x200x28.5"``.

    Returns
    -------
    float
        0 when the mode cannot reach the orbit.

    Raises
    ------
    ValueError
        For a bad orbit string, or a mode that cannot be posed (a downrange mode without a
        landing site).
    """
    table = solve_modes(vehicle_key, parse_orbit(orbit), (mode,))
    if table.unavailable:
        raise ValueError(f"{vehicle_key} {mode}: {table.unavailable[0][1]}")
    return table.results[0].payload_kg
