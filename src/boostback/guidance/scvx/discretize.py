"""First-order-hold discretisation of the dilated dynamics about a reference trajectory.

On normalised time ``tau`` in [0, 1] the dynamics are ``dx/dtau = sigma f(x, u)`` (``sigma`` the
time of flight: time dilation), the control linear between nodes (first-order hold). About a
reference (X, U, sigma) each interval k becomes

    x_{k+1} = A_k x_k + Bm_k u_k + Bp_k u_{k+1} + S_k sigma + z_k

(Szmuk & Acikmese 2018, sec. III.B; Malyuta et al. 2022, sec. "Discretization"). The matrices are
integrated forwards with the reference state over each interval (the "multiple shooting" form,
no inverse of the transition matrix):

    Phi'  = sigma A Phi,                 Phi(tau_k) = I
    Bm'   = sigma A Bm + sigma B lam_m   (lam_m = (tau_{k+1} - tau) / dtau)
    Bp'   = sigma A Bp + sigma B lam_p   (lam_p = (tau - tau_k) / dtau)
    S'    = sigma A S + f
    z'    = sigma A z + sigma (-A x - B u)

by classical Runge-Kutta (RK4) with ``substeps`` steps per interval, all in one compiled kernel.
The same integration carries the reference state itself, so the kernel also returns the state
each interval reaches from the reference node (its "defect" against the next node is the
nonlinear dynamics' violation, which SCvx penalises), and at the reference the linear model
reproduces it to rounding (a test checks).
"""

from __future__ import annotations

import numpy as np

from boostback.guidance.scvx.dynamics import A_COLS, A_ROWS, NU, NX, jacobians, rhs
from boostback.jit import jit

__all__ = ["Discretization", "discretize", "propagate"]

_NM = NX + 2 * NU + 2  # columns of the augmented matrix: Phi | Bm | Bp | S | z
_CB = NX  # first column of Bm
_CC = NX + NU  # first column of Bp
_CS = NX + 2 * NU  # column of S
_CZ = _CS + 1  # column of z
# df/dx's structural nonzeros as unsigned indices: with signed ones numba checks each index for
# wraparound (the kernel took 1.04 times as long)
_A_ROWS, _A_COLS = A_ROWS.astype(np.uint32), A_COLS.astype(np.uint32)


def transition_pattern() -> np.ndarray:
    """The (14, 14) mask of the entries of an interval's transition matrix that can be nonzero:
    the transitive closure of the Jacobian's structure (``dynamics.A_ROWS``, ``A_COLS``) with
    the identity. ``Phi' = sigma A Phi`` from ``Phi = I`` never makes another entry nonzero (the
    discretisation multiplies by the structural nonzeros only), so the rest are exact zeros: the
    subproblems leave them out of the constraint matrix (95 of 196 per interval, and a smaller
    KKT factor) and the kernel out of its products."""
    reach = np.eye(NX, dtype=bool)
    reach[A_ROWS, A_COLS] = True
    for _ in range(NX):
        nxt = (reach.astype(np.int64) @ reach.astype(np.int64)) > 0
        if np.array_equal(nxt, reach):
            break
        reach = nxt
    return reach


def _phi_columns() -> tuple[np.ndarray, np.ndarray]:
    """Row j of the transition matrix's pattern as the list of its columns (CSR, unsigned)."""
    mask = transition_pattern()
    ptr = np.concatenate(([0], np.cumsum(mask.sum(axis=1))))
    return ptr.astype(np.uint32), np.nonzero(mask)[1].astype(np.uint32)


# The kernel multiplies sigma A by the augmented matrix only where the transition matrix can be
# nonzero (289 of the 770 products by its columns per evaluation; the columns of Bm, Bp, S and
# z are dense). Each skipped product is an exact zero added to a sum: the same bits. These
# index arrays (and _A_ROWS, _A_COLS) are read by the kernel as globals, which numba compiles in
# as constants: loops of known length, and no array arguments whose references each inlined
# call counts (a discretisation 280 against 325 us).
_PHI_PTR, _PHI_COLS = _phi_columns()


@jit(inline="always")
def _deriv(
    x: np.ndarray,
    m: np.ndarray,
    u: np.ndarray,
    lam_p: float,
    sigma: float,
    p: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    f: np.ndarray,
    kx: np.ndarray,
    km: np.ndarray,
    st: int,
) -> None:
    """Derivatives of the state and of the augmented matrix at one instant, into stage ``st``
    of ``kx`` and ``km`` (indexed, not sliced: a view costs its reference counts)."""
    rhs(x, u, p, f)
    jacobians(x, u, p, a, b)
    lam_m = 1.0 - lam_p
    for i in range(NX):
        kx[st, i] = sigma * f[i]
        for c in range(_NM):
            km[st, i, c] = 0.0
    for n in range(_A_ROWS.size):
        i = _A_ROWS[n]
        j = _A_COLS[n]
        s = sigma * a[i, j]
        for q in range(_PHI_PTR[j], _PHI_PTR[j + 1]):
            c = _PHI_COLS[q]
            km[st, i, c] += s * m[j, c]
        for c in range(NX, _NM):
            km[st, i, c] += s * m[j, c]
        km[st, i, _CZ] -= s * x[j]
    for i in range(NX):
        acc = 0.0
        for j in range(NU):
            sb = sigma * b[i, j]
            km[st, i, _CB + j] += sb * lam_m
            km[st, i, _CC + j] += sb * lam_p
            acc += sb * u[j]
        km[st, i, _CS] += f[i]
        km[st, i, _CZ] -= acc


@jit(inline="always")
def _stage_point(x, m, kx, km, stage, ch, xt, mt):
    """The RK4 stage's point: (x, m) itself, or moved by ``ch`` along the last stage's slope
    (elementwise as numpy's ``x + ch * kx[stage - 1]``, written out: no temporaries)."""
    for i in range(NX):
        if stage == 0:
            xt[i] = x[i]
            for c in range(_NM):
                mt[i, c] = m[i, c]
        else:
            xt[i] = x[i] + ch * kx[stage - 1, i]
            for c in range(_NM):
                mt[i, c] = m[i, c] + ch * km[stage - 1, i, c]


@jit(inline="always")
def _rk4_step(x, m, kx, km, h6):
    """x += h6 (k1 + 2 k2 + 2 k3 + k4), summed left to right as numpy's expression is."""
    for i in range(NX):
        x[i] += h6 * (kx[0, i] + 2.0 * kx[1, i] + 2.0 * kx[2, i] + kx[3, i])
        for c in range(_NM):
            m[i, c] += h6 * (km[0, i, c] + 2.0 * km[1, i, c] + 2.0 * km[2, i, c] + km[3, i, c])


@jit
def _discretize(
    xs: np.ndarray,
    us: np.ndarray,
    sigma: float,
    p: np.ndarray,
    substeps: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Kernel of ``discretize``: (A, Bm, Bp, S, z, reached) over the K - 1 intervals."""
    k_nodes = xs.shape[0]
    n_int = k_nodes - 1
    ad = np.empty((n_int, NX, NX))
    bm = np.empty((n_int, NX, NU))
    bp = np.empty((n_int, NX, NU))
    sd = np.empty((n_int, NX))
    zd = np.empty((n_int, NX))
    reached = np.empty((n_int, NX))
    a = np.zeros((NX, NX))
    b = np.zeros((NX, NU))
    f = np.empty(NX)
    u = np.empty(NU)
    x = np.empty(NX)
    m = np.empty((NX, _NM))
    xt = np.empty(NX)
    mt = np.empty((NX, _NM))
    kx = np.empty((4, NX))
    km = np.empty((4, NX, _NM))
    h = 1.0 / (n_int * substeps)
    for k in range(n_int):
        for i in range(NX):
            x[i] = xs[k, i]
            for c in range(_NM):
                m[i, c] = 1.0 if c == i else 0.0
        for s in range(substeps):
            for stage in range(4):
                cs = 0.0 if stage == 0 else (1.0 if stage == 3 else 0.5)
                _stage_point(x, m, kx, km, stage, cs * h, xt, mt)
                lam_p = (s + cs) / substeps
                for j in range(NU):
                    u[j] = (1.0 - lam_p) * us[k, j] + lam_p * us[k + 1, j]
                _deriv(
                    xt, mt, u, lam_p, sigma, p, a, b, f, kx, km, stage,
                )  # fmt: skip
            _rk4_step(x, m, kx, km, h / 6.0)
        for i in range(NX):
            for c in range(NX):
                ad[k, i, c] = m[i, c]
            for j in range(NU):
                bm[k, i, j] = m[i, _CB + j]
                bp[k, i, j] = m[i, _CC + j]
            sd[k, i] = m[i, _CS]
            zd[k, i] = m[i, _CZ]
            reached[k, i] = x[i]
    return ad, bm, bp, sd, zd, reached


class Discretization:
    """The linear model of every interval about one reference, and what the reference's own
    nodes reach through the nonlinear dynamics.

    Attributes
    ----------
    a : (K-1, 14, 14)
    b_minus, b_plus : (K-1, 14, 3)
        Weights of the control at the interval's first and last node.
    s : (K-1, 14)
        Sensitivity to the time of flight.
    z : (K-1, 14)
    reached : (K-1, 14)
        The state interval k reaches from reference node k (RK4, same steps).
    defects : (K-1, 14)
        ``X[k+1] - reached[k]``: zero on a dynamically feasible reference.
    """

    __slots__ = ("a", "b_minus", "b_plus", "defects", "reached", "s", "z")

    def __init__(self, xs: np.ndarray, us: np.ndarray, sigma: float, p: np.ndarray, substeps: int):
        out = _discretize(
            np.ascontiguousarray(xs, dtype=float),
            np.ascontiguousarray(us, dtype=float),
            float(sigma),
            p,
            int(substeps),
        )
        self.a, self.b_minus, self.b_plus, self.s, self.z, self.reached = out
        self.defects = xs[1:] - self.reached


def discretize(
    xs: np.ndarray, us: np.ndarray, sigma: float, p: np.ndarray, substeps: int = 2
) -> Discretization:
    """First-order-hold discretisation about the reference ``(xs, us, sigma)``.

    Parameters
    ----------
    xs : (K, 14) array
        Reference states at the nodes (literature layout, ``dynamics``).
    us : (K, 3) array
        Reference body-frame thrust at the nodes.
    sigma : float
        Reference time of flight (the dilation).
    p : array
        Vehicle parameters (``dynamics.pack_params``).
    substeps : int
        RK4 steps per interval.

    Returns
    -------
    Discretization
    """
    return Discretization(xs, us, sigma, p, substeps)


@jit
def _propagate(
    x0: np.ndarray, us: np.ndarray, sigma: float, p: np.ndarray, substeps: int
) -> np.ndarray:
    k_nodes = us.shape[0]
    n_int = k_nodes - 1
    out = np.empty((k_nodes, NX))
    out[0] = x0
    x = x0.copy()
    f = np.empty(NX)
    u = np.empty(NU)
    kx = np.empty((4, NX))
    h = 1.0 / (n_int * substeps)
    for k in range(n_int):
        for s in range(substeps):
            for stage in range(4):
                c = 0.0 if stage == 0 else (1.0 if stage == 3 else 0.5)
                xt = x if stage == 0 else x + (c * h) * kx[stage - 1]
                lam_p = (s + c) / substeps
                for j in range(NU):
                    u[j] = (1.0 - lam_p) * us[k, j] + lam_p * us[k + 1, j]
                rhs(xt, u, p, f)
                kx[stage] = sigma * f
            x += (h / 6.0) * (kx[0] + 2.0 * kx[1] + 2.0 * kx[2] + kx[3])
        out[k + 1] = x
    return out


def propagate(
    x0: np.ndarray, us: np.ndarray, sigma: float, p: np.ndarray, substeps: int = 2
) -> np.ndarray:
    """The nonlinear dynamics flown from ``x0`` under the first-order-hold control ``us``
    (single shooting, RK4): the states reached at every node, (K, 14)."""
    return _propagate(
        np.ascontiguousarray(x0, dtype=float),
        np.ascontiguousarray(us, dtype=float),
        float(sigma),
        p,
        int(substeps),
    )
