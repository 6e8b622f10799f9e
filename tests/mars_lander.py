"""The Mars lander of Acikmese & Ploen 2007 and Blackmore, Acikmese & Scharf 2010 as a
``LandingProblem``: one definition for the guidance tests that fly it."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from boostback.constants import MARS_G_MPS2
from boostback.guidance.problem import LandingProblem, alpha_from_isp

M0_KG, M_DRY_KG = 1905.0, 1505.0
RHO1_N, RHO2_N = 4972.0, 13260.0  # six 3.1 kN engines canted 27 deg, throttle 0.3-0.8
ALPHA_S_PER_M = alpha_from_isp(225.0, math.radians(27.0))  # the cant enters the mass flow
G_ENU_MPS2 = np.array([0.0, 0.0, -MARS_G_MPS2])


def mars_lander(r0_enu_m: Any, v0_enu_mps: Any, **overrides: Any) -> LandingProblem:
    """The lander from ``r0``/``v0``; keyword arguments replace any other field."""
    fields: dict[str, Any] = {
        "r0_enu_m": np.asarray(r0_enu_m, dtype=float),
        "v0_enu_mps": np.asarray(v0_enu_mps, dtype=float),
        "m0_kg": M0_KG,
        "m_dry_kg": M_DRY_KG,
        "thrust_min_n": RHO1_N,
        "thrust_max_n": RHO2_N,
        "alpha_s_per_m": ALPHA_S_PER_M,
        "g_enu_mps2": G_ENU_MPS2,
    }
    fields.update(overrides)
    return LandingProblem(**fields)


def random_instance(
    rng: np.random.Generator, tf_range_s: tuple[float, float] = (45.0, 80.0)
) -> tuple[LandingProblem, float]:
    """A random state of the lander and a time of flight, drawn so that most draws are feasible
    (widen ``tf_range_s`` downwards for some that are not)."""
    east, north = rng.uniform(-1200, 1200, 2)
    up = rng.uniform(800, 2000)
    v = np.array([rng.uniform(-40, 40), rng.uniform(-40, 40), rng.uniform(-60, -10)])
    prob = mars_lander(
        [east, north, up],
        v,
        max_tilt_rad=math.radians(rng.choice([45.0, 60.0, 90.0])),
        glide_slope_rad=math.radians(rng.choice([0.0, 2.0, 4.0])),
        touchdown_speed_mps=float(rng.choice([0.0, 1.0])),
        terminal_vertical_s=float(rng.choice([0.0, 4.0])),
    )
    return prob, float(rng.uniform(*tf_range_s))
