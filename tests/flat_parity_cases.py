"""Cases run by tests/test_dynamics.py's parity test: run as a script, once compiled and once with
BOOSTBACK_JIT=0, printing every result as JSON (floats as hex, so nothing is lost).

The environment models (atmosphere, wind, gravity), the force terms and a short landing-burn
propagation with events, all through the one source of each equation.
"""

from __future__ import annotations

import json
import math

import numpy as np

from boostback.dynamics import (
    AeroParams,
    Environment,
    PropulsionParams,
    State,
    derivatives,
    drag_accel,
    step_with_events,
)
from boostback.environment import (
    USSA1976,
    ConstantWind,
    InverseSquareGravity,
    LayeredWind,
    NoWind,
    UniformGravity,
    Vacuum,
    ussa1976,
    ussa1976_scalar,
)
from boostback.gnc.faults import GustWind

PROP = PropulsionParams(914e3, 0.68, 300.0, 0.4, 1.0)
AERO = AeroParams(
    10.75,
    (0.0, 0.5, 0.8, 1.2, 3.0, 6.0),
    (0.75, 0.78, 0.85, 1.2, 0.95, 0.9),
    plume_ct=(0.0, 0.5, 1.0, 2.0),
    plume_factor=(1.0, 0.35, 0.1, 0.03),
)
LAYERS = LayeredWind(
    (0.0, 500.0, 2_000.0, 8_000.0), ((2.0, -1.0, 0.0), (6.0, 1.5, 0.1), (9.0, -3.0, 0.0), (0, 0, 0))
)
ENVS = {
    "layered_gust_isq": Environment(
        USSA1976(), InverseSquareGravity(), GustWind(LAYERS, (1.5, -0.5, 0.25))
    ),
    "constant_uniform": Environment(USSA1976(), UniformGravity(), ConstantWind((4.0, 2.0, 0.0))),
    "vacuum": Environment(Vacuum(), UniformGravity(3.71), NoWind()),
}
HEIGHTS = [*np.linspace(-6_000.0, 120_000.0, 1_261).tolist(), 11e3, 20e3, 84_852.0, 86e3, 83.25e3]


def _hex(values) -> list[str]:
    return [float(v).hex() for v in values]


def environment_cases() -> dict[str, list[str]]:
    """USSA1976 (scalar and vectorised) over a range of heights, wind and gravity."""
    out: dict[str, list[str]] = {}
    for i, h in enumerate(HEIGHTS):
        out[f"atm{i}"] = _hex(ussa1976_scalar(h))
    out["atm_vector"] = _hex(np.concatenate(ussa1976(np.array(HEIGHTS))))
    grav = InverseSquareGravity()
    for i, h in enumerate(np.linspace(-100.0, 9_000.0, 37).tolist()):
        out[f"wind{i}"] = _hex(LAYERS.at(h))
        out[f"gravity{i}"] = _hex(grav.accel_xyz(300.0 * i, -50.0, h))
    return out


def _fly(env: Environment, x: State, dry_kg: float) -> dict[str, list[str]]:
    """A landing burn's last seconds: coast, then thrust tilting up, events located."""
    out: dict[str, list[str]] = {}
    for k in range(160):
        t = 0.05 * k
        throttle = 0.0 if t < 1.0 else 0.55 + 0.4 * math.sin(0.7 * t) ** 2
        tilt = 0.3 * math.exp(-0.2 * t)
        d = (-math.sin(tilt), 0.0, math.cos(tilt))
        p_pa = env.atmosphere.scalar(x[2])[1]
        thrust = PROP.thrust_n(p_pa, throttle)
        out[f"k{k}_forces"] = _hex(
            (
                *drag_accel(x, AERO, env, thrust),
                *derivatives(x, throttle, d, PROP, AERO, env),
                PROP.throttle_for(thrust, p_pa),
                AERO.cd_at(0.01 * k),
                AERO.plume_at(thrust, 10.0 * k * k),
            )
        )
        res = step_with_events(x, 0.05, throttle, d, PROP, AERO, env, dry_kg)
        x = res.state
        out[f"k{k}_step"] = _hex((*x, res.dt))
        if res.event is not None:
            out["event"] = _hex([k, 0 if res.event == "touchdown" else 1])
            break
    return out


def flight_cases() -> dict[str, list[str]]:
    """Short propagations in each environment: one to touchdown, one to propellant out."""
    out: dict[str, list[str]] = {}
    for name, env in ENVS.items():
        x: State = (300.0, -40.0, 600.0, -12.0, 3.0, -120.0, 27_000.0)
        for key, value in _fly(env, x, 22_000.0).items():
            out[f"{name}_{key}"] = value
        low: State = (0.0, 0.0, 2_000.0, 5.0, 0.0, -80.0, 25_200.0)
        for key, value in _fly(env, low, 25_000.0).items():
            out[f"{name}_dry_{key}"] = value
    return out


if __name__ == "__main__":
    print(json.dumps({**environment_cases(), **flight_cases()}))
