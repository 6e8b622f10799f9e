"""The reuse cost model: expected cost per flight and per kilogram of one recovery mode at a
landing probability ``p`` (renewal-reward: one booster's life is one cycle).

A booster flies until a landing loses it or it reaches its life; flight ``j + 1`` of a booster
(``j >= 1`` reflights) pays a refurbishment ``r_j = refurb_first (1 + growth)^(j - 1)``. A failed
landing keeps the booster with probability ``d`` (damaged: an extra refurbishment) and loses it
otherwise (plus ``lost_booster_extra_usd``). With ``q = p + (1 - p) d`` the chance a booster comes
back, ``w_j = q^j`` the chance it flies a ``(j + 1)``-th time and ``L = sum_{j < life} w_j`` its
expected flights, a programme of ``F`` flights builds ``F / L`` boosters, paid along the learning
curve (:func:`batch_cost`), and ``sum_{j >= 1} w_j r_j / L`` of refurbishment per flight.

The operator retires a booster before a reflight whose refurbishment would cost more than the
booster's average cost per flight (:func:`economic_life`): with refurbishments that never fall
this makes the cost per flight non-increasing in ``p`` (docs/economics.md gives the proof),
which the property tests check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from boostback.config.vocab import RecoveryMode
from boostback.economics.models import CostFile, Hardware
from boostback.economics.payload import payload_kg
from boostback.economics.transcost import learning_exponent

__all__ = [
    "FlightCost",
    "batch_cost",
    "break_even_flights",
    "economic_life",
    "expected_flight_cost",
    "fleet_needed",
    "marginal_unit_cost",
    "refurb_schedule",
    "unit_cost",
]

DAYS_PER_YEAR = 365.25


def unit_cost(hardware: Hardware, unit_usd: float, i: float) -> float:
    """Cost of production unit ``i`` of an element costing ``unit_usd`` at ``hardware.at_unit``."""
    b = learning_exponent(hardware.learning_factor)
    return unit_usd * (i / hardware.at_unit) ** b


def marginal_unit_cost(hardware: Hardware, unit_usd: float, n: float) -> float:
    """d(batch_cost)/dn: the cost of the ``n``-th unit of the programme (continuous)."""
    return unit_cost(hardware, unit_usd, hardware.units_built + n + 0.5)


def batch_cost(hardware: Hardware, unit_usd: float, n: float | np.ndarray) -> float | np.ndarray:
    """Cost of the programme's first ``n`` units after ``units_built`` (continuous in ``n``).

    The midpoint approximation of the learning-curve sum,
    ``sum_{i=u+1}^{u+n} c(i) ~ integral_{u+1/2}^{u+n+1/2} c(i) di``, exact as ``n`` grows and
    smooth, so that the cost of ``F / L`` boosters is defined for any ``L``.

    Parameters
    ----------
    hardware : Hardware
        The learning curve (factor, reference unit, units already built).
    unit_usd : float
        The element's cost at ``hardware.at_unit``.
    n : float or ndarray
        Units built in the programme.

    Returns
    -------
    float or ndarray
        Dollars.
    """
    b = learning_exponent(hardware.learning_factor)
    u = hardware.units_built + 0.5
    scale = unit_usd * hardware.at_unit ** (-b)
    if abs(1.0 + b) < 1e-12:
        return scale * (np.log(u + n) - math.log(u))
    return scale * ((u + n) ** (1.0 + b) - u ** (1.0 + b)) / (1.0 + b)


def refurb_schedule(cost: CostFile, life: int) -> np.ndarray:
    """``r[j]`` for ``j = 0 .. life - 1``: refurbishment before the booster's ``(j + 1)``-th flight
    (``r[0] = 0``: a new booster)."""
    j = np.arange(life, dtype=float)
    r = cost.reuse.refurb_first_usd * (1.0 + cost.reuse.refurb_growth) ** np.maximum(j - 1.0, 0.0)
    r[0] = 0.0
    return r


def economic_life(cost: CostFile, flights: float) -> int:
    """Flights a booster makes at most: its life limit, or fewer when the next refurbishment
    would cost more than the booster's average cost per flight so far.

    Flight ``k`` is flown while ``k r_(k-1) <= c + sum_(j<k) r_j`` (the classic rule: replace
    when the marginal cost passes the average), with ``c`` the booster's cost at the end of a
    programme of ``flights`` boosters (the cheapest it gets). Once the rule fails it fails for
    every longer life, and it does not depend on the landing probability; it is what makes the
    expected cost per flight non-increasing in ``p`` (docs/economics.md).
    """
    limit = cost.reuse.life_limit_flights
    cheapest = marginal_unit_cost(cost.hardware, cost.hardware.booster_unit_usd, flights)
    r = refurb_schedule(cost, limit)
    spent = cheapest
    for k in range(2, limit + 1):
        spent += r[k - 1]
        if k * r[k - 1] > spent:
            return k - 1
    return limit


@dataclass(frozen=True)
class FlightCost:
    """Expected cost of one flight of one mode at one landing probability, by item (dollars)."""

    mode: RecoveryMode
    landing_probability: float
    payload_kg: float
    booster_usd: float
    refurbishment_usd: float
    landing_failures_usd: float
    upper_stage_usd: float
    fairing_usd: float
    operations_usd: float
    recovery_usd: float
    flights_per_booster: float

    @property
    def total_usd(self) -> float:
        return (
            self.booster_usd
            + self.refurbishment_usd
            + self.landing_failures_usd
            + self.upper_stage_usd
            + self.fairing_usd
            + self.operations_usd
            + self.recovery_usd
        )

    @property
    def per_kg_usd(self) -> float:
        return self.total_usd / self.payload_kg

    def as_dict(self) -> dict:
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["mode"] = str(self.mode)
        return out | {"total_usd": self.total_usd, "per_kg_usd": self.per_kg_usd}


def _fixed_costs(cost: CostFile, mode: RecoveryMode, flights: float) -> tuple[float, float, float]:
    """Upper stage (with learning), fairing and operations per flight: paid whatever lands."""
    hw = cost.hardware
    upper = float(batch_cost(hw, hw.upper_stage_unit_usd, flights)) / flights
    fr = cost.reuse.fairing_recovery_probability if mode != RecoveryMode.EXPENDABLE else 0.0
    fairing = fr * cost.reuse.fairing_refurb_usd + (1.0 - fr) * hw.fairing_usd
    ops = cost.operations
    operations = ops.ground_ops_usd + ops.mission_ops_usd + ops.propellant_usd + ops.insurance_usd
    return upper, fairing, operations


def expected_flight_cost(
    cost: CostFile,
    mode: RecoveryMode | str,
    p: float,
    *,
    flights: float,
    orbit: str = "leo",
    damaged_share: float | None = None,
    life: int | None = None,
) -> FlightCost:
    """Expected cost of a flight in a programme of ``flights`` flights at landing probability ``p``.

    Parameters
    ----------
    cost : CostFile
        The vehicle.
    mode : RecoveryMode or str
        The recovery mode (``expendable`` ignores ``p``).
    p : float
        Probability that a landing attempt lands.
    flights : float
        Flights in the programme (sets how far down the learning curve production goes).
    orbit : str
        The orbit the payload goes to.
    damaged_share : float or None
        Share of failed landings that keep the booster; ``None``: the cost file's.
    life : int or None
        Flights per booster at most; ``None``: :func:`economic_life`.

    Returns
    -------
    FlightCost
    """
    mode = RecoveryMode(mode)
    upper, fairing, operations = _fixed_costs(cost, mode, flights)
    hw, reuse = cost.hardware, cost.reuse
    mass = payload_kg(cost, mode, orbit)
    if mode == RecoveryMode.EXPENDABLE:
        booster = float(batch_cost(hw, hw.booster_unit_usd, flights)) / flights
        return FlightCost(mode, p, mass, booster, 0.0, 0.0, upper, fairing, operations, 0.0, 1.0)
    d = reuse.damaged_share if damaged_share is None else damaged_share
    q = p + (1.0 - p) * d
    n_life = economic_life(cost, flights) if life is None else life
    w = q ** np.arange(n_life, dtype=float)
    per_booster = float(w.sum())
    refurb = float(np.dot(w, refurb_schedule(cost, n_life))) / per_booster
    boosters = flights / per_booster
    booster = float(batch_cost(hw, hw.booster_unit_usd, boosters)) / flights
    failures = (1.0 - p) * (d * reuse.damaged_refurb_usd + (1.0 - d) * reuse.lost_booster_extra_usd)
    recovery = cost.recovery[mode].ops_usd
    return FlightCost(
        mode, p, mass, booster, refurb, failures, upper, fairing, operations, recovery, per_booster
    )


def break_even_flights(
    cost: CostFile, mode: RecoveryMode | str, p: float, *, flights: float, orbit: str = "leo"
) -> int | None:
    """The fewest flights per booster at which ``mode`` costs no more per kilogram than expending.

    Each candidate life ``k`` is the most flights a booster may make (it may be lost sooner, at
    landing probability ``p``). ``None`` when even the life limit does not break even.
    """
    target = expected_flight_cost(cost, RecoveryMode.EXPENDABLE, p, flights=flights, orbit=orbit)
    for k in range(1, cost.reuse.life_limit_flights + 1):
        c = expected_flight_cost(cost, mode, p, flights=flights, orbit=orbit, life=k)
        if c.per_kg_usd <= target.per_kg_usd:
            return k
    return None


def fleet_needed(cost: CostFile, cadence_per_year: float, flights_per_booster: float) -> dict:
    """Boosters in service to fly ``cadence_per_year`` and boosters to build each year.

    In service: each booster flies at most once per turnaround, so at least
    ``cadence x turnaround / 365.25`` of them (rounded up); built: the cadence divided by the
    flights a booster makes before it is lost or retired.
    """
    in_service = math.ceil(cadence_per_year * cost.reuse.booster_turnaround_days / DAYS_PER_YEAR)
    return {
        "in_service": max(in_service, 1),
        "built_per_year": cadence_per_year / flights_per_booster,
    }
