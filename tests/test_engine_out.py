"""The engine-out fault: engines shut down mid-burn take their thrust, flow and back-pressure loss
with them, the loop carries on with what is left, and campaigns take the fault from the registry."""

from __future__ import annotations

import numpy as np
import pytest

from boostback.campaign.sampling import draw_fault
from boostback.campaign.spec import campaign_from_dict
from boostback.config import load_landing
from boostback.config.errors import ConfigError
from boostback.config.vocab import Outcome
from boostback.gnc.faults import FAULTS, EngineOut, FaultState, Onset
from boostback.mission.landing import fly_landing
from boostback.plant.setup import landing_setup


@pytest.fixture(scope="module")
def zhuque3():
    scenario, vehicle = load_landing("zhuque3_landing")
    setup = landing_setup(vehicle, scenario)
    return setup, fly_landing(setup)


def test_half_the_landing_engines_out_mid_burn_halves_the_thrust(zhuque3) -> None:
    setup, nominal = zhuque3
    assert setup.stage.landing_engines == 2 and nominal.outcome == Outcome.LANDED
    onset = nominal.ignition_t_s + 3.0
    result = fly_landing(setup, FaultState((EngineOut(1.0, Onset(t_s=onset)),)))
    traj = result.trajectory
    prop = setup.prop
    before = np.nonzero((traj.t_s < onset) & (traj.throttle > 0.0))[0][-5:]
    after = np.nonzero((traj.t_s >= onset) & (traj.throttle > 0.0))[0][:5]
    assert before.size and after.size
    # thrust = k (throttle T_vac - A p): the engines' share k before and after the onset
    for idx, share in ((before, 1.0), (after, 0.5)):
        for i in idx:
            full = traj.throttle[i] * prop.thrust_vac_n - prop.exit_area_m2 * _pressure(
                setup, traj, i
            )
            assert traj.thrust_n[i] == pytest.approx(share * full, rel=1e-9)
    # one engine cannot stop what two were planned to: the stage is lost, as Zhuque-3's was
    assert result.outcome in (Outcome.CRASHED, Outcome.HARD_LANDING)
    assert any("re-plan failed" in n for n in result.notes)


def _pressure(setup, traj, i: int) -> float:
    return setup.env.atmosphere.scalar(float(traj.r_enu_m[i, 2]))[1]


def test_losing_the_only_landing_engine_leaves_no_thrust() -> None:
    scenario, vehicle = load_landing("falcon9_landing")
    setup = landing_setup(vehicle, scenario)
    assert setup.stage.landing_engines == 1
    onset = 5.0
    result = fly_landing(setup, FaultState((EngineOut(1.0, Onset(t_s=onset)),)))
    traj = result.trajectory
    assert np.all(traj.thrust_n[traj.t_s >= onset] == 0.0)
    assert result.outcome == Outcome.CRASHED
    # the mass stops falling with the thrust: no flow from a stopped engine
    late = traj.t_s >= onset + 0.1
    assert np.ptp(traj.mass_kg[late]) == 0.0


def test_an_engine_out_before_the_onset_changes_nothing(zhuque3) -> None:
    setup, nominal = zhuque3
    late = FaultState((EngineOut(1.0, Onset(t_s=1e6)),))
    result = fly_landing(setup, late)
    np.testing.assert_array_equal(result.trajectory.r_enu_m, nominal.trajectory.r_enu_m)


def test_campaign_files_take_the_fault_from_the_registry() -> None:
    assert FAULTS["engine_out"] is EngineOut
    spec = campaign_from_dict(
        {
            "scenario": "zhuque3_landing",
            "runs": 4,
            "seed": 1,
            "faults": [
                {
                    "kind": "engine_out",
                    "probability": 0.5,
                    "engines": {"dist": "choice", "values": [1.0, 2.0]},
                    "onset": {"phase": "landing_burn", "t_s": 12.0},
                }
            ],
        }
    )
    present, fault, columns = draw_fault(spec.faults[0], np.random.default_rng(3))
    assert isinstance(fault, EngineOut) and fault.engines in (1.0, 2.0)
    assert fault.onset == Onset(12.0, "landing_burn", None)
    assert columns == {"engines": fault.engines}
    assert isinstance(present, bool)


@pytest.mark.parametrize(
    ("fault", "key", "message"),
    [
        ({"kind": "engine_out", "engines": -1.0}, "engines", "must lie in"),
        ({"kind": "thrust_shortfall", "fraction": 2.0}, "fraction", "must lie in [0, 1]"),
        ({"kind": "engine_out", "fraction": 0.1}, "fraction", "does not apply"),
        ({"kind": "nav_bias", "position_enu_m": [1.0, 2.0]}, "position_enu_m", "3 values"),
    ],
)
def test_fault_parameters_are_checked_against_the_registry(fault, key, message) -> None:
    with pytest.raises(ConfigError) as err:
        campaign_from_dict({"scenario": "zhuque3_landing", "runs": 1, "seed": 0, "faults": [fault]})
    assert key in str(err.value) and message in str(err.value)
