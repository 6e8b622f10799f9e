"""One source, compiled or not: the kernels run interpreted (BOOSTBACK_JIT=0) give the results
they give compiled, and what the compiled kernels must match outside (CPython's hypot)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boostback.dynamics.point_mass import AeroParams
from boostback.environment.earth_kernels import hypot
from boostback.flight.dynamics import COAST, Body, World
from boostback.flight.kernel import rk4_step

HERE = Path(__file__).parent


def run_cases(script: str, *args: str, jit: bool) -> dict:
    """Run ``tests/<script>`` in a fresh interpreter; its stdout is JSON."""
    env = {**os.environ, "BOOSTBACK_JIT": "1" if jit else "0"}
    out = subprocess.run(
        [sys.executable, str(HERE / script), *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout)


def compare(compiled: dict, interpreted: dict, rel: float) -> int:
    """Assert every value agrees to ``rel``; returns how many are bit-identical."""
    assert compiled.keys() == interpreted.keys()
    same = 0
    for key, a in compiled.items():
        b = interpreted[key]
        fa, fb = [float.fromhex(v) for v in a], [float.fromhex(v) for v in b]
        for va, vb in zip(fa, fb, strict=True):
            assert va == pytest.approx(vb, rel=rel, abs=1e-300), key
        same += a == b
    return same


def test_flight_kernels_agree_compiled_and_interpreted() -> None:
    """Derivatives, steps, events, predictions, reserves and a whole ascent, both ways, in still
    air and in a layered wind."""
    compiled = run_cases("jit_parity_cases.py", jit=True)
    interpreted = run_cases("jit_parity_cases.py", jit=False)
    assert "w3s0_deriv" in compiled and "ascent_wind" in compiled  # the windy world is flown
    assert compiled["w3s0_deriv"] != compiled["w0s0_deriv"]
    same = compare(compiled, interpreted, rel=1e-13)
    assert same >= 0.9 * len(compiled)  # nearly all to the last bit (libm is shared)


@settings(max_examples=300, deadline=None)
@given(x=st.floats(-1e8, 1e8), y=st.floats(-1e8, 1e8))
def test_hypot_is_the_one_of_cpython(x: float, y: float) -> None:
    ref = math.hypot(x, y)
    assert abs(hypot(x, y) - ref) <= math.ulp(ref)


def test_an_unknown_earth_model_is_refused_with_a_clear_error() -> None:
    class FlatEarth:
        pass

    from boostback.environment.atmosphere import Vacuum

    world = World(FlatEarth(), Vacuum())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="no flight kernel for FlatEarth"):
        rk4_step(
            (7e6, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0), 1.0, COAST, Body(AeroParams(1.0, (), ())), world
        )
