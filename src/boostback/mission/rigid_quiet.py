"""The 6-DoF landing burn's steps between re-plans, handed to one compiled call.

``RigidQuietBurn`` joins the loop (``gnc.loop.fly``'s ``between``) when the burn is one the
compiled steps (``control.rigid_burn.rigid_quiet_steps``) fly exactly as the Python pieces do:
the 6-DoF landing plant with its attitude dynamics, no fault at all (navigation exact, the
engines as commanded), the attitude loop around the rigid landing law, the LCvx guidance. In the
burn, from the step whose guidance just acted, it flies the steps up to guidance's next re-plan
(in the coast, up to the step that ends on the ignition, the axis pre-pointed along the plan),
records them and moves the pieces' state on (the truth and its clock and gas, the actuators, the
valves, the thrust estimate, the attitude loop's reference, memory and effectiveness); the loop
flies the next step itself. A fault, an ideal attitude loop, another law or a coast with no plan
fly step by step (``mission.quiet_burn`` does the same for the point mass).
"""

from __future__ import annotations

import numpy as np

from boostback.control import rigid_burn as rb
from boostback.control.attitude import (
    FIN_STEP_RAD,
    GIMBAL_STEP_RAD,
    HOLD_DT_S,
    AttitudeController,
)
from boostback.control.rigid_landing import FeetArm, RigidLandingLaw
from boostback.gnc.faults import FaultState
from boostback.gnc.loop import BURN, COAST
from boostback.gnc.navigation import FilteredNavigator
from boostback.gnc.protocols import Actuation, Controller, Demand, Guidance, Navigator
from boostback.gnc.record import ROW_SIZE, Recorder
from boostback.guidance.lcvx_guidance import LcvxGuidance
from boostback.guidance.plan import LandingPlan
from boostback.plant.rigid_hardware import RigidActuation
from boostback.plant.sixdof import SixDofPlant

__all__ = ["RigidQuietBurn"]


def _constants(plant: SixDofPlant, ctl: AttitudeController, law: RigidLandingLaw) -> np.ndarray:
    """The stretch's constants (``rigid_burn.SC_*``; the stops, the plan's span and start and the
    ignition are set per call)."""
    sc = np.zeros(rb.SC_SIZE)
    prop, arm, g, p = law.prop, law.arm, ctl.gains, plant.params
    assert isinstance(arm, FeetArm)
    sc[rb.SC_THR_MIN], sc[rb.SC_THR_MAX] = prop.throttle_min, prop.throttle_max
    sc[rb.SC_THRUST_VAC], sc[rb.SC_EXIT_AREA] = prop.thrust_vac_n, prop.exit_area_m2
    sc[rb.SC_ARM_DRY], sc[rb.SC_ARM_LEG] = arm.dry_kg, arm.leg_station_m
    sc[rb.SC_FOOT_R], sc[rb.SC_BACK] = law.foot_radius_m, law.back_s
    sc[rb.SC_REFRESH_S] = 1.0 / g.refresh_hz
    sc[rb.SC_GIMBAL_STEP], sc[rb.SC_FIN_STEP] = GIMBAL_STEP_RAD, FIN_STEP_RAD
    sc[rb.SC_REF_GAIN], sc[rb.SC_REF_SHARE] = g.reference_gain_per_s, g.reference_fraction
    sc[rb.SC_TURN_RATE] = g.turn_rate_rad_s
    sc[rb.SC_DRY_KG], sc[rb.SC_TABLE_DRY] = plant.dry_mass_kg, p.dry_mass_kg
    sc[rb.SC_LEG_STATION], sc[rb.SC_REACH_M] = p.leg_station_m, plant.foot_reach_m
    sc[rb.SC_N_BURN] = max(len(plant.burn_engines), 1)
    return sc


class RigidQuietBurn:
    """Flies the 6-DoF burn's quiet steps (up to guidance's next re-plan) in one compiled call.

    Parameters
    ----------
    plant, navigator, guidance, controller, rec
        The flight's pieces, of the types ``for_flight`` checks.
    dt_s : float
        The loop's step.
    """

    def __init__(
        self,
        plant: SixDofPlant,
        navigator: FilteredNavigator,
        guidance: LcvxGuidance,
        controller: AttitudeController,
        rec: Recorder,
        dt_s: float,
    ) -> None:
        self.plant, self.navigator, self.guidance = plant, navigator, guidance
        self.controller, self.rec = controller, rec
        law = controller.law
        assert isinstance(law, RigidLandingLaw)
        self.law = law
        self.scalars = _constants(plant, controller, law)
        self.dt_s = dt_s
        # the law's arrays in the coast, which does not read them (typed as the burn's)
        arm = law.arm
        assert isinstance(arm, FeetArm)
        self._idle_law = (
            law.law, np.zeros(3), np.zeros(2), np.zeros((2, 9)), np.zeros(2), np.zeros((2, 9)),
            np.array([0, 2], dtype=np.int64), np.zeros(1), law.window_times, arm.tank_kg,
            arm.cg_station_m,
        )  # fmt: skip
        self.burn = np.zeros(controller.k)
        self.burn[list(controller.engines)] = 1.0
        self.model = (controller.model.veh, controller.model.air)
        self.truth = (plant.kernel.veh, plant.kernel.air, plant.feet_b)

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
    ) -> RigidQuietBurn | None:
        """The quiet burn of this flight, or None when its pieces are not the ones it flies."""
        if faults or type(plant) is not SixDofPlant or plant.ideal or not plant.burn_engines:
            return None
        if type(controller) is not AttitudeController:
            return None
        law = controller.law
        if type(law) is not RigidLandingLaw or type(law.arm) is not FeetArm or law.window_s <= 0:
            return None
        if type(navigator) is not FilteredNavigator or type(guidance) is not LcvxGuidance:
            return None
        if rec.attitude != plant.recorded:
            return None
        return cls(plant, navigator, guidance, controller, rec, dt_s)

    def __call__(
        self, phase: str, demand: Demand, act: Actuation, max_time_s: float
    ) -> Actuation | None:
        """Fly the steps of ``phase`` before guidance's next action (a re-plan in the burn, the
        ignition in the coast); the last one's actuation (None: none flown)."""
        t = self.plant.t_s
        t_stop = self.guidance.quiet_until_s(phase)
        if not t < min(t_stop, max_time_s):
            return None
        sc = self.scalars
        if phase == COAST:
            law_arrays = self._coast(demand)
        elif phase == BURN:
            law_arrays = self._burn(demand, t)
        else:
            return None
        if law_arrays is None:
            return None
        sc[rb.SC_T_STOP], sc[rb.SC_T_MAX] = t_stop, max_time_s
        sc[rb.SC_LIT_AT] = self.plant.engines.lit_at_s
        steps = int((min(t_stop, max_time_s) - t) / sc[rb.SC_DT]) + 2
        return self._fly(phase, law_arrays, steps)

    def _burn(self, demand: Demand, t: float) -> tuple | None:
        """The burn's settings: the plan flown and the law's window over the plans before it
        (None: no feasible plan, the law brakes on its own)."""
        plan, law, sc = demand.reference, self.law, self.scalars
        if not (isinstance(plan, LandingPlan) and plan.feasible):
            return None
        law.remember(demand, t)  # what the law's first step would do: the new plan kept
        sc[rb.SC_HOLD], sc[rb.SC_DT] = 0.0, self.dt_s
        sc[rb.SC_TF], sc[rb.SC_T0] = plan.tf_s, demand.reference_t0_s
        flown, arm = law.flown, law.arm
        assert flown is not None and isinstance(arm, FeetArm)
        return (
            law.law, np.ascontiguousarray(plan.r_enu_m[-1], dtype=np.float64), *flown[1],
            *law.packed(), law.window_times, arm.tank_kg, arm.cg_station_m,
        )  # fmt: skip

    def _coast(self, demand: Demand) -> tuple | None:
        """The coast's settings: the engines off, the axis pre-pointed along the plan's first
        thrust (``AttitudeController.hold``; None: no plan, the engines held into the flow, a
        step at a time), stepped at the loop's engines-off step."""
        axis, sc = self.controller.planned_axis(demand), self.scalars
        if axis is None:
            return None
        sc[rb.SC_HOLD], sc[rb.SC_DT], sc[rb.SC_IGNITE] = 1.0, HOLD_DT_S, demand.ignite_at_s
        sc[rb.SC_HOLD_AXIS : rb.SC_HOLD_AXIS + 3] = axis
        return self._idle_law

    def _fly(self, phase: str, law_arrays: tuple, steps: int) -> Actuation | None:
        """Fly the stretch the scalars set (``rigid_burn.rigid_quiet_steps``) and move the pieces
        on; the last step's actuation (None: none flown)."""
        ctl, plant, sc = self.controller, self.plant, self.scalars
        mem = self._memory()
        b, _at, _found = ctl.effectiveness_state()
        ref = ctl.reference
        ctl_arrays = (ref.state, ctl.memory, b, ctl.reach, ctl.bounds, ctl.law_gains, self.burn)
        acts = plant.actuators
        hw = (acts.spool, acts.healthy, acts.gimbal, acts.fins, acts.all_on, plant.kernel.veh[0])
        rec = self._blocks(steps)
        x, shortfall = plant.rigid_state, np.zeros(3)
        n, t_end, _why = rb.rigid_quiet_steps(
            x, plant.t_s, sc, mem, law_arrays, ctl_arrays, hw, self.truth, self.model, rec,
            shortfall,
        )  # fmt: skip
        if n == 0:
            return None
        ctl.shortfall = shortfall
        self._record(rec, n, phase)
        plant.moved(x, float(t_end), float(mem[rb.MEM_GAS]))
        plant.engines.valves = float(mem[rb.MEM_VALVES])
        self.navigator.thrust_scale = float(mem[rb.MEM_SCALE])
        d = mem[rb.MEM_DIR : rb.MEM_DIR + 3].tolist()
        ctl.resume(b, float(mem[rb.MEM_B_AT]), bool(mem[rb.MEM_HAS_B]), (d[0], d[1], d[2]))
        ref.seeded = True
        return self._actuation(rec, n - 1, float(mem[rb.MEM_EXPECTED]))

    def _memory(self) -> np.ndarray:
        """The state the steps carry (``rigid_burn.MEM_*``), from the pieces."""
        ctl, plant = self.controller, self.plant
        mem = np.zeros(rb.MEM_SIZE)
        if ctl.direction is not None:
            mem[rb.MEM_DIR : rb.MEM_DIR + 3] = ctl.direction
            mem[rb.MEM_HAS_DIR] = 1.0
        mem[rb.MEM_SCALE] = self.navigator.thrust_scale
        mem[rb.MEM_VALVES] = plant.engines.valves
        mem[rb.MEM_GAS] = plant.rcs_gas_kg
        _b, b_at, found = ctl.effectiveness_state()
        mem[rb.MEM_B_AT], mem[rb.MEM_HAS_B] = b_at, float(found)
        mem[rb.MEM_SEEDED] = float(ctl.reference.seeded)
        return mem

    def _blocks(self, steps: int) -> tuple[np.ndarray, ...]:
        """Room for ``steps`` samples: rows, rigid states, engines, gimbals, fins, duty, axis."""
        p = self.plant.params
        k, f, c = (
            p.engine_position_m.shape[0],
            p.fin_azimuth_rad.shape[0],
            p.rcs_position_m.shape[0],
        )
        return (
            np.empty((steps, ROW_SIZE)), np.empty((steps, 14)), np.empty((steps, k)),
            np.empty((steps, k, 2)), np.empty((steps, f)), np.empty((steps, c)),
            np.empty((steps, 3)),
        )  # fmt: skip

    def _record(self, rec: tuple[np.ndarray, ...], n: int, phase: str) -> None:
        """The ``n`` steps' samples into the recorder, as its ``sample`` keeps them."""
        out, states, thr, gim, fins, duty, axis = (a[:n] for a in rec)
        r = self.rec
        r.rows.extend(map(tuple, out.tolist()))
        r.phases.extend([phase] * n)
        axes = map(tuple, axis.tolist())
        acts = map(RigidActuation._make, zip(thr, gim, fins, duty, axes, strict=True))
        r.rigid_rows.extend(zip(list(states), acts, strict=True))

    def _actuation(self, rec: tuple[np.ndarray, ...], i: int, expected: float) -> Actuation:
        """The actuation of the stretch's step ``i`` (its last), as the plant gave it."""
        row = rec[0][i]
        rigid = RigidActuation(
            rec[2][i].copy(), rec[3][i].copy(), rec[4][i].copy(), rec[5][i].copy(),
            tuple(rec[6][i].tolist()),
        )  # fmt: skip
        axis = (float(row[9]), float(row[10]), float(row[11]))
        lit = self.plant.engines.lit_at_s
        return Actuation(float(row[8]), axis, float(row[12]), expected, lit, rigid=rigid)
