"""The simplest guidance: burn now, in a named phase, with a fixed reference."""

from __future__ import annotations

from boostback.dynamics.state import State
from boostback.gnc.protocols import Demand, NavEstimate, Tick

__all__ = ["BurnNow"]


class BurnNow:
    """Light the engines at once and stay in ``phase`` (the entry burn: its end is an event of
    the plant, the target speed).

    Parameters
    ----------
    phase : str
        The burn's phase (a ``Phase``).
    t_start_s : float
        When to light the engines (the plant's clock).
    """

    def __init__(self, phase: str, t_start_s: float) -> None:
        self.phase, self.t_start_s = phase, t_start_s

    def prepare(self, fix: State) -> float:
        """Ignite at the start."""
        return self.t_start_s

    def update(self, nav: NavEstimate, tick: Tick) -> Demand:
        """The burn, throughout."""
        return Demand(self.phase, self.t_start_s)
