"""``boostback payload``: exit statuses, one-line errors, JSON for scripts; the bench row."""

from __future__ import annotations

import json
import math

import pytest
import typer
from typer.testing import CliRunner

from boostback.cli.payload import payload

app = typer.Typer()
app.command()(payload)
runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["falcon9", "--orbit", "200x200"], "--orbit: bad orbit '200x200'"),
        (["falcon9", "--orbit", "300x200x28.5"], "--orbit: bad orbit"),
        (["falcon9", "--recovery", "barge"], "--recovery: unknown mode 'barge'"),
        (["falcon9", "--site", "nowhere"], "--site: unknown site 'nowhere'"),
        (["atlas5"], "no built-in flight scenario for vehicle 'atlas5'"),
        (["/nonexistent/flight.toml"], "/nonexistent/flight.toml: file not found"),
        (["falcon9", "--burns", "3"], "--burns: orbit 200x200x28.5: the upper stage flies 1 or 2"),
        (["falcon9", "--burns", "2"], "--burns: orbit 200x200x28.5: two burns need a perigee"),
        (["falcon9", "--orbit", "185x35786x27x180", "--burns", "1"], "takes 2 burns"),
        (["falcon9", "--orbit", "1e9x1e9x28.5"], "--orbit: bad orbit '1e9x1e9x28.5'"),
        (["falcon9", "--orbit", "200x918622x28.5"], "sphere of influence"),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], needle: str) -> None:
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and needle in lines[0]


def test_json_one_mode_against_expendable() -> None:
    """--recovery droneship --json: the mode alone, with what it gives up against expendable
    (solved alongside), its staging state, its booster reserve and the insertion."""
    res = runner.invoke(
        app, ["falcon9", "--orbit", "200x200x28.5", "--recovery", "droneship", "--json"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert [m["mode"] for m in data["modes"]] == ["droneship"]
    m = data["modes"][0]
    assert m["given_up_kg"] > 0.0
    assert m["staging"]["booster_propellant_kg"] == pytest.approx(
        m["booster_reserve"]["total_kg"], rel=1e-3
    )
    assert abs(m["insertion"]["errors"]["perigee_m"]) < 5_000.0
    assert data["target"]["inclination_deg"] == 28.5


def test_bench_row() -> None:
    from boostback.payload.bench import payload_rows

    (row,) = payload_rows(repeats=1, warmup=False)
    assert row.median_s > 0.0 and math.isnan(row.baseline_median_s)
    assert "expendable" in row.note and "rtls" in row.note


def test_burns_one_or_two_as_the_mission_flew() -> None:
    """--burns: the same 600 km orbit flown in one burn or in two (transfer orbit, coast, apogee
    burn), each inserted within the tolerance; the default above 350 km is two
    (``DIRECT_MAX_ALT_M``, which the option's help quotes)."""
    from boostback.payload.upper_stage import DIRECT_MAX_ALT_M

    burns = {}
    for count in ("1", "2"):
        args = ["falcon9", "--orbit", "600x600x51.6", "--recovery", "expendable"]
        res = runner.invoke(app, [*args, "--burns", count, "--json"])
        assert res.exit_code == 0, res.output
        (m,) = json.loads(res.output)["modes"]
        assert abs(m["insertion"]["errors"]["perigee_m"]) < 5_000.0
        assert abs(m["insertion"]["errors"]["apogee_m"]) < 5_000.0
        burns[count] = (len(m["insertion"]["burns"]), m["payload_kg"])
    assert burns["1"][0] == 1 and burns["2"][0] == 2, burns
    assert burns["1"][1] > 0.0 and burns["2"][1] > 0.0
    help_text = " ".join(runner.invoke(app, ["--help"]).output.split())
    assert f"above {DIRECT_MAX_ALT_M / 1e3:g} km" in help_text
