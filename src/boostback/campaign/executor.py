"""Where runs execute: in this process, on local worker processes, or on a Dask cluster.

Every backend is driven through ``concurrent.futures``: a ``ProcessPoolExecutor`` (forked from
the coordinator once it has loaded the kernels, so the workers start warm), or the executor a
``distributed.Client`` hands out (start a cluster's workers with ``--preload
boostback.campaign.preload`` and they are warm before any campaign; see that module). Batches
that die with their worker are split into single runs and retried one at a time, so a run that
kills its worker is found and recorded as an error while the rest of the campaign goes on.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

from boostback.campaign.lock import release_inherited
from boostback.campaign.preload import mark_warm, warm, warmed_s
from boostback.campaign.run import CampaignContext, run_batch
from boostback.config.vocab import Outcome

Rows = list[dict[str, Any]]


def default_workers() -> int:
    return max(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1, 1)


def dask_loggers() -> list[logging.Logger]:
    """Every logger of Dask and Tornado this process has made. Several carry their own level and
    handler (Dask's configuration sets ``distributed.client`` and ``tornado.application``), so
    raising the level of the parents alone does not quiet them.

    Returns
    -------
    list of logging.Logger
        The ``distributed*`` and ``tornado*`` loggers.
    """
    names = {"distributed", "tornado", *logging.root.manager.loggerDict}
    return [
        logging.getLogger(name)
        for name in sorted(names)
        if name.split(".")[0] in ("distributed", "tornado")
    ]


def quiet_dask_logging() -> None:
    """Nothing from Dask's loggers in this process from now on. Run on each of our own workers
    when a campaign stops early (the scheduler goes with the coordinator, and a worker whose
    heartbeat then fails logs a traceback at ERROR level that tells the user nothing), and by the
    command line before its last line when it ends early (the process is about to exit)."""
    for lg in dask_loggers():
        lg.setLevel(logging.CRITICAL + 1)


@contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """Ignore SIGINT while worker processes are started, so that they inherit "ignore".

    A terminal's Ctrl-C reaches every process of the foreground group; the coordinator alone
    answers it (it saves, closes the cluster and says how to resume). Workers that took it too
    would each die printing a traceback. Only ``SIG_IGN`` survives the ``exec`` that starts a
    Dask worker, and Python and asyncio leave an ignored SIGINT ignored.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def dask_executor(scheduler: str | None, local_workers: int | None) -> Iterator[Executor]:
    """A ``concurrent.futures`` executor on a Dask cluster (an address, or a new LocalCluster)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise RuntimeError(
            "Dask support needs the 'dask' extra: make dask, or pip install -e '.[dask]'"
        ) from exc
    cluster = None
    if scheduler is None:
        with _workers_ignore_ctrl_c():
            cluster = LocalCluster(
                n_workers=local_workers or default_workers(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                # The scheduler serves its health and metrics pages even without a dashboard,
                # on 8787 unless told: a port taken by another cluster printed a warning.
                scheduler_kwargs={"dashboard_address": ":0"},
            )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    executor = client.get_executor(pure=False)
    failed = False
    try:
        yield executor
    except BaseException:  # Ctrl-C or an error: the caller says what happened, in one line
        failed = True
        raise
    finally:
        # The workers' shutdown chatter ("still alive after 4 s, killing") and, after a failure,
        # the errors of futures whose results nobody waits for any more (this process's
        # scheduler and client log them as the futures are cancelled) are no news to the user.
        with _quiet_loggers(logging.CRITICAL if failed else logging.ERROR):
            if failed:
                _cancel(executor, client, own_workers=cluster is not None)
            with contextlib.suppress(Exception):
                client.close()
            if cluster is not None:
                with contextlib.suppress(Exception):
                    cluster.close()


def _cancel(executor: Executor, client: Any, own_workers: bool) -> None:
    """Cancel what is in flight before the client goes; quiet our own workers' loggers (a shared
    cluster's logs are not ours)."""
    with contextlib.suppress(Exception):
        executor.shutdown(wait=False)
    if own_workers:
        with contextlib.suppress(Exception):
            client.run(quiet_dask_logging)


@contextmanager
def _quiet_loggers(level: int) -> Iterator[None]:
    """Raise the level of Dask's and Tornado's loggers in this process for a block."""
    loggers = dask_loggers()
    before = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(max(lg.level, level))
    try:
        yield
    finally:
        for lg, old in zip(loggers, before, strict=True):
            lg.setLevel(old)


PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_POLL_S = 0.5


def _watch_parent(parent_pid: int) -> None:
    """End this worker as soon as its coordinator is gone (checked every ``PARENT_POLL_S``)."""
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_S)
    os._exit(1)


def _worker_init(parent_pid: int) -> None:
    """Set up a local worker process so that it never outlives its coordinator.

    On Linux the kernel kills the worker when the coordinator dies (``PR_SET_PDEATHSIG``);
    elsewhere, or if that call fails, a daemon thread watches the parent pid. The worker also
    closes its inherited copy of the results folder's lock (``campaign.lock``), and ignores
    SIGINT: a terminal's Ctrl-C reaches the whole process group, and the coordinator alone
    answers it (it ends the workers, see ``_end_pool``). A worker that took it would stop in the
    middle of a queue operation, holding a lock its siblings then wait on for ever. The pool is
    forked with SIGINT held (``_ctrl_c_held``), so none arrives before it is ignored here.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    release_inherited()
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent_pid:  # the coordinator died before the signal was armed
        os._exit(1)
    if not armed:
        threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()


@contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Hold SIGINT in this thread for a block (a ``submit`` that may fork the pool's workers).

    A forked worker inherits the held signal and ignores it before releasing it
    (``_worker_init``); the coordinator gets a Ctrl-C that arrived meanwhile as soon as the block
    ends, so none is lost.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


END_WAIT_S = 10.0  # for each ended worker to go (SIGTERM, then SIGKILL)


def _end_pool(executor: ProcessPoolExecutor) -> None:
    """Stop a local pool at once: cancel what has not started and end the workers.

    For an interrupted or failed campaign: no row a worker is computing would be stored any
    more (the coordinator stores rows), so nothing is waited for. Ending the workers also wakes
    the pool's manager thread (it sees them gone), which the interpreter joins at exit.
    """
    processes = list((getattr(executor, "_processes", None) or {}).values())  # CPython's pool
    executor.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.terminate()
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.join(END_WAIT_S)
            if proc.is_alive():
                proc.kill()
                proc.join(END_WAIT_S)


def _process_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_worker_init,
        initargs=(os.getpid(),),
    )


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
    if isinstance(make_executor, LocalPool) and warmed_s() is None:
        batches = _first_run_here(ctx, batches, on_rows)
    executor = make_executor()
    pending: deque[list[int]] = deque(batches)
    suspects: deque[int] = deque()
    inflight: dict[Future, tuple[list[int], bool]] = {}

    def submit(batch: list[int], isolated: bool) -> None:
        with _ctrl_c_held():  # the first submit forks the local workers
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
    except BaseException:  # Ctrl-C, or rows that could not be stored: nothing more is wanted
        if isinstance(executor, ProcessPoolExecutor):
            _end_pool(executor)
        raise
    if isinstance(executor, ProcessPoolExecutor):
        executor.shutdown(wait=True)


def _infrastructure_error(run: int, exc: BaseException) -> dict[str, Any]:
    name = type(exc).__name__
    text = str(exc) or "worker process died"
    return {"run": run, "outcome": Outcome.ERROR.value, "error": f"worker failed ({name}): {text}"}


def _first_run_here(
    ctx: CampaignContext, batches: list[list[int]], on_rows: Callable[[Rows], None]
) -> list[list[int]]:
    """Fly the campaign's first run in this process, before any worker is forked, and hand its
    row on; the batches left to the workers.

    The coordinator has to load the run code and the compiled kernels before it forks (so that
    the workers inherit them); flying one of the campaign's own runs does that (for the
    campaign's vehicle, fidelity and shapes) and its row is the campaign's first, where the
    warm-up landing of ``preload.warm`` was thrown away. The row is the one a worker would give
    (runs are deterministic). A run meant to kill its worker (``debug.kill_worker_runs``) is
    left to one.
    """
    if not batches or not batches[0] or batches[0][0] in ctx.spec.debug.kill_worker_runs:
        return batches
    first, *rest = batches
    t0 = time.perf_counter()
    rows = run_batch(ctx, first[:1], in_worker=False)
    mark_warm(time.perf_counter() - t0)
    on_rows(rows)
    return [first[1:], *rest] if len(first) > 1 else rest


class LocalPool:
    """Local worker processes, forked from this one once it is warm (call it for a new pool).

    The coordinator imports the run code and loads the compiled kernels once before the pool
    forks: every worker inherits them instead of paying for them itself, and a campaign's first
    rows come sooner. ``drive`` warms it by flying the campaign's first run here
    (``_first_run_here``); otherwise :func:`boostback.campaign.preload.warm` flies a warm-up
    landing.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def __call__(self) -> Executor:
        try:
            warm()
        except Exception as exc:  # a failed warm-up only costs the workers their own
            logging.getLogger(__name__).debug("warm-up failed: %s", exc)
        return _process_pool(self.workers)


def process_executor_factory(workers: int) -> Callable[[], Executor]:
    """Local worker processes, forked from this one once it is warm (``LocalPool``)."""
    return LocalPool(workers)
