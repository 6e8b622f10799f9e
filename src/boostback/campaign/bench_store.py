"""Benchmarks of the campaign store and executors (``store_rows``), and the synthetic campaign
rows they and the store's scale tests are written from: shaped like a landing campaign's rows
(``campaign.run.run_one``), drawn from a seeded generator, no flight flown."""

from __future__ import annotations

from typing import Any

import numpy as np

OUTCOMES = ("landed", "hard_landing", "missed_pad", "crashed", "propellant_depleted")
METRIC_COLUMNS = (
    "ignition_t_s",
    "ignition_altitude_m",
    "burn_time_s",
    "touchdown_t_s",
    "touchdown_vertical_speed_mps",
    "touchdown_lateral_speed_mps",
    "touchdown_tilt_deg",
    "miss_distance_m",
    "propellant_used_kg",
    "propellant_left_kg",
    "replans",
    "guidance_solves",
    "touchdown_east_m",
    "touchdown_north_m",
)


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
