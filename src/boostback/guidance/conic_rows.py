"""The rows of the fast path's conic problem, once per shape: which variables each constraint
row touches.

Variables, in blocks: r (n+1, 3), u (n+1, 3), s (n+1), w (n+1), and for the error mode one
epigraph variable e (velocity is eliminated). The rows are the equalities (zero cone), the
linear inequalities (nonnegative cone) and the second-order cones, each block's entries in the
order ``conic_structure._Structure._raw_values`` gives their values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class _Rows:
    """Accumulates constraint rows as COO triplets whose values are filled per solve."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.n_rows = 0

    def add(self, count: int, entries: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """Add ``count`` rows; each entry is (row offsets in 0..count-1, column indices)."""
        base = self.n_rows
        for r, c in entries:
            self.rows.append(base + np.asarray(r, dtype=np.int64))
            self.cols.append(np.asarray(c, dtype=np.int64))
        self.n_rows += count
        return np.arange(base, base + count)


@dataclass
class _Layout:
    n: int
    mode: str
    discretization: str
    n_vert: int  # vertical-descent nodes before the final one
    glide: bool
    cap: bool = False  # thrust acceleration capped on the vertical-descent nodes and the last

    def __post_init__(self) -> None:
        # In the fuel mode the landing point is the target: constraints relative to r_N use the
        # target's numbers instead, which keeps r_N out of every node's rows (less fill-in).
        self.pinned = self.mode == "fuel"
        n1 = self.n + 1
        self.i_r = np.arange(3 * n1).reshape(n1, 3)
        self.i_u = 3 * n1 + np.arange(3 * n1).reshape(n1, 3)
        self.i_s = 6 * n1 + np.arange(n1)
        self.i_w = 7 * n1 + np.arange(n1)
        self.n_x = 8 * n1 + (1 if self.mode == "error" else 0)
        self.i_e = 8 * n1


_Entries = list[tuple[np.ndarray, np.ndarray]]  # (row offsets, column indices) per block


def _equality_rows(lay: _Layout) -> tuple[int, _Entries]:
    """The equality rows (zero cone): how many, and their entries in the order ``_raw_values``
    gives their values.

    Velocity is eliminated: with the control held over each interval, the double integrator
    gives r_{k+2} - 2 r_{k+1} + r_k in terms of u alone, plus one relation at each end that
    brings in the initial and the final velocity. N + 1 position rows replace 2N rows of
    velocity and position dynamics, and 3(N + 1) velocity unknowns go away."""
    n = lay.n
    R, U, S, W = lay.i_r, lay.i_u, lay.i_s, lay.i_w
    foh = lay.discretization == "foh"
    zero: _Entries = []

    def eq3(start_rows: int, cols: np.ndarray) -> None:
        zero.append((start_rows + np.arange(cols.size), cols.ravel()))

    n_eq = 0
    eq3(n_eq, R[0])
    n_eq += 3
    zero.append((np.array([n_eq]), np.array([W[0]])))
    n_eq += 1
    ri = n_eq + np.arange(3)  # first interval: brings in v0
    zero += [(ri, R[1]), (ri, R[0]), (ri, U[0])]
    if foh:
        zero.append((ri, U[1]))
    n_eq += 3
    km = np.arange(n - 1)
    rm = (n_eq + np.arange(3 * (n - 1)).reshape(n - 1, 3)).ravel()
    zero += [
        (rm, R[km + 2].ravel()),
        (rm, R[km + 1].ravel()),
        (rm, R[km].ravel()),
        (rm, U[km].ravel()),
        (rm, U[km + 1].ravel()),
    ]
    if foh:
        zero.append((rm, U[km + 2].ravel()))
    n_eq += 3 * (n - 1)
    rf = n_eq + np.arange(3)  # last interval: brings in the touchdown velocity
    zero += [(rf, R[n]), (rf, R[n - 1]), (rf, U[n - 1])]
    if foh:
        zero.append((rf, U[n]))
    n_eq += 3
    wr = n_eq + np.arange(n)
    n_eq += n
    zero += [(wr, W[1:]), (wr, W[:-1]), (wr, S[:-1])]
    if foh:
        zero.append((wr, S[1:]))
    zero.append((np.array([n_eq]), np.array([R[n, 2]])))
    n_eq += 1
    if lay.mode == "fuel":
        eq3(n_eq, R[n, :2])
        n_eq += 2
    n_eq = _vertical_descent_rows(lay, n_eq, zero)
    return n_eq, zero


def velocity_rows(lay: _Layout, n_eq: int) -> np.ndarray:
    """The equality rows that stand for velocity dynamics (``n_eq`` equalities in all): the
    first-interval, second-difference and last-interval rows of ``_equality_rows`` and the
    vertical descent's ``v_h = 0`` rows. Normalised, each is a velocity relation times the time
    step: a residual ``e`` there is a velocity residual of ``e / dt``."""
    dynamics = 4 + np.arange(3 * (lay.n + 1))  # after r_0 (3 rows) and w_0 (1 row)
    vertical = np.arange(n_eq - 2 * lay.n_vert, n_eq) if lay.n_vert else np.arange(0)
    return np.concatenate([dynamics, vertical])


def _vertical_descent_rows(lay: _Layout, n_eq: int, zero: _Entries) -> int:
    """Appends the vertical descent's rows to the equalities (``n_eq`` of them so far) and
    returns the new count: nodes n - n_vert .. n-1 hold r_h = r_N,h and v_h = 0, with v_k
    written in positions and controls as in the dynamics rows."""
    n = lay.n
    R, U = lay.i_r, lay.i_u
    kv = np.arange(n - lay.n_vert, n)
    if not kv.size:
        return n_eq
    hr = n_eq + np.arange(2 * kv.size).reshape(kv.size, 2)
    zero.append((hr.ravel(), R[kv, :2].ravel()))
    if not lay.pinned:
        zero.append((hr.ravel(), np.tile(R[n, :2], kv.size)))
    n_eq += 2 * kv.size
    vr = (n_eq + np.arange(2 * kv.size)).reshape(kv.size, 2).ravel()
    zero += [(vr, R[kv + 1, :2].ravel()), (vr, R[kv, :2].ravel()), (vr, U[kv, :2].ravel())]
    if lay.discretization == "foh":
        zero.append((vr, U[kv + 1, :2].ravel()))
    return n_eq + 2 * kv.size


def _inequality_rows(lay: _Layout) -> tuple[int, _Entries]:
    """The linear inequality rows (nonnegative cone, A x <= b): how many, and their entries."""
    n, n1 = lay.n, lay.n + 1
    R, U, S, W = lay.i_r, lay.i_u, lay.i_s, lay.i_w
    ineq: _Entries = []
    ni = 0
    up = ni + np.arange(n1)  # s + mu2 w <= mu2
    ineq += [(up, S), (up, W)]
    ni += n1
    ineq.append((ni + np.arange(n1), W))  # -w <= 0
    ni += n1
    ineq.append((ni + np.arange(n1), W))  # w <= w_max
    ni += n1
    ineq.append((np.array([ni]), np.array([W[n]])))  # -w_N <= -w_final_min
    ni += 1
    pt = ni + np.arange(n1)  # cos s - u_z <= 0
    ineq += [(pt, S), (pt, U[:, 2])]
    ni += n1
    if not lay.glide:  # stay above the landing point: -r_k,z <= -target_z
        ineq.append((ni + np.arange(n), R[:-1, 2]))
        ni += n
    if lay.cap:  # s_k <= sigma_cap over the vertical descent
        ineq.append((ni + np.arange(lay.n_vert + 1), S[n - lay.n_vert :]))
        ni += lay.n_vert + 1
    return ni, ineq


def _cone_rows(lay: _Layout) -> tuple[int, _Entries, list[int]]:
    """The second-order cones' rows: how many, their entries, and each cone's dimension."""
    n, n1 = lay.n, lay.n + 1
    R, U, S, W = lay.i_r, lay.i_u, lay.i_s, lay.i_w
    soc: _Entries = []
    dims: list[int] = []
    ns = 0
    tr = ns + 4 * np.arange(n1)  # (s, u) for each node
    soc += [(tr, S), (tr[:, None] + 1 + np.arange(3), U)]
    ns += 4 * n1
    dims += [4] * n1
    lo = ns + 3 * np.arange(n1)  # (t + 1, t - 1, 2x): lower thrust bound
    soc += [(lo, S), (lo, W), (lo + 1, S), (lo + 1, W), (lo + 2, W)]
    ns += 3 * n1
    dims += [3] * n1
    if lay.glide:  # (r_k,z - target_z, tan * (r_k,h - r_N,h))
        gs = ns + 3 * np.arange(n)
        soc += [(gs, R[:-1, 2]), (gs[:, None] + 1 + np.arange(2), R[:-1, :2])]
        if not lay.pinned:
            soc.append((gs[:, None] + 1 + np.arange(2), np.tile(R[n, :2], (n, 1))))
        ns += 3 * n
        dims += [3] * n
    if lay.mode in ("error", "fuel_bounded"):
        er = np.array([ns])
        if lay.mode == "error":
            soc.append((er, np.array([lay.i_e])))
        soc.append((er + 1 + np.arange(2), R[n, :2]))
        ns += 3
        dims.append(3)
    return ns, soc, dims


@dataclass(frozen=True)
class ConstraintRows:
    """Every entry (row, column) of A in the structure's order, and the row blocks' sizes."""

    rows: np.ndarray
    cols: np.ndarray
    m: int
    n_eq: int
    n_ineq: int
    soc_dims: list[int]


def constraint_rows(lay: _Layout) -> ConstraintRows:
    """The entries of A for the shape ``lay``: equalities, inequalities, then cones."""
    rows = _Rows()
    n_eq, zero = _equality_rows(lay)
    rows.add(n_eq, zero)
    n_ineq, ineq = _inequality_rows(lay)
    rows.add(n_ineq, ineq)
    n_soc, soc, dims = _cone_rows(lay)
    rows.add(n_soc, soc)
    return ConstraintRows(
        rows=np.concatenate([np.ravel(x) for x in rows.rows]),
        cols=np.concatenate([np.ravel(x) for x in rows.cols]),
        m=rows.n_rows,
        n_eq=n_eq,
        n_ineq=n_ineq,
        soc_dims=dims,
    )
