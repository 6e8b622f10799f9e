"""The booster's recovery predicted from a trial ascent's MECO: the bound on the ascent design.

The reserve the ascent keeps (``flight.reserve``) prices each burn; it does not ask whether the
recovery it prices can be flown. On a lofted RTLS ascent it cannot always be: the stage falls
from a higher apogee, reaches the entry-burn altitude faster, and the entry target that the
descent limits then ask for is reached only after a burn that runs on below the altitude where
the landing executive takes over (SAOCOM 1A at a 73 deg MECO: entry at 1,697 m/s from 50 km,
target 394 m/s, burn ends at 2.9 km, the landing finds no plan: docs/flights.md, point 9).

``predict_recovery`` flies the recovery as the executive plans it, without steering: separation,
the boostback the flight plans there (``flight.boostback.plan_boostback``, applied as the
impulse it is planned as; its propellant from the reserve's finite-burn velocity change,
``finite_burn_dv``, by the rocket equation), the entry target from
the descent limits at the entry state this leads to (``FlightContext.entry_target``, as the
flight chooses it), and the predicted descent with that burn to the hand-over altitude and to
the ground. The recovery is flyable when the stage reaches the entry altitude, the predicted
entry burn has ended above the hand-over altitude (no propellant burned below it), and the
boostback, entry and landing propellant fit in what the booster keeps at MECO. The landing is
priced from the predicted hand-over state as an upper bound (lit there, no drag): the reserve's
landing burn (``flight.reserve``: a terminal speed at 5 km on a stage 1.2 times its burnout mass)
is 4.4 t where the flown SAOCOM 1A landings burn 6.9-7.4 t at every loft (point 9).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from boostback.config.flight_models import FlightScenario, descent_limits
from boostback.config.models import Vehicle
from boostback.dynamics.state import MASS, VEL, VX, VY, VZ, with_mass
from boostback.flight.ascent import AscentResult
from boostback.flight.boostback import BoostbackOutcome, plan_boostback
from boostback.flight.context import FlightContext, make_context
from boostback.flight.dynamics import State, air_data
from boostback.flight.predict import Impact, predict_impact
from boostback.flight.record import FlightRecorder
from boostback.flight.reserve import (
    ReserveModel,
    boostback_fall_s,
    entry_dv_mps,
    finite_burn_dv,
)
from boostback.flight.setup import FlightSetup, stage_propulsion

__all__ = ["RecoveryPrediction", "envelope_scenario", "predict_recovery"]

BURN_BELOW_KG = 1.0  # entry-burn propellant below the hand-over that counts as a burn there


@dataclass(frozen=True)
class RecoveryPrediction:
    """The recovery predicted from one MECO state."""

    flyable: bool
    why: str  # empty when flyable
    boostback_kg: float
    entry_kg: float
    landing_kg: float  # the reserve's landing burn
    aboard_kg: float  # propellant above burnout at MECO
    entry_target_mps: float
    entry_speed_mps: float  # at the entry-burn altitude
    boostback_pitch_deg: float  # the planned burn's pitch (NaN: no boostback)

    @property
    def need_kg(self) -> float:
        return self.boostback_kg + self.entry_kg + self.landing_kg


def _after_boostback(
    ctx: FlightContext, model: ReserveModel, x: State, t: float
) -> tuple[State, float, float]:
    """The separated stage after the boostback the flight plans at separation
    (``flight.boostback.plan_boostback``: the pitch of least boostback plus entry propellant,
    aimed with its entry burn), applied as an impulse; its propellant (the reserve's finite-burn
    velocity change, rocket equation) and pitch (deg)."""
    if ctx.target_ecef is None:  # a drone ship under the ballistic path: no boostback
        return x, 0.0, math.nan
    plan = plan_boostback(ctx, x, t)
    if isinstance(plan, BoostbackOutcome):  # already on target
        return x, 0.0, math.nan
    if plan.planned_dv_mps >= model.exhaust_vac_mps * math.log(x[MASS] / model.dry_mass_kg):
        # more than the whole stage holds (a MECO far from the ship's station): not flyable,
        # and the finite-burn estimate and the prediction after it would run out of range
        return x, math.inf, math.degrees(plan.sol.pitch_rad)
    fall_s = boostback_fall_s(x, model, air_data(x, ctx.setup.world).altitude_m)
    dv_fin = finite_burn_dv(
        plan.planned_dv_mps, fall_s, x[MASS], model.exhaust_vac_mps, model.boostback_thrust_n
    )
    xx = np.array(x, dtype=float)
    xx[VEL] += plan.sol.dv_ecef_mps
    m1 = x[MASS] * math.exp(-dv_fin / model.exhaust_vac_mps)
    return with_mass(tuple(xx), m1), x[MASS] - m1, math.degrees(plan.sol.pitch_rad)  # type: ignore[arg-type]


def _landing_kg(setup: FlightSetup, xh: State) -> float:
    """The landing burn from the predicted hand-over state, as an upper bound: lit there at the
    planning throttle of the landing engines, braking the hand-over speed with the gravity loss
    of that burn (``entry_dv_mps`` to zero speed) and no drag, on the stage's hand-over mass."""
    b = setup.booster
    p_pa = setup.world.atmosphere.scalar(air_data(xh, setup.world).altitude_m)[1]
    thrust = stage_propulsion(b, b.landing_engines).thrust_n(
        p_pa, setup.scenario.landing.planning_throttle_max
    )
    g = setup.world.earth.mu_m3ps2 / setup.world.earth.equatorial_radius_m**2
    accel = thrust / xh[MASS] - g
    if accel <= 0.0:
        return math.inf
    speed = math.sqrt(xh[VX] ** 2 + xh[VY] ** 2 + xh[VZ] ** 2)
    dv = entry_dv_mps(speed, 0.0, g, accel)
    return xh[MASS] * (1.0 - math.exp(-dv / setup.exhaust_sl_mps))


def predict_recovery(
    setup: FlightSetup, model: ReserveModel, asc: AscentResult
) -> RecoveryPrediction:
    """The recovery from the MECO of ``asc`` (``setup`` carries the trial's upper-stage mass and
    the landing site, ``model`` is the reserve the ascent kept).

    Returns
    -------
    RecoveryPrediction
        ``flyable`` False, with the reason, when the predicted recovery fails or overruns.
    """
    x = with_mass(asc.state, asc.state[MASS] - setup.upper_mass_kg)
    aboard = x[MASS] - setup.dry_mass_kg
    landing = asc.reserve.landing_kg  # until the hand-over is predicted
    spec0 = setup.entry_spec(setup.scenario.entry.start_altitude_m, model.entry_target_speed_mps)
    rec = FlightRecorder(setup.world.earth, setup.launch_site, setup.dry_mass_kg, 0.0)
    ctx = make_context(setup, rec, model, spec0)
    xb, bb_kg, pitch = _after_boostback(ctx, model, x, asc.t_s)
    if math.isinf(bb_kg):
        return RecoveryPrediction(False, "the boostback needs more than the stage holds", bb_kg,
                                  0.0, landing, aboard, math.nan, math.nan, pitch)  # fmt: skip
    found = ctx.entry_target(xb, asc.t_s)
    if found is None:
        return RecoveryPrediction(False, "never reaches the entry altitude", bb_kg, 0.0,
                                  landing, aboard, math.nan, math.nan, pitch)  # fmt: skip
    target, v_entry = found
    spec = replace(spec0, target_speed_mps=target.speed_mps)
    hw = setup.booster.recovery
    nose = hw.nose_radius_m if hw else 1.0
    h_hand = setup.ground_alt_m + setup.scenario.descent.handover_altitude_m

    def fall_to(alt_m: float) -> Impact:
        return predict_impact(xb, asc.t_s, setup.descent_body, setup.world, alt_m,
                              setup.dry_mass_kg, spec, nose)  # fmt: skip

    at_hand, at_ground = fall_to(h_hand), fall_to(setup.ground_alt_m)
    entry_kg = at_hand.entry_burn_kg
    landing = _landing_kg(setup, at_hand.state)
    why = ""
    if at_ground.entry_burn_kg > entry_kg + BURN_BELOW_KG:
        why = (f"the entry burn to {target.speed_mps:.0f} m/s runs on below the hand-over "
               f"altitude ({h_hand / 1e3:.1f} km)")  # fmt: skip
    elif bb_kg + entry_kg + landing > aboard:
        need = bb_kg + entry_kg + landing
        why = f"the recovery needs {need / 1e3:.1f} t, {aboard / 1e3:.1f} t kept"
    return RecoveryPrediction(
        not why, why, bb_kg, entry_kg, landing, aboard, target.speed_mps, v_entry, pitch
    )


def envelope_scenario(scenario: FlightScenario, vehicle: Vehicle) -> FlightScenario | None:
    """The scenario with its entry burn (and the reserve kept for it) braking only to the
    vehicle's survival envelope (``config.flight_models.descent_limits``), or None when that is no
    other flight: the scenario already flies the envelope, is expended, or the vehicle's envelope
    is its preferred limits.

    The rule the ascent design applies: a recovered flight keeps the preferred limits when its
    payload leaves the booster propellant for them, and otherwise the least entry burn the stage
    survives (a GTO flight spends what its payload leaves; docs/flights.md).
    """
    hw = vehicle.booster.recovery
    if hw is None or scenario.recovery.mode == "expendable" or scenario.entry.limits != "preferred":
        return None
    entry = scenario.entry.model_copy(update={"limits": "envelope"})
    if descent_limits(hw, entry) == descent_limits(hw, scenario.entry):
        return None
    return scenario.model_copy(update={"entry": entry})
