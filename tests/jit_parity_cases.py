"""Cases flown by tests/test_jit_parity.py: run as a script, once compiled and once with
BOOSTBACK_JIT=0, printing every result as JSON (floats as hex, so nothing is lost)."""

from __future__ import annotations

import dataclasses
import json
import math
import sys

import numpy as np

from boostback.config.loader import load_flight
from boostback.dynamics.point_mass import AeroParams, PropulsionParams
from boostback.environment.atmosphere import USSA1976, Vacuum
from boostback.environment.earth import SphericalEarth, WGS84Earth
from boostback.environment.wind import LayeredWind
from boostback.flight.ascent import predict_ascent
from boostback.flight.dynamics import COAST, Body, Command, World
from boostback.flight.executive import plan_reserve_model
from boostback.flight.integrate import altitude_event, mass_event, speed_event, step
from boostback.flight.kernel import derivatives, rk4_step
from boostback.flight.predict import EntryBurnSpec, predict_impact
from boostback.flight.reserve import ReserveModel, reserve_budget
from boostback.flight.setup import flight_setup

# wind by height: 10 m/s of east wind at the surface rising to 40 m/s at 10 km, veering
WIND = LayeredWind(
    (0.0, 10_000.0, 30_000.0), ((10.0, 0.0, 0.0), (40.0, 5.0, 0.0), (20.0, -8.0, 1.0))
)
WORLDS = [
    World(WGS84Earth(), USSA1976()),
    World(SphericalEarth(), USSA1976()),
    World(WGS84Earth(), Vacuum()),
    World(WGS84Earth(), USSA1976(), WIND),
]
PROP = PropulsionParams(2.7e6, 1.2, 900.0, 0.4, 1.0)
BODY = Body(
    AeroParams(
        10.5,
        (0.0, 0.5, 0.9, 1.1, 1.5, 3.0, 6.0),
        (0.8, 0.82, 1.0, 1.3, 1.2, 1.0, 0.95),
        plume_ct=(0.0, 0.5, 1.0, 2.0),
        plume_factor=(1.0, 0.35, 0.1, 0.03),
    ),
    fin_authority_m2=3.0,
)


def _hex(values) -> list[str]:
    return [float(v).hex() for v in values]


def _states(world: World):
    rng = np.random.default_rng(7)
    for _ in range(6):
        lat, lon = rng.uniform(-1.4, 1.4), rng.uniform(-3.1, 3.1)
        h = rng.uniform(0.0, 120_000.0)
        r = world.earth.geodetic_to_ecef(lat, lon, h)
        v = rng.uniform(-2_000.0, 2_000.0, 3)
        yield (*map(float, r), *map(float, v), float(rng.uniform(3e4, 4e5)))


def kernel_cases() -> dict[str, list[str]]:
    """Derivatives, RK4 steps, event-located steps, impact predictions, reserves."""
    out: dict[str, list[str]] = {}
    burn = Command(0.7, PROP, (0.0, 0.6, 0.8), (0.3, 0.0, 0.0))
    for w, world in enumerate(WORLDS):
        for i, x in enumerate(_states(world)):
            key = f"w{w}s{i}"
            out[key + "_deriv"] = _hex(derivatives(x, burn, BODY, world))
            out[key + "_rk4"] = _hex(rk4_step(x, 0.5, burn, BODY, world))
            res = step(x, 5.0, burn, BODY, world, [mass_event("dry", x[6] - 500.0)])
            out[key + "_event"] = _hex((*res.state, res.dt))
            h = world.earth.geodetic_xyz(*x[:3])[2]
            ev = [altitude_event("low", max(h - 200.0, 0.0)), speed_event("slow", 100.0)]
            res = step(x, 3.0, COAST, BODY, world, ev)
            out[key + "_coast"] = _hex((*res.state, res.dt))
            model = ReserveModel(25_600.0, 3_050.0, 2_770.0, 3.986e14, 12.0, 5e4, 800, 40, 600, 0.3)
            site = tuple(map(float, world.earth.geodetic_to_ecef(0.1, 0.2, 0.0)))
            for mode, target in (("rtls", site), ("droneship", None), ("expendable", None)):
                b = reserve_budget(x, model, target, h, mode)  # type: ignore[arg-type]
                out[f"{key}_reserve_{mode}"] = _hex([b.total_kg, b.boostback_dv_mps])
        x = next(iter(_states(world)))
        entry = EntryBurnSpec(PROP, 60_000.0, 700.0, 0.8)
        for name, spec in (("coast", None), ("entry", entry)):
            imp = predict_impact(x, 0.0, BODY, world, 0.0, 2.5e4, spec, 1.0, 2.0, 800.0)
            out[f"w{w}_predict_{name}"] = _hex(
                (imp.t_s, *imp.state, imp.peak_qbar_pa, imp.peak_heat_wpm2, imp.entry_burn_kg)
            )
    return out


def ascent_case() -> dict[str, list[str]]:
    """The Falcon 9 RTLS ascent to MECO, at a coarse step, in still air and in wind."""
    scenario, vehicle = load_flight("falcon9_rtls")
    setup = flight_setup(vehicle, scenario)
    out: dict[str, list[str]] = {}
    windy = dataclasses.replace(setup, world=WORLDS[3])
    for name, s in (("ascent", setup), ("ascent_wind", windy)):
        model = plan_reserve_model(s, 800.0)
        target = tuple(map(float, s.site_ecef(s.target)))
        asc = predict_ascent(s, model, math.radians(2.5), target, dt=0.5)  # type: ignore[arg-type]
        out[name] = _hex((asc.t_s, *asc.state, asc.max_q_pa, asc.reserve.total_kg))
    return out


if __name__ == "__main__":
    cases = {**kernel_cases(), **ascent_case()} if sys.argv[1:] != ["kernel"] else kernel_cases()
    json.dump(cases, sys.stdout)
