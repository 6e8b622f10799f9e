"""Run a campaign: resume what exists, fly the missing runs on the chosen executor, store rows."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from boostback.campaign.executor import dask_executor, default_workers, drive
from boostback.campaign.executor import process_executor_factory as _pool
from boostback.campaign.lock import folder_lock
from boostback.campaign.run import TRAJECTORY_KEY, CampaignContext, prepare, run_batch
from boostback.campaign.spec import CampaignSpec
from boostback.campaign.stats import wilson_interval
from boostback.campaign.store import (
    close_store,
    load_results,
    open_store,
    write_part,
    write_trajectory,
)
from boostback.config.errors import ConfigError
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
    until_ci: float | None = None,
    table: bool = True,
) -> pd.DataFrame | None:
    """Fly every run of ``spec`` that ``out`` does not hold yet; return the full results table
    (``table=False``: return None, for a campaign too large to hold in memory; summarise it
    streaming with ``campaign.stats.summarize_store``).

    ``workers=1`` runs in this process; more use local processes (default: one per core);
    ``scheduler`` (an address) or ``dask_local`` (a LocalCluster of that many workers) use Dask.
    ``progress`` is called once before any run is flown (``done`` counts the runs resumed from
    ``out``, ``session_done`` is 0), then after each batch is stored.

    ``until_ci``: fly in rounds of :data:`CI_STEP` runs (runs ``0..n-1`` for n = 50, 100, ...)
    and stop after the first round whose landing probability has a 95 % Wilson interval at
    most ``until_ci`` wide, or at ``spec.runs``; the table returned holds runs ``0..n-1``. The
    rounds do not depend on the batch size, the workers or the backend, so the same width
    always stops at the same run count.

    The folder is locked for the whole call (``campaign.lock``); a second call on it meanwhile
    raises :class:`~boostback.campaign.lock.FolderBusy`, a ``ConfigError``.
    """
    out = Path(out)
    if runs is not None and runs < 1:
        raise ConfigError(f"must be at least 1, got {runs}", key="runs")
    if until_ci is not None and not 0.0 < until_ci <= 1.0:
        raise ConfigError(f"a width must lie in (0, 1], got {until_ci:g}", key="until_ci")
    if runs is not None:
        spec = spec.model_copy(update={"runs": runs})
    ctx = prepare(spec, base_dir, file)
    with folder_lock(out):
        done = open_store(out, spec, ctx.base_sha256)
        session = _Session(out, spec.runs, sum(r < spec.runs for r in done), progress)
        session.report()  # the runs resumed from disk, before any is flown

        def fly(upto: int) -> None:
            todo = [i for i in range(upto) if i not in done]
            size = spec.execution.batch_size
            batches = [todo[k : k + size] for k in range(0, len(todo), size)]
            if batches:
                _fly(ctx, batches, session.on_rows, workers, scheduler, dask_local)
            done.update(todo)

        try:
            if until_ci is None:
                fly(spec.runs)
                return load_results(out) if table else None
            stop = _fly_until_ci(out, spec.runs, until_ci, fly)
            frame = load_results(out)
            return frame[frame["run"] < stop].reset_index(drop=True)
        finally:
            close_store(out)


CI_STEP = 50  # runs per round of ``until_ci``


def _fly_until_ci(out: Path, most: int, width: float, fly: Callable[[int], None]) -> int:
    """Fly rounds of :data:`CI_STEP` runs until the Wilson 95 % interval of the landing
    probability over runs ``0..n-1`` is at most ``width`` wide (or ``n`` reaches ``most``);
    return ``n``."""
    n = 0
    while n < most:
        n = min(n + CI_STEP, most)
        fly(n)
        frame = load_results(out)
        completed = frame[(frame["run"] < n) & (frame["outcome"] != Outcome.ERROR)]
        landed = int((completed["outcome"] == Outcome.LANDED).sum())
        lo, hi = wilson_interval(landed, len(completed))
        if hi - lo <= width:
            break
    return n


class _Session:
    """Stores the rows of each batch as it finishes and reports progress."""

    def __init__(
        self, out: Path, total: int, resumed: int, progress: Callable[[Progress], None] | None
    ) -> None:
        self.out, self.total, self.progress = out, total, progress
        self.done, self.session, self.landed, self.errors = resumed, 0, 0, 0
        self.start = time.perf_counter()

    def report(self) -> None:
        if self.progress is not None:
            elapsed = time.perf_counter() - self.start
            self.progress(
                Progress(self.done, self.total, self.session, self.landed, self.errors, elapsed)
            )

    def on_rows(self, rows: list[dict]) -> None:
        for row in rows:  # trajectories first: a shard on disk means its runs are complete
            traj = row.pop(TRAJECTORY_KEY, None)
            if traj is not None:
                write_trajectory(self.out, row["run"], traj)
        write_part(self.out, rows)
        self.done += len(rows)
        self.session += len(rows)
        self.landed += sum(r.get("outcome") == Outcome.LANDED for r in rows)
        self.errors += sum(r.get("outcome") == Outcome.ERROR for r in rows)
        self.report()


def _fly(
    ctx: CampaignContext,
    batches: list[list[int]],
    on_rows: Callable[[list[dict]], None],
    workers: int | None,
    scheduler: str | None,
    dask_local: int | None,
) -> None:
    """Fly ``batches`` on the chosen executor, handing each batch's rows to ``on_rows``."""
    if scheduler is not None or dask_local is not None:
        with dask_executor(scheduler, dask_local) as ex:
            drive(lambda: ex, ctx, batches, on_rows, max_inflight=4 * (dask_local or 8))
        return
    n = workers or default_workers()
    if n == 1:
        for batch in batches:
            on_rows(run_batch(ctx, batch, in_worker=False))
    else:
        drive(_pool(n), ctx, batches, on_rows, max_inflight=2 * n)
