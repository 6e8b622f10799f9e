"""6-DoF powered-descent guidance by successive convexification (issue #17): the problem stated
once (``problem``, ``dynamics``), its first-order-hold discretisation (``discretize``), each
convex subproblem as conic data for Clarabel (``subproblem``; ``cvxpy_subproblem`` poses the
same through CVXPY), and the SCvx and PTR algorithms (``solver``), with the published test
problem (``published``) and a Falcon 9 landing burn (``falcon9``).
"""

from __future__ import annotations

from boostback.guidance.scvx.problem import Scales, SixDofProblem, initial_guess
from boostback.guidance.scvx.result import IterationRecord, PlanSample, ScvxPlan, ScvxStatus
from boostback.guidance.scvx.solver import ScvxSettings, solve

__all__ = [
    "IterationRecord",
    "PlanSample",
    "Scales",
    "ScvxPlan",
    "ScvxSettings",
    "ScvxStatus",
    "SixDofProblem",
    "initial_guess",
    "solve",
]
