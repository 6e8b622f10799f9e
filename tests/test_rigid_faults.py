"""The rigid vehicle's hardware faults (issue #16) act on the 6-DoF plant as their registry entries
say: a gimbal stuck or driven hard over, thrusters dead, the centre of mass off the axis, the
thrust misaligned, and an engine out of a multi-engine burn as a torque, not only a thrust loss."""

from __future__ import annotations

import math

import numpy as np
import pytest

from boostback.campaign.scenario_faults import scenario_faults
from boostback.config import load_landing
from boostback.config.vocab import Phase
from boostback.control.attitude import RigidCommand
from boostback.dynamics.rigid_state import RATE
from boostback.gnc.faults import FAULTS, EngineOut, FaultState, Onset
from boostback.gnc.protocols import ActuatorCommand, Tick
from boostback.gnc.rigid_faults import (
    CgOffset,
    GimbalHardOver,
    GimbalStuck,
    ThrusterFailure,
    ThrustMisalignment,
)
from boostback.plant.setup import LandingSetup, landing_setup
from boostback.plant.sixdof import SixDofPlant
from boostback.plant.sixdof_setup import burn_engines, sixdof_params

BURN = Phase.LANDING_BURN
DT = 0.02


def _setup(name: str = "zhuque3_landing") -> LandingSetup:
    scenario, vehicle = load_landing(name)
    return landing_setup(vehicle, scenario)


def _plant(setup: LandingSetup, *faults) -> SixDofPlant:
    engines = tuple(int(i) for i in burn_engines(setup.stage, "landing"))
    plant = SixDofPlant(setup, FaultState(tuple(faults)), sixdof_params(setup.vehicle), engines)
    plant.ignite(0.0)
    return plant


def _command(plant: SixDofPlant, gimbal=None, rcs=None, throttle=0.8) -> ActuatorCommand:
    p = plant.params
    k, f, c = p.engine_position_m.shape[0], p.fin_azimuth_rad.shape[0], p.rcs_position_m.shape[0]
    g = np.zeros((k, 2)) if gimbal is None else gimbal
    duty = np.zeros(c) if rcs is None else rcs
    return ActuatorCommand(throttle, plant.axis, rigid=RigidCommand(g, np.zeros(f), duty))


def _fly(plant: SixDofPlant, seconds: float, make) -> list:
    acts = []
    while plant.t_s < seconds - 1e-9:
        tick = Tick(plant.t_s, BURN, plant.altitude_m)
        act = plant.actuate(make(plant), tick, DT)
        plant.step(act, DT, tick)
        acts.append(act)
    return acts


def test_the_rigid_faults_are_in_the_one_registry() -> None:
    for kind in ("gimbal_stuck", "gimbal_hard_over", "thruster_failure", "cg_offset"):
        assert kind in FAULTS
    (fault,) = scenario_faults([{"kind": "gimbal_hard_over", "engine": 1, "fraction": -1.0}])
    assert isinstance(fault, GimbalHardOver) and fault.engine == 1.0


def test_a_stuck_gimbal_holds_where_it_was_and_a_hard_over_runs_to_its_stop() -> None:
    setup = _setup()
    first = int(burn_engines(setup.stage, "landing")[0])
    want = np.zeros((9, 2))
    want[:, 0] = 0.03  # every gimbal asked to 0.03 rad about y_body
    stuck = _plant(setup, GimbalStuck(0.0, Onset(t_s=0.5)))
    acts = _fly(stuck, 1.5, lambda p: _command(p, want))
    at_onset = acts[int(0.5 / DT)].rigid.gimbal_rad[first, 0]
    assert 0.0 < at_onset < 0.03  # it was on its way
    assert acts[-1].rigid.gimbal_rad[first, 0] == at_onset  # and stayed there
    free = [i for i in burn_engines(setup.stage, "landing") if i != first]
    assert acts[-1].rigid.gimbal_rad[free[0], 0] == pytest.approx(0.03, rel=1e-3)

    hard = _plant(setup, GimbalHardOver(0.0, 1.0, -1.0, Onset(t_s=0.0)))
    acts = _fly(hard, 1.5, lambda p: _command(p, want))
    limit = hard.params.gimbal_max_rad
    path = [a.rigid.gimbal_rad[first, 1] for a in acts]
    assert path[-1] == pytest.approx(-limit, rel=1e-6)
    # at the actuator's rate, not at once
    assert abs(path[0]) <= hard.params.gimbal_rate_rad_s * DT + 1e-12


def test_dead_thrusters_give_nothing() -> None:
    setup = _setup()
    plant = _plant(setup, ThrusterFailure(2.0, Onset(t_s=0.1)))
    c = plant.params.rcs_position_m.shape[0]
    acts = _fly(plant, 0.3, lambda p: _command(p, rcs=np.ones(c), throttle=0.0))
    assert acts[0].rigid.rcs_duty == pytest.approx(np.ones(c))
    assert acts[-1].rigid.rcs_duty[-2:] == pytest.approx([0.0, 0.0])
    assert acts[-1].rigid.rcs_duty[:-2] == pytest.approx(np.ones(c - 2))


def _rates_after(setup: LandingSetup, *faults, seconds: float = 2.0) -> np.ndarray:
    plant = _plant(setup, *faults)
    _fly(plant, seconds, lambda p: _command(p))
    return plant.rigid_state[RATE]


def test_an_offset_centre_of_mass_or_a_misaligned_thrust_turns_the_vehicle() -> None:
    setup = _setup("falcon9_landing")
    nominal = _rates_after(setup)
    offset = _rates_after(setup, CgOffset(0.2))
    tilted = _rates_after(setup, ThrustMisalignment(1.0))
    assert np.abs(nominal).max() < 1e-3
    # the offset along y_body: thrust through the axis turns it about z_body
    assert abs(offset[2]) > 10.0 * np.abs(nominal).max()
    # the opposite offset turns it the other way
    assert np.sign(_rates_after(setup, CgOffset(-0.2))[2]) == -np.sign(offset[2])
    # a thrust turned about z_body also turns the vehicle about z_body
    assert abs(tilted[2]) > 10.0 * np.abs(nominal).max()


def test_an_engine_out_of_a_two_engine_burn_is_a_torque_not_only_less_thrust() -> None:
    setup = _setup("zhuque3_landing")
    assert len(burn_engines(setup.stage, "landing")) == 2
    nominal = _rates_after(setup)
    out = _rates_after(setup, EngineOut(1.0, Onset(t_s=0.5, phase=BURN)))
    assert np.abs(nominal).max() < 1e-3
    turning = math.degrees(float(np.linalg.norm(out[1:])))
    assert turning > 1.0  # deg/s within 1.5 s of the failure, with the gimbals held at zero
