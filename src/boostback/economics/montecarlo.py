"""``boostback economics``: cost per flight and per kilogram of every recovery mode, as
distributions over what is known of the landing probability and over landing outcomes.

Each sample draws ``p`` from the landing belief (a Beta posterior), then flies one programme of
``cadence x years`` flights through :func:`~boostback.economics.kernels.programme_kernel`
(landings drawn flight by flight, boosters lost, damaged, refurbished, retired and rebuilt; the
booster in hand at the end is charged the share of its life it flew, at its life's average). All
random numbers come from one root seed through ``numpy.random.SeedSequence.spawn`` (one child
for ``p``, one for the landings), and every mode uses the same draws, so the modes are compared
on the same luck and the whole result is bit-identical for the same seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from boostback.config.vocab import RecoveryMode
from boostback.economics.kernels import programme_kernel
from boostback.economics.landing import LandingBelief
from boostback.economics.models import CostFile, EconomicsStudy
from boostback.economics.payload import offered_modes
from boostback.economics.reuse import (
    FlightCost,
    _fixed_costs,
    batch_cost,
    break_even_flights,
    economic_life,
    expected_flight_cost,
    fleet_needed,
    marginal_unit_cost,
    refurb_schedule,
)

__all__ = ["EconomicsResult", "ModeResult", "cost_curve", "run_economics"]

PERCENTILES = (5, 50, 95)
CURVE_POINTS = 61


@dataclass(frozen=True)
class ModeResult:
    """One recovery mode: expected cost at the belief's mean, and the Monte Carlo spread."""

    mode: RecoveryMode
    expected: FlightCost
    per_flight_usd: np.ndarray  # one per sample
    per_kg_usd: np.ndarray
    boosters_built: np.ndarray
    boosters_lost: np.ndarray
    break_even_flights: int | None
    fleet: dict[str, float]
    life: int

    def summary(self) -> dict[str, Any]:
        """Mean and percentiles of the sampled costs, with the expected breakdown."""

        def spread(values: np.ndarray) -> dict[str, float]:
            pct = np.percentile(values, PERCENTILES)
            out = {"mean": float(values.mean())}
            return out | {f"p{q}": float(v) for q, v in zip(PERCENTILES, pct, strict=True)}

        return {
            "mode": str(self.mode),
            "payload_kg": self.expected.payload_kg,
            "per_flight_usd": spread(self.per_flight_usd),
            "per_kg_usd": spread(self.per_kg_usd),
            "boosters_built": spread(self.boosters_built),
            "boosters_lost": spread(self.boosters_lost),
            "expected": self.expected.as_dict(),
            "break_even_flights": self.break_even_flights,
            "fleet": self.fleet,
            "life_flights": self.life,
        }


@dataclass(frozen=True)
class EconomicsResult:
    """Everything ``boostback economics`` reports."""

    cost: CostFile
    study: EconomicsStudy
    belief: LandingBelief
    flights: int
    p_samples: np.ndarray
    modes: list[ModeResult]
    curve: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        list_price = self.cost.list_price_usd
        exp = next(m for m in self.modes if m.mode == RecoveryMode.EXPENDABLE)
        return {
            "vehicle": self.cost.key,
            "name": self.cost.name,
            "price_year": self.cost.price_year,
            "orbit": self.study.orbit,
            "cadence_per_year": self.study.cadence_per_year,
            "programme_flights": self.flights,
            "samples": self.study.samples,
            "seed": self.study.seed,
            "landing": self.belief.as_dict(),
            "list_price_usd": list_price,
            "list_price_per_kg_usd": (
                list_price / exp.expected.payload_kg if list_price is not None else None
            ),
            "modes": [m.summary() for m in self.modes],
            "development": self.development(),
            "curve": self.curve,
        }

    def development(self) -> dict[str, Any]:
        """What reuse's extra development costs, and how many flights of each mode pay it back
        (the saving per kilogram against expending, times the mode's payload, per flight)."""
        dev = self.cost.development
        exp = next(m for m in self.modes if m.mode == RecoveryMode.EXPENDABLE).expected
        payback: dict[str, float | None] = {}
        for m in self.modes:
            if m.mode == RecoveryMode.EXPENDABLE:
                continue
            saving = (exp.per_kg_usd - m.expected.per_kg_usd) * m.expected.payload_kg
            payback[str(m.mode)] = dev.reuse_usd / saving if saving > 0 else None
        years = {
            k: (None if v is None else v / self.study.cadence_per_year) for k, v in payback.items()
        }
        return {
            "vehicle_usd": dev.vehicle_usd,
            "reuse_usd": dev.reuse_usd,
            "reuse_payback_flights": payback,
            "reuse_payback_years": years,
        }


def _programme_costs(
    cost: CostFile,
    mode: RecoveryMode,
    p: np.ndarray,
    u: np.ndarray,
    flights: int,
    damaged_share: float,
    orbit: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Per-sample cost per flight, boosters built and lost for one mode."""
    hw, reuse = cost.hardware, cost.reuse
    upper, fairing, operations = _fixed_costs(cost, mode, flights)
    fixed = upper + fairing + operations + cost.recovery[mode].ops_usd
    if mode == RecoveryMode.EXPENDABLE:
        built = np.full(len(p), float(flights))
        lost = np.zeros(len(p))
        booster = np.asarray(batch_cost(hw, hw.booster_unit_usd, built))
        return (booster / flights + fixed, built, lost, 1)
    life = economic_life(cost, flights)
    built, refurb, lost, damaged, residual = programme_kernel(
        p, u, float(damaged_share), refurb_schedule(cost, life)
    )
    extra = lost * reuse.lost_booster_extra_usd + damaged * reuse.damaged_refurb_usd
    booster = np.asarray(batch_cost(hw, hw.booster_unit_usd, built))
    booster = booster + _last_booster_adjustment(cost, life, built, residual)
    return ((booster + refurb + extra) / flights + fixed, built, lost, life)


def _last_booster_adjustment(
    cost: CostFile, life: int, built: np.ndarray, residual: np.ndarray
) -> np.ndarray:
    """The booster still in hand when the programme ends is charged for the share of its life
    it flew, at its whole life's average (its unit cost and every refurbishment of a full
    life), instead of its unit cost and the refurbishments it happened to need so far."""
    hw = cost.hardware
    cum = np.concatenate([[0.0], np.cumsum(refurb_schedule(cost, life)[1:])])  # cum[a]: r_1..r_a
    age = np.rint(life * (1.0 - residual)).astype(int)
    in_hand = residual > 0.0
    unit = np.array([marginal_unit_cost(hw, hw.booster_unit_usd, n - 1.0) for n in built])
    paid = unit + cum[np.maximum(age - 1, 0)]
    share = (unit + cum[life - 1]) * age / life
    return np.where(in_hand, share - paid, 0.0)


def cost_curve(
    cost: CostFile,
    *,
    flights: float,
    orbit: str,
    damaged_share: float | None,
    p_grid: np.ndarray | None = None,
) -> dict[str, Any]:
    """Expected cost per kilogram of every mode against the landing probability."""
    grid = np.linspace(0.4, 1.0, CURVE_POINTS) if p_grid is None else np.asarray(p_grid)
    curves = {}
    for mode in offered_modes(cost, orbit):
        curves[str(mode)] = [
            expected_flight_cost(
                cost, mode, float(p), flights=flights, orbit=orbit, damaged_share=damaged_share
            ).per_kg_usd
            for p in grid
        ]
    return {"landing_probability": grid.tolist(), "per_kg_usd": curves}


def run_economics(cost: CostFile, study: EconomicsStudy, belief: LandingBelief) -> EconomicsResult:
    """Run the economics Monte Carlo of ``cost`` for ``study`` under ``belief``.

    Parameters
    ----------
    cost : CostFile
        The vehicle.
    study : EconomicsStudy
        Orbit, cadence, programme length, samples and seed.
    belief : LandingBelief
        What is known of the landing probability.

    Returns
    -------
    EconomicsResult
    """
    flights = max(round(study.cadence_per_year * study.programme_years), 1)
    p_seed, u_seed = np.random.SeedSequence(study.seed).spawn(2)
    p = belief.sample(np.random.default_rng(p_seed), study.samples)
    u = np.random.default_rng(u_seed).random((study.samples, flights))
    share = belief.damaged_share
    share = cost.reuse.damaged_share if share is None else share
    modes = []
    for mode in offered_modes(cost, study.orbit):
        per_flight, built, lost, life = _programme_costs(
            cost, mode, p, u, flights, share, study.orbit
        )
        expected = expected_flight_cost(
            cost, mode, belief.mean, flights=flights, orbit=study.orbit, damaged_share=share
        )
        even = (
            None
            if mode == RecoveryMode.EXPENDABLE
            else break_even_flights(cost, mode, belief.mean, flights=flights, orbit=study.orbit)
        )
        modes.append(
            ModeResult(
                mode,
                expected,
                per_flight,
                per_flight / expected.payload_kg,
                built,
                lost,
                even,
                fleet_needed(cost, study.cadence_per_year, expected.flights_per_booster),
                life,
            )
        )
    curve = cost_curve(cost, flights=flights, orbit=study.orbit, damaged_share=share)
    return EconomicsResult(cost, study, belief, flights, p, modes, curve)
