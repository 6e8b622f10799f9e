"""The published test problem: Szmuk & Acikmese 2018, "Successive convexification for 6-DoF Mars
rocket powered landing with free-final-time" (AIAA SciTech 2018, arXiv:1802.03827), as
implemented in Sven Niederberger's public SuccessiveConvexificationFreeFinalTime
(github.com/EmbersArc/SuccessiveConvexificationFreeFinalTime; the nondimensional model in
``models/model_6dof.py``, its weights in ``parameters.py``, the loop in ``main.py``, read at
commit 9b16f42; the same model and weights are kept in PythonRobotics'
``AerialNavigation/rocket_powered_landing``).

Every number below is that implementation's (nondimensional: g = 1, initial mass 2):

- gravity (-1, 0, 0) (the first axis is up); mass 2 -> dry 1; mass flow 0.01 per unit thrust;
- r0 = (4, 4, 0), v0 = (0, -1, -2), initial rates zero, initial attitude free;
- final position 0, velocity (-0.1, 0, 0), attitude upright (identity), rates zero, thrust
  along the body axis at the last node; final mass free;
- thrust in [0.3, 5] (the floor linearised), gimbal <= 20 deg, tilt <= 90 deg, glide slope
  20 deg, body rate <= 60 deg/s; J = 0.01 I; thrust point (-0.01, 0, 0) from the centre of mass;
- K = 50 nodes; cost: the time of flight (``w_sigma = 1``); initial guess: the straight line of
  ``problem.initial_guess`` with t_f = 3;
- PTR weights: virtual control ``w_nu = 1e5`` on CVXPY's ``norm(nu, 'inf')`` of the 14 x 49
  matrix (its largest row sum), trust penalty ``w_delta = 1e-3`` on the sum over the nodes of
  the squared state and thrust steps, growing by 1.5 per iteration, ``w_delta_sigma = 0.1`` on
  the step in time; the thrust floor hard; a time of flight of at least 0.1; it stops when that
  sum of squares and the step in time are below 1e-3 and the largest virtual control below
  1e-7; at most 30 iterations.

That implementation converges in 15 iterations to t_f = 3.771 and a propellant use of 0.1487
(figures of issue #17, where ECOS and Clarabel agree within 0.01 %); ``REFERENCE_TF`` and
``REFERENCE_FUEL`` hold them for the tests. ``published_settings("ptr")`` reproduces them
(15 iterations, 3.7714, 0.14867). The one departure: the time of flight is also bounded above
(by 10, never active), so every subproblem is bounded.

The problem has several local optima, and which one an algorithm reaches depends on its path:
the same PTR with the l1 norm of the virtual control (its elementwise maximum) stops at
t_f = 3.783 (3.867); SCvx from the same cold start (``published_settings("scvx")``: exact l1
penalty, hard trust region in per-component units, ratio test) converges in 14 iterations to
t_f = 3.7082 with 0.1552 of propellant, a shorter flight that also survives propagation;
started from the published answer, SCvx stays there (3.7706). So the published figure is a
local optimum, not the problem's best.
"""

from __future__ import annotations

import math

import numpy as np

from boostback.guidance.scvx.problem import SixDofProblem
from boostback.guidance.scvx.solver import ScvxSettings

__all__ = ["REFERENCE_FUEL", "REFERENCE_TF", "published_problem", "published_settings"]

REFERENCE_TF = 3.771
REFERENCE_FUEL = 0.1487


def published_problem(thrust_max: float = 5.0) -> SixDofProblem:
    """Szmuk & Acikmese 2018's problem as EmbersArc implements it (module docstring).

    ``thrust_max`` may be lowered to pose an impossible variant (below the weight, 2).
    """
    x_init = np.array([2.0, 4.0, 4.0, 0.0, 0.0, -1.0, -2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    x_final = np.array([1.0, 0.0, 0.0, 0.0, -0.1, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
    init_free = np.zeros(14, dtype=bool)
    init_free[7:11] = True  # initial attitude free
    final_free = np.zeros(14, dtype=bool)
    final_free[0] = True  # final mass free
    return SixDofProblem(
        x_init=x_init,
        x_final=x_final,
        m_dry=1.0,
        thrust_min=0.3,
        thrust_max=thrust_max,
        alpha=0.01,
        g=np.array([-1.0, 0.0, 0.0]),
        inertia=0.01 * np.eye(3),
        r_thrust=np.array([-0.01, 0.0, 0.0]),
        gimbal_max_rad=math.radians(20.0),
        tilt_max_rad=math.radians(90.0),
        glide_slope_rad=math.radians(20.0),
        rate_max_rad=math.radians(60.0),
        tf_guess=3.0,
        tf_min=0.1,
        tf_max=10.0,
        init_free=init_free,
        final_free=final_free,
        final_thrust_axial=True,
        cost="time",
    )


def published_settings(method: str = "scvx") -> ScvxSettings:
    """The algorithm settings for the published problem: EmbersArc's weights for PTR
    (``ScvxSettings``' defaults are those), SCvx's usual thresholds for SCvx."""
    ptr = method == "ptr"
    return ScvxSettings(
        nodes=50,
        method=method,
        max_iterations=30 if ptr else 50,
        penalty=1e5,
        virtual_norm="inf" if ptr else "l1",
        floor_buffer=not ptr,
    )
