"""The landing burn as a flight of its own: the closed loop assembled from its parts.

``fly_landing`` builds the truth (``plant.flat``), the navigator, the LCvx guidance and the
landing controller, lets the faults wrap them, and runs ``gnc.loop.fly``: coast, the ignition
decision, the guided burn, touchdown. ``boostback land`` and the landing burn of a whole flight
both fly it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from boostback.config.errors import ConfigError
from boostback.control.attitude import HOLD_DT_S, AttitudeController, AttitudeGains
from boostback.control.landing import LandingController
from boostback.control.rigid_landing import RigidLandingLaw, feet_arm
from boostback.control.scvx_tracking import ScvxTrackingLaw
from boostback.dynamics.sixdof import SixDofKernel
from boostback.gnc.faults import FaultState
from boostback.gnc.loop import BURN, RecordingPlant, RunTimeout, fly
from boostback.gnc.navigation import FilteredNavigator
from boostback.gnc.outcome import Outcome, Touchdown, classify
from boostback.gnc.protocols import Controller, Vec3
from boostback.gnc.record import Recorder, Trajectory
from boostback.guidance.lcvx_guidance import LcvxGuidance
from boostback.guidance.plan import LandingPlan
from boostback.guidance.rigid_settings import rigid_setup, rigid_timing
from boostback.guidance.scvx_guidance import ScvxGuidance
from boostback.mission.quiet_burn import QuietBurn
from boostback.mission.rigid_quiet import RigidQuietBurn
from boostback.plant.flat import FlatPlant
from boostback.plant.setup import LandingSetup
from boostback.plant.sixdof import RigidStart, SixDofPlant
from boostback.plant.sixdof_setup import burn_engines, sixdof_params

__all__ = ["LandingPlant", "LandingResult", "RunTimeout", "fly_landing", "rigid_landing"]

SCVX_NEEDS_RIGID = (
    "'scvx' guidance plans a rigid body: it flies only in 6-DoF (sim.dof = 6, 'land --dof 6')"
)


class LandingPlant(RecordingPlant, Protocol):
    """A plant a landing burn can fly: it also gives many states' air data and the touchdown."""

    def air_many(self, states: np.ndarray) -> np.ndarray: ...

    def touchdown(self, direction: Vec3, powered: bool) -> Touchdown: ...


@dataclass(frozen=True)
class LandingResult:
    outcome: Outcome
    touchdown: Touchdown | None
    trajectory: Trajectory
    ignition_t_s: float
    first_plan: LandingPlan | None
    # wall time of each re-plan after ignition, all its solves included: the latency a flight
    # computer would see (the ignition search and the first plan are not in it)
    replan_times_s: tuple[float, ...]
    guidance_solves: int
    guidance_time_s: float
    notes: list[str] = field(default_factory=list)

    @property
    def replans(self) -> int:
        """How many times the plan was re-solved after ignition."""
        return len(self.replan_times_s)

    @property
    def burn_time_s(self) -> float:
        end = self.touchdown.t_s if self.touchdown else float(self.trajectory.t_s[-1])
        return end - self.ignition_t_s if math.isfinite(self.ignition_t_s) else 0.0

    def tables(self, title: str = "landing burn") -> list:
        """The tables ``boostback land`` prints (rich renderables), then the notes.

        Parameters
        ----------
        title : str
            The table's title.

        Returns
        -------
        list of rich renderables
        """
        from boostback.mission.tables import landing_tables

        return landing_tables(self, title)

    def __str__(self) -> str:
        """The landing as ``boostback land`` prints it, in plain text (no colour)."""
        from boostback.mission.tables import to_text

        return to_text(self.tables())

    def info(self) -> None:
        """Print the landing as ``boostback land`` does (in colour on a terminal)."""
        from boostback.mission.tables import show

        show(self.tables())

    def summary(self) -> dict[str, float | str | int]:
        traj = self.trajectory
        used = float(traj.mass_kg[0] - traj.mass_kg[-1])
        td = self.touchdown
        nan = float("nan")
        return {
            "outcome": self.outcome.value,
            "ignition_t_s": self.ignition_t_s,
            "ignition_altitude_m": _event_value(traj, "ignition", "altitude_m"),
            "burn_time_s": self.burn_time_s,
            "touchdown_t_s": td.t_s if td else nan,
            "touchdown_vertical_speed_mps": td.vertical_speed_mps if td else nan,
            "touchdown_lateral_speed_mps": td.lateral_speed_mps if td else nan,
            "touchdown_tilt_deg": td.tilt_deg if td else nan,
            "miss_distance_m": td.miss_m if td else nan,
            "propellant_used_kg": used,
            "propellant_left_kg": td.propellant_kg if td else float(traj.mass_kg[-1] - 0.0),
            "replans": self.replans,
            "guidance_solves": self.guidance_solves,
            "guidance_time_s": self.guidance_time_s,
            **self.rigid_summary(),
        }

    def rigid_summary(self) -> dict[str, float]:
        """A rigid body's touchdown: its rates and its margin against tipping over (none for a
        point mass)."""
        td = self.touchdown
        if td is None or math.isnan(td.tipover_margin):
            return {}
        return {"touchdown_rates_dps": td.rates_dps, "touchdown_tipover_margin": td.tipover_margin}


def rigid_landing(
    setup: LandingSetup,
    faults: FaultState,
    translation: Controller,
    *,
    ideal_attitude: bool = False,
    start: RigidStart | None = None,
) -> tuple[SixDofPlant, Controller]:
    """The 6-DoF truth of the landing burn and the attitude loop around its translation law.

    The point mass's landing controller is replaced by its rigid-vehicle version
    (``control.rigid_landing``: sideways gains a quarter of the attitude loop's bandwidth, the
    plan's thrust smoothed over the vehicle's turn time, the guidance's rigid timings from
    ``guidance.rigid_settings``); the attitude loop (``control.attitude``) points the body
    along its demand through a rate- and acceleration-limited reference.

    Parameters
    ----------
    setup : LandingSetup
        The landing burn; its vehicle needs a ``[booster.rigid_body]`` section.
    faults : FaultState
        The faults the truth carries.
    translation : Controller
        Decides throttle and thrust direction (the landing controller; flown as it is with
        ``ideal_attitude``).
    ideal_attitude : bool
        A perfect attitude loop (the plant points where it is told; no attitude dynamics).
    start : RigidStart, optional
        The attitude, rates and gas a whole flight hands over.

    Returns
    -------
    tuple of SixDofPlant and Controller
    """
    params = sixdof_params(setup.vehicle)
    engines = tuple(int(i) for i in burn_engines(setup.stage, "landing"))
    plant = SixDofPlant(setup, faults, params, engines, ideal_attitude=ideal_attitude, start=start)
    if ideal_attitude:
        return plant, translation
    gains = AttitudeGains()
    law: object = translation
    if isinstance(translation, LandingController):
        timing = rigid_timing(setup)
        law = RigidLandingLaw(
            rigid_setup(setup),
            gains.bandwidth_rad_s,
            timing.turn_s,
            feet_arm(params),
            translation.authority,
            lead_s=1.0 / gains.reference_gain_per_s,
            foot_radius_m=params.leg_footprint_radius_m,
        )
    model = SixDofKernel.build(params, setup.env)
    tilt = math.radians(setup.stage.landing.max_tilt_deg) if setup.stage.landing else math.pi / 2
    return plant, AttitudeController(law, model, engines, gains, hold_tilt_rad=tilt)  # type: ignore[arg-type]


def _event_value(traj: Trajectory, name: str, attr: str) -> float:
    for ev in traj.events:
        if ev.name == name:
            return float(getattr(ev, attr))
    return float("nan")


def fly_landing(
    setup: LandingSetup,
    faults: FaultState | None = None,
    *,
    wall_limit_s: float | None = None,
    plant: LandingPlant | None = None,
    rigid_start: RigidStart | None = None,
) -> LandingResult:
    """Fly the scenario from its initial state to touchdown (or the simulated time limit).

    Parameters
    ----------
    setup : LandingSetup
        Vehicle, scenario and the models resolved from them.
    faults : FaultState, optional
        Faults acting on the truth; guidance sees only the navigated state.
    wall_limit_s : float, optional
        A flight that runs longer than this in wall-clock time raises ``RunTimeout``.
    plant : LandingPlant, optional
        The truth to fly (built with the same ``faults``); default the flat point mass of
        ``plant.flat``. A whole flight passes its rotating-Earth plant.
    rigid_start : RigidStart, optional
        A 6-DoF whole flight's attitude, rates and gas at the hand-over (``sim.dof`` 6).

    Returns
    -------
    LandingResult
    """
    fs = faults if faults is not None else FaultState()
    deadline = None if wall_limit_s is None else time.perf_counter() + wall_limit_s
    controller: Controller = LandingController(setup, authority=fs.tilt_factor)
    scvx = setup.guidance.method == "scvx"
    if scvx:  # the rigid body's own plan, tracked as it is (control.scvx_tracking)
        if setup.sim.dof != 6 or plant is not None:
            raise ConfigError(SCVX_NEEDS_RIGID, key="guidance.method")
        controller = ScvxTrackingLaw(setup, authority=fs.tilt_factor)  # type: ignore[assignment]
    truth: LandingPlant
    if plant is not None:
        truth = plant
    elif setup.sim.dof == 6:
        truth, controller = rigid_landing(setup, fs, controller, start=rigid_start)
    else:
        truth = FlatPlant(setup, fs)
    guidance = ScvxGuidance(setup, deadline) if scvx else LcvxGuidance(setup, deadline)
    rec = Recorder(air=truth.air_many)
    if isinstance(truth, SixDofPlant):
        rec.attitude, rec.alpha = truth.recorded, truth.alpha_many
    navigator = FilteredNavigator(fs, setup.guidance.nav_filter_time_constant_s)
    pieces = (truth, navigator, guidance, controller, rec, fs, setup.sim.dt_s)
    quiet = QuietBurn.for_flight(*pieces) or RigidQuietBurn.for_flight(*pieces)
    end = fly(
        truth,
        navigator,
        guidance,
        controller,
        rec,
        dt_s=setup.sim.dt_s,
        max_time_s=setup.sim.max_time_s,
        deadline=deadline,
        coast_dt_s=HOLD_DT_S if isinstance(truth, SixDofPlant) else None,
        between=quiet,
    )
    touchdown = None
    if end.touched_down:
        touchdown = truth.touchdown(end.actuation.direction, powered=end.phase == BURN)
    return LandingResult(
        outcome=classify(touchdown, setup.stage.limits, end.ran_dry),
        touchdown=touchdown,
        trajectory=rec.finish(),
        ignition_t_s=guidance.ignition_t_s,
        first_plan=guidance.first,
        replan_times_s=tuple(guidance.replan_times_s),
        guidance_solves=guidance.solves,
        guidance_time_s=guidance.seconds,
        notes=guidance.notes,
    )
