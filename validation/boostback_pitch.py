"""Which way each webcast boostback burned: its velocity change and mean pitch, from telemetry.

The telemetry gives speed and flight-path angle (``analysed.json``) and the burn's start and end
(``events.json``). The burn's vertical velocity change is the change of the vertical speed with
gravity taken out over the burn, ``dv_z = v_z(end) - v_z(start) + g (t_end - t_start)`` (``g`` at
the start altitude); the horizontal one is the change of the horizontal speed, which an RTLS
stage reverses (it ends the burn flying back, where the telemetry's speed and angle stay those
of the speed's magnitude). The pitch is the direction of that change above the horizon
(negative: below it). docs/flights.md, point 12, reads the table.

Run from the repository root: ``.venv/bin/python validation/boostback_pitch.py``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from boostback.constants import G0_MPS2

ROOT = Path(__file__).resolve().parent
FOLDERS = (
    ROOT / "telemetry" / "falcon9",
    ROOT.parent.parent / "shared" / "data" / "telemetry" / "falcon9",
)
RTLS = {"SpaceX_CRS-11", "SpaceX_CRS-12", "Zuma", "X-37B_OTV-5", "NROL-76", "SAOCOM_1A"}
EARTH_RADIUS_M = 6_371_000.0  # mean radius, for g at the burn's altitude


def boostback_dv(folder: Path, returns: bool) -> tuple[float, float, float, float] | None:
    """(duration s, horizontal dv, vertical dv (m/s), pitch deg) of the flight's boostback, or
    None when its telemetry has no boostback or no flight-path angle."""
    events = json.loads((folder / "events.json").read_text(encoding="utf-8"))
    data = json.loads((folder / "analysed.json").read_text(encoding="utf-8"))
    t0, t1 = events.get("boostback_start"), events.get("boostback_end")
    if t0 is None or t1 is None or "angle" not in data:
        return None
    t = np.asarray(data["time"], dtype=float)
    speed = np.asarray(data["velocity"], dtype=float)
    angle = np.radians(np.asarray(data["angle"], dtype=float))
    alt_km = float(np.interp(t0, t, np.asarray(data["altitude"], dtype=float)))
    g = G0_MPS2 * (EARTH_RADIUS_M / (EARTH_RADIUS_M + 1e3 * alt_km)) ** 2
    vz = np.interp([t0, t1], t, speed * np.sin(angle))
    vh = np.interp([t0, t1], t, speed * np.cos(angle))
    dvz = float(vz[1] - vz[0] + g * (t1 - t0))
    dvh = float((-vh[1] if returns else vh[1]) - vh[0])
    return float(t1 - t0), dvh, dvz, math.degrees(math.atan2(dvz, -dvh))


def main() -> None:
    print("flight            burn s   dv horizontal   dv vertical   pitch deg")
    for base in FOLDERS:
        for folder in sorted(p for p in base.iterdir() if (p / "events.json").exists()):
            found = boostback_dv(folder, folder.name in RTLS)
            if found is not None:
                dur, dvh, dvz, pitch = found
                print(f"{folder.name:<16} {dur:7.0f} {dvh:15.0f} {dvz:13.0f} {pitch:11.1f}")


if __name__ == "__main__":
    main()
