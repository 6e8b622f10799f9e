"""mc rare on a campaign: its inputs as an OpenTURNS distribution, runs flown at given points,
and the folder that keeps them for a restart."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

ot = pytest.importorskip("openturns")

from boostback.campaign import rare_campaign  # noqa: E402
from boostback.campaign.rare import RareOptions  # noqa: E402
from boostback.campaign.rare_campaign import rare_estimate  # noqa: E402
from boostback.campaign.rare_space import distribution, marginal, point_draw, variables  # noqa: E402
from boostback.campaign.run import prepare, run_one  # noqa: E402
from boostback.campaign.sampling import draw_at  # noqa: E402
from boostback.campaign.spec import campaign_from_dict  # noqa: E402
from boostback.config.errors import ConfigError  # noqa: E402

SPEC = {
    "scenario": "falcon9_landing",
    "runs": 10,
    "seed": 5,
    "dispersions": [
        {"path": "initial.altitude_m", "dist": "normal", "sigma": 150.0},
        # a normal reaching below the setting's bound (propellant >= 0): truncated there
        {"path": "initial.propellant_kg", "dist": "normal", "mean": 300.0, "sigma": 400.0},
        {
            "path": "environment.wind_enu_mps[0]",
            "dist": "truncnormal",
            "mean": 1.0,
            "sigma": 5.0,
            "low": -8.0,
            "high": 15.0,
        },
        {"path": "initial.position_en_m[0]", "dist": "uniform", "low": 100.0, "high": 700.0},
        {"path": "guidance.replan_hz", "dist": "choice", "values": [1.0, 2.0, 5.0]},
    ],
    "faults": [
        {
            "kind": "thrust_shortfall",
            "probability": 0.2,
            "fraction": {"dist": "uniform", "low": 0.0, "high": 0.1},
        },
        {"kind": "ignition_delay", "delay_s": 0.3},
    ],
}


@pytest.fixture(scope="module")
def ctx():
    return prepare(campaign_from_dict(SPEC), None)


def test_inputs_are_the_dispersions_then_fault_presences_and_drawn_parameters(ctx) -> None:
    names = [v.name for v in variables(ctx.spec, ctx.targets)]
    assert names == [
        "input:initial.altitude_m",
        "input:initial.propellant_kg",
        "input:environment.wind_enu_mps[0]",
        "input:initial.position_en_m[0]",
        "input:guidance.replan_hz",
        "fault0_thrust_shortfall:u",  # probability 0.2; the certain ignition delay has none
        "fault0_fraction",
    ]


@pytest.mark.parametrize("u", [1e-4, 0.05, 0.3, 0.5, 0.77, 0.999])
def test_openturns_laws_match_the_campaign_draws(ctx, u: float) -> None:
    """OpenTURNS' quantiles against the inverse CDF the campaign's own designs use (scipy's
    truncated normal): the same law, two implementations."""
    for v in variables(ctx.spec, ctx.targets):
        if v.latent:
            assert marginal(v).computeQuantile(u)[0] == pytest.approx(u)
            continue
        expected = draw_at(v.dist, v.base, u, v.bounds)
        assert marginal(v).computeQuantile(u)[0] == pytest.approx(expected, rel=1e-7, abs=1e-9)


def test_truncated_normal_keeps_the_bound(ctx) -> None:
    prop = variables(ctx.spec, ctx.targets)[1]
    law = marginal(prop)
    assert law.computeCDF(0.0) == pytest.approx(0.0, abs=1e-15)
    # below the mean, the probability is the truncated normal's
    truth = (stats.norm.cdf(0.0) - stats.norm.cdf(-0.75)) / stats.norm.sf(-0.75)
    assert law.computeCDF(300.0) == pytest.approx(truth, rel=1e-9)


def test_a_point_sets_the_run_inputs_and_faults(ctx) -> None:
    point = (2950.0, 8000.0, -3.0, 250.0, 0.5, 0.1, 0.07)
    d = point_draw(ctx, point)
    assert d.inputs["initial.altitude_m"] == 2950.0
    assert d.scenario["initial"]["propellant_kg"] == 8000.0
    assert d.scenario["environment"]["wind_enu_mps"][0] == -3.0
    assert d.inputs["guidance.replan_hz"] == 2.0  # u = 0.5 picks the middle of three values
    assert d.fault_columns["fault0_thrust_shortfall"] == 1.0  # u = 0.1 < 0.2
    assert d.fault_columns["fault0_fraction"] == 0.07
    assert d.fault_columns["fault1_delay_s"] == 0.3
    assert [type(f).__name__ for f in d.faults] == ["ThrustShortfall", "IgnitionDelay"]
    absent = point_draw(ctx, (*point[:5], 0.9, 0.07))
    assert absent.fault_columns["fault0_thrust_shortfall"] == 0.0
    assert math.isnan(absent.fault_columns["fault0_fraction"])
    assert len(absent.faults) == 1
    # the same point flies with the same noise stream
    assert point_draw(ctx, point).rng.random() == d.rng.random()


def test_a_run_flies_at_its_point_and_records_its_margin(ctx) -> None:
    point = (3000.0, 9000.0, 0.0, 400.0, 0.5, 0.9, 0.0)
    row = run_one(replace(ctx, points={3: point}, points_draw=point_draw), 3, False)
    assert row["error"] == ""
    assert row["input:initial.propellant_kg"] == 9000.0
    assert (row["landing_margin"] < 0) == (row["outcome"] != "landed")
    assert math.isfinite(row["landing_margin"])


def _fake_batch(ctx, indices, in_worker=True):
    """Runs whose margin is 2 - (altitude - 3000) / 150: P(fail) = Phi(-2)."""
    rows = []
    for i in indices:
        d = ctx.points_draw(ctx, ctx.points[i])
        margin = 2.0 - (d.inputs["initial.altitude_m"] - 3000.0) / 150.0
        outcome = "landed" if margin >= 0 else "crashed"
        rows.append({"run": i, "outcome": outcome, "landing_margin": margin, "error": ""})
    return rows


def test_an_estimate_resumes_from_its_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(rare_campaign, "run_batch", _fake_batch)
    spec = campaign_from_dict(SPEC)
    opts = RareOptions(method="subset", seed=3, samples=100, target_cov=1.0)
    first, s1 = rare_estimate(spec, tmp_path, opts, workers=1)
    assert s1.flown == first.runs and s1.reused == 0
    lo, hi = first.interval_95
    assert lo < first.probability < hi
    assert len(first.repetitions) == 1
    assert first.design_points[0]["input:initial.altitude_m"] > 3000.0 + 2 * 150.0
    again, s2 = rare_estimate(spec, tmp_path, opts, workers=1)
    assert s2.flown == 0 and s2.reused == again.runs == first.runs
    assert again.probability == first.probability
    # a tighter target goes on from the runs already flown
    more, s3 = rare_estimate(spec, tmp_path, replace(opts, target_cov=0.2), workers=1)
    assert len(more.repetitions) > 1
    assert s3.reused == first.runs and s3.flown == more.runs - first.runs
    with pytest.raises(ConfigError, match="seed"):
        rare_estimate(spec, tmp_path, replace(opts, seed=4), workers=1)


def test_report_of_a_rare_folder(tmp_path: Path, monkeypatch) -> None:
    from boostback.report.rare_html import write_rare_report

    monkeypatch.setattr(rare_campaign, "run_batch", _fake_batch)
    opts = RareOptions(method="form", seed=1, samples=100, target_cov=0.3)
    result, _ = rare_estimate(campaign_from_dict(SPEC), tmp_path, opts, workers=1)
    # FORM on a limit state linear in one normal input: beta = 2 exactly
    assert result.form["beta"] == pytest.approx(2.0, rel=1e-3)
    page = write_rare_report(tmp_path, plotly="inline").read_text()
    assert "P(failure)" in page and "rare-levels" in page and "FORM beta" in page
    # boostback report FOLDER knows an mc rare folder
    from boostback.cli.report import write_report

    again = write_report(tmp_path, tmp_path / "again.html", plotly="inline")
    assert again.name == "again.html" and "P(failure)" in again.read_text()


def test_joint_law_names_the_inputs(ctx) -> None:
    dist = distribution(variables(ctx.spec, ctx.targets))
    assert dist.getDescription()[0] == "input:initial.altitude_m"
    assert np.isfinite(dist.computeLogPDF(dist.getMean()))


def test_cli_refuses_an_unknown_method(tmp_path: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from boostback.cli.mc_rare import rare

    app = typer.Typer()
    app.command()(rare)
    app.command("other")(lambda: None)  # two commands: 'rare' is named, as under 'mc'
    result = CliRunner().invoke(
        app, ["rare", "examples/falcon9_rare_1pct.toml", "--out", str(tmp_path), "--method", "x"]
    )
    assert result.exit_code == 2
    assert "--method" in result.output
