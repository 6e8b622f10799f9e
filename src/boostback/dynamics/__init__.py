"""Equations of motion and integrators (pure, no I/O)."""

from boostback.dynamics.fast import compile_kernel, derivatives, drag_accel, rk4_step
from boostback.dynamics.integrate import StepResult, step_with_events
from boostback.dynamics.point_mass import AeroParams, Environment, PropulsionParams, State

__all__ = [
    "AeroParams",
    "Environment",
    "PropulsionParams",
    "State",
    "StepResult",
    "compile_kernel",
    "derivatives",
    "drag_accel",
    "rk4_step",
    "step_with_events",
]
