"""Payload per recovery mode and orbit: one function the payload solver (issue #18) will later
stand behind. Until then it reads the cost file's ``[recovery.<mode>] payload_kg`` table, each
figure sourced or marked estimate there."""

from __future__ import annotations

from boostback.config.errors import ConfigError
from boostback.config.vocab import RecoveryMode
from boostback.economics.models import CostFile

__all__ = ["offered_modes", "payload_kg"]


def payload_kg(vehicle: CostFile, recovery: RecoveryMode | str, orbit: str) -> float:
    """The payload ``vehicle`` carries to ``orbit`` when its booster is recovered by ``recovery``.

    Parameters
    ----------
    vehicle : CostFile
        The vehicle's cost file.
    recovery : RecoveryMode or str
        ``expendable``, ``droneship``, ``rtls`` or ``downrange``.
    orbit : str
        An orbit the file names (``leo``, ``gto``).

    Returns
    -------
    float
        Kilograms.

    Raises
    ------
    ConfigError
        The vehicle does not fly that mode to that orbit.
    """
    mode = RecoveryMode(recovery)
    ops = vehicle.recovery.get(mode)
    if ops is None or orbit not in ops.payload_kg:
        raise ConfigError(f"no {mode} payload to '{orbit}' in the cost file", file=vehicle.key)
    return float(ops.payload_kg[orbit])


def offered_modes(vehicle: CostFile, orbit: str) -> list[RecoveryMode]:
    """The recovery modes that carry a payload to ``orbit``, expendable first."""
    order = [RecoveryMode.EXPENDABLE] + [m for m in RecoveryMode if m != RecoveryMode.EXPENDABLE]
    return [m for m in order if m in vehicle.recovery and orbit in vehicle.recovery[m].payload_kg]
