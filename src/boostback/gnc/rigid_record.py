"""What a rigid (6-DoF) flight records beside the point-mass histories: attitude, rates, angle of
attack, and what every actuator did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from boostback.dynamics.rigid_state import QUAT, RATE, SIZE

__all__ = ["RigidRecord", "rigid_record", "rotation_matrices"]


def rotation_matrices(q: np.ndarray) -> np.ndarray:
    """Rotation matrices (n, 3, 3), body -> frame, of unit quaternions (n, 4) scalar first: the
    record's attitudes all at once (the kernels rotate one vector at a time,
    ``dynamics.rigid_body.rotate_body_to_frame``)."""
    w, x, y, z = np.asarray(q, float).T
    return np.stack(
        (
            np.stack((1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)), -1),
            np.stack((2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)), -1),
            np.stack((2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)), -1),
        ),
        1,
    )


@dataclass(frozen=True)
class RigidRecord:
    """Time histories of a rigid vehicle (the samples of its ``Trajectory``).

    Attributes
    ----------
    quaternion : ndarray (n, 4)
        Attitude, scalar first, body -> the trajectory's frame.
    rates_rps : ndarray (n, 3)
        Body rates (roll, pitch, yaw), rad/s.
    alpha_rad : ndarray (n,)
        Total angle of attack (0: nose first, pi: engines first).
    engine_throttle : ndarray (n, k)
        Each engine's effective throttle (spool, valves and faults in).
    gimbal_rad : ndarray (n, k, 2)
        Each engine's gimbal angles about y_body and z_body.
    fins_rad : ndarray (n, f)
        Each grid fin's deflection.
    rcs_duty : ndarray (n, c)
        Each cold-gas thruster's duty over the step.
    command_axis : ndarray (n, 3)
        The thrust axis the attitude loop was steering to, in the trajectory's frame (NaN where
        it steered to none).
    """

    quaternion: np.ndarray
    rates_rps: np.ndarray
    alpha_rad: np.ndarray
    engine_throttle: np.ndarray
    gimbal_rad: np.ndarray
    fins_rad: np.ndarray
    rcs_duty: np.ndarray
    command_axis: np.ndarray | None = None

    @property
    def axis(self) -> np.ndarray:
        """The body axis x_body (n, 3) in the trajectory's frame."""
        return rotation_matrices(self.quaternion)[:, :, 0]

    def columns(self) -> dict[str, np.ndarray]:
        """Flat columns for a data frame or Parquet (angles in degrees)."""
        out = {f"q{c}": self.quaternion[:, i] for i, c in enumerate("wxyz")}
        for i, c in enumerate(("roll", "pitch", "yaw")):
            out[f"{c}_rate_dps"] = np.degrees(self.rates_rps[:, i])
        out["alpha_deg"] = np.degrees(self.alpha_rad)
        for e in range(self.engine_throttle.shape[1]):
            out[f"engine{e}_throttle"] = self.engine_throttle[:, e]
            out[f"engine{e}_gimbal_y_deg"] = np.degrees(self.gimbal_rad[:, e, 0])
            out[f"engine{e}_gimbal_z_deg"] = np.degrees(self.gimbal_rad[:, e, 1])
        for f in range(self.fins_rad.shape[1]):
            out[f"fin{f}_deg"] = np.degrees(self.fins_rad[:, f])
        for j in range(self.rcs_duty.shape[1]):
            out[f"rcs{j}_duty"] = self.rcs_duty[:, j]
        if self.command_axis is not None:
            up = np.clip(self.command_axis[:, 2], -1.0, 1.0)
            out["command_tilt_deg"] = np.degrees(np.arccos(up))
        return out


def rigid_record(
    rows: list[tuple[Any, object]],
    alpha: Callable[[np.ndarray], np.ndarray] | None = None,
) -> RigidRecord:
    """A ``RigidRecord`` from the samples ``(state, actuation.rigid)`` a recorder kept.

    ``state`` is the rigid-body state (``dynamics.rigid_state``: its quaternion and rates are
    kept); ``alpha`` gives the angle of attack of all the states at once (NaN without it);
    ``actuation.rigid`` has the fields ``throttle``, ``gimbal_rad``, ``fins_rad`` and
    ``rcs_duty`` (``plant.rigid_hardware.RigidActuation``).
    """
    states = np.array([s for s, _ in rows], dtype=float).reshape(-1, SIZE)
    acts = [r for _, r in rows]
    first = next((r for r in acts if r is not None), None)
    shapes = (
        (0,) if first is None else np.shape(getattr(first, name))
        for name in ("throttle", "gimbal_rad", "fins_rad", "rcs_duty")
    )
    k, g, f, c = shapes

    def stack(name: str, shape: tuple[int, ...]) -> np.ndarray:
        zero = np.zeros(shape)
        return np.array([zero if r is None else getattr(r, name) for r in acts]).reshape(
            (len(acts), *shape)
        )

    return RigidRecord(
        quaternion=states[:, QUAT],
        rates_rps=states[:, RATE],
        alpha_rad=alpha(states) if alpha is not None else np.full(len(states), np.nan),
        engine_throttle=stack("throttle", k),
        gimbal_rad=stack("gimbal_rad", g if g else (0, 2)),
        fins_rad=stack("fins_rad", f),
        rcs_duty=stack("rcs_duty", c),
        command_axis=np.array(
            [
                getattr(r, "command_axis", (np.nan,) * 3) if r is not None else (np.nan,) * 3
                for r in acts
            ],
            dtype=float,
        ).reshape(-1, 3),
    )
