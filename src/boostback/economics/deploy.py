"""``boostback deploy``: how long a constellation takes to launch, and what it costs, at the
cadence that pads, booster turnaround, the fleet, the production line and landing losses allow;
timed against the ITU bring-into-use milestones.

WRC-19 Resolution 35 (milestone-based approach for non-GSO systems): after the 7-year regulatory
period for bringing the frequency assignments into use (counted here from the filing date), 10 %
of the satellites must be deployed within 2 more years, 50 % within 5 and 100 % within 7, i.e.
9, 12 and 14 years after the filing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from boostback.config.vocab import RecoveryMode
from boostback.economics.kernels import deploy_kernel
from boostback.economics.landing import LandingBelief
from boostback.economics.models import Constellation, CostFile, DeployStudy
from boostback.economics.payload import payload_kg
from boostback.economics.reuse import DAYS_PER_YEAR, economic_life, expected_flight_cost

__all__ = [
    "ITU_MILESTONES",
    "DeployResult",
    "itu_deadlines",
    "run_deploy",
    "satellites_per_launch",
]

# (share of the satellites, years after the filing date): WRC-19 Resolution 35
ITU_MILESTONES: tuple[tuple[float, float], ...] = ((0.10, 9.0), (0.50, 12.0), (1.00, 14.0))
PERCENTILES = (5, 50, 95)


def itu_deadlines(filing_year: float) -> list[dict[str, float]]:
    """The three Resolution 35 milestones of a filing: share and deadline (decimal year)."""
    return [{"share": s, "deadline_year": filing_year + y} for s, y in ITU_MILESTONES]


def satellites_per_launch(study: DeployStudy, constellation: Constellation, cost: CostFile) -> int:
    """The study's figure, else as many satellites as the mode's payload carries (at least 1)."""
    if study.satellites_per_launch is not None:
        return study.satellites_per_launch
    mass = payload_kg(cost, study.recovery, study.orbit)
    return max(int(mass // constellation.satellite_mass_kg), 1)


@dataclass(frozen=True)
class DeployResult:
    """Per-sample milestone years, launches, boosters and cost of one deployment study."""

    study: DeployStudy
    constellation: Constellation
    cost: CostFile
    belief: LandingBelief
    per_launch: int
    p_samples: np.ndarray
    milestone_years: np.ndarray  # (S, 3) decimal years; NaN if never reached
    launches: np.ndarray
    boosters_built: np.ndarray
    boosters_lost: np.ndarray
    launches_failed: np.ndarray
    total_cost_usd: np.ndarray

    def meets(self) -> np.ndarray:
        """Per sample and milestone: reached by its deadline."""
        deadlines = np.array(
            [d["deadline_year"] for d in itu_deadlines(self.constellation.filing_year)]
        )
        return np.nan_to_num(self.milestone_years, nan=np.inf) <= deadlines

    def as_dict(self) -> dict[str, Any]:
        def spread(values: np.ndarray) -> dict[str, float | None]:
            finite = values[np.isfinite(values)]
            out: dict[str, float | None] = {"mean": None}
            out.update({f"p{q}": None for q in PERCENTILES})
            if len(finite):
                pct = np.percentile(finite, PERCENTILES)
                out["mean"] = float(finite.mean())
                out.update({f"p{q}": float(v) for q, v in zip(PERCENTILES, pct, strict=True)})
            return out

        meets = self.meets()
        milestones = []
        for i, d in enumerate(itu_deadlines(self.constellation.filing_year)):
            years = self.milestone_years[:, i]
            milestones.append(
                d
                | {
                    "year": spread(years),
                    "reached_share": float(np.isfinite(years).mean()),
                    "probability_on_time": float(meets[:, i].mean()),
                }
            )
        return {
            "constellation": self.constellation.key,
            "satellites": self.constellation.satellites,
            "vehicle": self.cost.key,
            "recovery": str(self.study.recovery),
            "satellites_per_launch": self.per_launch,
            "first_launch_year": self.study.first_launch_year,
            "landing": self.belief.as_dict(),
            "samples": self.study.samples,
            "seed": self.study.seed,
            "milestones": milestones,
            "launches": spread(self.launches),
            "boosters_built": spread(self.boosters_built),
            "boosters_lost": spread(self.boosters_lost),
            "launches_failed": spread(self.launches_failed),
            "total_cost_usd": spread(self.total_cost_usd),
        }


def _settings(
    study: DeployStudy, n_sats: int, per_launch: int, life: int, share: float
) -> np.ndarray:
    recover = study.recovery != RecoveryMode.EXPENDABLE
    return np.array(
        [
            float(n_sats),
            float(per_launch),
            float(study.pads),
            study.pad_turnaround_days,
            # a booster of the fleet's own turnaround comes from the cost file (set by the caller)
            0.0,
            float(study.fleet),
            DAYS_PER_YEAR / study.boosters_per_year,
            DAYS_PER_YEAR / study.max_launches_per_year,
            float(life),
            study.launch_success,
            1.0 if recover else 0.0,
            share,
            0.0,
            0.0,
        ]
    )


def run_deploy(
    study: DeployStudy, constellation: Constellation, cost: CostFile, belief: LandingBelief
) -> DeployResult:
    """Deploy ``constellation`` with ``cost``'s vehicle as ``study`` says, ``study.samples`` times.

    Parameters
    ----------
    study : DeployStudy
        Pads, fleet, production, cadence cap, recovery mode, samples and seed.
    constellation : Constellation
        Satellites, their mass and the filing date.
    cost : CostFile
        The vehicle (payload per mode, turnaround, life, costs).
    belief : LandingBelief
        What is known of the landing probability.

    Returns
    -------
    DeployResult
    """
    per_launch = satellites_per_launch(study, constellation, cost)
    n_sats = constellation.satellites
    n_max = math.ceil(n_sats / per_launch / max(study.launch_success, 0.05) * 1.5) + 20
    p_seed, land_seed, launch_seed = np.random.SeedSequence(study.seed).spawn(3)
    p = belief.sample(np.random.default_rng(p_seed), study.samples)
    u_land = np.random.default_rng(land_seed).random((study.samples, n_max))
    u_launch = np.random.default_rng(launch_seed).random((study.samples, n_max))
    flights_guess = float(n_sats) / per_launch
    life = economic_life(cost, flights_guess)
    share = cost.reuse.damaged_share if belief.damaged_share is None else belief.damaged_share
    settings = _settings(study, n_sats, per_launch, life, share)
    settings[4] = cost.reuse.booster_turnaround_days
    milestones = np.array([s for s, _ in ITU_MILESTONES])
    days, launches, built, lost, failed = deploy_kernel(p, u_land, u_launch, settings, milestones)
    years = study.first_launch_year + days / DAYS_PER_YEAR
    per_flight = np.array(
        [
            expected_flight_cost(
                cost,
                study.recovery,
                float(pi),
                flights=flights_guess,
                orbit=study.orbit,
                damaged_share=share,
            ).total_usd
            for pi in p
        ]
    )
    return DeployResult(
        study,
        constellation,
        cost,
        belief,
        per_launch,
        p,
        years,
        launches,
        built,
        lost,
        failed,
        launches * per_flight,
    )
