"""The interior-point method's symbolic analysis (``guidance/kkt_pattern.py``, its ordering in
``kkt_ordering.py``) and its numeric factorisation, checked from the outside on random conic
patterns:

- the ordering is the greedy rule it documents, replayed here in plain Python on the
  elimination graph (primal nodes only after a dual neighbour, fewest new edges less the primal
  credit, ties by degree then index);
- the factor pattern, storage positions and update schedule let the compiled LDL' solve the
  KKT system assembled independently here, in the natural order, to round-off.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from boostback.guidance import ipm
from boostback.guidance.kkt_factor import ldl_factor, ldl_solve
from boostback.guidance.kkt_ordering import PRIMAL_CREDIT, _eliminate, _minimum_fill
from boostback.guidance.kkt_pattern import KktPattern, kkt_entries
from test_ipm import random_socp


def kkt_sources(pattern: KktPattern) -> tuple[np.ndarray, np.ndarray]:
    """The KKT entries (row, column) of a pattern, in the order the numeric code writes them."""
    return kkt_entries(
        pattern.n,
        pattern.n_eq,
        pattern.n_lp,
        pattern.soc_starts,
        pattern.soc_dims,
        pattern.indptr.astype(np.int64),
        pattern.indices,
    )


def replay_minimum_fill(size: int, rows: np.ndarray, cols: np.ndarray, n_primal: int) -> list:
    """The documented greedy ordering, step by step on Python sets."""
    adj: list[set[int]] = [set() for _ in range(size)]
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        if i != j:
            adj[i].add(j)
            adj[j].add(i)
    alive = set(range(size))
    allowed = set(range(n_primal, size))
    order = []

    def key(k: int) -> tuple[int, int, int]:
        nb = sorted(adj[k])
        new = sum(1 for a in range(len(nb)) for b in nb[a + 1 :] if b not in adj[nb[a]])
        return (new - (PRIMAL_CREDIT if k < n_primal else 0), len(nb), k)

    while alive:
        pool = alive & allowed or alive
        i = min(pool, key=key)
        order.append(i)
        alive.discard(i)
        nb = adj[i]
        if i >= n_primal:
            allowed |= nb
        for j in nb:
            adj[j].discard(i)
            adj[j] |= nb - {j}
        adj[i] = set()
    return order


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_ordering_is_the_documented_greedy_rule(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m, n_eq, n_lin, dims, A, _, _ = random_socp(rng, bool(seed % 2))
    pattern = KktPattern(n, m, n_eq, n_lin, np.array(dims), A.indptr, A.indices)
    rows, cols = kkt_sources(pattern)
    order = _minimum_fill(n + m, rows, cols, n)
    assert sorted(order.tolist()) == list(range(n + m))
    assert order.tolist() == replay_minimum_fill(n + m, rows, cols, n)
    assert order.tolist() == pattern.perm.tolist()


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_elimination_out_of_room_says_so_and_the_order_does_not_depend_on_the_room(
    seed: int,
) -> None:
    """The compiled elimination writes into neighbour lists and a heap of fixed sizes (numba
    checks no bounds): too small, it must stop and say so rather than write past them, and
    with room enough its order must not depend on how much (the restart doubles both)."""
    rng = np.random.default_rng(seed)
    n, m, n_eq, n_lin, dims, A, _, _ = random_socp(rng, bool(seed % 2))
    pattern = KktPattern(n, m, n_eq, n_lin, np.array(dims), A.indptr, A.indices)
    rows, cols = kkt_sources(pattern)
    size = n + m
    order = np.empty(size, dtype=np.int64)
    assert not _eliminate(size, rows, cols, n, 2, 8 * size, order)  # lists too short
    assert not _eliminate(size, rows, cols, n, 4 * size, 2, order)  # heap too small
    for width, room in ((size, 16 * size), (2 * size, 64 * size)):
        assert _eliminate(size, rows, cols, n, width, room, order)
        assert order.tolist() == pattern.perm.tolist()


def cone_blocks(rng: np.random.Generator, n_lp: int, dims: list[int]) -> list[np.ndarray]:
    """Blocks H = W'W of random Nesterov-Todd scalings (wbar on the unit hyperboloid), written
    out densely: a diagonal for the linear rows, then one per cone."""
    blocks = [np.diag(rng.uniform(0.3, 3.0, n_lp) ** 2)]
    for d in dims:
        w1 = rng.uniform(-1.0, 1.0, d - 1)
        w = np.concatenate([[np.sqrt(1.0 + w1 @ w1)], w1])  # wbar' J wbar = 1
        J = np.diag(np.r_[-1.0, np.ones(d - 1)])
        blocks.append(rng.uniform(0.3, 3.0) ** 2 * (2.0 * np.outer(w, w) + J))
    return blocks


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_factorisation_solves_the_kkt_system(seed: int) -> None:
    """A quasi-definite KKT matrix with this pattern, built here in the natural order, is
    written through the storage positions, factorised by the schedule and solved: any entry
    stored, updated or permuted wrongly shows in the residual. (The diagonal is of order one
    here, not the method's 1e-8, so that round-off stays at round-off.)"""
    rng = np.random.default_rng(seed)
    n, m, n_eq, n_lin, dims, A, _, _ = random_socp(rng, True)
    shape = ipm.KktShape(n, m, n_eq, n_lin, np.array(dims), A.indptr, A.indices)
    size = n + m
    K = np.zeros((size, size))
    K[:n, :n] = np.diag(rng.uniform(0.5, 2.0, n))
    K[n:, :n] = A.toarray()
    K[:n, n:] = A.toarray().T
    K[n : n + n_eq, n : n + n_eq] = -np.diag(rng.uniform(0.5, 2.0, n_eq))
    o = n + n_eq
    for block in cone_blocks(rng, n_lin, dims):
        d = block.shape[0]
        K[o : o + d, o : o + d] = -block
        o += d
    rows, cols = kkt_sources(shape)
    V = np.zeros(int(shape.Lp[-1]) + size)
    V[shape.src_map.astype(np.int64)] = K[rows, cols]
    Dinv = np.zeros(size)
    ldl_factor(V, shape.Lp, shape.tp, shape.tgt, shape.sign, Dinv, np.zeros(size))
    rhs = rng.normal(size=size)
    u = np.zeros(size)
    ldl_solve(shape.perm, shape.Lp, shape.Li, V, Dinv, rhs, u, np.zeros(size))
    scale = np.abs(K).max() * np.abs(u).max() + np.abs(rhs).max()
    assert np.abs(K @ u - rhs).max() <= 1e-11 * scale
