"""The supernodal LDL' (``guidance/kkt_supernodal.py``) against the column-by-column one
(``kkt_factor.ldl_factor``) on the same ordering: random quasi-definite KKT matrices of random
conic patterns and of the published SCvx/PTR subproblems' patterns, written through each
pattern's storage positions, factorised and solved. The two must solve the same systems to
round-off, with the same pivots (the same regularisation rules, column by column), and the
padded pattern must hold every entry of the unpadded one. The supernodal triangular solves
(``sn_solve``, ``sn_solve2``) must give the column solve's answers to round-off.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boostback.guidance import ipm
from boostback.guidance.kkt_factor import DYN_DELTA, ldl_factor, ldl_solve
from boostback.guidance.kkt_supernodal import sn_factor, sn_solve, sn_solve2
from boostback.guidance.scvx.ipm_subproblem import SupernodalShape
from test_ipm import random_socp
from test_kkt_pattern import cone_blocks, kkt_sources
from test_scvx_ipm import _pair


def _random_kkt(rng: np.random.Generator, shape: ipm.KktShape, A: np.ndarray) -> np.ndarray:
    """A quasi-definite KKT matrix of the shape's pattern, dense, in the natural order."""
    n, n_eq, size = shape.n, shape.n_eq, shape.size
    K = np.zeros((size, size))
    K[:n, :n] = np.diag(rng.uniform(0.5, 2.0, n))
    K[n:, :n] = A
    K[:n, n:] = A.T
    K[n : n + n_eq, n : n + n_eq] = -np.diag(rng.uniform(0.5, 2.0, n_eq))
    o = n + n_eq
    for block in cone_blocks(rng, shape.n_lp, [int(d) for d in shape.soc_dims]):
        d = block.shape[0]
        K[o : o + d, o : o + d] = -block
        o += d
    return K


def _factor_and_solve(
    shape: ipm.KktShape, K: np.ndarray, rhs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """K written through the shape's positions, factorised (supernodal when the shape has
    supernodes) and solved for ``rhs``: (solution, inverse pivots)."""
    size = shape.size
    rows, cols = kkt_sources(shape)
    V = np.zeros(shape.nnz_l + size)
    V[shape.src_map.astype(np.int64)] = K[rows, cols]
    Dinv = np.zeros(size)
    if shape.supernodes.size:
        sn_factor(
            V, shape.Lp, shape.supernodes, shape.tp, shape.tgt, shape.sign, Dinv, np.zeros(size)
        )
    else:
        ldl_factor(V, shape.Lp, shape.tp, shape.tgt, shape.sign, Dinv, np.zeros(size))
    u = np.zeros(size)
    ldl_solve(shape.perm, shape.Lp, shape.Li, V, Dinv, rhs, u, np.zeros(size))
    if shape.supernodes.size:
        _supernodal_solves_agree(shape, V, Dinv, rhs, u)
    return u, Dinv


def _supernodal_solves_agree(
    shape: ipm.KktShape, V: np.ndarray, Dinv: np.ndarray, rhs: np.ndarray, u: np.ndarray
) -> None:
    """``sn_solve`` and ``sn_solve2`` (with a second, unrelated right-hand side) give the
    column solve's answer ``u`` on the same factor, to round-off."""
    size = shape.size
    args = (shape.perm, shape.Lp, shape.Li, V, Dinv, shape.supernodes)
    one = np.zeros(size)
    sn_solve(*args, rhs, one, np.zeros(size), np.zeros(2 * size))
    other = np.cos(np.arange(size))
    u_other = np.zeros(size)
    ldl_solve(shape.perm, shape.Lp, shape.Li, V, Dinv, other, u_other, np.zeros(size))
    a, b = np.zeros(size), np.zeros(size)
    sn_solve2(*args, rhs, other, a, b, np.zeros(size), np.zeros(size), np.zeros(2 * size))
    for got, want in ((one, u), (a, u), (b, u_other)):
        assert np.abs(got - want).max() <= 1e-10 * np.abs(want).max()


def _same_solutions(base: ipm.KktShape, sup: ipm.KktShape, K: np.ndarray, rng) -> None:
    rhs = rng.normal(size=base.size)
    u0, d0 = _factor_and_solve(base, K, rhs)
    u1, d1 = _factor_and_solve(sup, K, rhs)
    scale = np.abs(K).max() * np.abs(u1).max() + np.abs(rhs).max()
    assert np.abs(K @ u1 - rhs).max() <= 1e-11 * scale
    assert np.abs(u1 - u0).max() <= 1e-10 * np.abs(u0).max()
    assert np.abs(d1 - d0).max() <= 1e-12 * np.abs(d0).max()


def _padded_holds_the_pattern(base: ipm.KktShape, sup: ipm.KktShape) -> None:
    assert sup.perm.tolist() == base.perm.tolist()  # the same ordering
    first = sup.supernodes.astype(np.int64)
    assert first[0] == 0 and first[-1] == base.size and np.all(np.diff(first) > 0)
    for j in range(base.size):
        old = set(base.Li[base.Lp[j] : base.Lp[j + 1]].tolist())
        assert old <= set(sup.Li[sup.Lp[j] : sup.Lp[j + 1]].tolist())


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_supernodal_factor_solves_random_patterns_as_the_column_factor(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m, n_eq, n_lin, dims, A, _, _ = random_socp(rng, True)
    args = (n, m, n_eq, n_lin, np.array(dims), A.indptr, A.indices)
    base, sup = ipm.KktShape(*args), SupernodalShape(*args)
    _padded_holds_the_pattern(base, sup)
    _same_solutions(base, sup, _random_kkt(rng, base, A.toarray()), rng)


@pytest.mark.parametrize("method", ["ptr", "scvx"])
def test_supernodal_factor_solves_the_published_patterns(method: str) -> None:
    """The published subproblems' shapes, where the supernodes are wide (their outer products
    go through the matrix-product branch)."""
    _, _, (sub, _) = _pair(method)
    sup = sub.kkt
    assert isinstance(sup, SupernodalShape)
    pat = sub.pattern
    n_eq, n_lp = sup.n_eq, sup.n_lp
    args = (sup.n, sup.m, n_eq, n_lp, sup.soc_dims.astype(np.int64), pat.indptr, pat.indices)
    base = ipm.KktShape(*args)
    widths = np.diff(sup.supernodes.astype(np.int64))
    assert widths.max() > 4  # relaxed supernodes, not single columns
    _padded_holds_the_pattern(base, sup)
    rng = np.random.default_rng(7)
    A = np.zeros((sup.m, sup.n))
    for j in range(sup.n):
        rows = pat.indices[pat.indptr[j] : pat.indptr[j + 1]]
        A[rows, j] = rng.uniform(-2.0, 2.0, rows.size)
    _same_solutions(base, sup, _random_kkt(rng, base, A), rng)


def test_wrong_signed_pivots_are_regularised_alike() -> None:
    """A pivot of the wrong sign (a primal diagonal made negative) is replaced by the same
    ``DYN_DELTA`` in both factors."""
    rng = np.random.default_rng(3)
    n, m, n_eq, n_lin, dims, A, _, _ = random_socp(rng, True)
    args = (n, m, n_eq, n_lin, np.array(dims), A.indptr, A.indices)
    base, sup = ipm.KktShape(*args), SupernodalShape(*args)
    K = _random_kkt(rng, base, A.toarray())
    K[0, 0] = -1e3  # node 0 is primal: its pivot must stay positive
    rhs = rng.normal(size=base.size)
    _, d0 = _factor_and_solve(base, K, rhs)
    _, d1 = _factor_and_solve(sup, K, rhs)
    flipped = np.flatnonzero(np.isclose(d0, 1.0 / DYN_DELTA))
    assert flipped.size > 0
    assert np.flatnonzero(np.isclose(d1, 1.0 / DYN_DELTA)).tolist() == flipped.tolist()
