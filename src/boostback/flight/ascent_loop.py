"""The ascent as flown: liftoff to MECO on the one loop (``gnc.loop.fly``).

Guidance is the pitch program (vertical rise, pitch kick, gravity turn: ``guidance.ascent.steer``),
the controller the max-Q throttle with its rate limit and the acceleration cap
(``kernel_loops.ascent_throttle``): the same compiled kernels the planner's ascent
(``flight.ascent.predict_ascent``) steps with, here met by a plant that carries the faults. MECO
is a plant event: the propellant above the empty stack falls to the recovery reserve.
"""

from __future__ import annotations

import math

import numpy as np

from boostback.config.vocab import EventName, Phase
from boostback.dynamics.state import MASS, PX, PY, PZ, VX, VY, VZ, State
from boostback.flight.ascent import (
    MAX_ASCENT_S,
    AscentResult,
    ascent_result,
    guidance_constants,
    liftoff_state,
)
from boostback.flight.ecef_plant import EcefPlant, LegRecorder
from boostback.flight.integrate import reserve_event
from boostback.flight.kernel_loops import ascent_throttle
from boostback.flight.record import FlightRecorder
from boostback.flight.reserve import ReserveModel, reserve_array
from boostback.flight.setup import FlightSetup
from boostback.gnc.faults import FaultState
from boostback.gnc.loop import burn_leg, fly
from boostback.gnc.navigation import InertialNavigator
from boostback.gnc.protocols import ActuatorCommand, Demand, NavEstimate, Tick
from boostback.guidance.ascent import local_up, steer

__all__ = ["AscentGuidance", "MaxQThrottle", "fly_ascent"]


class AscentGuidance:
    """The pitch program as a ``Guidance``: the thrust direction is its reference.

    Parameters
    ----------
    setup : FlightSetup
        The flight (its Earth model).
    program : ndarray
        ``[rise s, kick duration s, kick rad, downrange unit (3), max q, q lookahead, max accel]``
        (``flight.ascent.guidance_constants``).
    """

    def __init__(self, setup: FlightSetup, program: np.ndarray) -> None:
        self.earth = setup.world.earth
        self.program = program
        self.turning = False  # True once in the gravity turn

    def prepare(self, fix: State) -> float:
        """Light the engines at liftoff."""
        return 0.0

    def update(self, nav: NavEstimate, tick: Tick) -> Demand:
        """The pitch program's direction now."""
        x = nav.state
        lat, lon, _h = self.earth.geodetic_xyz(x[PX], x[PY], x[PZ])
        u0, u1, u2 = local_up(lat, lon)
        d0, d1, d2, self.turning = steer(
            tick.t_s, self.turning, self.program, u0, u1, u2, x[VX], x[VY], x[VZ]
        )
        return Demand(Phase.ASCENT, 0.0, (d0, d1, d2))


class MaxQThrottle:
    """The ascent's ``Controller``: along the guidance's direction, throttled to hold the dynamic
    pressure under the vehicle's limit and the acceleration under its cap; it keeps the max-Q
    figures the flight reports.

    Parameters
    ----------
    prop_array : ndarray
        ``[thrust vac, exit area, mass flow, throttle min, throttle max, engines]``.
    program : ndarray
        As ``AscentGuidance``'s.
    """

    def __init__(self, prop_array: np.ndarray, program: np.ndarray) -> None:
        self.pp, self.program = prop_array, program
        self.q_prev, self.throttle_prev = 0.0, float(prop_array[4])
        self.max_q_pa, self.max_q_t_s = 0.0, 0.0
        self.first_down = self.last_down = math.nan

    def command(self, nav: NavEstimate, demand: Demand, tick: Tick, dt: float) -> ActuatorCommand:
        """The throttle for the coming step, pointing along the reference."""
        x = nav.state
        qbar = nav.qbar_pa  # the air-data system's
        if qbar > self.max_q_pa:
            self.max_q_pa, self.max_q_t_s = qbar, tick.t_s
        throttle = ascent_throttle(
            qbar, self.q_prev, self.throttle_prev, dt, nav.pressure_pa, x[MASS], self.pp,
            self.program,
        )  # fmt: skip
        if throttle < self.pp[4]:
            if math.isnan(self.first_down):
                self.first_down = tick.t_s
            self.last_down = tick.t_s
        self.q_prev, self.throttle_prev = qbar, throttle
        return ActuatorCommand(throttle, demand.reference)  # type: ignore[arg-type]

    @property
    def throttle_down_s(self) -> tuple[float, float] | None:
        """First and last time below full throttle (None: never)."""
        return None if math.isnan(self.first_down) else (self.first_down, self.last_down)


def fly_ascent(
    setup: FlightSetup,
    reserve_model: ReserveModel,
    kick_rad: float,
    target_ecef: tuple[float, float, float] | None,
    rec: FlightRecorder | None = None,
    faults: FaultState | None = None,
    deadline: float | None = None,
) -> AscentResult:
    """Fly from liftoff until the propellant aboard is down to the recovery reserve (MECO).

    Parameters
    ----------
    setup : FlightSetup
        The flight.
    reserve_model, target_ecef
        The recovery reserve MECO keeps (``flight.reserve``), and the site it is kept for.
    kick_rad : float
        The pitch kick (``flight.ascent.solve_pitch_kick``).
    rec : FlightRecorder, optional
        Receives the samples (phase ``ascent``).
    faults : FaultState, optional
        The flight's faults (an engine out on the way up, a thrust shortfall...).
    deadline : float, optional
        ``time.perf_counter()`` value past which the ascent raises ``RunTimeout``.

    Returns
    -------
    AscentResult
    """
    empty_kg = setup.dry_mass_kg + setup.upper_mass_kg
    prop = setup.ascent_prop
    count = setup.booster.engine_count
    program = np.array(guidance_constants(setup, kick_rad), dtype=np.float64)
    pp = np.array([prop.thrust_vac_n, prop.exit_area_m2, prop.mass_flow_kgps,
                   prop.throttle_min, prop.throttle_max, count], dtype=np.float64)  # fmt: skip
    plant = EcefPlant(
        setup.ascent_body,
        setup.world,
        faults if faults is not None else FaultState(),
        liftoff_state(setup),
        0.0,
        prop,
        count,
        Phase.ASCENT,
        empty_kg,
        watch=(reserve_event(EventName.MECO, empty_kg),),
        reserve=reserve_array(reserve_model, target_ecef, setup.mode),
    )
    if rec is None:
        rec = FlightRecorder(setup.world.earth, setup.launch_site, setup.dry_mass_kg, 0.0)
    throttle = MaxQThrottle(pp, program)
    end = fly(
        plant,
        InertialNavigator(),
        AscentGuidance(setup, program),
        throttle,
        LegRecorder(rec, plant, 1.0),
        dt_s=setup.scenario.sim.dt_powered_s,
        max_time_s=MAX_ASCENT_S,
        deadline=deadline,
        leg=burn_leg(EventName.MECO),
    )
    return ascent_result(
        setup, reserve_model, kick_rad, target_ecef, plant.state, plant.t_s, end.event,
        throttle.max_q_pa, throttle.max_q_t_s, throttle.throttle_down_s,
    )  # fmt: skip
