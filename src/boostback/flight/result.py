"""The outcome of a whole flight: event timeline, propellant budget, reserve table, summary."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from boostback.config.flight_models import FlightScenario, descent_limits
from boostback.config.models import Vehicle
from boostback.environment.frames import Site
from boostback.flight.ascent import AscentResult
from boostback.flight.boostback import BoostbackOutcome
from boostback.flight.descent import DescentOutcome, EntryOutcome
from boostback.flight.reserve import ReserveBudget
from boostback.gnc.record import Event, Trajectory
from boostback.mission.landing import LandingResult

__all__ = ["TIMELINE_EVENTS", "FlightResult", "Recovery", "RigidFigures"]

TIMELINE_EVENTS = (
    "liftoff",
    "max_q",
    "meco",
    "separation",
    "boostback_start",
    "boostback_end",
    "apogee",
    "entry_start",
    "entry_end",
    "aero_descent",
    "handover",
    "landing_burn_start",
    "touchdown",
    "impact",
)

NAN = float("nan")


@dataclass
class Recovery:
    """The recovery phases a flight flew, and how it ended."""

    boostback: BoostbackOutcome | None = None
    entry: EntryOutcome | None = None
    descent: DescentOutcome | None = None
    landing: LandingResult | None = None
    outcome: str = "expended"


@dataclass
class RigidFigures:
    """What a rigid body (``sim.dof = 6``) adds to a whole flight's result: the flip (time,
    turn, gas, whether it settled within its tolerance), the cold gas, the angle of attack at the
    entry burn and in the grid-fin descent, and the stage's tilt and rates at the hand-over."""

    flip_s: float = NAN
    flip_turn_deg: float = NAN
    flip_gas_kg: float = NAN
    flip_settled: bool = False
    gas_used_kg: float = 0.0
    gas_left_kg: float = NAN
    entry_alpha_deg: float = NAN
    descent_alpha_max_deg: float = 0.0
    handover_tilt_deg: float = NAN
    handover_rate_dps: float = NAN

    def summary(self) -> dict[str, float]:
        """The figures under ``rigid_`` keys, for the flight's summary."""
        out = {f"rigid_{k}": float(v) for k, v in self.__dict__.items()}
        return out


@dataclass(frozen=True)
class FlightResult:
    scenario: FlightScenario
    vehicle: Vehicle
    outcome: str
    trajectory: Trajectory  # in ECEF
    ascent: AscentResult
    boostback: BoostbackOutcome | None
    entry: EntryOutcome | None
    descent: DescentOutcome | None
    landing: LandingResult | None
    reserve_table: dict[str, ReserveBudget]  # at MECO, for each recovery mode
    target: Site | None
    kick_rad: float
    entry_speed_planned_mps: float
    predictions: int
    notes: list[str] = field(default_factory=list)
    rigid: RigidFigures | None = None  # a 6-DoF flight's figures (None: a point mass)

    @property
    def events(self) -> list[Event]:
        return self.trajectory.events

    def event(self, name: str) -> Event | None:
        return self.trajectory.event(name)

    def timeline(self) -> list[Event]:
        order = {n: i for i, n in enumerate(TIMELINE_EVENTS)}
        evs = [e for e in self.events if e.name in order]
        return sorted(evs, key=lambda e: (e.t_s, order[e.name]))

    def budget(self) -> list[tuple[str, float]]:
        """Propellant (kg) spent in each burn, and what is left at the end."""
        a = self.ascent
        hw = self.vehicle.booster
        start = hw.propellant_mass_kg
        meco = self.event("meco")
        left_meco = meco.propellant_kg if meco else NAN
        rows = [("ascent (liftoff to MECO)", start - left_meco)]
        rows.append(("boostback burn", self.boostback.propellant_kg if self.boostback else 0.0))
        rows.append(("entry burn", self.entry.propellant_kg if self.entry else 0.0))
        if self.landing is not None:
            used = float(self.landing.trajectory.mass_kg[0] - self.landing.trajectory.mass_kg[-1])
        else:
            used = 0.0
        rows.append(("landing burn", used))
        end = self.events[-1].propellant_kg if self.events else NAN
        rows.append(("left at the end (margin)", end))
        rows.append(("reserve planned at MECO", a.reserve.total_kg))
        return rows

    def tables(self, width: int = 120) -> list:
        """The tables ``boostback fly`` prints (rich renderables): timeline, propellant budget,
        reserve by recovery mode, outcome and limits, then the notes.

        Parameters
        ----------
        width : int
            Columns the timeline is laid out in (narrower than 100, its notes go under it).

        Returns
        -------
        list of rich renderables
        """
        from boostback.mission.tables import flight_tables

        return flight_tables(self, width)

    def __str__(self) -> str:
        """The flight as ``boostback fly`` prints it, in plain text 120 columns wide."""
        from boostback.mission.tables import FLIGHT_TEXT_WIDTH, to_text

        return to_text(self.tables(FLIGHT_TEXT_WIDTH), FLIGHT_TEXT_WIDTH)

    def info(self) -> None:
        """Print the flight as ``boostback fly`` does (in colour on a terminal)."""
        from rich.console import Console

        from boostback.mission.tables import show

        console = Console(highlight=False)
        show(self.tables(console.width), console)

    def summary(self) -> dict[str, Any]:
        traj = self.trajectory
        hw = self.vehicle.booster.recovery
        limits = descent_limits(hw, self.scenario.entry) if hw else (NAN, NAN)
        asc = self.vehicle.ascent
        meco = self.event("meco")
        td = self.landing.touchdown if self.landing is not None else None
        touchdown = self.event("touchdown")
        descent = traj.phase != "ascent"
        qbar_desc = float(traj.qbar_pa[descent].max()) if descent.any() else NAN
        heat = float(traj.heat_flux_wpm2.max()) if len(traj.t_s) else NAN
        out: dict[str, Any] = {
            "scenario": self.scenario.name,
            "vehicle": self.vehicle.key,
            "recovery": self.scenario.recovery.mode,
            "outcome": self.outcome,
            "miss_distance_m": td.miss_m if td else NAN,
            "touchdown_t_s": touchdown.t_s if touchdown else NAN,
            "touchdown_vertical_speed_mps": td.vertical_speed_mps if td else NAN,
            "touchdown_lateral_speed_mps": td.lateral_speed_mps if td else NAN,
            "meco_t_s": meco.t_s if meco else NAN,
            "meco_altitude_m": meco.altitude_m if meco else NAN,
            "meco_speed_mps": meco.speed_mps if meco else NAN,
            "meco_flight_path_deg": math.degrees(self.ascent.flight_path_rad),
            "pitch_kick_deg": math.degrees(self.kick_rad),
            "max_q_ascent_pa": self.ascent.max_q_pa,
            "max_q_ascent_limit_pa": asc.max_dynamic_pressure_pa if asc else NAN,
            "peak_qbar_descent_pa": qbar_desc,
            "peak_qbar_descent_limit_pa": limits[0],
            "peak_heat_flux_wpm2": heat,
            "peak_heat_flux_limit_wpm2": limits[1],
            "entry_target_speed_mps": self.entry.target.speed_mps
            if self.entry and self.entry.target
            else NAN,
            "boostback_burn_s": self.boostback.burn_s if self.boostback else 0.0,
            "boostback_dv_planned_mps": self.boostback.planned_dv_mps if self.boostback else 0.0,
            "reserve_at_meco_kg": self.ascent.reserve.total_kg,
            "predictions": self.predictions,
        }
        for name, kg in self.budget():
            key = name.split(" (")[0].replace(" ", "_")
            out[f"propellant_{key}_kg"] = kg
        if self.rigid is not None:
            out.update(self.rigid.summary())
            if td is not None:
                out["touchdown_tilt_deg"] = td.tilt_deg
                out.update(self.landing.rigid_summary())  # type: ignore[union-attr]
        return out
