"""What landing reliability is worth: reuse economics, fleets and constellation deployment.

The layer above ``campaign`` (docs/architecture.md): a campaign's landing counts, carried as a
Beta posterior (:mod:`boostback.economics.landing`), feed a cost model (:mod:`.reuse`, with
TRANSCOST-style estimates in :mod:`.transcost`), a Monte Carlo over landing outcomes and booster
attrition (:mod:`.montecarlo`), a constellation deployment (:mod:`.deploy`, with the ITU
milestones of WRC-19 Resolution 35) and a reliability-growth model fitted to the Falcon 9
landing history (:mod:`.growth`). docs/economics.md states every assumption.
"""

from __future__ import annotations

from boostback.economics.models import (
    Constellation,
    CostFile,
    DeployStudy,
    EconomicsStudy,
    load_constellation,
    load_cost,
    load_deploy,
    load_study,
)

__all__ = [
    "Constellation",
    "CostFile",
    "DeployStudy",
    "EconomicsStudy",
    "load_constellation",
    "load_cost",
    "load_deploy",
    "load_study",
]
