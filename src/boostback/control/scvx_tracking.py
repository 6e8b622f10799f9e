"""The translation law that tracks a 6-DoF SCvx plan (``guidance.scvx_guidance``) through the
rigid vehicle's attitude loop (``control.attitude.AttitudeController``).

An SCvx plan is flyable by construction: its attitude turns at rates and with gimbal angles the
vehicle has (the plan's gimbal cone is the share of the range the attitude loop's reference may
use), and its thrust is continuous between nodes. So, unlike an LCvx plan, it is not smoothed
over the vehicle's turn time: the law asks for the plan's thrust acceleration, plus the rigid
translation law's feedback on the position and velocity (``control.rigid_landing``: sideways at
a quarter of the attitude loop's bandwidth, the centre of mass's velocity, the lowest foot's
height, the terminal braking of the last seconds), and the attitude loop points the body's axis
along it. The plan's thrust is read ``1 / k`` ahead (``k`` the attitude reference's gain): the
reference follows a turning demand that far behind, so the axis turns when the plan does.

The body's axis follows the plan's thrust direction, not the plan's attitude: the two differ by
the plan's gimbal angle (at most ``GIMBAL_FRACTION`` of the range, 2 deg on Falcon 9), which is
how the plan turns the body and which the attitude loop makes with its own gimbal command.
"""

from __future__ import annotations

from collections.abc import Callable

from boostback.control.attitude import AttitudeGains
from boostback.control.landing import TranslationDemand
from boostback.control.rigid_landing import RigidLandingLaw, feet_arm
from boostback.gnc.protocols import Demand, NavEstimate, Tick
from boostback.guidance.plan import LandingPlan
from boostback.guidance.rigid_settings import rigid_setup
from boostback.plant.setup import LandingSetup
from boostback.plant.sixdof_setup import sixdof_params

__all__ = ["ScvxTrackingLaw"]


class _LeadLaw(RigidLandingLaw):
    """The rigid translation law with no smoothing window and the thrust read ``lead_s``
    ahead."""

    lead_s: float = 0.0

    def plan_point(self, plan: LandingPlan, tau: float) -> tuple:
        r, v, _ = plan.sample(tau)
        _, _, u = plan.sample(tau + self.lead_s)
        return r, v, u


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
