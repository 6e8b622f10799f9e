"""The translation law that tracks a 6-DoF SCvx plan (``guidance.scvx_guidance``) through the
rigid vehicle's attitude loop (``control.attitude.AttitudeController``).

An SCvx plan is flyable by construction: its attitude turns at rates and with gimbal angles the
vehicle has (the plan's gimbal cone is the share of the range the attitude loop's reference may
use), from the attitude and rates the vehicle has now. So, unlike an LCvx plan, it is not
smoothed over the vehicle's turn time, and the body is pointed along the **plan's body axis**,
not along its thrust: the law asks for the plan's thrust magnitude along the plan's axis, plus
the rigid translation law's feedback on the position and velocity (``control.rigid_landing``:
sideways at a quarter of the attitude loop's bandwidth, the centre of mass's velocity, the
lowest foot's height, the terminal braking of the last seconds), and the attitude loop turns the
body there with its own gimbal command. The plan is read ``1 / k`` ahead (``k`` the attitude
reference's gain): the reference follows a turning demand that far behind.

Tracking the plan's thrust direction instead (the axis plus the plan's gimbal angle, which is
how the plan turns the body) was tried first: the attitude loop then chases a direction that
leads the axis, the body over-rotates, and the re-plans (each from the state reached) turned it
into a slow lateral oscillation; on ``falcon9_landing`` it touched down at 5 m/s sideways and
6.6 deg/s, against 0.2 m/s and 0.3 deg/s tracking the axis.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from boostback.control.attitude import AttitudeGains
from boostback.control.landing import TranslationDemand
from boostback.control.rigid_landing import RigidLandingLaw, feet_arm
from boostback.dynamics.rigid_body import rotate_body_to_frame
from boostback.gnc.protocols import Demand, NavEstimate, Tick
from boostback.guidance.plan import LandingPlan
from boostback.guidance.rigid_settings import rigid_setup
from boostback.guidance.scvx.frames import ENU_FROM_UEN
from boostback.plant.setup import LandingSetup
from boostback.plant.sixdof_setup import sixdof_params

__all__ = ["ScvxTrackingLaw"]


class _LeadLaw(RigidLandingLaw):
    """The rigid translation law with no smoothing window, asking for the plan's thrust along
    the plan's body axis ``lead_s`` ahead."""

    lead_s: float = 0.0

    def plan_point(self, plan: LandingPlan, tau: float) -> tuple:
        r, v, u = plan.sample(tau)
        scvx = getattr(plan, "scvx", None)
        if scvx is None:  # not an SCvx plan (LCvx's, flown when SCvx found none at ignition)
            return r, v, u
        ahead = scvx.sample(tau + self.lead_s)
        axis_uen = rotate_body_to_frame(tuple(float(c) for c in ahead.quat_uen), (1.0, 0.0, 0.0))
        axis_enu = ENU_FROM_UEN @ np.asarray(axis_uen)
        return r, v, float(np.linalg.norm(ahead.thrust_body_n)) / ahead.mass_kg * axis_enu


class ScvxTrackingLaw:
    """A ``TranslationLaw`` (``control.attitude``) that tracks an SCvx plan (module docstring).

    It is not a ``LandingController``: ``mission.landing.rigid_landing`` puts it inside the
    attitude loop as it is, instead of replacing it by the LCvx plans' smoothing law.

    Parameters
    ----------
    setup : LandingSetup
        The landing burn (its vehicle needs a ``[booster.rigid_body]`` section).
    authority : callable, optional
        A fault's tilt-authority hook, as for ``LandingController``.
    gains : AttitudeGains, optional
        The attitude loop's gains (its bandwidth sets the sideways loop's, its reference gain
        the lead).
    """

    def __init__(
        self,
        setup: LandingSetup,
        authority: Callable[[float, str, float], float] | None = None,
        gains: AttitudeGains | None = None,
    ) -> None:
        g = gains or AttitudeGains()
        params = sixdof_params(setup.vehicle)
        self.lead_s = 1.0 / g.reference_gain_per_s
        self.law = _LeadLaw(
            rigid_setup(setup),
            g.bandwidth_rad_s,
            0.0,
            feet_arm(params),
            authority,
            foot_radius_m=params.leg_footprint_radius_m,
        )
        self.law.lead_s = self.lead_s

    def demand(self, nav: NavEstimate, demand: Demand, tick: Tick) -> TranslationDemand:
        """The plan's thrust acceleration with the rigid law's feedback (module docstring)."""
        return self.law.demand(nav, demand, tick)

    def throttle_for(self, nav: NavEstimate, accel_mps2: float) -> float:
        """The throttle that gives ``accel_mps2`` along the thrust axis, within the range."""
        return self.law.throttle_for(nav, accel_mps2)
