"""The first run's compile notice (boostback.jit.announce_compiles): one line on stderr when a
process that asked for it starts compiling, none when the kernels come from the cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from boostback.jit import COMPILE_NOTICE

KERNELS = """
from boostback.jit import jit


@jit
def add_one(x):
    return x + 1.0


@jit
def twice_plus_two(x):
    return 2.0 * add_one(x)
"""

# Announce when asked, then compile two kernels (one calls the other: nested compiles) and
# print a JSON document on stdout, as `--json` does.
SCRIPT = """
import json, os, sys
from boostback import jit as wrapper
if "announce" in sys.argv:
    wrapper.announce_compiles()
import tiny_kernels
if "fork" in sys.argv:  # a worker forked from the announcing process compiles first
    pid = os.fork()
    if pid == 0:
        tiny_kernels.add_one(1.0)
        os._exit(0)
    os.waitpid(pid, 0)
print(json.dumps({"value": tiny_kernels.twice_plus_two(1.0)}))
"""


def _run(
    tmp_path: Path, *flags: str, jit: str = "1", script: str = SCRIPT
) -> subprocess.CompletedProcess[str]:
    """Run ``script`` with a cache folder of its own (cold on the first run in ``tmp_path``)."""
    (tmp_path / "tiny_kernels.py").write_text(KERNELS)
    (tmp_path / "script.py").write_text(textwrap.dedent(script))
    env = dict(os.environ)
    env.update(
        BOOSTBACK_CACHE_DIR=str(tmp_path / "cache"),
        BOOSTBACK_JIT=jit,
        PYTHONPATH=os.pathsep.join([str(tmp_path), env.get("PYTHONPATH", "")]),
    )
    done = subprocess.run(
        [sys.executable, str(tmp_path / "script.py"), *flags],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"value": 4.0}  # stdout holds the JSON and nothing else
    return done


def test_cold_compile_announces_once_and_warm_run_is_silent(tmp_path: Path) -> None:
    cold = _run(tmp_path, "announce")
    assert cold.stderr.count(COMPILE_NOTICE) == 1  # two kernels, nested: still one line
    warm = _run(tmp_path, "announce")
    assert COMPILE_NOTICE not in warm.stderr


def test_library_use_is_silent(tmp_path: Path) -> None:
    assert COMPILE_NOTICE not in _run(tmp_path).stderr


def test_nothing_to_announce_when_nothing_compiles(tmp_path: Path) -> None:
    assert COMPILE_NOTICE not in _run(tmp_path, "announce", jit="0").stderr


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_worker_is_silent(tmp_path: Path) -> None:
    done = _run(tmp_path, "announce", "fork")
    # the child's compile of add_one said nothing; the parent's own compile of
    # twice_plus_two (add_one's cache written by the child) still says it, once
    assert done.stderr.count(COMPILE_NOTICE) == 1


ONLY_CHILD = """
import os
from boostback import jit as wrapper
wrapper.announce_compiles()
import tiny_kernels
pid = os.fork()
if pid == 0:
    tiny_kernels.twice_plus_two(1.0)
    os._exit(0)
os.waitpid(pid, 0)
print('{"value": 4.0}')
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_worker_alone_is_silent(tmp_path: Path) -> None:
    # the child compiles all: the parent compiled nothing, so nobody says anything
    assert COMPILE_NOTICE not in _run(tmp_path, script=ONLY_CHILD).stderr


@pytest.mark.slow
def test_cold_cli_run_announces_on_stderr_and_keeps_json_clean(tmp_path: Path) -> None:
    """The command line end to end, with an empty cache: a landing's kernels compile (about
    50 s of CPU), the notice is one line on stderr, and ``--json`` stdout parses."""
    env = dict(os.environ, BOOSTBACK_CACHE_DIR=str(tmp_path / "cache"), BOOSTBACK_JIT="1")
    command = [sys.executable, "-m", "boostback.cli", "land", "falcon9_landing", "--json"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["outcome"] == "landed"
    assert done.stderr.count(COMPILE_NOTICE) == 1
