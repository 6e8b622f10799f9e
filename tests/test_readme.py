"""Every code block of README.md runs as written, so the README stays true.

Python blocks run each in a fresh interpreter; shell blocks run command by command, in order,
with the venv's ``bin`` first on ``PATH``. Both run in a temporary folder laid out like the
repository (``examples/`` copied, ``../shared`` beside it when the checkout has one), so they
write nothing into the checkout. A command is left out only for a reason stated in ``SKIP``;
the long ones (``SLOW``) run with ``-m slow``. Every block must say its language: ``python`` and
``sh`` run, ``text`` and ``toml`` are shown only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SHARED = ROOT.parent / "shared"
BIN = Path(sys.executable).parent

RUN = ("python", "sh")
SHOWN = ("text", "toml")
# command prefix -> why it is not run here
SKIP = {
    "make demo": "creates .venv and installs: CI's make test does the same; the demo's flight, "
    "boostback fly falcon9 --recovery rtls, runs below",
    "make test": "runs this test suite itself",
    "boostback mc run CAMPAIGN.toml": "placeholders for a campaign and a Dask scheduler on the "
    "network",
    "dask scheduler": "a cluster's long-running process (tests/test_dask_cluster.py starts one)",
    "dask worker tcp://HOST": "a placeholder for the scheduler's host on the network",
}
# command pattern -> why it runs only with -m slow (the default suite stays quick)
SLOW = {
    r"^boostback (land|fly) .*--out": "draws its plots",
    r"--report": "draws its plots and writes an HTML report",
    r"^boostback (compare|report) ": "draws plots of a flight written by a slow command above",
    r"^boostback bench": "times the solver and the loop for ~10 s",
    r"^boostback mc boundary": "flies a campaign for every bisection step",
    r"--dask-local": "starts a Dask cluster",
    r"^boostback mc (run|summary) ": "spawns worker processes; the README's Python campaign "
    "block flies a campaign in the default suite",
    r"^boostback land (falcon9 --altitude|mars_lander)": "more landings like those the default "
    "suite flies (zhuque3 --json, --from FILE)",
    r"^boostback payload \S+ --orbit \S+$|x180$": "solves every recovery mode (and GTO's "
    "coast and perigee burn); the single-mode command runs in the default suite",
    r"--landing-from out/f9_mc": "reads the campaign the slow 'mc run' line above flies",
    r"^boostback mc compact out/f9_mc": "compacts the campaign the slow 'mc run' line flies",
    r"^boostback mc rare ": "flies a thousand landings or more",
}
# command pattern -> the exit status it must give (1: the flight did not land, as it should not)
EXIT = {r"^boostback land zhuque3_y1": 1}
BLOCK = re.compile(r"^```([\w-]*)\n(.*?)^```", re.S | re.M)


def _blocks() -> list[tuple[str, str, int]]:
    """(language, code, line number) of every fenced block."""
    text = README.read_text()
    return [(m[1], m[2], text.count("\n", 0, m.start()) + 1) for m in BLOCK.finditer(text)]


def commands(block: str) -> list[str]:
    """The commands of a shell block: continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", "", block)  # as the shell does: backslash-newline vanishes
    out = []
    for line in joined.splitlines():
        command = re.sub(r"(^|\s)#.*$", "", line).strip()
        if command:
            out.append(command)
    return out


def _skip_reason(command: str) -> str | None:
    for prefix, reason in SKIP.items():
        if command.startswith(prefix):
            return reason
    if "../shared" in command and not SHARED.is_dir():
        return "needs the telemetry in ../shared beside the checkout"
    return None


def _is_slow(command: str) -> bool:
    return any(re.search(pattern, command) for pattern in SLOW)


BLOCKS = _blocks()
PYTHON = [(code, line) for lang, code, line in BLOCKS if lang == "python"]
SHELL = [(code, line) for lang, code, line in BLOCKS if lang == "sh"]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A folder laid out like the checkout: ``examples/``, and ``../shared`` when there is one."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "examples", repo / "examples")
    if SHARED.is_dir():
        (tmp_path / "shared").symlink_to(SHARED)
    return repo


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["MPLBACKEND"] = "Agg"
    env["COLUMNS"] = "120"
    return env


def _run(args: list[str], cwd: Path, what: str, status: int = 0) -> None:
    proc = subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == status, (
        f"{what} exited {proc.returncode}\n--- stdout\n{proc.stdout[-3000:]}\n"
        f"--- stderr\n{proc.stderr[-3000:]}"
    )


def test_every_block_says_its_language() -> None:
    bad = [line for lang, _, line in BLOCKS if lang not in RUN + SHOWN]
    assert not bad, f"README.md: tag the code blocks at lines {bad} (python, sh, text, toml)"
    assert len(PYTHON) >= 4 and len(SHELL) >= 3


def test_commands_are_split_as_a_shell_would() -> None:
    block = "a --x 1 \\\n    --y 2   # note\n    # more of the note\nb\n"
    assert [c.split() for c in commands(block)] == [["a", "--x", "1", "--y", "2"], ["b"]]


@pytest.mark.parametrize(("code", "line"), PYTHON, ids=[f"line{line}" for _, line in PYTHON])
def test_python_block_runs(code: str, line: int, workdir: Path) -> None:
    _run([sys.executable, "-c", code], workdir, f"README.md:{line} (python)")


def _shell(block: str, line: int, workdir: Path, *, slow: bool) -> None:
    todo = [c for c in commands(block) if _skip_reason(c) is None and (slow or not _is_slow(c))]
    if not todo:
        reasons = {c: _skip_reason(c) or "slow (-m slow runs it)" for c in commands(block)}
        pytest.skip("; ".join(f"{c}: {r}" for c, r in reasons.items()))
    for command in todo:
        status = next((code for pat, code in EXIT.items() if re.search(pat, command)), 0)
        _run(["bash", "-c", command], workdir, f"README.md:{line}: {command}", status)


@pytest.mark.parametrize(("block", "line"), SHELL, ids=[f"line{line}" for _, line in SHELL])
def test_shell_block_runs(block: str, line: int, workdir: Path) -> None:
    _shell(block, line, workdir, slow=False)


SLOW_SHELL = [(b, line) for b, line in SHELL if any(_is_slow(c) for c in commands(b))]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("block", "line"), SLOW_SHELL, ids=[f"line{line}" for _, line in SLOW_SHELL]
)
def test_shell_block_runs_whole(block: str, line: int, workdir: Path) -> None:
    _shell(block, line, workdir, slow=True)
