"""How a campaign's dispersions are drawn: independent draws, or a space-filling design.

``sampling = "random"`` (the default) draws every run's dispersions from its own stream, as
``campaign.sampling`` describes. ``"latin_hypercube"`` and ``"sobol"`` place the runs on one
design over the unit cube of the dispersions (``scipy.stats.qmc``), one dimension per
``[[dispersions]]`` entry; each run's point goes through the distribution's inverse CDF. The
design is seeded from the campaign seed alone, so a run's point depends only on the seed, its
index and (Latin hypercube) the number of runs, never on the workers or the backend.

- Sobol' is a sequence: run ``i`` takes the ``i``-th point of a scrambled sequence, whatever the
  number of runs, so a campaign can be extended. Balance is best at powers of two.
- A Latin hypercube is built for a number of runs: each dimension's range is cut into ``runs``
  equal-probability strata and every stratum is drawn exactly once. Extending such a campaign
  with more runs would draw the new runs from another design, so keep ``runs`` fixed.

Faults (their presence and parameters) are still drawn from each run's own stream.
"""

from __future__ import annotations

import copy
import functools
from enum import StrEnum
from typing import Any

import numpy as np

__all__ = ["DESIGN_TAG", "MAX_LHS_RUNS", "Sampling", "design_point"]

# Mixed into the campaign seed so that the design's stream is not any run's stream
DESIGN_TAG = 0x514D43  # "QMC"
MAX_LHS_RUNS = 1_000_000  # a Latin hypercube is held whole in memory: runs x dimensions floats


class Sampling(StrEnum):
    """The campaign file's ``sampling`` key."""

    RANDOM = "random"
    LATIN_HYPERCUBE = "latin_hypercube"
    SOBOL = "sobol"


def _design_rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, DESIGN_TAG]))


@functools.lru_cache(maxsize=4)
def _latin_hypercube(seed: int, dims: int, runs: int) -> np.ndarray:
    from scipy.stats import qmc

    design = qmc.LatinHypercube(d=dims, rng=_design_rng(seed)).random(runs)
    design.setflags(write=False)
    return design


@functools.lru_cache(maxsize=4)
def _sobol_engine(seed: int, dims: int) -> Any:
    """The campaign's scrambled Sobol' engine at its start (scrambling costs ~15 ms: once)."""
    from scipy.stats import qmc

    return qmc.Sobol(d=dims, scramble=True, rng=_design_rng(seed))


def _sobol_point(seed: int, dims: int, index: int) -> np.ndarray:
    engine = copy.deepcopy(_sobol_engine(seed, dims))  # the cached one stays at its start
    if index:
        engine.fast_forward(index)
    return engine.random(1)[0]


def design_point(
    sampling: Sampling | str, seed: int, dims: int, runs: int, index: int
) -> np.ndarray | None:
    """The unit-cube point of run ``index``, or ``None`` for independent random draws.

    Parameters
    ----------
    sampling : Sampling
        The design.
    seed : int
        The campaign's root seed.
    dims : int
        Number of dispersions.
    runs : int
        Number of runs in the campaign (the Latin hypercube is built for it).
    index : int
        The run.

    Returns
    -------
    ndarray of shape (dims,) or None
        Coordinates in (0, 1), one per dispersion in file order.
    """
    sampling = Sampling(sampling)
    if sampling is Sampling.RANDOM or dims == 0:
        return None
    if sampling is Sampling.SOBOL:
        point = _sobol_point(seed, dims, index)
    else:
        point = _latin_hypercube(seed, dims, runs)[index]
    # a scrambled point is never exactly 0 or 1 in practice; keep the inverse CDFs finite anyway
    return np.clip(point, np.finfo(float).tiny, 1.0 - np.finfo(float).eps)
