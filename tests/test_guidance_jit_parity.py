"""The guidance kernels give the same plans compiled (numba) and interpreted (BOOSTBACK_JIT=0).

The same source runs both ways (``boostback.jit``), so a difference can only come from an
operation that numba and CPython/numpy round differently: numpy's own ``log``/``exp`` against
the C library's, ``x ** 3`` (numba multiplies, CPython calls ``pow``), numpy's pairwise sums
against a loop. The kernels avoid them, and an interior-point solve agrees to the last bit,
although its iterates amplify a last-bit difference quickly (on the N = 50 Falcon 9 benchmark
instance, one in the cube of 1 - step in the first iterations became 1e-5 of the plan).

Each side runs in its own process with the setting made explicit, on the Mars lander at N = 20
(a few seconds interpreted), with glide slope, tilt limit and vertical descent: a fuel solve
with a disturbance, a minimum-landing-error solve, each with its dual-based slope, and an
infeasible time of flight that the method proves infeasible.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

_TESTS = Path(__file__).resolve().parent

_SCRIPT = """
import math, sys
import numpy as np
sys.path.insert(0, sys.argv[2])
from boostback import jit
from boostback.guidance.conic import ConicSolver
from mars_lander import mars_lander

assert jit.ENABLED == (sys.argv[3] == "1")
nodes = 20
near = mars_lander(
    [400.0, -250.0, 1500.0],
    [-20.0, 15.0, -40.0],
    max_tilt_rad=math.radians(60.0),
    glide_slope_rad=math.radians(4.0),
    terminal_vertical_s=4.0,
    touchdown_speed_mps=1.0,
)
far = near.with_state([2500.0, -1500.0, 1500.0], [30.0, -15.0, -40.0], near.m0_kg)
t_mid = (np.arange(nodes) + 0.5) / nodes
drag = np.outer(1.0 - t_mid, [0.05, -0.03, 0.4])
solver = ConicSolver(nodes)
out = {}
cases = {  # pinpoint; target out of reach (154 m); infeasible (the IPM's certificate)
    "fuel": (near, 60.0, "fuel", drag),
    "error": (far, 51.0, "error", None),
    "infeasible": (far, 45.0, "fuel", None),
}
for name, (prob, tf, mode, dist) in cases.items():
    plan = solver.solve(prob, tf, mode, disturbance_enu_mps2=dist, mass_slope=True)
    out[name + ".status"] = np.array(str(plan.status))
    out[name + ".solver"] = np.array(solver.last_solver)
    out[name + ".iterations"] = np.array(solver.last_iterations)
    for field in ("r_enu_m", "v_enu_mps", "mass_kg", "accel_enu_mps2", "sigma_mps2"):
        out[name + "." + field] = np.asarray(getattr(plan, field))
    out[name + ".scalars"] = np.array(
        [plan.landing_error_m, plan.mass_slope_kg_per_s, plan.error_slope_m_per_s]
    )
np.savez(sys.argv[1], **out)
"""


def _plans(tmp_path: Path, compiled: bool) -> dict[str, np.ndarray]:
    path = tmp_path / f"plans_{int(compiled)}.npz"
    flag = "1" if compiled else "0"
    cmd = [sys.executable, "-c", _SCRIPT, str(path), str(_TESTS), flag]
    subprocess.run(cmd, env={**os.environ, "BOOSTBACK_JIT": flag}, check=True, timeout=600)
    with np.load(path) as data:
        return {k: data[k] for k in data.files}


def test_ipm_solves_agree_compiled_and_interpreted(tmp_path: Path) -> None:
    compiled = _plans(tmp_path, True)
    interpreted = _plans(tmp_path, False)
    assert compiled.keys() == interpreted.keys()
    expected = {"fuel": "optimal", "error": "min_error", "infeasible": "infeasible"}
    for name, status in expected.items():
        assert str(compiled[name + ".status"]) == status
        assert str(compiled[name + ".solver"]) == "IPM"  # the method itself, no hand-over
    for key, a in compiled.items():
        b = interpreted[key]
        if a.dtype.kind in "USiu":
            assert a == b, key
            continue
        assert a.shape == b.shape, key
        assert np.array_equal(np.isnan(a), np.isnan(b)), key
        both = ~np.isnan(a)
        if both.any():
            scale = float(np.abs(a[both]).max())
            diff = float(np.abs(a[both] - b[both]).max())
            assert diff <= 1e-12 * scale, f"{key}: differs by {diff:.3e} (scale {scale:.3e})"
