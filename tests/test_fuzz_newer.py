"""Fuzzing the newer inputs (#14 continued): flight files with a target orbit and the keys that
came with it, ``payload --orbit`` strings, economics and deploy study files, and the telemetry
folder ``compare`` reads. Same contract as tests/test_fuzz.py: a documented status (2 in one
``error:`` line for bad input), never a traceback, never a hang. Derandomized and small by
default (a flight file that passes validation designs its ascent, several seconds: few of those);
``-m slow`` runs more. The regressions found by hand come first, in-process where they can.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from test_fuzz import FAST, THOROUGH, _check, _replacement, _run
from toml_edit import dumps, edited, keys_of, load

ROOT = Path(__file__).resolve().parents[1]
FLIGHTS = {
    "bulgariasat1": load(ROOT / "validation" / "scenarios" / "bulgariasat1.toml"),
    "iridium_next8": load(ROOT / "validation" / "scenarios" / "iridium_next8.toml"),
    "saocom1a": load(ROOT / "src" / "boostback" / "scenarios" / "falcon9_saocom1a.toml"),
}
# the keys that came with target orbits (the rest of a flight file: tests/test_fuzz.py)
NEWER_KEYS = ("mission.", "recovery.", "entry.")
STUDIES = {  # few samples: the fuzz is about the input, not the statistics
    "economics": edited(load(ROOT / "examples" / "economics_falcon9.toml"), "samples", 20),
    "deploy": edited(load(ROOT / "examples" / "deploy_qianfan_zhuque3.toml"), "samples", 20),
}
TELEMETRY = {
    "analysed.json": {
        "time": [0.0, 1.0, 2.0, 3.0],
        "altitude": [0.0, 0.1, 0.3, 0.6],
        "velocity": [0.0, 10.0, 20.0, 30.0],
    },
    "events.json": {"meco": 2.0, "apogee": None},
}


def _write_trajectory(path: Path) -> None:
    """A small trajectory.parquet as ``fly --out`` writes it (the columns compare reads)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = [0.0, 1.0, 2.0, 3.0]
    table = pa.table({"t_s": t, "altitude_m": [0.0, 90.0, 310.0, 590.0], "speed_mps": t})
    events = [{"name": "meco", "t_s": 2.0, "altitude_m": 310.0, "speed_mps": 2.0}]
    meta = {b"boostback.events": json.dumps(events).encode()}
    pq.write_table(table.replace_schema_metadata(meta), path)


# --- the regressions found by hand -------------------------------------------------------------


@pytest.mark.parametrize(
    ("analysed", "events", "says"),
    [
        ({"time": [[0], [1]], "altitude": [0, 1], "velocity": [0, 1]}, {}, "time: must be a list"),
        ({"time": 1, "altitude": 1, "velocity": 1}, {}, "time: must be a list"),
        ({"time": [0, 1, 2], "altitude": [0, 1], "velocity": [0, 1, 2]}, {}, "same 2 or more"),
        ({"time": [0, 1], "altitude": [0, 1e308], "velocity": [0, 1]}, {}, "altitude: must be"),
        (TELEMETRY["analysed.json"], {"meco": math.nan}, "meco: must be a finite time"),
        (TELEMETRY["analysed.json"], None, "must be a JSON object of event times"),
    ],
)
def test_malformed_telemetry_is_one_line_naming_the_file(
    tmp_path: Path, analysed: Any, events: Any, says: str
) -> None:
    """Nested, scalar or unequal series were IndexError/ValueError deep in numpy (exit 3); a
    NaN event time was compared as if it were one."""
    from boostback.telemetry import load_telemetry

    (tmp_path / "analysed.json").write_text(json.dumps(analysed))
    (tmp_path / "events.json").write_text(json.dumps(events))
    with pytest.raises(ValueError, match=says) as err:
        load_telemetry(tmp_path)
    assert str(tmp_path) in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("kind", "orbit", "says"),
    [
        ("economics", "x", "no expendable payload to 'x'"),
        ("deploy", "gto", "no droneship payload to 'gto'"),  # Zhuque-3 lists LEO only
    ],
)
def test_an_orbit_the_cost_file_lacks_is_bad_input(
    tmp_path: Path, kind: str, orbit: str, says: str
) -> None:
    """``orbit = "x"`` in an economics study was StopIteration (exit 3)."""
    from boostback.config.errors import ConfigError
    from boostback.economics.models import load_deploy, load_study

    path = tmp_path / f"{kind}.toml"
    path.write_text(dumps(edited(STUDIES[kind], "orbit", orbit)))
    with pytest.raises(ConfigError, match=says) as err:
        (load_study if kind == "economics" else load_deploy)(str(path))
    assert err.value.key == "orbit" and err.value.file == str(path)


def test_upper_stage_burns_is_a_count_not_a_flag(tmp_path: Path) -> None:
    """``upper_stage_burns = true`` was read as 1 burn."""
    from boostback.config.errors import ConfigError
    from boostback.config.loader import load_flight

    path = tmp_path / "f.toml"
    path.write_text(dumps(edited(FLIGHTS["iridium_next8"], "mission.upper_stage_burns", True)))
    with pytest.raises(ConfigError) as err:
        load_flight(str(path))
    assert err.value.key == "mission.upper_stage_burns"


def test_a_target_orbit_past_the_sphere_of_influence_names_its_apogee() -> None:
    """The design blamed ``mission.upper_stage_burns`` for an apogee beyond the Earth's sphere
    of influence."""
    from boostback.config.errors import KeyedValueError
    from boostback.payload.upper_stage import TargetOrbit

    with pytest.raises(KeyedValueError) as err:
        TargetOrbit(185e3, 1e9, 27.0, argp_deg=180.0)
    assert err.value.key == "target_orbit.apogee_km"


def test_a_payload_too_heavy_to_lift_off_names_the_flight_file() -> None:
    """The designed ascent's lift-off check named the key but not the file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "f.toml")
        path.write_text(dumps(edited(FLIGHTS["saocom1a"], "mission.payload_mass_kg", 1e7)))
        proc = _run(["fly", str(path), "--json"], Path(tmp))
    assert proc.returncode == 2, proc.stderr
    last = proc.stderr.strip().splitlines()[-1]  # after a cold cache's compile notice
    assert last.startswith(f"error: {path}: mission.payload_mass_kg:")


# --- the fuzz ----------------------------------------------------------------------------------


@st.composite
def _mutated(draw: st.DrawFn, data: dict[str, Any], keys: tuple[str, ...] = ()) -> Any:
    """``data`` with one to three values (under ``keys`` when given) replaced or removed."""
    changes: list[tuple[str, Any]] = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        pool = [(k, v) for k, v in keys_of(data) if not keys or k.startswith(keys)]
        key, old = draw(st.sampled_from(pool))
        new = draw(_replacement(old))
        try:
            data = edited(data, key, new)
        except (KeyError, IndexError, TypeError):
            continue
        changes.append((key, new))
    return data, changes


def _fly(data: dict[str, Any], args: list[str], what: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "f.toml")
        path.write_text(dumps(data))
        _check(_run([a.replace("{f}", str(path)) for a in args], Path(tmp)), what)


FEW = settings(FAST, max_examples=3)  # a flight that passes validation designs an ascent


def _flight_case(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(FLIGHTS)))
    mutated, changes = data.draw(_mutated(FLIGHTS[name], NEWER_KEYS))
    _fly(mutated, ["fly", "{f}", "--json"], f"{name} with {changes}")


@FEW
@given(data=st.data())
def test_mutated_target_orbit_flights_end_in_a_documented_status(data: st.DataObject) -> None:
    _flight_case(data)


@pytest.mark.slow
@settings(THOROUGH, max_examples=30)
@given(data=st.data())
def test_many_mutated_target_orbit_flights_end_in_a_documented_status(
    data: st.DataObject,
) -> None:
    _flight_case(data)


def _study_case(kind: str, data: st.DataObject) -> None:
    """An economics or deploy study with values replaced, run through its command."""
    mutated, changes = data.draw(_mutated(STUDIES[kind]))
    _fly(mutated, [kind, "{f}", "--json"], f"{kind} with {changes}")


@pytest.mark.parametrize("kind", list(STUDIES))
@FEW
@given(data=st.data())
def test_mutated_studies_end_in_a_documented_status(kind: str, data: st.DataObject) -> None:
    _study_case(kind, data)


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(STUDIES))
@THOROUGH
@given(data=st.data())
def test_many_mutated_studies_end_in_a_documented_status(kind: str, data: st.DataObject) -> None:
    _study_case(kind, data)


ORBIT_PARTS = st.sampled_from(
    ["200", "-5", "nan", "inf", "0", "80", "100", "28.5", "181", "1e9", "35786", "180", "", "a"]
)


@st.composite
def orbit_strings(draw: st.DrawFn) -> str:
    """``PxAxI[xW]`` strings, most of them nonsense: too few parts, apogee below perigee,
    inclinations past 180 deg or out of the site's reach, NaN, beyond the sphere of influence."""
    parts = draw(st.lists(ORBIT_PARTS, min_size=1, max_size=5))
    return "x".join(parts)


def _payload(orbit: str, extra: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        args = ["payload", "falcon9", "--orbit", orbit, "--json", *extra]
        _check(_run(args, Path(tmp)), " ".join(args))


PAYLOAD_EXTRAS = st.sampled_from(
    [["--recovery", "expendable"], ["--recovery", "expendable", "--burns", "2"],
     ["--recovery", "x"], ["--recovery", "expendable", "--site", "slc4e"]]
)  # fmt: skip


@settings(FAST, max_examples=4)
@given(orbit=orbit_strings(), extra=PAYLOAD_EXTRAS)
def test_nonsense_orbits_end_in_a_documented_status(orbit: str, extra: list[str]) -> None:
    _payload(orbit, extra)


@pytest.mark.slow
@settings(THOROUGH, max_examples=40)
@given(orbit=orbit_strings(), extra=PAYLOAD_EXTRAS)
def test_many_nonsense_orbits_end_in_a_documented_status(orbit: str, extra: list[str]) -> None:
    _payload(orbit, extra)


JSON_NASTY: list[Any] = [math.nan, math.inf, -math.inf, None, [], {}, "x", True, 5.0, -1e308]
SERIES_NASTY: list[Any] = [[], [0.0], [[0.0], [1.0]], [0.0, 1.0, 2.0, 3.0, 4.0], [1e308] * 4]


@st.composite
def telemetry_files(draw: st.DrawFn) -> dict[str, str | None]:
    """The two telemetry files, one of them missing, truncated, of the wrong shape, or with a
    value replaced (NaN, null, a string, an empty, short, long or nested array)."""
    files: dict[str, str | None] = {k: json.dumps(v) for k, v in TELEMETRY.items()}
    name = draw(st.sampled_from(sorted(files)))
    how = draw(st.sampled_from(["missing", "truncated", "whole", "value"]))
    text = json.dumps(TELEMETRY[name])
    if how == "missing":
        files[name] = None
    elif how == "truncated":
        files[name] = text[: draw(st.integers(min_value=0, max_value=len(text) - 1))]
    elif how == "whole":
        files[name] = json.dumps(draw(st.sampled_from(JSON_NASTY)))
    else:
        data = dict(TELEMETRY[name])
        key = draw(st.sampled_from(sorted(data)))
        series = name == "analysed.json"
        data[key] = draw(st.sampled_from(JSON_NASTY + SERIES_NASTY if series else JSON_NASTY))
        files[name] = json.dumps(data)  # NaN and Infinity as JavaScript spells them
    return files


def _compare(files: dict[str, str | None]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp, "tel")
        folder.mkdir()
        for name, text in files.items():
            if text is not None:
                (folder / name).write_text(text)
        _write_trajectory(Path(tmp, "trajectory.parquet"))
        args = ["compare", "trajectory.parquet", "tel", "--json", "--out", "plots"]
        _check(_run(args, Path(tmp)), f"compare with {files}")


@settings(FAST, max_examples=5)
@given(files=telemetry_files())
def test_malformed_telemetry_ends_in_a_documented_status(files: dict[str, str | None]) -> None:
    _compare(files)


@pytest.mark.slow
@THOROUGH
@given(files=telemetry_files())
def test_much_malformed_telemetry_ends_in_a_documented_status(
    files: dict[str, str | None],
) -> None:
    _compare(files)
