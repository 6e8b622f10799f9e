"""What every rigid-vehicle plant shares, whatever frame it flies in: its actuators between
control steps (each engine's spool and valves, the gimbals, the grid fins, the cold-gas
thrusters, and the faults that act on them) and what its inertial measurement unit reads.

The landing burn's plant (``plant.sixdof``, flat pad frame) and a whole flight's
(``flight.rigid_plant``, rotating Earth) both hold one ``RigidActuators``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from boostback.dynamics.actuators import actuators_step
from boostback.dynamics.rigid_body import rotate_body_to_frame
from boostback.dynamics.rigid_state import QW, QX, QY, QZ, WX, WY, WZ
from boostback.dynamics.sixdof_params import SixDofParams, pack_scalars
from boostback.gnc.faults import FaultState
from boostback.gnc.protocols import ActuatorCommand, Attitude, Tick, Vec3
from boostback.gnc.rigid_faults import GimbalHardOver, gimbal_faults, thrusters_failed
from boostback.jit import jit
from boostback.plant.engine import Engines

__all__ = [
    "NO_AXIS",
    "RigidActuation",
    "RigidActuators",
    "body_axis",
    "clip_duty",
    "imu_attitude",
]

NO_AXIS: Vec3 = (math.nan, math.nan, math.nan)


class RigidActuation(NamedTuple):
    """What a rigid vehicle's actuators reached over a step: each engine's effective throttle
    (k,: spool, valves and faults in), gimbal angles (k, 2; rad), fin deflections (f,; rad),
    thrusters' duty (c,); and the thrust axis the attitude loop was steering to (the frame's;
    NaN when none was commanded)."""

    throttle: np.ndarray
    gimbal_rad: np.ndarray
    fins_rad: np.ndarray
    rcs_duty: np.ndarray
    command_axis: Vec3 = NO_AXIS


def body_axis(x: np.ndarray) -> Vec3:
    """The body's long axis (x_body, the thrust axis) of rigid state ``x``, in its frame."""
    a = rotate_body_to_frame((x[QW], x[QX], x[QY], x[QZ]), (1.0, 0.0, 0.0))
    return (float(a[0]), float(a[1]), float(a[2]))


def imu_attitude(x: np.ndarray) -> Attitude:
    """What the inertial measurement unit reads of rigid state ``x``: quaternion and rates."""
    return (
        float(x[QW]), float(x[QX]), float(x[QY]), float(x[QZ]),
        float(x[WX]), float(x[WY]), float(x[WZ]),
    )  # fmt: skip


@jit
def clip_duty(asked, out):
    """The thrusters' duty as asked, each held within [0, 1], into ``out``."""
    for i in range(asked.shape[0]):
        out[i] = min(max(asked[i], 0.0), 1.0)


class RigidActuators:
    """A rigid vehicle's actuators, stepped once per control step (one compiled call:
    ``dynamics.actuators.actuators_step``), with the faults that act on them: an engine out
    takes the burn's last engines, a stuck gimbal holds where it was at the onset, a hard-over
    one runs to its stop, a failed thruster gives nothing.

    Parameters
    ----------
    params : SixDofParams
        The vehicle, as built.
    engines : Engines
        The burn's engines lumped (ignition, valves' lag, faults on thrust and count).
    burn : tuple of int
        The engines the burn lights (indices into ``params``' engines).
    faults : FaultState
        The faults of this flight.
    """

    def __init__(
        self, params: SixDofParams, engines: Engines, burn: tuple[int, ...], faults: FaultState
    ) -> None:
        self.params, self.engines, self.burn, self.faults = params, engines, burn, faults
        k = params.engine_position_m.shape[0]
        self._par = pack_scalars(params)
        self.spool, self.healthy = np.zeros(k), np.zeros(1)
        self.gimbal = np.zeros((k, 2))
        self.fins = np.zeros(params.fin_azimuth_rad.shape[0])
        self._held: dict[int, np.ndarray] = {}  # gimbals a fault holds, at their onset angles
        self._all_on = np.zeros(k)  # the burn's engines, all running (read only)
        self._all_on[list(burn)] = 1.0

    @property
    def all_on(self) -> np.ndarray:
        """The burn's engines, all running (1.0; read only)."""
        return self._all_on

    def running(self, tick: Tick) -> np.ndarray:
        """Which engines run now (1.0): the burn's, less those an engine-out fault took (from
        the end)."""
        if not self.faults:
            return self._all_on
        on = np.zeros(self.params.engine_position_m.shape[0])
        for i in self.burn[: round(self.engines.count_running(tick))]:
            on[i] = 1.0
        return on

    def step(
        self,
        command: ActuatorCommand,
        tick: Tick,
        dt: float,
        pressure_pa: float,
        gas_left_kg: float,
        steering: bool = True,
    ) -> tuple[float, float, float, RigidActuation]:
        """Every actuator over the coming step under ``command`` (its gimbals, fins and
        thrusters only when ``steering`` and the command sets them).

        Returns
        -------
        tuple
            ``(throttle, thrust [N], expected thrust [N], RigidActuation)``: the valves' throttle
            (faults in; 0 before the engines light), what the engines give, and what the burn's
            engines should give at the valves' setting, spooled as a healthy engine is.
        """
        lit = bool(self.burn) and tick.t_s >= self.engines.lit_at_s - 1e-9
        lumped = self.engines.actuate(command, tick, dt, pressure_pa) if self.burn else None
        valves = lumped.throttle if lumped is not None else 0.0
        rigid = command.rigid
        moving = rigid is not None and steering
        g_cmd = np.asarray(rigid.gimbal_rad, dtype=float) if moving else self.gimbal.copy()
        f_cmd = np.asarray(rigid.fins_rad, dtype=float) if moving else self.fins.copy()
        held: list[int] = []
        if moving and self.faults:
            g_cmd, held = self._gimbal_commands(g_cmd, tick)
        throttle = np.empty_like(self.spool)
        thrust, expected = actuators_step(
            self.running(tick) * float(lit), np.array([float(lit)]), valves, dt, pressure_pa,
            max(len(self.burn), 1), self._par, (self.spool, self.healthy, self.gimbal, self.fins),
            (g_cmd, f_cmd, np.array([self.engines.valves])), throttle,
        )  # fmt: skip
        for i in held:
            self.gimbal[i] = self._held[i]
        duty = self._duty(rigid.rcs_duty if moving else None, tick, gas_left_kg)
        commanded = command.direction if rigid is not None else NO_AXIS
        act = RigidActuation(throttle, self.gimbal.copy(), self.fins.copy(), duty, commanded)
        return (valves if lit else 0.0), thrust, (expected if lit else 0.0), act

    def idle(self) -> RigidActuation:
        """Engines off, gimbals and fins held, thrusters silent."""
        k, c = self.spool.shape[0], self.params.rcs_position_m.shape[0]
        return RigidActuation(np.zeros(k), self.gimbal.copy(), self.fins.copy(), np.zeros(c))

    def _duty(self, command: np.ndarray | None, tick: Tick, gas_left_kg: float) -> np.ndarray:
        """The thrusters' duty: as commanded, none once the gas is gone or where a fault has
        taken them."""
        c = self.params.rcs_position_m.shape[0]
        if command is None or gas_left_kg <= 0.0:
            return np.zeros(c)
        asked = np.asarray(command, dtype=float)
        # mostly silent: asked in Python floats, cheaper than numpy's reductions on 8 values
        if not any(v > 0.0 for v in asked.tolist()):
            return np.zeros(c)
        duty = np.empty(c)
        clip_duty(asked, duty)
        if self.faults:
            failed = thrusters_failed(self.faults, tick.t_s, tick.phase, tick.altitude_m)
            if failed:
                duty[max(c - failed, 0) :] = 0.0
        return duty

    def _gimbal_commands(self, command: np.ndarray, tick: Tick) -> tuple[np.ndarray, list[int]]:
        """The gimbal commands the faults leave: a hard-over gimbal driven to its stop (its
        actuator moves it there at its rate), and the engines whose gimbal a fault holds where
        it was at the onset."""
        command = command.copy()
        held: list[int] = []
        faults = gimbal_faults(self.faults, tick.t_s, tick.phase, tick.altitude_m, self.burn)
        for f in faults:
            i = self.burn[int(f.engine)]
            command[i] = self._held.setdefault(i, self.gimbal[i].copy())
            if isinstance(f, GimbalHardOver):
                command[i, round(f.axis)] = f.fraction * self.params.gimbal_max_rad
            else:
                held.append(i)
        return command, held
