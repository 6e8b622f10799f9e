"""``BOOSTBACK_JIT=0 boostback land|fly ... --json`` against the compiled run: one source, so the
same outcome and the same touchdown (to 1e-9 relative; on one machine, to the last bit)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

TOUCHDOWN = (
    "touchdown_t_s",
    "touchdown_vertical_speed_mps",
    "touchdown_lateral_speed_mps",
    "miss_distance_m",
)
CASES = {
    "landing": (["land", "falcon9"], lambda d: d),
    "whole flight": (["fly", "falcon9", "--recovery", "rtls"], lambda d: d["summary"]),
}


def _run(args: list[str], jit: bool) -> dict:
    # the printed JSON rounds to meaningful digits; compared here as computed
    env = {**os.environ, "BOOSTBACK_JIT": "1" if jit else "0", "BOOSTBACK_JSON_PRECISION": "full"}
    code = "from boostback.cli import app; app()"
    out = subprocess.run(
        [sys.executable, "-c", code, *args, "--json"], capture_output=True, text=True, env=env
    )
    assert out.returncode in (0, 1), out.stderr[-2000:]
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[dict, dict]]:
    """Every case both ways, the interpreted ones (tens of seconds each) side by side."""
    jobs = [(name, jit) for name in CASES for jit in (True, False)]
    with ThreadPoolExecutor(len(jobs)) as pool:
        results = list(pool.map(lambda job: _run(CASES[job[0]][0], job[1]), jobs))
    done = dict(zip(jobs, results, strict=True))
    return {name: (done[(name, True)], done[(name, False)]) for name in CASES}


@pytest.mark.parametrize("case", list(CASES))
def test_interpreted_and_compiled_runs_land_alike(runs, case: str) -> None:
    pick = CASES[case][1]
    compiled, interpreted = (pick(d) for d in runs[case])
    assert compiled["outcome"] == interpreted["outcome"] == "landed"
    for key in TOUCHDOWN:
        assert interpreted[key] == pytest.approx(compiled[key], rel=1e-9, abs=1e-12), key
