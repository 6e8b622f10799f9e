"""benchmarks/compare.py and benchmarks/_driver.py: the statistics, verdicts and exit status of
the baseline comparison, and the resolution of functions through candidate import paths. No
timing is asserted and nothing is timed."""

from __future__ import annotations

import importlib.util
import json
import math
import re
import sys
import textwrap
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


compare = _load("compare")
driver = _load("_driver")


def test_median_and_ratio():
    assert compare.median([3.0, 1.0, 2.0]) == 2.0
    assert compare.median([1.0, 2.0, 3.0, 10.0]) == 2.5
    assert math.isnan(compare.median([]))
    assert compare.ratio(2.0, 3.0) == 1.5  # ours over baseline: above 1 is slower
    assert compare.ratio(4.0, 2.0) == 0.5
    for base, ours in ((0.0, 1.0), (1.0, 0.0), (math.nan, 1.0), (1.0, math.nan), (-1.0, 1.0)):
        assert math.isnan(compare.ratio(base, ours))


def test_verdict_threshold_is_strict():
    assert compare.verdict(1.0) == "ok"
    assert compare.verdict(0.5) == "ok"
    assert compare.verdict(1.10) == "ok"  # "slower by more than 10 %"
    assert compare.verdict(1.1001) == "SLOWER > 10 %"
    assert compare.verdict(1.05, threshold=0.03) == "SLOWER > 3 %"
    assert compare.verdict(math.nan) == "no result"
    assert compare.verdict(1.5, gating=False) == "slower > 10 % (info)"
    assert compare.verdict(1.0, gating=False) == "ok (info)"


def _run(**cases):
    return {"cases": cases}


def test_pool_keeps_rounds_notes_and_errors():
    cases = [compare.Case("solve", "solve", 3), compare.Case("flight", "flight", 1)]
    base = [
        _run(solve={"samples_s": [1.0, 1.0], "note": "21 iterations"}, flight={"samples_s": [5.0]}),
        _run(solve={"samples_s": [3.0], "note": "21 iterations"}, flight={"samples_s": [5.0]}),
    ]
    ours = [
        _run(solve={"samples_s": [2.0, 2.0], "note": "22 iterations"}, flight={"error": "E: x"}),
        _run(solve={"samples_s": [2.0], "note": "22 iterations"}, flight={"error": "E: x"}),
    ]
    solve, flight = compare.pool(cases, base, ours)
    assert solve.baseline_rounds == [[1.0, 1.0], [3.0]]
    assert solve.baseline_samples_s == [1.0, 1.0, 3.0]
    assert solve.ours_samples_s == [2.0, 2.0, 2.0]
    assert (solve.baseline_median_s, solve.ours_median_s) == (1.0, 2.0)
    assert solve.round_ratios == [2.0, 2.0 / 3.0]
    assert solve.ratio == pytest.approx(4.0 / 3.0)  # the median of the rounds' ratios
    assert (solve.baseline_note, solve.ours_note) == ("21 iterations", "22 iterations")
    assert solve.verdict() == "SLOWER > 10 %"
    assert flight.errors == ["ours: E: x"]  # reported once, not once per round
    assert flight.ours_rounds == [[], []]
    assert flight.round_ratios == []
    assert flight.verdict() == "ERROR"
    assert not flight.measured()


def test_ratio_pairs_rounds():
    # one round in which only ours was hit by load does not fail it, though the pooled medians
    # say twice as slow
    r = compare.CaseResult("k", "k", True, [[1.0], [1.0], [2.0]], [[1.0], [2.0], [2.0]])
    assert (r.baseline_median_s, r.ours_median_s) == (1.0, 2.0)
    assert r.round_ratios == [1.0, 2.0, 1.0]
    assert r.ratio == 1.0
    assert r.verdict() == "ok"
    # a round that failed on one side is left out of the pairs, not misaligned
    r = compare.CaseResult("k", "k", True, [[1.0], [], [1.0]], [[1.3], [1.0], [1.2]])
    assert r.round_ratios == pytest.approx([1.3, 1.2])


def test_spread_and_noise():
    assert compare.spread([]) == (pytest.approx(math.nan, nan_ok=True),) * 2
    assert compare.spread([1.2]) == (1.2, 1.2)
    assert compare.spread([1.0, 2.0, 3.0, 4.0, 5.0]) == (2.0, 4.0)
    quiet = compare.CaseResult("k", "k", True, [[1.0]] * 4, [[0.98], [1.0], [1.02], [1.03]])
    busy = compare.CaseResult("k", "k", True, [[1.0]] * 4, [[0.8], [1.0], [1.3], [1.1]])
    assert not compare.noisy_case(quiet)
    assert compare.noisy_case(busy)


def _result(base, ours, gating=True):
    return compare.CaseResult("k", "k", gating, [list(base)], [list(ours)])


def test_exit_code():
    ok = _result([1.0], [1.05])
    slower = _result([1.0], [1.2])
    info_slower = _result([1.0], [3.0], gating=False)
    missing = _result([1.0], [])
    assert compare.exit_code([ok, info_slower]) == 0  # the informational case does not gate
    assert compare.exit_code([ok, slower]) == 1
    assert compare.exit_code([ok, missing]) == 2
    assert compare.exit_code([slower, missing]) == 1
    assert compare.exit_code([_result([1.0], [1.2])], threshold=0.25) == 0


def test_cases_match_the_driver():
    assert {c.key for c in compare.CASES} == set(driver.CASES)
    assert sum(not c.gating for c in compare.CASES) == 1  # only the fresh-process case is info


def test_parse_driver_output_takes_the_last_json_line():
    data = {"cases": {"solve": {"samples_s": [0.001]}}}
    out = "numba says hello\n{not json\n" + json.dumps(data) + "\n\n"
    assert compare.parse_driver_output(out) == data
    with pytest.raises(ValueError):
        compare.parse_driver_output("nothing here\n")


def test_finite_makes_strict_json():
    assert compare._finite({"a": [math.nan, 1.0, math.inf], "b": (2,)}) == {
        "a": [None, 1.0, None],
        "b": [2],
    }


@pytest.fixture
def fake_packages(tmp_path, monkeypatch):
    """``fakebb``: ``old.where`` defines ``f`` and ``g``; ``new.where`` defines ``f`` only;
    ``broken`` imports a module that does not exist; ``moved.deep`` defines ``h``."""
    files = {
        "fakebb/__init__.py": "",
        "fakebb/old/__init__.py": "",
        "fakebb/old/where.py": "def f():\n    return 'old'\n\ndef g():\n    return 'g'\n",
        "fakebb/new/__init__.py": "",
        "fakebb/new/where.py": "def f():\n    return 'new'\n",
        "fakebb/broken.py": "import fakebb.nowhere_at_all\n\ndef f():\n    return 'broken'\n",
        "fakebb/moved/__init__.py": "from fakebb.moved.deep import h\n",
        "fakebb/moved/deep.py": "class K:\n    pass\n\ndef h():\n    return 'h'\n",
    }
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    for name in [m for m in sys.modules if m == "fakebb" or m.startswith("fakebb.")]:
        del sys.modules[name]


def test_candidates_new_path_first_then_old(fake_packages):
    f, where = driver.resolve_candidates(["fakebb.new.where:f", "fakebb.old.where:f"])
    assert (f(), where) == ("new", "fakebb.new.where:f")
    # a missing module, a missing package, a missing attribute: each falls through to the next
    g, where = driver.resolve_candidates(
        ["fakebb.gnc.where:g", "nosuchpackage.x:g", "fakebb.new.where:g", "fakebb.old.where:g"]
    )
    assert (g(), where) == ("g", "fakebb.old.where:g")
    k, where = driver.resolve_candidates(["fakebb.moved.deep:K.__name__"])
    assert k == "K"


def test_candidates_none_found(fake_packages):
    with pytest.raises(driver.ResolveError, match=re.escape("fakebb.gnc.where:f")):
        driver.resolve_candidates(["fakebb.gnc.where:f", "fakebb.new.where:nothing"])
    with pytest.raises(ValueError):
        driver.resolve_candidates(["fakebb.new.where.f"])


def test_broken_module_is_reported_not_skipped(fake_packages):
    # it exists but cannot be imported: a broken checkout, not a moved function
    with pytest.raises(ModuleNotFoundError, match="nowhere_at_all"):
        driver.resolve_candidates(["fakebb.broken:f", "fakebb.old.where:f"])


def test_resolve_falls_back_to_searching_the_package(fake_packages):
    h, where = driver.resolve("h", ["fakebb.old.where:h"], package="fakebb")
    assert h() == "h"
    assert where == "fakebb.moved.deep:h (found by search)"  # where it is defined, not re-exported
    with pytest.raises(driver.ResolveError, match="defined in no module"):
        driver.resolve("nothing", ["fakebb.old.where:nothing"], package="fakebb")
    with pytest.raises(driver.ResolveError, match=re.escape("fakebb.new.where, fakebb.old.where")):
        driver.resolve("f", ["fakebb.gnc:f"], package="fakebb")  # ambiguous


def test_driver_candidates_are_well_formed():
    for name, cands in driver.CANDIDATES.items():
        assert cands, name
        for cand in cands:
            module, attr = driver._split(cand)
            assert module.startswith("boostback.") or module == "boostback"
            assert attr.rpartition(".")[2] == name


def test_grouped_errors_name_each_error_once():
    a = compare.CaseResult("solve", "s", True, errors=["ours: E: x", "baseline: F: y"])
    b = compare.CaseResult("flight", "f", True, errors=["ours: E: x"])
    assert compare.grouped_errors([a, b]) == [
        "ours: E: x (cases: solve, flight)",
        "baseline: F: y (cases: solve)",
    ]
