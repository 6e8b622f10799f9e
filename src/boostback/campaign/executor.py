"""Where runs execute: in this process, on local worker processes, or on a Dask cluster.

Every backend is driven through ``concurrent.futures``: a ``ProcessPoolExecutor``, or the
executor a ``distributed.Client`` hands out. Batches that die with their worker are split into
single runs and retried one at a time, so a run that kills its worker is found and recorded as
an error while the rest of the campaign goes on.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

from boostback.campaign.run import CampaignContext, run_batch
from boostback.config.vocab import Outcome

Rows = list[dict[str, Any]]


def default_workers() -> int:
    return max(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1, 1)


@contextmanager
def dask_executor(scheduler: str | None, local_workers: int | None) -> Iterator[Executor]:
    """A ``concurrent.futures`` executor on a Dask cluster (an address, or a new LocalCluster)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise RuntimeError(
            "Dask support needs the 'dask' extra: pip install boostback[dask]"
        ) from exc
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=local_workers or default_workers(),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _process_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))


def drive(
    make_executor: Callable[[], Executor],
    ctx: CampaignContext,
    batches: list[list[int]],
    on_rows: Callable[[Rows], None],
    max_inflight: int,
) -> None:
    """Run all batches; call ``on_rows`` as each finishes. Survives workers that die.

    A batch whose worker fails is split into single runs, which are then retried one at a time
    ("isolated"); a single run whose worker fails while isolated is recorded as an error.
    """
    executor = make_executor()
    pending: deque[list[int]] = deque(batches)
    suspects: deque[int] = deque()
    inflight: dict[Future, tuple[list[int], bool]] = {}

    def submit(batch: list[int], isolated: bool) -> None:
        inflight[executor.submit(run_batch, ctx, batch)] = (batch, isolated)

    try:
        while pending or suspects or inflight:
            if suspects:
                if not inflight:
                    submit([suspects.popleft()], True)
            else:
                while pending and len(inflight) < max_inflight:
                    submit(pending.popleft(), False)
            done, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
            broken = False
            for fut in done:
                batch, isolated = inflight.pop(fut)
                try:
                    rows = fut.result()
                except Exception as exc:  # the worker failed, not the run (runs never raise)
                    broken = True
                    if isolated:
                        on_rows([_infrastructure_error(batch[0], exc)])
                    else:
                        suspects.extend(batch)
                    continue
                on_rows(rows)
            if broken and isinstance(executor, ProcessPoolExecutor):
                # A broken pool fails every future it holds: requeue what was still in flight.
                for fut, (batch, _) in inflight.items():
                    fut.cancel()
                    suspects.extend(batch)
                inflight.clear()
                executor.shutdown(wait=False, cancel_futures=True)
                executor = make_executor()
    finally:
        if isinstance(executor, ProcessPoolExecutor):
            executor.shutdown(wait=True, cancel_futures=True)


def _infrastructure_error(run: int, exc: BaseException) -> dict[str, Any]:
    name = type(exc).__name__
    text = str(exc) or "worker process died"
    return {"run": run, "outcome": Outcome.ERROR.value, "error": f"worker failed ({name}): {text}"}


def process_executor_factory(workers: int) -> Callable[[], Executor]:
    return lambda: _process_pool(workers)
