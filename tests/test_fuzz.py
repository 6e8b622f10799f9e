"""Fuzzing the edge (#14): valid scenario, vehicle and campaign files with values replaced by NaN,
infinities, negatives, huge numbers, the wrong type or nothing at all, and command-line options
given nonsense. Whatever comes in, ``boostback`` answers with a documented status (0 landed or
done, 1 did not land, 2 bad input in one line), never a traceback, and never hangs: each case
runs in its own process under a timeout.

The default run is derandomized and small (30 processes); ``-m slow`` runs a larger one.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boostback.jit import COMPILE_NOTICE
from toml_edit import DELETE, dumps, edited, keys_of, load

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "boostback"
BASES = {
    "landing": load(PACKAGE / "scenarios" / "falcon9_landing.toml"),
    "vehicle": load(PACKAGE / "vehicles" / "falcon9.toml"),
    "flight": load(PACKAGE / "scenarios" / "falcon9_rtls.toml"),
    "campaign": {
        "scenario": "falcon9_landing",
        "runs": 2,
        "seed": 1,
        "dispersions": [
            {"path": "initial.altitude_m", "dist": "normal", "sigma": 100.0},
            {"path": "environment.wind_enu_mps[0]", "dist": "uniform", "low": -5.0, "high": 5.0},
        ],
        "faults": [
            {"kind": "thrust_shortfall", "fraction": 0.05, "onset": {"phase": "landing_burn"}},
            {"kind": "wind_gust", "wind_enu_mps": [5.0, 0.0, 0.0], "duration_s": 3.0},
        ],
        "execution": {"batch_size": 1, "wall_limit_s": 30.0},
    },
}
COMMANDS = {  # {f}: the mutated file, {d}: the case's folder (the working directory)
    "landing": ["land", "--from", "{f}", "--json", "--wall-limit", "30"],
    "vehicle": ["land", "{f}", "--json", "--wall-limit", "30"],
    "flight": ["fly", "{f}", "--json"],
    "campaign": ["mc", "run", "{f}", "--out", "{d}/results", "--quiet", "--runs", "2"],
}
DOCUMENTED = {0, 1, 2}
TIMEOUT_S = 120  # far beyond any case's honest run (a few seconds): only a hang reaches it

NASTY_NUMBERS = [math.nan, math.inf, -math.inf, -1.0, 0.0, 1e300, -1e300, 1e12, 5e-324]
NASTY_OTHERS: list[Any] = ["x", "", True, [], [1.0], {}, {"a": 1}, DELETE]


def _replacement(value: Any) -> st.SearchStrategy[Any]:
    """What a value may be replaced by: nonsense numbers, the wrong type, nothing, or the value
    scaled or negated (near-valid numbers reach further into the code)."""
    options: list[st.SearchStrategy[Any]] = [
        st.sampled_from(NASTY_NUMBERS),
        st.sampled_from(NASTY_OTHERS),
        st.floats(allow_nan=True, allow_infinity=True),
    ]
    if isinstance(value, int | float) and not isinstance(value, bool):
        factors = st.sampled_from([-1.0, 0.0, 1e-6, 0.5, 2.0, 10.0, 1e6])
        options.append(factors.map(lambda k: value * k))
        if isinstance(value, int):
            options.append(st.integers(min_value=-(10**12), max_value=10**12))
    return st.one_of(options)


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """A valid file of ``kind`` with one to three values replaced (or an unknown key added)."""
    data = BASES[kind]
    changes: list[tuple[str, Any]] = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        keys = keys_of(data)
        if draw(st.integers(min_value=0, max_value=9)) == 0:
            key, new = draw(st.sampled_from(["colour", "initial.colour", "sim.extra"])), 1.0
        else:
            key, old = draw(st.sampled_from(keys))
            new = draw(_replacement(old))
        try:
            data = edited(data, key, new)
        except (KeyError, IndexError, TypeError):  # the path went away with an earlier change
            continue
        changes.append((key, new))
    return data, changes


def _run(args: list[str], folder: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BOOSTBACK_LOG_DIR": str(folder / "logs"), "COLUMNS": "200"}
    try:
        return subprocess.run(
            [sys.executable, "-m", "boostback.cli", *args],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            cwd=folder,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"hung: boostback {' '.join(args)} ran past {TIMEOUT_S} s")


def _check(proc: subprocess.CompletedProcess[str], what: str) -> None:
    # the one-time notice a cold kernel cache prints before any answer is not part of it
    err = "\n".join(ln for ln in proc.stderr.strip().splitlines() if ln != COMPILE_NOTICE)
    assert proc.returncode in DOCUMENTED, (what, proc.returncode, err[-3000:])
    assert "Traceback" not in proc.stderr + proc.stdout, (what, err[-3000:])
    if proc.returncode == 2:
        assert err.startswith("error:") and "\n" not in err, (what, err)


def _fly_file(kind: str, data: dict[str, Any], changes: list[tuple[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / f"{kind}.toml"
        path.write_text(dumps(data))
        args = [a.replace("{f}", str(path)).replace("{d}", tmp) for a in COMMANDS[kind]]
        _check(_run(args, folder), f"{kind} with {changes}")


FAST = settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
THOROUGH = settings(FAST, max_examples=60)


@pytest.mark.parametrize("kind", list(BASES))
@FAST
@given(data=st.data())
def test_mutated_files_end_in_a_documented_status(kind: str, data: st.DataObject) -> None:
    _fly_file(kind, *data.draw(mutated(kind)))


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(BASES))
@THOROUGH
@given(data=st.data())
def test_many_mutated_files_end_in_a_documented_status(kind: str, data: st.DataObject) -> None:
    _fly_file(kind, *data.draw(mutated(kind)))


OPTION_VALUES = st.sampled_from(
    ["nan", "inf", "-inf", "-1", "0", "-0", "1e308", "5e-324", "abc", "", "1,5", "0x10", "3000"]
)
LAND_OPTIONS = ["--altitude", "--speed", "--offset", "--propellant", "--wind", "--wall-limit"]


RECOVERY_VALUES = st.sampled_from(["rtls", "droneship", "expendable", "", "RTLS", "x", "1"])
OUT_VALUES = st.sampled_from(["afile", "afile/x", "new/deeper", "."])


@st.composite
def land_options(draw: st.DrawFn) -> list[str]:
    """``land falcon9`` or ``fly falcon9`` with some of their options given nonsense (or a bad
    --out folder)."""
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        args = ["fly", "falcon9", "--json", "--recovery", draw(RECOVERY_VALUES)]
        options = ["--wall-limit"]
    else:
        args, options = ["land", "falcon9", "--json"], LAND_OPTIONS
    for option in draw(st.lists(st.sampled_from(options), min_size=1, max_size=3)):
        args += [option, draw(OPTION_VALUES)]
    if draw(st.booleans()):
        args += ["--out", draw(OUT_VALUES)]
    return args


def _options(args: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "afile").write_text("a file")
        _check(_run(args, Path(tmp)), " ".join(args))


@FAST
@given(args=land_options())
def test_nonsense_options_end_in_a_documented_status(args: list[str]) -> None:
    _options(args)


@pytest.mark.slow
@THOROUGH
@given(args=land_options())
def test_much_nonsense_in_options_ends_in_a_documented_status(args: list[str]) -> None:
    _options(args)
