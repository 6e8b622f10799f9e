"""Cone algebra of the interior-point method: the cone rows are n_lp nonnegative ones, then
second-order cones (``starts``/``dims``, counted from the first row after the equalities).

Nesterov-Todd scaling and the products with W, Mehrotra's corrected complementarity target, the
longest step that stays in the cones, and CVXOPT's shift of a starting point into them. Compiled
with numpy's error model, as the rest of the method (``ipm``).
"""

from __future__ import annotations

import numpy as np

from boostback.jit import jit


@jit(error_model="numpy")
def nt_scaling(s, z, n_lp, starts, dims, wb, eta, lam, lamj):
    """Nesterov-Todd scaling of the cone rows: per row sqrt(s/z) (nonnegative part), per cone
    eta and the normalised point wbar; and lambda = W z. False if a point left its cone."""
    for i in range(n_lp):
        if s[i] <= 0.0 or z[i] <= 0.0:
            return False
        lam[i] = np.sqrt(s[i] * z[i])
        wb[i] = lam[i] / z[i]  # sqrt(s/z) with one square root
    for c in range(starts.size):
        o = starts[c]
        d = dims[c]
        # J-norms as (u0 - |u1|)(u0 + |u1|): no cancellation near the boundary
        s1 = 0.0
        z1 = 0.0
        for i in range(1, d):
            s1 += s[o + i] * s[o + i]
            z1 += z[o + i] * z[o + i]
        s1 = np.sqrt(s1)
        z1 = np.sqrt(z1)
        if s[o] - s1 <= 0.0 or z[o] - z1 <= 0.0:
            return False
        sn = np.sqrt((s[o] - s1) * (s[o] + s1))
        zn = np.sqrt((z[o] - z1) * (z[o] + z1))
        isn = 1.0 / sn
        izn = 1.0 / zn
        dot = 0.0
        for i in range(d):
            dot += s[o + i] * z[o + i]
        dot *= isn * izn
        g2 = 0.5 / np.sqrt(0.5 * (1.0 + dot))  # 1 / (2 gamma)
        wb[o] = (s[o] * isn + z[o] * izn) * g2
        for i in range(1, d):
            wb[o + i] = (s[o + i] * isn - z[o + i] * izn) * g2
        eta[c] = np.sqrt(sn * izn)
        lamj[c] = sn * zn  # lambda' J lambda
        w_cone(z, lam, o, d, wb, eta[c], False)
    return True


@jit(error_model="numpy", inline="always")
def w_cone(v, out, o, d, wb, eta_c, inverse):
    """out = W v (or W^-1 v) on the second-order cone at rows o..o+d; W is symmetric."""
    w0 = wb[o]
    dot = 0.0
    for i in range(1, d):
        dot += wb[o + i] * v[o + i]
    sg = -1.0 if inverse else 1.0
    f = eta_c if not inverse else 1.0 / eta_c
    out0 = w0 * v[o] + sg * dot
    coef = sg * v[o] + dot / (1.0 + w0)
    for i in range(1, d):
        out[o + i] = f * (v[o + i] + coef * wb[o + i])
    out[o] = f * out0


@jit(error_model="numpy")
def combined_target(lam, lamj, wdza, sigma_mu, weight, n_lp, starts, dims, wb, eta, t1, t2, ta):
    """Mehrotra's corrected complementarity target and its image in the KKT right-hand side:
    t1 = lam \\ (lam o lam + weight (W^-1 ds_a) o (W dz_a) - sigma mu e), t2 = W t1.

    The affine step's ds_a = -W (lam + W dz_a), so W^-1 ds_a = -(lam + W dz_a): only W dz_a
    (``wdza``) is needed. One pass, cone by cone; ta is scratch."""
    for i in range(n_lp):
        w = wb[i]
        ds = lam[i] * lam[i] - weight * (lam[i] + wdza[i]) * wdza[i] - sigma_mu
        v = ds / lam[i]
        t1[i] = v
        t2[i] = w * v
    for c in range(starts.size):
        o = starts[c]
        d = dims[c]
        # ds = lam o lam - (lam + W dz_a) o W dz_a - sigma mu e (Jordan products), kept in ta
        l0 = lam[o]
        a0 = lam[o] + wdza[o]
        b0 = wdza[o]
        acc = 0.0
        for i in range(d):
            acc += lam[o + i] * lam[o + i] - weight * (lam[o + i] + wdza[o + i]) * wdza[o + i]
        for i in range(1, d):
            ta[o + i] = 2.0 * l0 * lam[o + i] - weight * (
                a0 * wdza[o + i] + b0 * (lam[o + i] + wdza[o + i])
            )
        ta[o] = acc - sigma_mu
        # t1 = lam \\ ds: the v with lam o v = ds
        dot = 0.0
        for i in range(1, d):
            dot += lam[o + i] * ta[o + i]
        v0 = (l0 * ta[o] - dot) / lamj[c]
        il0 = 1.0 / l0
        for i in range(1, d):
            t1[o + i] = (ta[o + i] - v0 * lam[o + i]) * il0
        t1[o] = v0
        w_cone(t1, t2, o, d, wb, eta[c], False)


@jit(error_model="numpy")
def w_apply(v, out, n_lp, starts, dims, wb, eta, inverse):
    """out = W v (or W^-1 v) on the cone rows; W is symmetric."""
    for i in range(n_lp):
        out[i] = v[i] / wb[i] if inverse else v[i] * wb[i]
    for c in range(starts.size):
        w_cone(v, out, starts[c], dims[c], wb, eta[c], inverse)


@jit(error_model="numpy")
def max_step(u, du, n_lp, starts, dims):
    """Largest step alpha (capped at 1e30) with u + alpha du in the cone.

    A cone is only solved for its boundary crossing when it can cut the step found so far:
    u is inside, so if u + amax du is inside too the whole segment is (convexity). That test
    needs no division or square root, and most cones pass it."""
    amax = 1e30
    for i in range(n_lp):
        if du[i] < 0.0 and u[i] < -du[i] * amax:
            amax = -u[i] / du[i]
    for c in range(starts.size):
        o = starts[c]
        d = dims[c]
        # f(a) = qa a^2 + 2 qb a + qc, (u0 + a du0)^2 - |u1 + a du1|^2
        qa = du[o] * du[o]
        qb = u[o] * du[o]
        qc = u[o] * u[o]
        for i in range(1, d):
            qa -= du[o + i] * du[o + i]
            qb -= u[o + i] * du[o + i]
            qc -= u[o + i] * u[o + i]
        if qc > 0.0 and u[o] + amax * du[o] > 0.0 and (qa * amax + 2.0 * qb) * amax + qc > 0.0:
            continue
        a = 1e30
        if qc <= 0.0:
            a = 0.0
        elif qa == 0.0:
            if qb < 0.0:
                a = -qc / (2.0 * qb)
        else:
            disc = qb * qb - qa * qc
            if disc >= 0.0:
                sq = np.sqrt(disc)
                q = -(qb + sq) if qb >= 0.0 else -(qb - sq)
                r1 = q / qa
                r2 = qc / q if q != 0.0 else 1e30
                if r1 > 0.0 and r1 < a:
                    a = r1
                if r2 > 0.0 and r2 < a:
                    a = r2
        if du[o] < 0.0:
            a0 = -u[o] / du[o]
            if a0 < a:
                a = a0
        if a < amax:
            amax = a
    return amax


@jit(error_model="numpy")
def shift_into_cone(u, n_lp, starts, dims):
    """CVXOPT's initial point: u + (1 + alpha) e if u is not strictly inside the cone."""
    alpha = -1e300
    for i in range(n_lp):
        if -u[i] > alpha:
            alpha = -u[i]
    for c in range(starts.size):
        o = starts[c]
        d = dims[c]
        nrm = 0.0
        for i in range(1, d):
            nrm += u[o + i] * u[o + i]
        e = np.sqrt(nrm) - u[o]
        if e > alpha:
            alpha = e
    if alpha >= 0.0:
        for i in range(n_lp):
            u[i] += 1.0 + alpha
        for c in range(starts.size):
            u[starts[c]] += 1.0 + alpha
