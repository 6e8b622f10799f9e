"""Kernels compiled ahead of time (boostback.aot): a fresh process's first landing solve runs from
the extension modules, without numba's start-up, and gives the same bits as numba's kernels."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from boostback import aot, jit
from boostback.bench import _first_solve, ignition_problem
from boostback.config.loader import load_landing

pytestmark = pytest.mark.skipif(not jit.ENABLED, reason="BOOSTBACK_JIT=0: nothing is compiled")


@pytest.fixture(scope="module")
def built() -> Path:
    """The extension modules for today's sources (``make test`` builds them; built here if not)."""
    if not aot.ENABLED:
        pytest.skip("BOOSTBACK_AOT=0")
    run = subprocess.run(
        [sys.executable, "-m", "boostback.aot_build", "--quiet"], capture_output=True, text=True
    )
    if run.returncode != 0 and shutil.which("cc") is None:
        pytest.skip(f"no C compiler to build the modules: {run.stdout.strip()}")
    assert run.returncode == 0, run.stdout + run.stderr
    folder = aot.aot_dir()
    assert folder is not None
    return folder


@pytest.fixture(scope="module")
def problem(tmp_path_factory: pytest.TempPathFactory) -> str:
    scenario, vehicle = load_landing("falcon9_landing")
    bp = ignition_problem(vehicle, scenario)
    path = tmp_path_factory.mktemp("aot") / "problem.pkl"
    path.write_bytes(pickle.dumps((bp.prob, bp.tf_s, bp.drag_at(bp.tf_s, 50))))
    return str(path)


def test_first_solve_runs_from_the_modules_and_matches_numba_to_the_bit(
    built: Path, problem: str
) -> None:
    manifest = json.loads((built / aot.MANIFEST).read_text())
    ahead, numba = _first_solve(problem, aot=True), _first_solve(problem, aot=False)
    assert sorted(ahead["aot"]) == sorted(manifest)  # every solve kernel, from its module
    assert not ahead["numba_started"]  # numba's compiler never started in that process
    assert numba["aot"] == [] and numba["numba_started"]
    assert ahead["status"] == numba["status"] == "optimal"
    assert ahead["plan"] == numba["plan"]  # the same bits


def test_the_modules_sit_in_the_folder_named_after_todays_sources(built: Path) -> None:
    assert built.parent == jit.cache_dir()  # the kernels' source hash names it: never stale
    manifest = json.loads((built / aot.MANIFEST).read_text())
    assert "boostback.guidance.ipm._ipm" in manifest
    for entry in manifest.values():
        assert (built / entry["file"]).is_file()


def _read_only() -> np.ndarray:
    a = np.zeros(3)
    a.flags.writeable = False
    return a


@pytest.mark.parametrize(
    ("spec", "good", "bad"),
    [
        (["float64", 1, "C", True], np.zeros(3), np.zeros(3, dtype=np.int64)),
        (["float64", 1, "C", True], np.zeros(3), np.zeros((3, 1))),
        (["float64", 1, "C", True], np.zeros(3), np.zeros(6)[::2]),
        (["float64", 1, "C", True], np.zeros(3), _read_only()),
        (["float64", 1, "A", False], np.zeros(6)[::2], np.zeros(3, dtype=np.float32)),
        (["uint32", 2, "C", True], np.zeros((2, 2), dtype=np.uint32), [[0, 0], [0, 0]]),
        ("float64", 1.5, 1),
        ("int64", 3, 3.0),
        ("int64", np.int64(3), True),
        ("bool", False, 0),
    ],
)
def test_an_argument_of_another_type_is_refused_by_the_check(spec, good, bad) -> None:
    """The modules do not check their arguments (an int64 array read as float64 gives
    garbage): the check before each call must refuse every type numba would type otherwise."""
    ok = aot._kind(spec)
    assert ok(good)
    assert not ok(bad)


@jit.jit(aot=True)
def _twice(x: float) -> float:
    return 2.0 * x


@jit.jit
def _twice_plus_one(x: float) -> float:
    return _twice(x) + 1.0


def test_a_compiled_kernel_calls_an_aot_kernel_as_a_dispatcher() -> None:
    assert isinstance(_twice, aot.Kernel)
    assert _twice.py_func(2.0) == 4.0  # the dispatcher's attributes pass through
    assert _twice_plus_one(2.0) == 5.0
    assert _twice(3.0) == 6.0  # numba has started in this process: the dispatcher runs it
