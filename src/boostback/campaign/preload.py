"""Warm a worker once, when it starts: import what a campaign run needs and load the compiled
kernels, so that no campaign pays it on its first runs.

A fresh process pays some tenths of a second before its first landing (the modules a run
imports, numba's kernels loaded from the on-disk cache); a Dask worker that starts when a
campaign starts makes the campaign wait for it. Start the workers of a cluster with this module
as their preload, and they pay it once, before any campaign::

    dask scheduler --port 8786
    dask worker tcp://HOST:8786 --nthreads 1 --preload boostback.campaign.preload

(one thread per worker process: a run holds the interpreter; ``--nworkers N`` starts N such
processes on a machine). ``boostback mc run --scheduler tcp://HOST:8786`` then starts flying at
once. :func:`warm` can be called in any process for the same effect.
"""

from __future__ import annotations

import logging
import time
from typing import Any

__all__ = ["dask_setup", "mark_warm", "warm", "warmed_s"]

WARM_SCENARIO = "falcon9_landing"
log = logging.getLogger("distributed.worker")
_warmed_s: float | None = None


def warm(scenario: str = WARM_SCENARIO) -> float:
    """Import the campaign's run code and fly one landing of ``scenario`` (kernels loaded).

    Runs once per process; later calls return at once.

    Parameters
    ----------
    scenario : str
        A built-in landing scenario.

    Returns
    -------
    float
        Seconds the first call took (0 on later calls).
    """
    global _warmed_s
    if _warmed_s is not None:
        return 0.0
    t0 = time.perf_counter()
    from boostback.campaign.run import prepare, run_one
    from boostback.campaign.spec import campaign_from_dict

    ctx = prepare(campaign_from_dict({"scenario": scenario, "runs": 1, "seed": 0}), None)
    row = run_one(ctx, 0, in_worker=False)
    _warmed_s = time.perf_counter() - t0
    if row.get("error"):  # a warm-up that failed is no reason to refuse work
        log.warning("boostback preload: the warm-up landing failed: %s", row["error"])
    return _warmed_s


def warmed_s() -> float | None:
    """How long this process's warm-up took (``None``: not warmed)."""
    return _warmed_s


def mark_warm(seconds: float) -> None:
    """Record that this process is warm without flying the warm-up landing: it has just flown
    a campaign's run itself (``seconds`` long), which loaded what that campaign needs."""
    global _warmed_s
    if _warmed_s is None:
        _warmed_s = seconds


def dask_setup(worker: Any) -> None:
    """Dask's preload hook (``dask worker --preload boostback.campaign.preload``)."""
    seconds = warm()
    log.info("boostback preload: campaign code imported and kernels loaded in %.2f s", seconds)
    print(f"boostback preload: warm in {seconds:.2f} s", flush=True)
