"""CZML export (CesiumJS): a flight as a time-tagged position that a Cesium viewer plays back.

One document packet, one packet for the booster (``position.cartographicDegrees`` as
``[t, lon, lat, h, ...]`` seconds after ``epoch``, with a path coloured in the report's palette
by the flight's first phase colour) and one point packet per place. Plain JSON: no library.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from boostback.report.geo import GroundTrack
from boostback.report.palette import BLACK, place_marker

__all__ = ["CZML_FILE", "czml_document", "write_czml"]

CZML_FILE = "trajectory.czml"
EPOCH = datetime(2000, 1, 1, 12, tzinfo=UTC)  # J2000: the simulation has no calendar date


def _rgba(colour: str) -> list[int]:
    return [int(colour[k : k + 2], 16) for k in (1, 3, 5)] + [255]


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def czml_document(
    title: str, track: GroundTrack, *, max_points: int = 2000
) -> list[dict[str, Any]]:
    """The CZML packets of ``track`` (thinned to ``max_points`` samples)."""
    n = len(track.t_s)
    idx = np.unique(np.linspace(0, n - 1, min(n, max_points)).round().astype(int))
    t0 = float(track.t_s[0])
    start, stop = EPOCH, EPOCH + timedelta(seconds=float(track.t_s[-1]) - t0)
    interval = f"{_iso(start)}/{_iso(stop)}"
    samples = np.column_stack(
        [track.t_s[idx] - t0, track.lon_deg[idx], track.lat_deg[idx], track.alt_m[idx]]
    )
    packets: list[dict[str, Any]] = [
        {
            "id": "document",
            "name": title,
            "version": "1.0",
            "clock": {"interval": interval, "currentTime": _iso(start), "multiplier": 10},
        },
        {
            "id": "booster",
            "name": title,
            "availability": interval,
            "position": {
                "epoch": _iso(start),
                "cartographicDegrees": np.round(samples, 7).ravel().tolist(),
            },
            "path": {
                "material": {"solidColor": {"color": {"rgba": _rgba(BLACK)}}},
                "width": 2,
                "leadTime": 0,
                "trailTime": float(stop.timestamp() - start.timestamp()),
            },
            "point": {"pixelSize": 8, "color": {"rgba": _rgba(BLACK)}},
        },
    ]
    for k, p in enumerate(track.places):
        packets.append(
            {
                "id": f"place-{k}",
                "name": p.name,
                "description": f"{p.kind.value}. {p.detail}".strip(". "),
                "position": {"cartographicDegrees": [p.lon_deg, p.lat_deg, 0.0]},
                "point": {
                    "pixelSize": 10,
                    "color": {"rgba": _rgba(place_marker(p.kind.value).colour)},
                },
            }
        )
    return packets


def write_czml(path: str | Path, title: str, track: GroundTrack) -> Path:
    """Write :func:`czml_document` to ``path`` as JSON."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(czml_document(title, track)), encoding="utf-8")
    return path
