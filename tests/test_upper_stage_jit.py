"""One source: the upper stage's guided burn gives the same orbit compiled and interpreted."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SCRIPT = """
import json, math
import numpy as np
from boostback.config.loader import load_flight
from boostback.environment.earth import WGS84Earth
from boostback.payload.upper_stage import UpperStageModel, fly_to_orbit, parse_orbit
earth = WGS84Earth()
lat = math.radians(28.6)
r = earth.geodetic_to_ecef(lat, 0.0, 70e3)
up = r / np.linalg.norm(r)
g = math.radians(28.0)
v = 2200.0 * (math.cos(g) * np.array([0.0, 1.0, 0.0]) + math.sin(g) * up)
stage = UpperStageModel.from_vehicle(load_flight("falcon9_droneship")[1])
ins = fly_to_orbit(r, v, 0.0, stage, 9000.0, 1900.0, parse_orbit("200x200x28.7"), earth)
el = ins.elements
print(json.dumps({"p_m": el.p_m, "e": el.e, "i_rad": el.i_rad, "left_kg": ins.propellant_left_kg,
                  "t_s": ins.t_s, "fairing_t_s": ins.fairing_t_s}))
"""


def _run(jit: bool) -> dict[str, float]:
    env = {**os.environ, "BOOSTBACK_JIT": "1" if jit else "0"}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_compiled_and_interpreted_agree() -> None:
    compiled, interpreted = _run(True), _run(False)
    assert compiled.keys() == interpreted.keys()
    for key, value in compiled.items():
        assert interpreted[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
