"""TEMPORARY re-exports while imports move to boostback.mission.landing (removed this session)."""

from boostback.guidance.lcvx_guidance import LcvxGuidance as _Guidance  # noqa: F401
from boostback.guidance.lcvx_guidance import least_feasible_fraction  # noqa: F401
from boostback.mission.landing import LandingResult, RunTimeout, fly_landing  # noqa: F401
