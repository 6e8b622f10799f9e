"""Benchmarks of the campaign store and executors (``store_rows``), and the synthetic campaign
rows they and the store's scale tests are written from: shaped like a landing campaign's rows
(``campaign.run.run_one``), drawn from a seeded generator, no flight flown."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from boostback.campaign.columns import NUMERIC_FIELDS, TOUCHDOWN_COLUMNS
from boostback.campaign.manifest import ShardLimits, ShardWriter
from boostback.timing import BenchRow

OUTCOMES = ("landed", "hard_landing", "missed_pad", "crashed", "propellant_depleted")
METRIC_COLUMNS = (*NUMERIC_FIELDS, *TOUCHDOWN_COLUMNS)


BLOCK = 1000  # runs drawn together: a run's row does not depend on how the runs are batched


def _block(index: int, seed: int) -> dict[str, np.ndarray]:
    """The draws of runs ``index * BLOCK ...``: about 3 % failures whose odds grow with the
    altitude input."""
    rng = np.random.default_rng([seed, index])
    n = BLOCK
    alt = rng.normal(3000.0, 100.0, n)
    shortfall = (rng.random(n) < 0.3).astype(float)
    return {
        "alt": alt,
        "wind": rng.uniform(-5.0, 5.0, n),
        "shortfall": shortfall,
        "fraction": np.where(shortfall == 1.0, rng.uniform(0.0, 0.15, n), np.nan),
        "failed": rng.random(n) < 0.03 * np.exp((alt - 3000.0) / 100.0 - 0.5),
        "kind": rng.integers(1, len(OUTCOMES), n),
        "metrics": rng.normal(10.0, 3.0, (n, len(METRIC_COLUMNS))),
    }


def synthetic_rows(start: int, stop: int, seed: int = 0, error_every: int = 997) -> list[dict]:
    """Rows of runs ``start..stop-1`` as ``campaign.run.run_one`` makes them, one error row (a
    run that raised: inputs, outcome and error only) in ``error_every``.

    Parameters
    ----------
    start, stop : int
        The runs.
    seed : int
        Root seed; a run's row depends only on it and the run index.
    error_every : int
        One run in this many raised (0: none).

    Returns
    -------
    list of dict
    """
    rows: list[dict[str, Any]] = []
    for block in range(start // BLOCK, -(-stop // BLOCK)):
        d = _block(block, seed)
        for run in range(max(start, block * BLOCK), min(stop, (block + 1) * BLOCK)):
            i = run - block * BLOCK
            row: dict[str, Any] = {
                "run": run,
                "input:initial.altitude_m": float(d["alt"][i]),
                "input:environment.wind_enu_mps[0]": float(d["wind"][i]),
                "fault0_thrust_shortfall": float(d["shortfall"][i]),
                "fault0_fraction": float(d["fraction"][i]),
            }
            if error_every and run % error_every == error_every - 1:
                row.update(outcome="error", error=f"RuntimeError: run {run} raised on purpose")
            else:
                row["outcome"] = OUTCOMES[int(d["kind"][i])] if d["failed"][i] else "landed"
                row.update(zip(METRIC_COLUMNS, map(float, d["metrics"][i]), strict=True))
                row["error"] = ""
            rows.append(row)
    return rows


# --- the benchmark rows -------------------------------------------------------------------


def build_store(out: Path, runs: int, limits: ShardLimits | None = None) -> None:
    """``runs`` synthetic rows stored by the store's own writer, 10,000 at a time."""
    from boostback.campaign.store import store_shard

    (out / "runs").mkdir(parents=True, exist_ok=True)
    writer = ShardWriter(lambda rows: store_shard(out, rows), limits or ShardLimits())
    for start in range(0, runs, 10_000):
        writer.add(synthetic_rows(start, min(start + 10_000, runs)))
    writer.flush()


_SUMMARY = """
import json, resource, sys, time
from boostback.campaign.stats import summarize, summarize_store
from boostback.campaign.store import load_results
t0 = time.perf_counter()
out = sys.argv[1]
s = summarize_store(out) if sys.argv[2] == "streamed" else summarize(load_results(out))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"s": time.perf_counter() - t0, "peak_mb": peak, "runs": s.runs}))
"""

_FIRST_ROWS = """
import json, shutil, sys, tempfile, time
from pathlib import Path
def main():
    from boostback.campaign.campaign import run_campaign
    from boostback.campaign.spec import campaign_from_dict
    runs = int(sys.argv[2])
    spec = campaign_from_dict({"scenario": "falcon9_landing", "runs": runs, "seed": 1,
        "execution": {"batch_size": 1},
        "dispersions": [{"path": "initial.altitude_m", "dist": "normal", "sigma": 100.0}]})
    how = sys.argv[1]
    kw = {"1": {"workers": 1}, "2": {"workers": 2}, "dask_local": {"dask_local": 2}}.get(how)
    kw = kw if kw is not None else {"scheduler": how}
    marks, root = [], Path(tempfile.mkdtemp())
    t0 = time.perf_counter()
    mark = lambda p: marks.append((p.done, time.perf_counter()))
    run_campaign(spec, root / "out", progress=mark, **kw)
    shutil.rmtree(root)
    first = next(t for d, t in marks if d > 0)
    steady = (marks[-1][1] - first) / (runs - marks[1][0])
    print(json.dumps({"first_s": first - t0, "steady_s": steady}))
if __name__ == "__main__":
    main()
"""


def _python(code: str, *args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=1800
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _row(case: str, times: list[float], baseline: str, base: list[float], **kw: Any) -> BenchRow:
    return BenchRow(
        case=case,
        median_s=statistics.median(times),
        p90_s=float(np.percentile(times, 90)),
        baseline=baseline,
        baseline_median_s=statistics.median(base),
        **kw,
    )


def summary_row(runs: int = 1_000_000, repeats: int = 3) -> BenchRow:
    """The streamed summary of a synthetic store of ``runs`` rows against loading it whole, each
    in a fresh process (its peak RSS in the note)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        build_store(out, runs)
        streamed = [_python(_SUMMARY, str(out), "streamed") for _ in range(repeats)]
        loaded = _python(_SUMMARY, str(out), "loaded")
    peak = max(r["peak_mb"] for r in streamed)
    return _row(
        f"summary of {runs:,} runs, streamed",
        [r["s"] for r in streamed],
        "load_results + summarize",
        [loaded["s"]],
        target_s=10.0,
        note=f"peak RSS {peak:.0f} MB (loading: {loaded['peak_mb']:.0f} MB; goal < 1 GB)",
    )


class _Cluster:
    """A scheduler and two ``dask worker`` processes, as a cluster is started."""

    def __init__(self, preload: bool) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.address = f"tcp://127.0.0.1:{self.port}"
        dask = str(Path(sys.executable).with_name("dask"))
        extra = ["--preload", "boostback.campaign.preload"] if preload else []
        quiet = subprocess.DEVNULL
        self.procs = [
            subprocess.Popen(
                [
                    dask,
                    "scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--no-dashboard",
                ],
                start_new_session=True,
                stdout=quiet,
                stderr=quiet,
            )
        ]
        for _ in range(2):
            self.procs.append(
                subprocess.Popen(
                    [dask, "worker", self.address, "--nthreads", "1", "--no-dashboard", *extra],
                    start_new_session=True,
                    stdout=quiet,
                    stderr=quiet,
                )
            )

    def __enter__(self) -> str:
        from distributed import Client

        with Client(self.address, timeout=120) as client:
            client.wait_for_workers(2, timeout=300)
        return self.address

    def __exit__(self, *_: object) -> None:
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _median(results: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in results)


def startup_rows(repeats: int = 3, runs: int = 12) -> list[BenchRow]:
    """Time from ``run_campaign`` to its first finished run, in a fresh coordinator process.

    Local workers (forked from a warm coordinator) against one worker in the coordinator; a
    running Dask cluster whose workers were started with the preload against a ``--dask-local``
    cluster started by the campaign (what every campaign paid before) and against a cluster
    started without the preload (its first campaign pays the warm-up). Then runs/s, the steady
    rate after the first run, with 1 and 2 local workers.
    """
    one = [_python(_FIRST_ROWS, "1", str(runs)) for _ in range(repeats)]
    two = [_python(_FIRST_ROWS, "2", str(runs)) for _ in range(repeats)]
    spawned = [_python(_FIRST_ROWS, "dask_local", str(runs)) for _ in range(repeats)]
    cold = []
    for _ in range(repeats):  # a fresh cluster each time: only its first campaign pays
        with _Cluster(preload=False) as address:
            cold.append(_python(_FIRST_ROWS, address, str(runs)))
    with _Cluster(preload=True) as address:
        warm = [_python(_FIRST_ROWS, address, str(runs)) for _ in range(repeats)]
    first = [r["first_s"] for r in two]
    per_run_1, per_run_2 = [r["steady_s"] for r in one], [r["steady_s"] for r in two]
    return [
        _row(
            "campaign start-up, 2 local workers",
            first,
            "1 worker, in process",
            [r["first_s"] for r in one],
            target_s=1.0,
            note="first run done; the coordinator flies the first run itself, then forks",
        ),
        _row(
            "campaign start-up, Dask cluster preloaded",
            [r["first_s"] for r in warm],
            "--dask-local 2",
            [r["first_s"] for r in spawned],
            target_s=1.0,
            note=f"a cluster without the preload: {_median(cold, 'first_s'):.2f} s",
        ),
        _row(
            "seconds per run, 2 local workers",
            per_run_2,
            "1 worker",
            per_run_1,
            target_s=None,
            note=f"runs/s: {1 / statistics.median(per_run_1):.2f} on 1, "
            f"{1 / statistics.median(per_run_2):.2f} on 2 ({os.cpu_count()} cores)",
        ),
    ]


def store_rows(million: int = 1_000_000, repeats: int = 3) -> list[BenchRow]:
    """The store's and the executors' benchmark rows (``make bench``): the streamed summary of
    a million runs, campaign start-up with local workers and with Dask, runs/s on 1 and 2
    workers. Takes a few minutes (building the million-run store is most of it)."""
    return [summary_row(million, repeats), *startup_rows(repeats)]
