"""The economics Monte Carlo kernels, compiled through :func:`boostback.jit.jit`: numpy arrays
and floats in, arrays out. Every random number is drawn outside (numpy ``Generator`` streams from
one root seed), so a kernel is a deterministic function of its arrays and the results are
bit-identical for the same seed, compiled or not.

A landing draws one uniform ``u`` per attempt: it lands if ``u < p``, is recovered damaged if
``p <= u < p + (1 - p) d``, and is lost otherwise. The same uniforms serve every ``p`` (common
random numbers), so a lower ``p`` never turns a lost booster into a kept one.
"""

from __future__ import annotations

import numpy as np

from boostback.jit import jit

__all__ = ["deploy_kernel", "programme_kernel"]


@jit
def programme_kernel(
    p: np.ndarray, u: np.ndarray, damaged_share: float, refurb: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One programme of flights per sample: boosters built, refurbishment paid, losses, and the
    life left in the booster in hand when the programme ends.

    Parameters
    ----------
    p : ndarray, shape (S,)
        Landing probability of each sample.
    u : ndarray, shape (S, F)
        One uniform per flight's landing.
    damaged_share : float
        Share of failed landings that keep the booster.
    refurb : ndarray, shape (life,)
        Refurbishment before a booster's ``(j + 1)``-th flight (``refurb[0]`` unused).

    Returns
    -------
    built, refurb_usd, lost, damaged, residual : ndarray, shape (S,)
        Boosters built, refurbishment dollars, boosters lost, damaged recoveries, and the share
        of its life the last booster has left (0 if it was lost or is worn out).
    """
    n_samples, n_flights = u.shape
    life = refurb.shape[0]
    built = np.zeros(n_samples)
    spent = np.zeros(n_samples)
    lost = np.zeros(n_samples)
    damaged = np.zeros(n_samples)
    residual = np.zeros(n_samples)
    for s in range(n_samples):
        kept_below = p[s] + (1.0 - p[s]) * damaged_share
        age = life  # flights flown by the booster in hand; life means "build a new one"
        for k in range(n_flights):
            if age >= life:
                built[s] += 1.0
                age = 0
            elif age > 0:
                spent[s] += refurb[age]
            age += 1
            if u[s, k] < p[s]:
                continue
            if u[s, k] < kept_below:
                damaged[s] += 1.0
            else:
                lost[s] += 1.0
                age = life
        residual[s] = (life - age) / life
    return built, spent, lost, damaged, residual


@jit
def deploy_kernel(
    p: np.ndarray,
    u_land: np.ndarray,
    u_launch: np.ndarray,
    settings: np.ndarray,
    milestones: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Launch a constellation, one launch after another, per sample.

    A launch goes at the latest of: the earliest free pad, the earliest ready booster, and the
    previous launch plus the minimum gap. A booster that lands (or is recovered damaged) is
    ready again after its turnaround unless it has reached its life; otherwise the production
    line, which makes one booster per build interval, replaces it.

    Parameters
    ----------
    p : ndarray, shape (S,)
        Landing probability of each sample.
    u_land, u_launch : ndarray, shape (S, M)
        One uniform per launch for its landing and for its success.
    settings : ndarray, shape (14,)
        satellites, per launch, pads, pad turnaround (days), booster turnaround (days), fleet,
        build interval (days), minimum gap (days), life (flights), launch success, recover
        (1 or 0), damaged share, start (days), unused.
    milestones : ndarray, shape (K,)
        Fractions of the satellites to time (ascending).

    Returns
    -------
    times, launches, built, lost, failed : ndarray
        Days at which each milestone was reached (NaN: not within M launches), shape (S, K);
        launches flown, boosters built, boosters lost and launches failed, shape (S,).
    """
    n_samples, n_max = u_land.shape
    n_sats, per_launch = settings[0], settings[1]
    pads, pad_turn, turn = int(settings[2]), settings[3], settings[4]
    fleet, build, gap, life = int(settings[5]), settings[6], settings[7], int(settings[8])
    success, recover, share, t0 = settings[9], settings[10] > 0.5, settings[11], settings[12]
    n_mile = milestones.shape[0]
    times = np.full((n_samples, n_mile), np.nan)
    launches = np.zeros(n_samples)
    built = np.zeros(n_samples)
    lost = np.zeros(n_samples)
    failed = np.zeros(n_samples)
    for s in range(n_samples):
        ready = np.full(fleet, t0)
        age = np.zeros(fleet, dtype=np.int64)
        pad = np.full(pads, t0)
        line, last, deployed, m = t0, t0 - gap, 0.0, 0
        kept_below = p[s] + (1.0 - p[s]) * share
        for k in range(n_max):
            if m >= n_mile:
                break
            b = np.argmin(ready)
            j = np.argmin(pad)
            t = max(ready[b], pad[j], last + gap)
            last = t
            pad[j] = t + pad_turn
            launches[s] += 1.0
            if u_launch[s, k] < success:
                deployed += per_launch
            else:
                failed[s] += 1.0
            while m < n_mile and deployed >= milestones[m] * n_sats - 1e-9:
                times[s, m] = t
                m += 1
            age[b] += 1
            kept = recover and u_land[s, k] < kept_below
            if kept and age[b] < life:
                ready[b] = t + turn
                continue
            if recover and not kept:
                lost[s] += 1.0
            line = max(line, t) + build
            ready[b] = line
            age[b] = 0
            built[s] += 1.0
    return times, launches, built, lost, failed
