"""Validated models of where a landing scenario starts: ``InitialState`` (re-exported by
``config.models``, where it used to live, so every import path still works).

This module imports nothing from ``config.models`` (which imports it), so it has its own strict
base model with the same settings.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict

__all__ = ["MAX_START_ALTITUDE_M", "MAX_START_OFFSET_M", "MAX_START_SPEED_MPS", "InitialState"]

# Where a landing burn can start. A booster's landing burn starts a few km up at a few hundred
# m/s (Falcon 9: ~2-3 km, ~250 m/s); the flat, pad-centred frame of a landing scenario is no
# model of anything above 200 km, 1000 km away or faster than orbital speed (~7.8 km/s), so
# such starts are refused rather than flown as given.
MAX_START_ALTITUDE_M = 200_000.0
MAX_START_OFFSET_M = 1_000_000.0
MAX_START_SPEED_MPS = 8_000.0
StartSpeed = Annotated[float, Strict(), Field(ge=-MAX_START_SPEED_MPS, le=MAX_START_SPEED_MPS)]
StartOffset = Annotated[float, Strict(), Field(ge=-MAX_START_OFFSET_M, le=MAX_START_OFFSET_M)]
NonNeg = Annotated[float, Strict(), Field(ge=0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class InitialState(_Model):
    """Landing-scenario start: ENU frame centred on the pad."""

    altitude_m: Annotated[float, Strict(), Field(gt=0, le=MAX_START_ALTITUDE_M)]
    velocity_enu_mps: tuple[StartSpeed, StartSpeed, StartSpeed]
    position_en_m: tuple[StartOffset, StartOffset] = (0.0, 0.0)
    propellant_kg: NonNeg

    @property
    def r_enu_m(self) -> tuple[float, float, float]:
        return (self.position_en_m[0], self.position_en_m[1], self.altitude_m)

    @property
    def speed_mps(self) -> float:
        return math.hypot(*self.velocity_enu_mps)
