"""The 6-DoF landing burn's steps between re-plans in one compiled call (``mission.rigid_quiet``,
``control.rigid_burn``): the same flight, to the bit, as the loop flying every step through the
Python pieces (the attitude loop, the rigid law, the actuators, the rigid plant)."""

from __future__ import annotations

import numpy as np
import pytest

from boostback.config import load_landing
from boostback.control.landing import LandingController
from boostback.gnc.faults import FaultState, Onset, TiltAuthority
from boostback.gnc.navigation import FilteredNavigator
from boostback.gnc.protocols import Actuation
from boostback.gnc.record import Recorder
from boostback.guidance.lcvx_guidance import LcvxGuidance
from boostback.mission import rigid_quiet
from boostback.mission.landing import LandingResult, fly_landing, rigid_landing
from boostback.plant.flat import FlatPlant
from boostback.plant.setup import LandingSetup, landing_setup

FIELDS = ("t_s", "r_m", "v_mps", "mass_kg", "throttle", "thrust_dir", "thrust_n", "mach", "qbar_pa")
RIGID = (
    "quaternion",
    "rates_rps",
    "alpha_rad",
    "engine_throttle",
    "gimbal_rad",
    "fins_rad",
    "rcs_duty",
    "command_axis",
)


def _setup(name: str) -> LandingSetup:
    scenario, vehicle = load_landing(name)
    six = scenario.model_copy(update={"sim": scenario.sim.model_copy(update={"dof": 6})})
    return landing_setup(vehicle, six)


def _both(name: str, monkeypatch: pytest.MonkeyPatch) -> tuple[LandingResult, LandingResult, int]:
    """The 6-DoF landing with the quiet steps compiled, then every step in Python; the steps
    the compiled calls flew."""
    setup = _setup(name)
    flown = []
    call = rigid_quiet.RigidQuietBurn.__call__

    def counting(self: rigid_quiet.RigidQuietBurn, *args: object) -> Actuation | None:
        before = self.plant.t_s
        act = call(self, *args)  # type: ignore[arg-type]
        flown.append(round((self.plant.t_s - before) / setup.sim.dt_s))
        return act

    monkeypatch.setattr(rigid_quiet.RigidQuietBurn, "__call__", counting)
    fast = fly_landing(setup)
    monkeypatch.setattr(rigid_quiet.RigidQuietBurn, "for_flight", classmethod(lambda *a: None))
    slow = fly_landing(setup)
    return fast, slow, sum(flown)


@pytest.mark.parametrize("name", ["falcon9_landing", "zhuque3_landing"])
def test_quiet_steps_fly_the_same_rigid_landing_to_the_bit(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, slow, flown = _both(name, monkeypatch)
    steps = len(fast.trajectory.t_s)
    assert flown > steps // 2  # most of the burn flew in the compiled calls
    for f in FIELDS:
        np.testing.assert_array_equal(getattr(fast.trajectory, f), getattr(slow.trajectory, f))
    a, b = fast.trajectory.rigid, slow.trajectory.rigid
    assert a is not None and b is not None
    for f in RIGID:
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    assert list(fast.trajectory.phase) == list(slow.trajectory.phase)
    assert fast.trajectory.events == slow.trajectory.events
    assert fast.touchdown == slow.touchdown
    assert (fast.guidance_solves, fast.replans) == (slow.guidance_solves, slow.replans)


def _pieces(setup: LandingSetup, faults: FaultState, **kw: bool) -> tuple:
    plant, controller = rigid_landing(
        setup, faults, LandingController(setup, authority=faults.tilt_factor), **kw
    )
    rec = Recorder(air=plant.air_many)
    rec.attitude = plant.recorded
    return plant, FilteredNavigator(faults, 0.5), LcvxGuidance(setup), controller, rec


def test_a_fault_or_an_ideal_attitude_flies_every_step_in_python() -> None:
    setup = _setup("falcon9_landing")
    dt = setup.sim.dt_s
    quiet = rigid_quiet.RigidQuietBurn.for_flight
    faults = FaultState((TiltAuthority(fraction=0.5, onset=Onset()),))
    assert quiet(*_pieces(setup, faults), faults, dt) is None
    assert quiet(*_pieces(setup, FaultState(), ideal_attitude=True), FaultState(), dt) is None
    assert quiet(*_pieces(setup, FaultState()), FaultState(), dt) is not None


def test_the_point_mass_is_not_flown_as_a_rigid_body() -> None:
    scenario, vehicle = load_landing("falcon9_landing")
    setup = landing_setup(vehicle, scenario)
    faults = FaultState()
    pieces = (
        FlatPlant(setup, faults),
        FilteredNavigator(faults, 0.5),
        LcvxGuidance(setup),
        LandingController(setup),
        Recorder(),
    )
    assert rigid_quiet.RigidQuietBurn.for_flight(*pieces, faults, setup.sim.dt_s) is None
