"""The faults a scenario file carries itself (``[[faults]]``), as the flight's fault objects.

A scenario can reconstruct a flight that failed (``zhuque3_y1``: an engine out three seconds into
the landing burn) with the same fault entries a campaign writes (``campaign.spec.FaultSpec``),
but fixed: a scenario's fault always acts and takes numbers, not distributions (a campaign
draws them). ``boostback land`` flies them, and every run of a campaign over the scenario
carries them beside the campaign's own faults.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from boostback.campaign.spec import Distribution, FaultSpec
from boostback.config.errors import ConfigError, from_validation_error
from boostback.gnc.faults import Fault

__all__ = ["scenario_faults"]


class _ScenarioFaults(BaseModel):
    model_config = ConfigDict(extra="forbid")
    faults: list[FaultSpec]


def _fixed(spec: FaultSpec, i: int, file: str | None) -> None:
    """A scenario's fault acts for certain, with fixed numbers."""
    if spec.probability != 1.0:
        raise ConfigError(
            "a scenario's fault always acts (probability 1); draw it in a campaign instead",
            file=file,
            key=f"faults[{i}].probability",
        )
    for name, value in spec.params.items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, Distribution) for v in values):
            raise ConfigError(
                f"'{name}' takes a number in a scenario; distributions belong in a campaign",
                file=file,
                key=f"faults[{i}].{name}",
            )


def scenario_faults(entries: list[dict[str, Any]], file: str | None = None) -> tuple[Fault, ...]:
    """The fault objects of a scenario's ``faults`` entries.

    Parameters
    ----------
    entries : list of dict
        The scenario's ``[[faults]]`` tables (``LandingScenario.faults``), written as in a
        campaign file.
    file : str, optional
        The scenario file, for the error message.

    Returns
    -------
    tuple of Fault

    Raises
    ------
    ConfigError
        An unknown fault, a parameter out of its bounds, a probability below 1 or a
        distribution: one line naming the file and the key.
    """
    if not entries:
        return ()
    from boostback.campaign.sampling import draw_fault  # scipy.stats: only when there are faults

    try:
        specs = _ScenarioFaults.model_validate({"faults": entries}).faults
    except ValidationError as exc:
        raise from_validation_error(exc, file=file, model=_ScenarioFaults) from None
    for i, spec in enumerate(specs):
        _fixed(spec, i, file)
    rng = np.random.default_rng(0)  # draws nothing random: every value is fixed
    return tuple(draw_fault(spec, rng)[1] for spec in specs)
