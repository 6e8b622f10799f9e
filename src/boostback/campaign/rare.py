"""Rare-event estimation of a failure probability with OpenTURNS: subset simulation, importance
sampling (cross-entropy) and FORM, over any black-box limit state.

The limit state is a batch function ``g(X) -> margins`` over points of a joint distribution
(``X``: an ``(n, d)`` array of physical values); failure is ``g < 0``. A campaign's limit state
is the landing margin of runs flown at those points (``campaign.rare_campaign``); the tests use
analytic ones with known probabilities. What OpenTURNS gives and what is written here:

- ``subset``: ``ot.SubsetSampling`` (Au & Beck 2001; conditional probability 0.1, ``samples``
  points per level as 10 Markov chain steps of ``samples / 10``). Its coefficient of variation
  is OpenTURNS' (the chains' correlation within a level is counted, between levels not: a
  lower bound, measured 0.30 stated against 0.42 actual at beta = 4). To reach
  ``target_cov``, independent repetitions (each its own seed) are averaged, as many as the
  first one's CoV asks for, and the interval comes from their spread (Student t) or their
  stated CoVs, whichever is wider (by hand: OpenTURNS has no such loop for subset sampling).
  A single repetition (the target met at once) states OpenTURNS' CoV and may under-cover.
- ``importance``: ``ot.StandardSpaceCrossEntropyImportanceSampling`` finds where failure lies
  (quantile level 0.1, ``samples`` points per step); the estimate is then importance sampling in
  standard space with a unit normal centred on the cross-entropy's mean
  (``ot.ProbabilitySimulationAlgorithm`` with ``ot.ImportanceSamplingExperiment``), run until its
  coefficient of variation reaches the target. Cross-entropy's own last step has a narrowed
  auxiliary law whose weights can have unbounded variance (its stated CoV is then not to be
  trusted); a unit-variance shift keeps the weights' variance finite.
- ``form``: ``ot.FORM`` with ``ot.AbdoRackwitz`` from the distribution's mean; the gradient is
  centred finite differences over the black box (2 d runs per gradient, steps of
  ``fd_step`` standard deviations). FORM's ``Phi(-beta)`` has no interval of its own (it is an
  approximation, exact for a linear limit state in standard space); the estimate with an
  interval is importance sampling at the design point (a unit normal centred there), run to the
  target coefficient of variation.

Every method returns the probability, its coefficient of variation and a normal 95 % interval,
the runs spent, the failed points most likely under the input law (design points) and each
input's share of the most likely one's distance from the mean in standard space (importance
factors, ``alpha_i^2``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

METHODS = ("subset", "importance", "form")
Z95 = 1.959963984540054  # the standard normal's 97.5th percentile
SUBSET_STEPS = 10  # Markov chain steps per subset level (OpenTURNS' outer sampling)


@dataclass(frozen=True)
class RareOptions:
    """How to estimate.

    ``samples``: points per subset level, per cross-entropy step and per importance-sampling
    block. ``max_runs``: the most limit-state evaluations to spend (a method stops at the
    first repetition or block past it). ``fd_step``: FORM's finite-difference step in standard
    deviations of each input.
    """

    method: str = "subset"
    target_cov: float = 0.1
    seed: int = 0
    samples: int = 1000
    max_runs: int = 100_000
    fd_step: float = 0.05
    conditional_probability: float = 0.1
    design_points: int = 5


@dataclass
class RareResult:
    """A failure probability and how it was found (see the module's docstring)."""

    method: str
    probability: float
    cov: float
    interval_95: tuple[float, float]
    runs: int  # limit-state evaluations requested (a campaign reuses those already flown)
    failures: int  # failed points among them
    names: list[str]
    design_points: list[dict[str, float]]  # the failed points most likely under the input law
    importance: dict[str, float]  # alpha_i^2 at the most likely failed point
    repetitions: list[dict[str, Any]] = field(default_factory=list)  # per subset repetition
    steps: list[dict[str, float]] = field(default_factory=list)  # levels / CE steps
    form: dict[str, Any] = field(default_factory=dict)  # beta, Phi(-beta), design point, runs
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        out = dict(self.__dict__)
        out["interval_95"] = list(self.interval_95)
        return out


def _seed(seed: int, k: int) -> int:
    """OpenTURNS' seed for repetition ``k`` (a 32-bit word of a NumPy seed sequence)."""
    return int(np.random.SeedSequence([seed, k]).generate_state(1)[0])


class _Tracked:
    """The limit state as OpenTURNS calls it, keeping every point and margin it was given."""

    def __init__(self, g: Callable[[np.ndarray], np.ndarray], dim: int) -> None:
        self.g, self.dim = g, dim
        self.x: list[np.ndarray] = []
        self.y: list[np.ndarray] = []

    def __call__(self, sample: Any) -> np.ndarray:
        x = np.asarray(sample, dtype=float).reshape(-1, self.dim)
        y = np.asarray(self.g(x), dtype=float).reshape(-1)
        y = np.where(np.isnan(y), -1.0, y)  # a run that could not be judged counts as failed
        self.x.append(x)
        self.y.append(y)
        return y[:, None]

    @property
    def runs(self) -> int:
        return int(sum(len(y) for y in self.y))

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if not self.y:
            return np.empty((0, self.dim)), np.empty(0)
        return np.vstack(self.x), np.concatenate(self.y)


def _event(dist: Any, tracked: _Tracked, steps_sd: np.ndarray | None = None) -> Any:
    """``g(X) < 0`` as an OpenTURNS event; with ``steps_sd``, the gradient is centred finite
    differences of those steps, its 2 d points asked for in one batch (OpenTURNS'
    ``CenteredFiniteDifferenceGradient`` asks for them one at a time, which leaves an
    executor's workers idle)."""
    import openturns as ot

    gradient = None if steps_sd is None else _batch_gradient(tracked, np.asarray(steps_sd))
    model = ot.PythonFunction(dist.getDimension(), 1, func_sample=tracked, gradient=gradient)
    output = ot.CompositeRandomVector(model, ot.RandomVector(dist))
    return ot.ThresholdEvent(output, ot.Less(), 0.0)


def _batch_gradient(tracked: _Tracked, steps: np.ndarray) -> Callable[[Any], list[list[float]]]:
    def gradient(x: Any) -> list[list[float]]:
        d = len(steps)
        shift = np.diag(steps)
        centre = np.asarray(x, dtype=float)
        y = tracked(np.vstack([centre + shift, centre - shift]))[:, 0]
        return [[float((y[i] - y[d + i]) / (2.0 * steps[i]))] for i in range(d)]

    return gradient


def _interval(p: float, sd: float, half: float | None = None) -> tuple[float, float]:
    """The normal 95 % interval (or ``p +- half``), inside [0, 1]."""
    h = Z95 * sd if half is None else half
    return max(p - h, 0.0), min(p + h, 1.0)


def _cov(p: float, sd: float) -> float:
    return sd / p if p > 0.0 else math.inf


def subset(dist: Any, g: Callable[[np.ndarray], np.ndarray], opts: RareOptions) -> RareResult:
    """Subset simulation, repeated until the mean's coefficient of variation reaches the target.

    Parameters
    ----------
    dist : openturns.Distribution
        The inputs' joint law.
    g : callable
        ``g(X)`` for ``X`` of shape ``(n, d)``: the margins, shape ``(n,)``; failure is ``< 0``.
    opts : RareOptions
        ``samples`` per level, ``target_cov``, ``max_runs``, ``seed``.

    Returns
    -------
    RareResult
    """
    import openturns as ot

    tracked = _Tracked(g, dist.getDimension())
    event = _event(dist, tracked)
    reps: list[dict[str, Any]] = []
    steps: list[dict[str, float]] = []
    planned = 1
    while len(reps) < planned:
        k = len(reps)
        ot.RandomGenerator.SetSeed(_seed(opts.seed, k))
        before = tracked.runs
        algo = ot.SubsetSampling(event)
        algo.setConditionalProbability(opts.conditional_probability)
        # N = outer x block points per level: OpenTURNS advances its Markov chains once per
        # outer iteration, so one outer iteration of N leaves the chains at one step from
        # their seeds (estimates off by factors of 5 at beta = 4, measured); 10 x N/10 does not
        algo.setMaximumOuterSampling(SUBSET_STEPS)
        algo.setBlockSize(max(opts.samples // SUBSET_STEPS, 1))
        p, cov = _run_subset(algo)
        reps.append({"probability": p, "cov": cov, "runs": tracked.runs - before})
        if k == 0:
            thresholds = list(algo.getThresholdPerStep())
            probs = list(algo.getProbabilityEstimatePerStep())
            steps = [
                {"level": i, "threshold": float(t), "probability": float(q)}
                for i, (t, q) in enumerate(zip(thresholds, probs, strict=True))
            ]
            planned = _repetitions(cov, opts, tracked.runs)
    p_mean, sd, half = _mean_of(reps)
    result = _finish("subset", dist, tracked, p_mean, sd, opts, half)
    result.repetitions, result.steps = reps, steps
    if len(reps) > 1:
        result.notes.append(
            f"{len(reps)} independent subset simulations averaged (as many as the first one's "
            f"CoV asks for the target {opts.target_cov:g}); interval from their spread "
            "(Student t) or their stated CoVs, whichever is wider"
        )
    return result


def _repetitions(cov: float, opts: RareOptions, runs_one: int) -> int:
    """How many subset simulations reach the target CoV, judged from the first one alone (a
    number fixed before the others run: stopping when the running CoV first dips under the
    target would stop on the repetitions that happened to agree, and under-cover)."""
    if not math.isfinite(cov) or cov <= opts.target_cov:
        return 1
    wanted = math.ceil((cov / opts.target_cov) ** 2)
    return max(1, min(wanted, opts.max_runs // max(runs_one, 1)))


def _run_subset(algo: Any) -> tuple[float, float]:
    """Run one subset simulation: its probability and coefficient of variation.

    When every conditional sample of the last level fails (its conditional probability is 1),
    OpenTURNS 1.27 computes that level's chain correlation as 0/0 and raises ("The variance
    estimate must be >= 0"); that level adds nothing to the variance ((1 - 1) / N), so the
    estimate and coefficient of variation are those of the levels before it, read per step.
    """
    try:
        algo.run()
    except TypeError as exc:
        if "variance estimate" not in str(exc):
            raise
        probs = list(algo.getProbabilityEstimatePerStep())
        covs = [c for c in algo.getCoefficientOfVariationPerStep() if math.isfinite(c)]
        return float(probs[-1]), float(covs[-1]) if covs else 0.0
    res = algo.getResult()
    p = float(res.getProbabilityEstimate())
    return p, float(res.getCoefficientOfVariation()) if p > 0.0 else math.inf


def _mean_of(reps: list[dict[str, Any]]) -> tuple[float, float, float]:
    """The mean of independent estimates, its standard deviation and its 95 % half-width.

    The standard deviation is the larger of what the repetitions state (their CoVs) and what
    their spread shows; the half-width uses Student's t on the spread (n - 1 degrees of
    freedom) and the normal quantile on the stated CoVs, whichever is wider.
    """
    from scipy import stats

    ps = np.array([r["probability"] for r in reps])
    var = np.array([(r["cov"] * r["probability"]) ** 2 if r["probability"] else 0 for r in reps])
    n = len(reps)
    sd_stated = math.sqrt(float(var.sum())) / n
    if n == 1:
        return float(ps[0]), sd_stated, Z95 * sd_stated
    sd_spread = float(ps.std(ddof=1)) / math.sqrt(n)
    half = max(float(stats.t.ppf(0.975, n - 1)) * sd_spread, Z95 * sd_stated)
    return float(ps.mean()), max(sd_stated, sd_spread), half


def _shifted_is(
    dist: Any, tracked: _Tracked, event: Any, centre: np.ndarray, opts: RareOptions, k: int
) -> tuple[float, float]:
    """Importance sampling in standard space, a unit normal at ``centre``, to the target CoV."""
    import openturns as ot

    ot.RandomGenerator.SetSeed(_seed(opts.seed, k))
    d = dist.getDimension()
    aux = ot.Normal(ot.Point(centre), ot.Point([1.0] * d), ot.CorrelationMatrix(d))
    algo = ot.ProbabilitySimulationAlgorithm(
        ot.StandardEvent(event), ot.ImportanceSamplingExperiment(aux)
    )
    block = max(min(opts.samples, 1000), 10)
    left = max(opts.max_runs - tracked.runs, block)
    algo.setBlockSize(block)
    algo.setMaximumOuterSampling(max(left // block, 1))
    algo.setMaximumCoefficientOfVariation(opts.target_cov)
    algo.run()
    res = algo.getResult()
    return float(res.getProbabilityEstimate()), float(res.getStandardDeviation())


def importance(dist: Any, g: Callable[[np.ndarray], np.ndarray], opts: RareOptions) -> RareResult:
    """Cross-entropy importance sampling (see the module's docstring).

    Parameters
    ----------
    dist : openturns.Distribution
        The inputs' joint law.
    g : callable
        The batch limit state.
    opts : RareOptions
        The options.

    Returns
    -------
    RareResult
    """
    import openturns as ot

    tracked = _Tracked(g, dist.getDimension())
    event = _event(dist, tracked)
    ot.RandomGenerator.SetSeed(_seed(opts.seed, 0))
    ce = ot.StandardSpaceCrossEntropyImportanceSampling(event, opts.conditional_probability)
    ce.setMaximumOuterSampling(1)
    ce.setBlockSize(opts.samples)
    ce.run()
    ce_res = ce.getResult()
    centre = np.asarray(ce_res.getAuxiliaryDistribution().getMean(), float)
    steps = [
        {"level": i, "threshold": float(t), "probability": math.nan}
        for i, t in enumerate(ce.getThresholdPerStep())
    ]
    adapt = tracked.runs
    p, sd = _shifted_is(dist, tracked, event, centre, opts, 1)
    result = _finish("importance", dist, tracked, p, sd, opts)
    result.steps = steps
    result.notes.append(
        f"cross-entropy: {adapt} runs in {len(steps)} steps to a centre at |u| = "
        f"{np.linalg.norm(centre):.3f}; importance sampling: {tracked.runs - adapt} runs"
    )
    return result


def form(dist: Any, g: Callable[[np.ndarray], np.ndarray], opts: RareOptions) -> RareResult:
    """FORM, then importance sampling at its design point (see the module's docstring).

    Parameters
    ----------
    dist : openturns.Distribution
        The inputs' joint law.
    g : callable
        The batch limit state.
    opts : RareOptions
        The options (``fd_step``).

    Returns
    -------
    RareResult
    """
    import openturns as ot

    d = dist.getDimension()
    tracked = _Tracked(g, d)
    sd = np.sqrt(np.asarray(dist.getCovariance(), float).diagonal())
    event = _event(dist, tracked, opts.fd_step * sd)
    solver = ot.AbdoRackwitz()
    solver.setMaximumIterationNumber(100)
    algo = ot.FORM(solver, event, dist.getMean())
    algo.run()
    fr = algo.getResult()
    u_star = np.asarray(fr.getStandardSpaceDesignPoint(), float)
    beta = float(fr.getHasoferReliabilityIndex())
    if fr.getIsStandardPointOriginInFailureSpace():
        beta = -beta
    form_runs = tracked.runs
    p, sdev = _shifted_is(dist, tracked, event, u_star, opts, 1)
    result = _finish("form", dist, tracked, p, sdev, opts)
    result.form = {
        "beta": beta,
        "probability": float(fr.getEventProbability()),
        "runs": form_runs,
        "design_point": dict(
            zip(result.names, map(float, fr.getPhysicalSpaceDesignPoint()), strict=True)
        ),
        "importance": dict(zip(result.names, map(float, fr.getImportanceFactors()), strict=True)),
    }
    result.importance = result.form["importance"]
    result.notes.append(
        f"FORM: beta = {beta:.4f}, Phi(-beta) = {result.form['probability']:.4g} in "
        f"{form_runs} runs (centred differences: {2 * d} runs per gradient); importance "
        f"sampling at the design point: {tracked.runs - form_runs} runs"
    )
    return result


def _finish(
    method: str,
    dist: Any,
    tracked: _Tracked,
    p: float,
    sd: float,
    opts: RareOptions,
    half: float | None = None,
) -> RareResult:
    """The result with its design points: the failed points most likely under the input law."""
    names = list(dist.getDescription())
    x, y = tracked.arrays()
    failed = x[y < 0.0]
    points: list[dict[str, float]] = []
    importance: dict[str, float] = {}
    if len(failed):
        logpdf = np.asarray(dist.computeLogPDF(failed), float).reshape(-1)
        order = np.argsort(-logpdf)[: opts.design_points]
        to_u = dist.getIsoProbabilisticTransformation()
        u = np.asarray(to_u(failed[order]), float)
        for j, i in enumerate(order):
            row = dict(zip(names, map(float, failed[i]), strict=True))
            row["beta"] = float(np.linalg.norm(u[j]))
            row["margin"] = float(y[y < 0.0][i])
            points.append(row)
        alpha2 = u[0] ** 2 / max(float(u[0] @ u[0]), 1e-300)
        importance = dict(zip(names, map(float, alpha2), strict=True))
    return RareResult(
        method=method,
        probability=p,
        cov=_cov(p, sd),
        interval_95=_interval(p, sd, half),
        runs=tracked.runs,
        failures=int((y < 0.0).sum()),
        names=names,
        design_points=points,
        importance=importance,
    )


ESTIMATORS = {"subset": subset, "importance": importance, "form": form}


def estimate(dist: Any, g: Callable[[np.ndarray], np.ndarray], opts: RareOptions) -> RareResult:
    """The failure probability ``P(g(X) < 0)`` by ``opts.method``.

    Parameters
    ----------
    dist : openturns.Distribution
        The inputs' joint law (its description names the inputs).
    g : callable
        ``g(X)`` for ``X`` of shape ``(n, d)`` -> margins of shape ``(n,)``.
    opts : RareOptions
        The method and its options.

    Returns
    -------
    RareResult
    """
    if opts.method not in ESTIMATORS:
        raise ValueError(f"unknown method '{opts.method}' (one of {', '.join(METHODS)})")
    return ESTIMATORS[opts.method](dist, g, opts)
