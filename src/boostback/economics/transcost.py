"""TRANSCOST-style cost estimating relationships (Koelle, *Handbook of Cost Engineering for Space
Transportation Systems, TRANSCOST 7.x*), as the open lvreuse model uses them (Vernacchia &
Mathesius, IAC-18; github.com/mvernacc/lvreuse, ``lessons/transcost.ipynb`` and
``lvreuse/cost/elements.py``).

Efforts are in person-years (PYr), the model's currency-free unit:

* development of one element: ``H = a M^x f1 f2 f3 f8``;
* production of unit ``i``: ``F_i = a M^x f4(i) f8`` with the learning factor
  ``f4(i) = i^(ln p / ln 2)`` (each doubling of the units built multiplies the unit's effort by
  ``p``: Wright's law);
* a liquid turbo-fed engine's technical-quality factor ``f2 = 0.026 (ln N_Q)^2`` for ``N_Q``
  qualification firings.

Where no public price exists (Zhuque-3) the cost file scales a sourced Falcon 9 figure by the
ratio of these efforts (:func:`scaled_unit_cost`), which keeps the CERs' mass dependence and
drops their absolute calibration (TRANSCOST's absolute production figures are several times
what SpaceX is understood to pay; docs/economics.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "CER",
    "CERS",
    "development_effort_pyr",
    "engine_quality_factor",
    "learning_exponent",
    "learning_factor",
    "production_effort_pyr",
    "scaled_unit_cost",
    "stage_production_pyr",
]


@dataclass(frozen=True)
class CER:
    """One element's development and production relationships (``a M^x``, M in kg)."""

    dev_a: float
    dev_x: float
    prod_a: float
    prod_x: float


# lvreuse/cost/elements.py (TRANSCOST 7.x values)
CERS: dict[str, CER] = {
    "engine_lh2_turbo": CER(277.0, 0.48, 3.15, 0.535),  # CryoLH2TurboFed
    "engine_modern_turbo": CER(277.0, 0.48, 1.2, 0.535),  # ModernTurboFed
    "stage_reusable_storable": CER(803.5, 0.385, 1.265, 0.59),  # ReusableBallisticStageStorable
    "stage_expendable_storable": CER(98.5, 0.555, 1.265, 0.59),  # ExpendableBallisticStageStorable
    "stage_cryogenic": CER(98.5, 0.555, 1.30, 0.65),  # the Saturn V S-II example's CER
}


def engine_quality_factor(qualification_firings: float) -> float:
    """TRANSCOST's ``f2 = 0.026 (ln N_Q)^2`` for a turbo-fed liquid engine.

    Parameters
    ----------
    qualification_firings : float
        ``N_Q``, the engine's qualification firings (> 1).

    Returns
    -------
    float
        The technical-quality factor ``f2``.
    """
    return 0.026 * math.log(qualification_firings) ** 2


def development_effort_pyr(
    mass_kg: float,
    a: float,
    x: float,
    *,
    f1: float = 1.0,
    f2: float = 1.0,
    f3: float = 1.0,
    f8: float = 1.0,
) -> float:
    """Development effort ``H = a M^x f1 f2 f3 f8`` of one element.

    Parameters
    ----------
    mass_kg : float
        Reference (dry) mass ``M``.
    a, x : float
        The element's CER coefficient and exponent.
    f1, f2, f3, f8 : float
        Development standard, technical quality, team experience and country productivity.

    Returns
    -------
    float
        Person-years.
    """
    return a * mass_kg**x * f1 * f2 * f3 * f8


def learning_exponent(p: float) -> float:
    """``b = ln p / ln 2``: the unit-cost exponent of a learning factor ``p``."""
    return math.log(p) / math.log(2.0)


def learning_factor(units: Iterable[int], p: float) -> float:
    """Mean of TRANSCOST's ``f4(i) = i^(ln p / ln 2)`` over the unit numbers ``units``.

    Parameters
    ----------
    units : iterable of int
        Consecutive production unit numbers (1 is the first unit ever built).
    p : float
        Learning factor (0.96 for the Saturn V S-II).

    Returns
    -------
    float
        The mean factor.
    """
    b = learning_exponent(p)
    values = [float(i) ** b for i in units]
    return sum(values) / len(values)


def production_effort_pyr(
    mass_kg: float, a: float, x: float, units: Iterable[int], p: float, *, f8: float = 1.0
) -> float:
    """Production effort of a batch: ``sum over i of a M^x f4(i) f8``.

    Parameters
    ----------
    mass_kg : float
        Reference (dry) mass ``M`` of one unit.
    a, x : float
        The element's production CER.
    units : iterable of int
        The batch's unit numbers (11-15: the 11th to 15th built).
    p : float
        Learning factor.
    f8 : float
        Country productivity factor.

    Returns
    -------
    float
        Person-years for the whole batch.
    """
    units = list(units)
    return len(units) * a * mass_kg**x * learning_factor(units, p) * f8


def stage_production_pyr(
    structure_kg: float, engine_kg: float, engines: int, stage: CER, engine: CER
) -> float:
    """First-unit production effort of a stage with its engines (no learning, f8 = 1).

    Parameters
    ----------
    structure_kg : float
        The stage's dry mass without its engines.
    engine_kg : float
        One engine's dry mass.
    engines : int
        Engines on the stage.
    stage, engine : CER
        The relationships used for the structure and for the engines.

    Returns
    -------
    float
        Person-years.
    """
    return (
        stage.prod_a * structure_kg**stage.prod_x
        + engines * engine.prod_a * engine_kg**engine.prod_x
    )


def scaled_unit_cost(
    reference_usd: float, reference: Mapping[str, float], target: Mapping[str, float]
) -> float:
    """A unit cost scaled from a reference vehicle's by TRANSCOST production efforts.

    ``reference_usd x effort(target) / effort(reference) x (f8 x person-year cost)_target /
    (f8 x person-year cost)_reference``, each effort from :func:`stage_production_pyr` with the
    reusable-stage and modern turbo-fed engine CERs.

    Parameters
    ----------
    reference_usd : float
        The reference element's unit cost.
    reference, target : mapping
        ``structure_kg``, ``engine_kg``, ``engines``, ``f8`` and ``person_year_rel`` (the
        person-year cost relative to any common base) of each.

    Returns
    -------
    float
        The target's unit cost, same money as ``reference_usd``.
    """

    def effort(m: Mapping[str, float]) -> float:
        pyr = stage_production_pyr(
            m["structure_kg"],
            m["engine_kg"],
            int(m["engines"]),
            CERS["stage_reusable_storable"],
            CERS["engine_modern_turbo"],
        )
        return pyr * m["f8"] * m["person_year_rel"]

    return reference_usd * effort(target) / effort(reference)
