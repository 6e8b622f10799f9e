"""The campaign results store under concurrency and damage (#14): one ``mc run`` per folder,
checksummed shards, quarantine and re-flight, a full disk, a killed coordinator, Ctrl-C under Dask,
and the resume key. The acceptance tests drive real ``boostback mc run`` subprocesses."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from boostback.campaign.boundary import monotonic_note
from boostback.campaign.campaign import run_campaign
from boostback.campaign.designs import Sampling
from boostback.campaign.lock import FolderBusy, folder_lock
from boostback.campaign.manifest import FORMAT, JOURNAL, SHARD_ROWS_ENV, SNAPSHOT
from boostback.campaign.spec import load_campaign
from boostback.campaign.store import QUARANTINE, completed_runs, load_results, results_key
from boostback.config.errors import ConfigError
from conftest import small_tmpfs
from test_campaign import assert_identical, write_campaign

RUNS = 12  # shards of 3 runs here (10,000 by default): 4 shards
MC_RUN = [sys.executable, "-m", "boostback.cli", "mc", "run"]


@pytest.fixture(scope="module", autouse=True)
def small_shards() -> Iterator[None]:
    """Shards of 3 runs in this module (and the ``mc run`` processes it starts), so that a
    12-run campaign has several shards to damage, as a big campaign of 10,000-run shards does."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SHARD_ROWS_ENV, "3")
        yield


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """An undamaged campaign folder of RUNS runs, flown in this process, and its table."""
    folder = tmp_path_factory.mktemp("reference")
    spec, base = load_campaign(write_campaign(folder, runs=RUNS))
    frame = run_campaign(spec, folder / "out", base_dir=base, workers=1)
    return folder, frame


@pytest.fixture
def copy(reference: tuple[Path, pd.DataFrame], tmp_path: Path) -> Path:
    """A copy of the reference campaign (its files and results folder) to damage."""
    shutil.copytree(reference[0], tmp_path, dirs_exist_ok=True)
    return tmp_path


def shards(out: Path) -> list[Path]:
    return sorted((out / "runs").glob("part-*.parquet"))


def mc_run(folder: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [*MC_RUN, str(folder / "campaign.toml"), "--out", str(folder / "out"), "--quiet"]
    return subprocess.run(
        [*cmd, "--workers", "1", *extra], capture_output=True, text=True, timeout=300
    )


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def start_long_run(folder: Path, reaper: list, *extra: str) -> subprocess.Popen[str]:
    """A 1000-run ``mc run`` in its own process group (handed to ``reaper`` at once), returned
    once its first shard is stored."""
    campaign = write_campaign(folder, runs=1000)
    proc = subprocess.Popen(
        [*MC_RUN, str(campaign), "--out", str(folder / "out"), "--quiet", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, signalled as a terminal's Ctrl-C is
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    reaper.append(proc)
    deadline = time.monotonic() + 120
    while not shards(folder / "out"):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no shard stored in 120 s"
        time.sleep(0.05)
    return proc


@pytest.fixture
def reaper() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes started by a test, killed (with their process group) when it ends."""
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()


def children(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        kids = [p for p, pp in parents.items() if pp == current]
        found += kids
        frontier += kids
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its exit status waits to be collected


# --- acceptance: real `boostback mc run` subprocesses --------------------------------------


def test_a_second_mc_run_on_a_folder_in_use_is_refused(tmp_path: Path, reaper: list) -> None:
    first = start_long_run(tmp_path, reaper, "--workers", "1")
    second = mc_run(tmp_path)
    assert second.returncode == 2, second.stderr
    (line,) = lines(second.stderr)
    assert str(tmp_path / "out") in line
    assert f"pid {first.pid}" in line
    assert "Traceback" not in second.stderr
    # the first run's lock dies with it: a later run is not blocked by a stale lock file
    os.killpg(first.pid, signal.SIGKILL)
    first.communicate()
    assert (tmp_path / "out" / ".lock").exists()
    later = mc_run(tmp_path, "--runs", "6")
    assert later.returncode == 0, later.stderr


def test_truncated_shard_is_quarantined_and_flown_again(
    reference: tuple[Path, pd.DataFrame], copy: Path
) -> None:
    victim = shards(copy / "out")[1]
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 2])
    result = mc_run(copy)
    assert result.returncode == 0, result.stderr
    (line,) = [ln for ln in lines(result.stderr) if ln.startswith("warning:")]
    assert str(victim) in line and "truncated" in line and QUARANTINE in line
    moved = copy / "out" / QUARANTINE / victim.name
    assert moved.read_bytes() == data[: len(data) // 2]
    assert not victim.exists()
    assert_identical(reference[1], load_results(copy / "out"))


def test_byte_flipped_shard_is_detected_left_out_then_flown_again(
    reference: tuple[Path, pd.DataFrame], copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    victim = shards(copy / "out")[2]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x10  # same length, one bit changed: only the checksum sees it
    victim.write_bytes(bytes(data))
    held = pq.read_metadata(victim).num_rows if _readable(victim) else 3
    partial = load_results(copy / "out")  # a reader names the shard and leaves it out
    (line,) = caplog.messages
    assert str(victim) in line and "checksum" in line
    assert len(partial) == RUNS - held
    result = mc_run(copy)
    assert result.returncode == 0, result.stderr
    assert "checksum" in result.stderr and str(victim) in result.stderr
    assert_identical(reference[1], load_results(copy / "out"))


def _readable(path: Path) -> bool:
    try:
        pq.read_metadata(path)
    except Exception:
        return False
    return True


def test_stray_foreign_parquet_is_named_and_never_a_phantom_run(
    reference: tuple[Path, pd.DataFrame], copy: Path
) -> None:
    out = copy / "out"
    stray = out / "runs" / "part-00000000-00000099-0badf00d.parquet"  # looks like a shard
    pd.DataFrame(
        {"run": range(100, 200), "outcome": ["landed"] * 100, "error": [""] * 100}
    ).to_parquet(stray, index=False)
    summary = subprocess.run(
        [sys.executable, "-m", "boostback.cli", "mc", "summary", str(out), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert summary.returncode == 0, summary.stderr
    assert json.loads(summary.stdout)["runs"] == RUNS  # not RUNS + 100
    (line,) = lines(summary.stderr)
    assert str(stray) in line and "not listed" in line
    result = mc_run(copy)
    assert result.returncode == 0, result.stderr
    assert str(stray) in result.stderr
    assert (out / QUARANTINE / stray.name).exists() and not stray.exists()
    assert_identical(reference[1], load_results(out))


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs (room for campaign.json and a few shards), unmounted afterwards."""
    with small_tmpfs(tmp_path / "disk") as mount:
        yield mount


def test_full_disk_exits_3_in_one_line_and_loses_nothing(
    reference: tuple[Path, pd.DataFrame], small_disk: Path, tmp_path: Path
) -> None:
    campaign = write_campaign(tmp_path / "files", runs=RUNS)
    out = small_disk / "out"
    cmd = [*MC_RUN, str(campaign), "--out", str(out), "--quiet", "--workers", "1"]
    env = {**os.environ, "BOOSTBACK_LOG_DIR": str(tmp_path / "logs")}
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 3, result.stderr
    (line,) = lines(result.stderr)
    assert "no space left" in line and f"resume with: boostback mc run {campaign} --out" in line
    log = Path(line.rsplit("log: ", 1)[1].rstrip(")"))
    assert log.parent == tmp_path / "logs"
    assert "ENOSPC" in log.read_text() or "No space left" in log.read_text()
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    saved = load_results(out)  # every listed shard reads back and matches its checksum
    assert 0 < len(saved) < RUNS
    assert_identical(reference[1][reference[1]["run"].isin(saved["run"])], saved)
    # with room again, the same command finishes the campaign
    shutil.copytree(out, tmp_path / "roomy")
    cmd[cmd.index(str(out))] = str(tmp_path / "roomy")
    assert subprocess.run(cmd, capture_output=True, timeout=300).returncode == 0
    assert_identical(reference[1], load_results(tmp_path / "roomy"))


def test_killed_coordinator_leaves_no_live_worker(tmp_path: Path, reaper: list) -> None:
    proc = start_long_run(tmp_path, reaper, "--workers", "2")
    workers = children(proc.pid)
    assert workers, "the campaign runs on worker processes"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10.0
    while any(alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in workers if alive(p)]


CTRL_C_TRIES = 5  # the hang this guards against came once in 11 tries


@pytest.mark.slow  # ~100 s; tests/test_campaign_interrupt.py checks the mechanism in seconds
def test_ctrl_c_with_local_workers_always_exits_130(
    reference: tuple[Path, pd.DataFrame], tmp_path: Path, reaper: list
) -> None:
    """Ctrl-C (to the process group, as a terminal sends it) ends ``mc run --workers 2`` with
    status 130 and one line, every time; the same command with ``--runs`` then flies every run
    left, and those of the reference match it to the bit."""
    for attempt in range(CTRL_C_TRIES):
        folder = tmp_path / f"try{attempt}"
        proc = start_long_run(folder, reaper, "--workers", "2")
        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)  # a hang fails here, not a slow exit
        assert proc.returncode == 130, (attempt, stderr)
        (line,) = lines(stderr)
        assert line.startswith("interrupted: ") and "resume with: " in line
    out = folder / "out"
    upto = max(completed_runs(out)) + 1 + RUNS  # every saved run and RUNS more
    result = mc_run(folder, "--runs", str(upto))  # in one process: --workers 1
    assert result.returncode == 0, result.stderr
    assert completed_runs(out) >= set(range(upto))
    frame = load_results(out)
    assert frame["run"].is_unique
    assert_identical(reference[1], frame[frame["run"] < RUNS].reset_index(drop=True))


def test_ctrl_c_under_dask_ends_with_one_line(tmp_path: Path, reaper: list) -> None:
    pytest.importorskip("distributed")
    proc = start_long_run(tmp_path, reaper, "--dask-local", "2")
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert len(lines(stderr)) == 1, stderr
    (line,) = lines(stderr)
    saved = len(completed_runs(tmp_path / "out"))
    out = tmp_path / "out"
    resume = f"boostback mc run {tmp_path / 'campaign.toml'} --out {out}"
    assert line == f"interrupted: {saved} of 1000 runs saved in {out}; resume with: {resume}"


# --- the store in process: manifests, old folders, the resume key, the lock ----------------


def test_folder_without_manifest_is_adopted(
    reference: tuple[Path, pd.DataFrame], copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = copy / "out"
    (out / "runs" / SNAPSHOT).unlink()
    (out / "runs" / JOURNAL).unlink(missing_ok=True)
    (out / "runs" / "part-00000050-00000050-00000000.parquet").write_bytes(b"PAR1 not parquet")
    frame = load_results(out)
    assert_identical(reference[1], frame)
    (line,) = caplog.messages
    assert "part-00000050" in line and "not a readable Parquet file" in line
    spec, base = load_campaign(copy / "campaign.toml")
    again = run_campaign(spec, out, base_dir=base, workers=1)  # adopts, flies nothing
    assert_identical(reference[1], again)
    assert (out / "runs" / SNAPSHOT).exists()
    assert (out / QUARANTINE / "part-00000050-00000050-00000000.parquet").exists()


def _resume(copy: Path, text: str) -> list[int]:
    """Run the copy's campaign with ``text`` in place of its execution table; return how
    many runs each progress report says this session flew."""
    path = copy / "campaign.toml"
    path.write_text(path.read_text().replace("[execution]\nbatch_size = 3\n", text))
    spec, base = load_campaign(path)
    flown: list[int] = []
    run_campaign(
        spec, copy / "out", base_dir=base, workers=1, progress=lambda p: flown.append(p.done)
    )
    return flown


def test_execution_settings_resume(reference: tuple[Path, pd.DataFrame], copy: Path) -> None:
    text = "[execution]\nbatch_size = 5\nwall_limit_s = 60.0\nsave_trajectories = false\n"
    assert _resume(copy, text) == [RUNS]  # everything resumed, nothing flown
    assert_identical(reference[1], load_results(copy / "out"))


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("seed = 7", "seed = 8", "the seed (7 there, 8 here)"),
        ("sigma = 100.0", "sigma = 90.0", "the dispersions"),
        ("probability = 0.3", "probability = 0.4", "the faults"),
        ("seed = 7", 'seed = 7\nsampling = "sobol"', 'the sampling ("random" there, "sobol" here)'),
    ],
)
def test_a_results_mismatch_names_what_differs(copy: Path, old: str, new: str, named: str) -> None:
    path = copy / "campaign.toml"
    path.write_text(path.read_text().replace(old, new))
    spec, base = load_campaign(path)
    with pytest.raises(ConfigError, match="different campaign") as err:
        run_campaign(spec, copy / "out", base_dir=base, workers=1)
    assert named in str(err.value)


def test_a_folder_from_before_the_sampling_key_resumes_as_random(
    reference: tuple[Path, pd.DataFrame], copy: Path
) -> None:
    meta = copy / "out" / "campaign.json"
    data = json.loads(meta.read_text())
    del data["results_key"]["sampling"]
    meta.write_text(json.dumps(data))
    assert _resume(copy, "[execution]\nbatch_size = 3\n") == [RUNS]
    assert_identical(reference[1], load_results(copy / "out"))


def test_a_changed_scenario_file_is_a_mismatch(copy: Path) -> None:
    scenario = copy / "fast.toml"
    scenario.write_text(scenario.read_text().replace("dt_s = 0.05", "dt_s = 0.04"))
    spec, base = load_campaign(copy / "campaign.toml")
    with pytest.raises(ConfigError, match="contents of the base scenario or vehicle"):
        run_campaign(spec, copy / "out", base_dir=base, workers=1)


def test_lock_names_its_holder_and_dies_with_it(tmp_path: Path) -> None:
    with folder_lock(tmp_path), pytest.raises(FolderBusy, match=f"pid {os.getpid()}"):
        with folder_lock(tmp_path):
            pass
    pid = os.fork()
    if pid == 0:  # a process that takes the lock and dies holding it
        with folder_lock(tmp_path):
            os._exit(0)
    os.waitpid(pid, 0)
    with folder_lock(tmp_path):
        assert (tmp_path / ".lock").read_text().strip() == str(os.getpid())


# --- mc boundary ---------------------------------------------------------------------------


def test_boundary_names_options_and_warns_when_not_monotonic(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from boostback.cli import app

    path = write_campaign(tmp_path, runs=4)
    args = ["mc", "boundary", str(path), "--out", str(tmp_path / "b"), "--lo", "0.4", "--hi", "0.2"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "--hi: need lo < hi, got --lo 0.4 and --hi 0.2" in result.output
    table = pd.DataFrame(
        {"fraction": [0.0, 0.1, 0.2, 0.4], "landing_probability": [1.0, 0.5, 0.75, 0.0]}
    )
    note = monotonic_note(table, "fraction")
    assert note is not None and "rises from 50.0% at 0.1 to 75.0% at 0.2" in note
    assert (
        monotonic_note(table.assign(landing_probability=[1.0, 0.75, 0.75, 0.0]), "fraction") is None
    )


def test_boundary_shows_the_whole_sweeps_progress(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from boostback.cli import app

    path = write_campaign(tmp_path, runs=4)
    out = tmp_path / "b"
    args = ["mc", "boundary", str(path), "--out", str(out), "--lo", "0", "--hi", "0.4"]
    more = ["--iterations", "1", "--threshold", "0.25", "--workers", "1"]
    result = CliRunner().invoke(app, [*args, *more])
    assert result.exit_code == 0, result.output
    # three campaigns of four runs: lo, hi and one bisection step, counted as one sweep
    assert "12/12" in result.stderr and "magnitude 3 of at most 3" in result.stderr


# --- mc run --until-ci -----------------------------------------------------------------------


def test_until_ci_stops_at_the_first_round_narrow_enough(tmp_path: Path) -> None:
    """Rounds of 50 runs: a width just under the first 50 runs' interval is not met there, so
    the campaign flies to its most (60); just over it is met at 50, and is found again from the
    stored runs with another batch size, nothing flown, the same rows returned."""
    from typer.testing import CliRunner

    from boostback.campaign.stats import wilson_interval
    from boostback.cli import app

    path = write_campaign(tmp_path, runs=60)
    spec, base = load_campaign(path)
    whole = run_campaign(spec, tmp_path / "all", base_dir=base, workers=1)
    head = whole[(whole["run"] < 50) & (whole["outcome"] != "error")]
    lo, hi = wilson_interval(int((head["outcome"] == "landed").sum()), len(head))
    width = hi - lo
    assert 0.0 < width < 0.3  # a campaign with losses: the interval is neither 0 nor huge
    narrow, wide = round(width - 0.005, 4), round(width + 0.005, 4)
    first = run_campaign(spec, tmp_path / "out", base_dir=base, workers=1, until_ci=narrow)
    assert list(first["run"]) == list(range(60))
    assert_identical(whole, first)
    path.write_text(path.read_text().replace("batch_size = 3", "batch_size = 7"))
    args = ["mc", "run", str(path), "--out", str(tmp_path / "out"), "--until-ci", str(wide)]
    result = CliRunner().invoke(app, [*args, "--quiet", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "Stopped at 50 runs" in result.stdout
    spec, base = load_campaign(path)
    again = run_campaign(spec, tmp_path / "out", base_dir=base, workers=2, until_ci=wide)
    assert_identical(first[first["run"] < 50], again)


def test_a_journal_line_cut_short_unlists_only_its_shard(
    reference: tuple[Path, pd.DataFrame], copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    runs_dir = copy / "out" / "runs"
    listing = json.loads((runs_dir / SNAPSHOT).read_text())
    last = listing["shards"].pop()
    (runs_dir / SNAPSHOT).write_text(json.dumps(listing))
    line = json.dumps(last)
    (runs_dir / JOURNAL).write_text(line[: len(line) // 2])  # a crash in the middle of a line
    frame = load_results(copy / "out")
    lost = {r for a, b in last["ranges"] for r in range(a, b)}
    assert set(frame["run"]) == set(range(RUNS)) - lost
    (message,) = caplog.messages
    assert last["name"] in message and "not listed" in message


def test_a_damaged_manifest_is_named_and_the_shards_adopted(
    reference: tuple[Path, pd.DataFrame], copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = copy / "out"
    (out / "runs" / SNAPSHOT).write_text('{"format": 1, "shards": [{"name": "part-')
    assert_identical(reference[1], load_results(out))
    assert len(caplog.messages) == 1 and SNAPSHOT in caplog.messages[0]
    spec, base = load_campaign(copy / "campaign.toml")
    assert_identical(reference[1], run_campaign(spec, out, base_dir=base, workers=1))
    assert (out / QUARANTINE / SNAPSHOT).exists()
    assert json.loads((out / "runs" / SNAPSHOT).read_text())["format"] == FORMAT


def test_a_latin_hypercube_cannot_grow_but_random_draws_can(copy: Path) -> None:
    spec, _ = load_campaign(copy / "campaign.toml")
    more = spec.model_copy(update={"runs": spec.runs + 10})
    assert results_key(spec) == results_key(more)  # a random campaign extends
    lhs = spec.model_copy(update={"sampling": Sampling.LATIN_HYPERCUBE})
    assert results_key(lhs) != results_key(lhs.model_copy(update={"runs": spec.runs + 10}))
