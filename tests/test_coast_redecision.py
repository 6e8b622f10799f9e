"""The ignition is decided on a predicted point-mass fall; the coast checks the stage against that
prediction and decides again when what the prediction lacks (a gust, a rigid stage's lift and
turns) would put the stage off it by more than the pad's radius at the ignition.

Before, the decision was taken once: a 6-DoF stage that met a 40 m/s gust in the coast, or that
started climbing engines-up and turned over during the coast, lit where the point mass would
have been and touched down 56 m and 252 m off the pad."""

from __future__ import annotations

import math

import numpy as np
import pytest

from boostback.config import load_vehicle
from boostback.config.loader import scenario_from_dict
from boostback.config.vocab import EventName, Phase
from boostback.gnc.faults import FaultState, Onset, WindGust
from boostback.gnc.outcome import Outcome
from boostback.guidance.ignition import ballistic_path, coast_drift_m
from boostback.mission.landing import LandingResult, fly_landing
from boostback.plant.setup import LandingSetup, landing_setup

REDECIDED = "ignition decided again"


def _setup(dof: int, **initial: object) -> LandingSetup:
    base: dict[str, object] = {
        "altitude_m": 3000.0,
        "velocity_enu_mps": [-15.0, 0.0, -250.0],
        "position_en_m": [400.0, 0.0],
        "propellant_kg": 9000.0,
    }
    base.update(initial)
    data = {  # the built-in falcon9_landing scenario's guidance
        "vehicle": "falcon9",
        "initial": base,
        "guidance": {"terminal_max_decel_mps2": 6.0},
        "sim": {"dof": dof},
    }
    return landing_setup(load_vehicle("falcon9"), scenario_from_dict(data))


def _coast_gust() -> FaultState:
    return FaultState((WindGust((40.0, 0.0, 0.0), 20.0, Onset(phase=Phase.COAST)),))


def _lit_at(result: LandingResult) -> float:
    return next(e.t_s for e in result.trajectory.events if e.name == EventName.IGNITION)


def _assert_on_the_pad(result: LandingResult, setup: LandingSetup) -> None:
    td = result.touchdown
    assert result.outcome is Outcome.LANDED, (result.outcome, td)
    assert td is not None and td.miss_m <= setup.stage.limits.max_miss_m


def test_drift_is_zero_along_the_prediction_and_grows_with_the_coast_left() -> None:
    setup = _setup(3, altitude_m=8000.0)
    dt = setup.sim.dt_s
    path = ballistic_path(setup, setup.initial_state(), dt, 60.0)
    on = path[500]
    assert coast_drift_m(path, dt, on, 500 * dt, 20.0) == pytest.approx(0.0, abs=1e-9)
    off = list(on)
    off[0] += 3.0  # 3 m east and 0.5 m/s north of the prediction, 8 s before the ignition
    off[4] += 0.5
    drift = coast_drift_m(path, dt, tuple(off), 500 * dt, 500 * dt + 8.0)
    assert drift == pytest.approx(math.hypot(3.0, 0.5 * 8.0), rel=1e-9)


def test_a_coast_as_predicted_keeps_its_first_decision() -> None:
    result = fly_landing(_setup(3, altitude_m=8000.0))
    assert not any(REDECIDED in note for note in result.notes)


def test_a_gust_through_the_coast_moves_the_ignition_of_a_rigid_stage() -> None:
    setup = _setup(6, altitude_m=8000.0)
    calm = fly_landing(setup)
    gust = fly_landing(setup, _coast_gust())
    assert any(REDECIDED in note for note in gust.notes)
    assert gust.ignition_t_s != pytest.approx(calm.ignition_t_s, abs=0.1)
    # the plant lights when guidance last said, not at the first decision
    assert _lit_at(gust) == pytest.approx(gust.ignition_t_s, abs=1e-9)
    burning = np.asarray(gust.trajectory.throttle)[np.asarray(gust.trajectory.t_s) > _lit_at(gust)]
    assert burning[: int(1.0 / setup.sim.dt_s)].min() > 0.0
    _assert_on_the_pad(gust, setup)


def test_a_rigid_stage_that_turns_over_in_the_coast_still_lands_on_the_pad() -> None:
    setup = _setup(6, velocity_enu_mps=[-15.0, 0.0, 250.0])  # climbing, engines up
    result = fly_landing(setup)
    assert any(REDECIDED in note for note in result.notes)
    _assert_on_the_pad(result, setup)
