"""The landing burn's quiet steps in one compiled call (``mission.quiet_burn``) and the ignition
search's fall (``plant.flat.fall_path``): the same flight, to the bit, as the loop and the plant
flying every step through the Python pieces."""

from __future__ import annotations

import numpy as np
import pytest

from boostback.config import load_landing
from boostback.config.vocab import EventName
from boostback.control.landing import LandingController
from boostback.dynamics import step_with_events
from boostback.dynamics.fast import compile_kernel
from boostback.dynamics.state import UP
from boostback.gnc.faults import FaultState, Onset, TiltAuthority
from boostback.gnc.loop import RunTimeout
from boostback.gnc.navigation import FilteredNavigator
from boostback.gnc.protocols import Actuation
from boostback.gnc.record import ROW_SIZE, Recorder
from boostback.guidance.lcvx_guidance import LcvxGuidance
from boostback.mission import quiet_burn
from boostback.mission.landing import LandingResult, fly_landing
from boostback.plant import flat
from boostback.plant.flat import FlatPlant
from boostback.plant.setup import landing_setup

FIELDS = ("t_s", "r_m", "v_mps", "mass_kg", "throttle", "thrust_dir", "thrust_n", "mach", "qbar_pa")


def _both(name: str, monkeypatch: pytest.MonkeyPatch) -> tuple[LandingResult, LandingResult, int]:
    """The landing with the quiet steps compiled, then every step in Python; the steps the
    compiled calls flew."""
    scenario, vehicle = load_landing(name)
    setup = landing_setup(vehicle, scenario)
    flown = []
    call = quiet_burn.QuietBurn.__call__

    def counting(self: quiet_burn.QuietBurn, *args: object) -> Actuation | None:
        before = self.plant.t_s
        act = call(self, *args)  # type: ignore[arg-type]
        flown.append(round((self.plant.t_s - before) / self.scalars[quiet_burn.SC_DT]))
        return act

    monkeypatch.setattr(quiet_burn.QuietBurn, "__call__", counting)
    fast = fly_landing(setup)
    monkeypatch.setattr(quiet_burn.QuietBurn, "for_flight", classmethod(lambda *a: None))
    slow = fly_landing(setup)
    return fast, slow, sum(flown)


@pytest.mark.parametrize("name", ["falcon9_landing", "mars_lander_landing"])
def test_quiet_steps_fly_the_same_landing_to_the_bit(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, slow, flown = _both(name, monkeypatch)
    steps = len(fast.trajectory.t_s)
    assert flown > steps // 2  # most of the burn flew in the compiled calls
    for f in FIELDS:
        np.testing.assert_array_equal(getattr(fast.trajectory, f), getattr(slow.trajectory, f))
    assert [(type(p), p) for p in fast.trajectory.phase] == [
        (type(p), p) for p in slow.trajectory.phase
    ]
    assert fast.trajectory.events == slow.trajectory.events
    assert fast.touchdown == slow.touchdown
    assert (fast.guidance_solves, fast.replans) == (slow.guidance_solves, slow.replans)


def test_a_fault_flies_every_step_in_python() -> None:
    scenario, vehicle = load_landing("falcon9_landing")
    setup = landing_setup(vehicle, scenario)
    faults = FaultState((TiltAuthority(fraction=0.5, onset=Onset()),))
    pieces = (
        FlatPlant(setup, faults),
        FilteredNavigator(faults, 0.5),
        LcvxGuidance(setup),
        LandingController(setup, authority=faults.tilt_factor),
        Recorder(),
    )
    assert quiet_burn.QuietBurn.for_flight(*pieces, faults, setup.sim.dt_s) is None
    assert quiet_burn.QuietBurn.for_flight(*pieces, FaultState(), setup.sim.dt_s) is not None


def test_recorder_keeps_single_samples_and_blocks_in_order() -> None:
    rec = Recorder()
    act = Actuation(0.5, (0.0, 0.0, 1.0), 10.0, 10.0, 0.0)
    x = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0)
    rec.sample(0.0, x, act, "coast")
    block = np.arange(2 * ROW_SIZE, dtype=float).reshape(2, ROW_SIZE) + 100.0
    rec.samples(block, "landing_burn")
    rec.sample(3.0, x, act, "landing_burn")
    tr = rec.finish()
    np.testing.assert_array_equal(tr.t_s, [0.0, 100.0, 113.0, 3.0])
    np.testing.assert_array_equal(tr.r_m[1], block[0, 1:4])
    assert list(tr.phase) == ["coast", "landing_burn", "landing_burn", "landing_burn"]
    assert tr.thrust_n[2] == block[1, 12]


def _stepped_fall(setup: object, x0: tuple, dt: float, steps: int) -> list[tuple]:
    """The fall as the plant steps it, one ``step_with_events`` at a time."""
    s = setup
    kernel = compile_kernel(s.prop, s.aero, s.env)  # type: ignore[attr-defined]
    path, x = [x0], x0
    for _ in range(steps):
        res = step_with_events(x, dt, 0.0, (0.0, 0.0, 1.0), s.prop, s.aero, s.env, 0.0, kernel)  # type: ignore[attr-defined]
        if res.event == EventName.TOUCHDOWN or res.state[UP] <= 0:
            break
        x = res.state
        path.append(x)
    return path


@pytest.mark.parametrize("chunk", [7, flat.FALL_CHUNK])
def test_fall_path_is_the_plant_stepped_with_the_engines_off(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario, vehicle = load_landing("falcon9_landing")
    setup = landing_setup(vehicle, scenario)
    x0, dt = setup.initial_state(), setup.sim.dt_s
    monkeypatch.setattr(flat, "FALL_CHUNK", chunk)
    kernel = compile_kernel(setup.prop, setup.aero, setup.env)
    for steps in (5, 14, 10_000):  # cut short, on a chunk's end, down to the ground
        got = flat.fall_path(kernel, x0, dt, steps)
        want = _stepped_fall(setup, x0, dt, steps)
        assert got == want
    assert len(got) > 100 and got[-1][UP] > 0.0


def test_fall_path_stops_at_its_deadline() -> None:
    scenario, vehicle = load_landing("falcon9_landing")
    setup = landing_setup(vehicle, scenario)
    kernel = compile_kernel(setup.prop, setup.aero, setup.env)
    with pytest.raises(RunTimeout):
        flat.fall_path(kernel, setup.initial_state(), setup.sim.dt_s, 10_000, deadline=0.0)
