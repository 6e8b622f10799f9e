"""The point-mass landing burn's steps between re-plans, handed to one compiled call.

``QuietBurn`` joins the loop (``gnc.loop.fly``'s ``between``) when the burn is one the compiled
steps (``control.landing_burn.quiet_steps``) fly exactly as the Python pieces do: the flat plant,
no fault at all (navigation exact, the engines as commanded, the tilt authority whole), the
landing controller and the LCvx guidance. After each step the loop flies, it flies the steps up
to guidance's next re-plan, records them in one block and moves the pieces' state on (the truth,
the clock, the thrust direction, the thrust estimate, the valves); the loop flies the next step
itself. Anything else (a fault, a rigid vehicle, a whole flight's plant) flies step by step.
"""

from __future__ import annotations

import numpy as np

from boostback.control.landing import LandingController
from boostback.control.landing_burn import (
    MEM_SCALE,
    MEM_VALVES,
    SC_AUTHORITY,
    SC_DRY_KG,
    SC_DT,
    SC_LIT_AT,
    SC_SIZE,
    SC_T0,
    SC_T_MAX,
    SC_T_STOP,
    SC_TF,
    SC_THROTTLE_MAX,
    SC_THROTTLE_MIN,
    quiet_steps,
)
from boostback.gnc.faults import FaultState
from boostback.gnc.loop import COAST
from boostback.gnc.navigation import FilteredNavigator
from boostback.gnc.protocols import Actuation, Controller, Demand, Guidance, Navigator
from boostback.gnc.record import ROW_SIZE, Recorder
from boostback.guidance.lcvx_guidance import LcvxGuidance
from boostback.guidance.plan import LandingPlan
from boostback.plant.flat import FlatPlant, fall_kernel, rk4_models

__all__ = ["QuietBurn"]


class QuietBurn:
    """Flies the burn's quiet steps (up to guidance's next re-plan) in one compiled call.

    Parameters
    ----------
    plant, navigator, guidance, controller, rec
        The flight's pieces, of the types ``for_flight`` checks.
    dt_s : float
        The loop's step.
    """

    def __init__(
        self,
        plant: FlatPlant,
        navigator: FilteredNavigator,
        guidance: LcvxGuidance,
        controller: LandingController,
        rec: Recorder,
        dt_s: float,
    ) -> None:
        self.plant, self.navigator, self.guidance = plant, navigator, guidance
        self.controller, self.rec = controller, rec
        self.models = rk4_models(plant.kernel)
        prop = plant.engines.prop
        self.scalars = np.zeros(SC_SIZE)
        self.scalars[SC_DT] = dt_s
        self.scalars[SC_AUTHORITY] = 1.0  # no fault: the whole tilt limit
        self.scalars[SC_THROTTLE_MIN] = prop.throttle_min
        self.scalars[SC_THROTTLE_MAX] = prop.throttle_max
        self.scalars[SC_DRY_KG] = plant.dry_mass_kg

    @classmethod
    def for_flight(
        cls,
        plant: object,
        navigator: Navigator,
        guidance: Guidance,
        controller: Controller,
        rec: Recorder,
        faults: FaultState,
        dt_s: float,
    ) -> QuietBurn | None:
        """The quiet burn of this flight, or None when its pieces are not the ones it flies."""
        if faults or type(plant) is not FlatPlant or type(controller) is not LandingController:
            return None
        if type(navigator) is not FilteredNavigator or type(guidance) is not LcvxGuidance:
            return None
        if rec.attitude is not None:
            return None
        return cls(plant, navigator, guidance, controller, rec, dt_s)

    def __call__(
        self, phase: str, demand: Demand, act: Actuation, max_time_s: float
    ) -> Actuation | None:
        """Fly the steps of ``phase`` before guidance's next action (the ignition, a re-plan);
        the last one's actuation (None: none flown)."""
        if phase == COAST:
            return self._coast(phase, demand, act, max_time_s)
        plan = demand.reference
        plant = self.plant
        t = plant.t_s
        t_stop = self.guidance.quiet_until_s(phase)
        if not (isinstance(plan, LandingPlan) and plan.feasible and t < min(t_stop, max_time_s)):
            return None
        sc = self.scalars
        sc[SC_T_STOP], sc[SC_T_MAX] = t_stop, max_time_s
        sc[SC_TF], sc[SC_T0] = plan.tf_s, demand.reference_t0_s
        sc[SC_LIT_AT] = plant.engines.lit_at_s
        ctl, nav = self.controller, self.navigator
        memory = np.array([*ctl.direction, 0.0, 0.0])
        memory[MEM_SCALE], memory[MEM_VALVES] = nav.thrust_scale, plant.engines.valves
        x = np.array(plant.state, dtype=np.float64)
        out = np.empty((int((min(t_stop, max_time_s) - t) / sc[SC_DT]) + 2, ROW_SIZE))
        ts, rvu = plan.table
        n, t_end, _why = quiet_steps(
            x, t, sc, memory, ts, rvu, plan.r_enu_m[-1], ctl.law, self.models, out
        )
        if n == 0:
            return None
        self.rec.samples(out[:n], phase)
        plant.moved(tuple(x.tolist()), t_end)  # type: ignore[arg-type]
        ctl.direction = (float(memory[0]), float(memory[1]), float(memory[2]))
        nav.thrust_scale = float(memory[MEM_SCALE])
        plant.engines.valves = float(memory[MEM_VALVES])
        last = out[n - 1]
        lit = plant.engines.lit_at_s
        throttle, thrust = float(last[8]), float(last[12])
        expected = thrust if last[0] >= lit - 1e-9 else 0.0
        return Actuation(throttle, ctl.direction, thrust, expected, lit)

    def _coast(
        self, phase: str, demand: Demand, act: Actuation, max_time_s: float
    ) -> Actuation | None:
        """The coast's steps before the ignition (the step that ends on it, shortened, is the
        loop's): the plant's unpowered steps (``plant.flat.fall_kernel``), the engines off."""
        plant, dt = self.plant, self.scalars[SC_DT]
        t_stop, ignite = self.guidance.quiet_until_s(phase), demand.ignite_at_s
        times = [plant.t_s]  # the steps' start times, then the last one's end
        while times[-1] < min(t_stop, max_time_s) and not times[-1] + dt > ignite:
            times.append(times[-1] + dt)
        if len(times) < 2:
            return None
        direction = np.array(act.direction, dtype=np.float64)
        states = np.empty((len(times), 7))
        x = np.array(plant.state, dtype=np.float64)
        n = fall_kernel(x, dt, len(times) - 1, direction, self.models, states) - 1
        if n == 0:  # the first step reaches the ground: the loop locates the touchdown
            return None
        block = np.zeros((n, ROW_SIZE))  # engines off: no throttle, no thrust
        block[:, 0], block[:, 1:8], block[:, 9:12] = times[:n], states[:n], direction
        self.rec.samples(block, phase)
        plant.moved(tuple(states[n].tolist()), times[n])  # type: ignore[arg-type]
        return plant.coast(act.direction)
