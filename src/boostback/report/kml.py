"""KML export (Google Earth, QGIS, Cesium): trajectories as altitude-absolute line strings, the
places of a flight as points, and touchdown dispersion ellipses as polygons on the ground.

Written with :mod:`xml.etree.ElementTree` (KML 2.2, ``http://www.opengis.net/kml/2.2``); one
``Document`` per file, one ``Folder`` per flight or campaign. Colours are the report palette's
(:mod:`.palette`), in KML's ``aabbggrr`` order.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from boostback.report.geo import EARTH_RADIUS_M, GroundTrack
from boostback.report.palette import phase_colour, place_marker

__all__ = ["KML_FILE", "KML_NS", "Ellipse", "kml_document", "write_kml"]

KML_FILE = "trajectory.kml"
KML_NS = "http://www.opengis.net/kml/2.2"
ELLIPSE_POINTS = 73


@dataclass(frozen=True)
class Ellipse:
    """A touchdown ellipse on the ground: centre (deg), semi-axes (m), orientation of the
    major axis (deg, counter-clockwise from east), and a name ("2σ", "95 %")."""

    name: str
    lat_deg: float
    lon_deg: float
    semi_major_m: float
    semi_minor_m: float
    orientation_deg: float

    def ring(self, k: int = ELLIPSE_POINTS) -> np.ndarray:
        """(k, 2) longitude, latitude (deg), closed."""
        a = np.linspace(0.0, 2 * math.pi, k)
        th = math.radians(self.orientation_deg)
        u, v = self.semi_major_m * np.cos(a), self.semi_minor_m * np.sin(a)
        east, north = u * math.cos(th) - v * math.sin(th), u * math.sin(th) + v * math.cos(th)
        lat = self.lat_deg + np.degrees(north / EARTH_RADIUS_M)
        coslat = max(math.cos(math.radians(self.lat_deg)), 1e-6)
        lon = self.lon_deg + np.degrees(east / (EARTH_RADIUS_M * coslat))
        return np.column_stack([lon, lat])


def _kml_colour(hex_rgb: str, alpha: float = 1.0) -> str:
    r, g, b = hex_rgb[1:3], hex_rgb[3:5], hex_rgb[5:7]
    return f"{round(255 * alpha):02x}{b}{g}{r}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{KML_NS}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def _coords(lon: Iterable[float], lat: Iterable[float], alt: Iterable[float] | None = None) -> str:
    if alt is None:
        return " ".join(f"{x:.7f},{y:.7f},0" for x, y in zip(lon, lat, strict=True))
    return " ".join(f"{x:.7f},{y:.7f},{z:.1f}" for x, y, z in zip(lon, lat, alt, strict=True))


def _line_style(doc: ET.Element, sid: str, colour: str, width: float) -> None:
    style = _sub(doc, "Style", id=sid)
    line = _sub(style, "LineStyle")
    _sub(line, "color", _kml_colour(colour))
    _sub(line, "width", f"{width:g}")
    poly = _sub(style, "PolyStyle")
    _sub(poly, "color", _kml_colour(colour, 0.15))


def _point_style(doc: ET.Element, sid: str, colour: str) -> None:
    style = _sub(doc, "Style", id=sid)
    icon = _sub(style, "IconStyle")
    _sub(icon, "color", _kml_colour(colour))


def _track_folder(doc: ET.Element, name: str, track: GroundTrack, styles: set[str]) -> None:
    folder = _sub(doc, "Folder")
    _sub(folder, "name", name)
    for phase, i, j in track.runs():
        j = min(j + 1, len(track.t_s) - 1)
        sid = f"phase-{phase}"
        if sid not in styles:
            _line_style(doc, sid, phase_colour(phase), 3.0)
            styles.add(sid)
        pm = _sub(folder, "Placemark")
        _sub(pm, "name", f"{phase.replace('_', ' ')} ({track.t_s[i]:.1f}–{track.t_s[j]:.1f} s)")
        _sub(pm, "styleUrl", f"#{sid}")
        line = _sub(pm, "LineString")
        _sub(line, "altitudeMode", "absolute")
        sl = slice(i, j + 1)
        _sub(line, "coordinates", _coords(track.lon_deg[sl], track.lat_deg[sl], track.alt_m[sl]))
    for p in track.places:
        sid = f"place-{p.kind.name.lower()}"
        if sid not in styles:
            _point_style(doc, sid, place_marker(p.kind.value).colour)
            styles.add(sid)
        pm = _sub(folder, "Placemark")
        _sub(pm, "name", p.name)
        _sub(pm, "description", f"{p.kind.value}. {p.detail}".strip(". "))
        _sub(pm, "styleUrl", f"#{sid}")
        pt = _sub(pm, "Point")
        _sub(pt, "coordinates", _coords([p.lon_deg], [p.lat_deg]))


def _ellipse_folder(doc: ET.Element, ellipses: Sequence[Ellipse], colour: str) -> None:
    folder = _sub(doc, "Folder")
    _sub(folder, "name", "touchdown ellipses")
    _line_style(doc, "ellipse", colour, 2.0)
    for e in ellipses:
        pm = _sub(folder, "Placemark")
        _sub(pm, "name", e.name)
        _sub(
            pm,
            "description",
            f"{e.semi_major_m:.2f} m × {e.semi_minor_m:.2f} m, major axis {e.orientation_deg:.0f}° "
            "from east",
        )
        _sub(pm, "styleUrl", "#ellipse")
        poly = _sub(pm, "Polygon")
        _sub(poly, "altitudeMode", "clampToGround")
        ring = _sub(_sub(poly, "outerBoundaryIs"), "LinearRing")
        r = e.ring()
        _sub(ring, "coordinates", _coords(r[:, 0], r[:, 1]))


def kml_document(
    title: str,
    tracks: Sequence[tuple[str, GroundTrack]] = (),
    ellipses: Sequence[Ellipse] = (),
    ellipse_colour: str = "#000000",
) -> ET.ElementTree:
    """A KML tree: one folder per named track, one for the ellipses."""
    ET.register_namespace("", KML_NS)
    root = ET.Element(f"{{{KML_NS}}}kml")
    doc = _sub(root, "Document")
    _sub(doc, "name", title)
    styles: set[str] = set()
    for name, track in tracks:
        _track_folder(doc, name, track, styles)
    if ellipses:
        _ellipse_folder(doc, ellipses, ellipse_colour)
    tree = ET.ElementTree(root)
    ET.indent(tree, space=" ")
    return tree


def write_kml(path: str | Path, title: str, **kw: object) -> Path:
    """Write :func:`kml_document` to ``path`` (UTF-8, with the XML declaration)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    kml_document(title, **kw).write(path, encoding="utf-8", xml_declaration=True)  # type: ignore[arg-type]
    return path
