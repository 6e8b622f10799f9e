"""Run a campaign: resume what exists, fly the missing runs on the chosen executor, store rows."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from boostback.campaign.executor import dask_executor, default_workers, drive
from boostback.campaign.executor import process_executor_factory as _pool
from boostback.campaign.run import TRAJECTORY_KEY, prepare, run_batch
from boostback.campaign.spec import CampaignSpec
from boostback.campaign.store import (
    completed_runs,
    load_results,
    open_store,
    write_part,
    write_trajectory,
)
from boostback.config.vocab import Outcome


@dataclass(frozen=True)
class Progress:
    done: int  # runs on disk, including those resumed from an earlier session
    total: int
    session_done: int  # runs flown in this session
    landed: int  # of this session's runs
    errors: int
    elapsed_s: float


def run_campaign(
    spec: CampaignSpec,
    out: str | Path,
    *,
    base_dir: Path | None = None,
    runs: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    file: str | None = None,
) -> pd.DataFrame:
    """Fly every run of ``spec`` that ``out`` does not hold yet; return the full results table.

    ``workers=1`` runs in this process; more use local processes (default: one per core);
    ``scheduler`` (an address) or ``dask_local`` (a LocalCluster of that many workers) use Dask.
    ``progress`` is called once before any run is flown (``done`` counts the runs resumed from
    ``out``, ``session_done`` is 0), then after each batch is stored.
    """
    out = Path(out)
    if runs is not None:
        spec = spec.model_copy(update={"runs": runs})
    ctx = prepare(spec, base_dir, file)
    open_store(out, spec)
    done = completed_runs(out)
    todo = [i for i in range(spec.runs) if i not in done]
    size = spec.execution.batch_size
    batches = [todo[k : k + size] for k in range(0, len(todo), size)]
    start = time.perf_counter()
    counts = {"done": spec.runs - len(todo), "session": 0, "landed": 0, "errors": 0}

    def report() -> None:
        if progress is not None:
            progress(
                Progress(
                    counts["done"],
                    spec.runs,
                    counts["session"],
                    counts["landed"],
                    counts["errors"],
                    time.perf_counter() - start,
                )
            )

    report()  # the runs resumed from disk, before any is flown

    def on_rows(rows: list[dict]) -> None:
        for row in rows:  # trajectories first: a shard on disk means its runs are complete
            traj = row.pop(TRAJECTORY_KEY, None)
            if traj is not None:
                write_trajectory(out, row["run"], traj)
        write_part(out, rows)
        counts["done"] += len(rows)
        counts["session"] += len(rows)
        counts["landed"] += sum(r.get("outcome") == Outcome.LANDED for r in rows)
        counts["errors"] += sum(r.get("outcome") == Outcome.ERROR for r in rows)
        report()

    if batches:
        if scheduler is not None or dask_local is not None:
            with dask_executor(scheduler, dask_local) as ex:
                drive(lambda: ex, ctx, batches, on_rows, max_inflight=4 * (dask_local or 8))
        else:
            n = workers or default_workers()
            if n == 1:
                for batch in batches:
                    on_rows(run_batch(ctx, batch, in_worker=False))
            else:
                drive(_pool(n), ctx, batches, on_rows, max_inflight=2 * n)
    return load_results(out)
