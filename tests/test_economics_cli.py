"""End to end through the command line: a tiny campaign flown with ``boostback mc run``, its
folder read by ``boostback economics --landing-from`` and ``boostback deploy --landing-from``;
bad input is one line and status 2; the HTML report opens in the real headless browser the
other report tests use, with cost per kilogram against landing probability and the campaign's
interval on it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from boostback.campaign.stats import summarize
from boostback.campaign.store import load_results
from boostback.cli import app

ROOT = Path(__file__).parents[1]
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
]
runner = CliRunner()

SCENARIO = """
name = "fast landing for economics tests"
vehicle = "falcon9"
[initial]
altitude_m = 3000.0
position_en_m = [400.0, 0.0]
velocity_enu_mps = [-15.0, 0.0, -250.0]
propellant_kg = 9000.0
[guidance]
nodes = 20
replan_hz = 1.0
[sim]
dt_s = 0.05
"""
CAMPAIGN = """
scenario = "fast.toml"
runs = 6
seed = 7
[[faults]]
kind = "thrust_shortfall"
probability = 0.5
fraction = { dist = "uniform", low = 0.0, high = 0.4 }
onset = { phase = "landing_burn" }
"""


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("econ_mc")
    (folder / "fast.toml").write_text(SCENARIO)
    (folder / "campaign.toml").write_text(CAMPAIGN)
    out = folder / "out"
    res = runner.invoke(
        app,
        [
            "mc",
            "run",
            str(folder / "campaign.toml"),
            "--out",
            str(out),
            "--workers",
            "1",
            "--quiet",
        ],
    )
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="module")
def economics_run(campaign: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    report = tmp_path_factory.mktemp("econ_report")
    res = runner.invoke(
        app,
        [
            "economics",
            str(ROOT / "examples" / "economics_falcon9.toml"),
            "--landing-from",
            str(campaign),
            "--json",
            "--report",
            "--out",
            str(report),
        ],
    )
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_economics_reads_the_campaign_counts(campaign: Path, economics_run: dict) -> None:
    summary = summarize(load_results(campaign))
    landing = economics_run["landing"]
    assert landing["landed"] == summary.landed and landing["attempts"] == summary.completed
    assert landing["alpha"] == summary.landed + 1
    assert landing["interval_95"] == pytest.approx(list(summary.interval_95))
    modes = {m["mode"] for m in economics_run["modes"]}
    assert modes == {"expendable", "droneship", "rtls"}
    assert len(economics_run["curve"]["landing_probability"]) > 10


def test_deploy_reads_the_campaign_too(campaign: Path) -> None:
    res = runner.invoke(
        app,
        [
            "deploy",
            str(ROOT / "examples" / "deploy_qianfan_zhuque3.toml"),
            "--landing-from",
            str(campaign),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["landing"]["attempts"] == 6
    assert [m["share"] for m in data["milestones"]] == [0.1, 0.5, 1.0]


def test_examples_run_with_their_own_landing_figures() -> None:
    for name in ("economics_zhuque3.toml", "deploy_guowang_falcon9.toml"):
        cmd = "economics" if name.startswith("economics") else "deploy"
        res = runner.invoke(app, [cmd, str(ROOT / "examples" / name)])
        assert res.exit_code == 0, res.output
    res = runner.invoke(
        app, ["economics", "zhuque3", "--landing-probability", "0.9", "--interval", "0.8", "0.95"]
    )
    assert res.exit_code == 0, res.output
    assert "break-even" in res.output


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        ('cost = "falcon9"\ncadense_per_year = 3.0\n', [], "cadense_per_year: unknown key"),
        ('cost = "falcon9"\n[landing]\nprobability = 1.5\n', [], "landing.probability"),
        ('cost = "nosuch"\n', [], "cost: no built-in economics file"),
        (
            'cost = "falcon9"\n',
            ["--landing-probability", "0.9", "--interval", "0.95", "0.99"],
            "--interval",
        ),
        ('cost = "falcon9"\n', [], "no landing probability"),
    ],
)
def test_bad_input_is_one_line_and_status_2(
    tmp_path: Path, text: str, args: list[str], message: str
) -> None:
    path = tmp_path / "study.toml"
    path.write_text(text)
    res = runner.invoke(app, ["economics", str(path), *args])
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert len(res.output.strip().splitlines()) == 1


# ------------------------------------------------------------------------ in a real browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} missing: run scripts/ensure-chromium.sh (needs root and apt-get)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield b
        b.close()


JS_PLOTS = """() => Array.from(document.querySelectorAll('div.plot')).map(el => ({
    id: el.id, declared: Number(el.dataset.traces), traces: (el._fullData || []).length,
    drawn: el.querySelectorAll('.scatterlayer .trace, .barlayer .trace, .boxlayer .trace').length,
    legend: Array.from(el.querySelectorAll('.legend .legendtext')).map(t => t.textContent),
}))"""


def test_report_shows_cost_against_probability_with_the_interval(
    browser: Any, economics_run: dict
) -> None:
    path = Path(economics_run["report"])
    assert (path.parent / "economics_cost_curve.png").stat().st_size > 10_000
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def only_local(route: Any) -> None:
        if route.request.url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    try:
        page.goto(path.resolve().as_uri())
        page.wait_for_function("document.body.dataset.plotsReady === '5'", timeout=60_000)
        plots = {p["id"]: p for p in page.evaluate(JS_PLOTS)}
        assert set(plots) == {
            "cost-vs-probability",
            "cost-distribution",
            "cost-breakdown",
            "reliability-growth",
            "learning-projection",
        }
        for p in plots.values():
            assert p["traces"] == p["declared"] >= 1 and p["drawn"] >= 1, p
        legend = plots["cost-vs-probability"]["legend"]
        assert any("95 % interval" in t and "campaign" in t for t in legend), legend
        assert {"expendable", "droneship", "rtls"} <= set(legend)
        assert errors == [] and outside == []
    finally:
        page.close()


def test_deploy_report_renders(browser: Any, campaign: Path, tmp_path: Path) -> None:
    """The deployment report, network blocked: both plots drawn, the ITU deadlines in the
    legend."""
    res = runner.invoke(
        app,
        [
            "deploy",
            str(ROOT / "examples" / "deploy_qianfan_zhuque3.toml"),
            "--landing-from",
            str(campaign),
            "--report",
            "--out",
            str(tmp_path),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    path = Path(json.loads(res.stdout)["report"])
    assert (path.parent / "deploy_milestones.png").stat().st_size > 10_000
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(path.resolve().as_uri())
        page.wait_for_function("document.body.dataset.plotsReady === '2'", timeout=60_000)
        plots = {p["id"]: p for p in page.evaluate(JS_PLOTS)}
        assert set(plots) == {"itu-milestones", "launches"}
        for p in plots.values():
            assert p["traces"] == p["declared"] >= 1 and p["drawn"] >= 1, p
        legend = plots["itu-milestones"]["legend"]
        assert sum(t.startswith("ITU deadline") for t in legend) == 3, legend
        assert errors == []
    finally:
        page.close()
