"""A real Dask cluster (#20): a scheduler and two workers started as separate commands, as on a
cluster, the workers warmed by ``--preload boostback.campaign.preload``; a campaign through
``--scheduler`` loses one worker (SIGKILL) mid-campaign and still returns the complete table,
identical to the local processes executor's."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from boostback.campaign.campaign import run_campaign
from boostback.campaign.spec import load_campaign
from boostback.campaign.store import load_results
from test_campaign import assert_identical, write_campaign

pytest.importorskip("distributed")

DASK = str(Path(sys.executable).with_name("dask"))
RUNS = 16
PRELOAD = "boostback.campaign.preload"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    address: str
    logs: Path
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self, name: str, *args: str) -> None:
        """A ``dask`` command in its own process group (its nanny and worker die together)."""
        log = (self.logs / f"{name}.log").open("w")
        self.procs[name] = subprocess.Popen(
            [DASK, *args], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill(self, name: str) -> None:
        proc = self.procs[name]
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    from distributed import Client

    port = free_port()
    c = Cluster(f"tcp://127.0.0.1:{port}", tmp_path_factory.mktemp("dask"))
    try:
        c.start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", str(port),
                "--no-dashboard")  # fmt: skip
        for name in ("worker0", "worker1"):
            c.start(name, "worker", c.address, "--nthreads", "1", "--name", name,
                    "--no-dashboard", "--preload", PRELOAD)  # fmt: skip
        with Client(c.address, timeout=120) as client:
            client.wait_for_workers(2, timeout=180)
        yield c
    finally:
        for name in list(c.procs):
            c.kill(name)


@pytest.fixture(scope="module")
def processes(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    folder = tmp_path_factory.mktemp("processes")
    spec, base = load_campaign(write_campaign(folder, runs=RUNS))
    return run_campaign(spec, folder / "out", base_dir=base, workers=2)


def test_workers_are_warmed_by_the_preload(cluster: Cluster) -> None:
    from distributed import Client

    def warmed() -> float | None:
        from boostback.campaign.preload import warmed_s

        return warmed_s()

    with Client(cluster.address, timeout=60) as client:
        seconds = client.run(warmed)
    assert len(seconds) == 2 and all(s is not None and s > 0 for s in seconds.values())
    assert "boostback preload: warm in" in cluster.log("worker0")


def test_a_worker_killed_mid_campaign_loses_no_run(
    cluster: Cluster, processes: pd.DataFrame, tmp_path: Path
) -> None:
    spec, base = load_campaign(write_campaign(tmp_path, runs=RUNS))
    killed: list[int] = []

    def kill_a_worker_after_the_first_batch(p: Any) -> None:
        if p.session_done and not killed:
            cluster.kill("worker1")
            killed.append(p.session_done)

    frame = run_campaign(
        spec,
        tmp_path / "out",
        base_dir=base,
        scheduler=cluster.address,
        progress=kill_a_worker_after_the_first_batch,
    )
    assert killed and killed[0] < RUNS  # the worker died while runs were left to fly
    assert cluster.procs["worker1"].poll() is not None
    assert (frame["error"] == "").all(), frame["error"].tolist()
    assert_identical(processes, frame)


def test_mc_run_through_the_scheduler(
    cluster: Cluster, processes: pd.DataFrame, tmp_path: Path
) -> None:
    """The command line, on the cluster that is left (one worker)."""
    path = write_campaign(tmp_path, runs=4)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "boostback.cli", "mc", "run", str(path), "--out", str(out)]
    done = subprocess.run(
        [*cmd, "--scheduler", cluster.address, "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert_identical(processes[processes["run"] < 4], load_results(out))
