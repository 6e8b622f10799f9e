"""SCvx guidance in the closed loop of the 6-DoF landing burn (issue #17).

What is checked, and against what:

- ``boostback land falcon9 --dof 6 --guidance scvx --json`` lands, within the touchdown limits
  of the vehicle file (``[booster.limits]``), not numbers taken from a run;
- the method is a setting of the scenario and of the command line, and SCvx below 6-DoF is
  refused in one line (exit 2);
- the guidance's view of the rigid state: the centre of mass it plans from is the plant's own
  (``SixDofPlant.rigid_state``), from the navigator's feet's-centre state and the attitude;
- every converged plan flown meets its boundary conditions (it starts at the navigated centre
  of mass, ends above the pad at the touchdown speed, upright, with the engine straight) and the
  path limits it was posed with (the problem's own numbers);
- a re-plan that fails keeps the last plan, with a note, and raises nothing;
- determinism: the same landing twice gives the same bits.
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from boostback.cli import app
from boostback.config import ConfigError, load_landing
from boostback.config.vocab import Phase
from boostback.gnc.faults import FaultState
from boostback.gnc.protocols import NavEstimate, Tick
from boostback.guidance import scvx_guidance as sg
from boostback.guidance.scvx import ScvxStatus
from boostback.mission.landing import fly_landing
from boostback.plant.setup import LandingSetup, landing_setup
from boostback.plant.sixdof import SixDofPlant
from boostback.plant.sixdof_setup import burn_engines, sixdof_params

runner = CliRunner()


def _scvx_setup(name: str = "falcon9_landing", **guidance) -> LandingSetup:
    scenario, vehicle = load_landing(name)
    scenario = scenario.model_copy(
        update={
            "sim": scenario.sim.model_copy(update={"dof": 6}),
            "guidance": scenario.guidance.model_copy(update={"method": "scvx", **guidance}),
        }
    )
    return landing_setup(vehicle, scenario)


@pytest.fixture(scope="module")
def flown():
    """The Falcon 9 landing burn flown with SCvx guidance, and the guidance that flew it."""
    captured: list[sg.ScvxGuidance] = []
    original = sg.ScvxGuidance.__init__

    def spy(self, *args, **kwargs):
        original(self, *args, **kwargs)
        captured.append(self)

    sg.ScvxGuidance.__init__ = spy  # type: ignore[method-assign]
    try:
        result = fly_landing(_scvx_setup())
    finally:
        sg.ScvxGuidance.__init__ = original  # type: ignore[method-assign]
    return result, captured[0]


def test_land_falcon9_in_6dof_with_scvx_guidance_lands_within_the_limits() -> None:
    result = runner.invoke(app, ["land", "falcon9", "--dof", "6", "--guidance", "scvx", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    limits = load_landing("falcon9_landing")[1].booster.limits
    assert summary["outcome"] == "landed"
    assert summary["touchdown_vertical_speed_mps"] <= limits.max_vertical_speed_mps
    assert summary["touchdown_lateral_speed_mps"] <= limits.max_lateral_speed_mps
    assert summary["touchdown_tilt_deg"] <= limits.max_tilt_deg
    assert summary["miss_distance_m"] <= limits.max_miss_m
    assert summary["touchdown_tipover_margin"] > 0.0
    # re-plans at 1 Hz or better from ignition until the freeze before the plan's end
    freeze_s = sg.ScvxGuidance(_scvx_setup()).freeze_s
    assert summary["replans"] >= math.floor(summary["burn_time_s"] - freeze_s) - 1


@pytest.mark.parametrize(
    "args",
    [
        ["land", "falcon9", "--guidance", "scvx"],  # the scenario flies 3-DoF
        ["land", "falcon9", "--dof", "3", "--guidance", "scvx"],
        ["land", "falcon9", "--dof", "6", "--guidance", "pdg"],
    ],
)
def test_scvx_below_6dof_or_an_unknown_method_is_one_line_exit_2(args) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:")


def test_a_scvx_scenario_in_3dof_is_refused_by_the_landing_itself() -> None:
    scenario, vehicle = load_landing("falcon9_landing")
    scenario = scenario.model_copy(
        update={"guidance": scenario.guidance.model_copy(update={"method": "scvx"})}
    )
    assert scenario.sim.dof == 3
    with pytest.raises(ConfigError, match="6-DoF") as err:
        fly_landing(landing_setup(vehicle, scenario))
    assert err.value.key == "guidance.method"


def test_the_centre_of_mass_planned_from_is_the_plants() -> None:
    setup = _scvx_setup()
    params = sixdof_params(setup.vehicle)
    engines = tuple(int(i) for i in burn_engines(setup.stage, "landing"))
    plant = SixDofPlant(setup, FaultState(), params, engines)
    truth = plant.rigid_state.copy()
    # tilt it and spin it: the feet swing about the centre of mass
    truth[7:11] = (math.cos(0.1), math.sin(0.1) * 0.6, math.sin(0.1) * 0.8, 0.0)
    truth[11:14] = (0.01, 0.05, -0.03)
    plant._x = truth  # the plant's view (the feet's centre) follows from its rigid state
    nav = NavEstimate(plant.state, 1e5, 1.0, math.inf, attitude=tuple(truth[7:14]))
    x_cm = sg.centre_of_mass(nav, params)
    np.testing.assert_allclose(x_cm, truth, rtol=0, atol=1e-9)


def test_every_plan_flown_meets_its_boundary_and_path_limits(flown) -> None:
    _result, guidance = flown
    converged = [p for p in guidance.history if p.status is ScvxStatus.CONVERGED]
    assert converged and len(converged) >= len(guidance.history) // 2
    for plan in converged:
        prob = plan.problem
        x = plan.x
        np.testing.assert_allclose(x[0], prob.x_init, rtol=0, atol=1e-6 * np.abs(prob.x_init).max())
        # above the pad at the feet's arm, descending at the touchdown speed, upright
        np.testing.assert_allclose(x[-1, 1:7], prob.x_final[1:7], atol=1e-3)
        assert np.hypot(x[-1, 9], x[-1, 10]) < 1e-4
        assert x[-1, 12:14] == pytest.approx((0.0, 0.0), abs=1e-4)
        u = plan.u_body_n
        mag = np.linalg.norm(u, axis=1)
        assert mag.max() <= prob.thrust_max * (1 + 1e-6)
        assert mag.min() >= prob.thrust_min * (1 - 1e-3)
        gimbal = np.arctan2(np.hypot(u[:, 1], u[:, 2]), u[:, 0])
        assert gimbal.max() <= prob.gimbal_max_rad + 1e-6
        assert np.hypot(u[-1, 1], u[-1, 2]) <= 1e-6 * mag[-1]  # the engine straight at the end
        tilt = 2.0 * np.arcsin(np.minimum(np.hypot(x[:, 9], x[:, 10]), 1.0))
        assert tilt.max() <= prob.tilt_max_rad + 1e-6
        assert np.linalg.norm(x[:, 11:14], axis=1).max() <= prob.rate_max_rad * (1 + 1e-6)
        assert x[:, 0].min() >= prob.m_dry - 1e-6


def test_the_first_plan_starts_at_the_navigated_state(flown) -> None:
    result, guidance = flown
    first = guidance.history[0]
    traj = result.trajectory
    k = int(np.searchsorted(traj.t_s, result.ignition_t_s))
    # the truth at ignition, 3-DoF view (feet), against the plan's feet at its start
    assert result.first_plan is not None
    np.testing.assert_allclose(result.first_plan.r_enu_m[0], traj.r_m[k], atol=0.5)
    assert first.x[0, 0] == pytest.approx(traj.mass_kg[k], rel=1e-3)


def test_a_failed_replan_keeps_the_last_plan_with_a_note(monkeypatch) -> None:
    setup = _scvx_setup()
    guidance = sg.ScvxGuidance(setup)
    x3 = setup.initial_state()
    t_ig = guidance.prepare(x3)
    plant = SixDofPlant(
        setup,
        FaultState(),
        guidance.params,
        tuple(int(i) for i in burn_engines(setup.stage, "landing")),
    )
    nav = NavEstimate(plant.state, 1e5, 1.0, math.inf, attitude=tuple(plant.rigid_state[7:14]))
    demand = guidance.update(nav, Tick(t_ig, Phase.COAST, x3[2]))
    first = guidance.plan
    assert demand.phase == Phase.LANDING_BURN and demand.reference is first
    assert isinstance(first, sg.ScvxTrack) and first.scvx is not None

    settings = sg.loop_settings

    def broken(nodes: int, first: bool):  # the conic solver stopped after one iteration
        return dataclasses.replace(settings(nodes, first), solver_max_iter=1)

    monkeypatch.setattr(sg, "loop_settings", broken)
    later = Tick(t_ig + 1.0, Phase.LANDING_BURN, x3[2] - 200.0)
    demand = guidance.update(nav, later)
    assert guidance.plan is first and demand.reference is first
    assert demand.reference_t0_s == pytest.approx(t_ig)
    assert any("re-plan failed" in n and "kept last plan" in n for n in guidance.notes)
    assert guidance.history[-1].status is ScvxStatus.SOLVER_ERROR


def test_the_same_landing_twice_gives_the_same_bits(flown) -> None:
    again = fly_landing(_scvx_setup())
    a, b = flown[0].trajectory.columns(), again.trajectory.columns()
    assert a.keys() == b.keys()
    for key in a:
        if key != "phase":
            assert np.array_equal(np.asarray(a[key]), np.asarray(b[key]), equal_nan=True), key
    assert flown[0].summary()["outcome"] == again.summary()["outcome"]
