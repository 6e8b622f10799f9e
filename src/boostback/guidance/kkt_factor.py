"""The numeric side of the interior-point method's KKT system, on the pattern of one shape.

Each iteration of ``ipm._ipm`` writes the values of the quasi-definite KKT matrix

    [[ d I,   A' ],
     [ A,   -H - d I ]],   H = 0 on the equalities, s/z on the inequalities, W'W per cone

into the storage of its LDL' factor (``assemble_kkt``), factorises them in place by the
right-looking schedule found once per shape (``kkt_pattern``), with static and dynamic
regularisation (``ldl_factor``), and solves with the factor for one or two right-hand sides.
The kernels compile with numpy's error model: a division by zero gives an infinity or a NaN,
which the method's finiteness checks turn into a NUMERICAL stop, where Python's would raise.
"""

from __future__ import annotations

from boostback.jit import jit

STATIC_REG = 1e-8
# Regularisation per unit of the largest scaling entry. Over 1125 solves recorded from five
# closed-loop landings and random instances, 1e-24 to 1e-20 all cut the solves handed to Clarabel
# from 32 to 17-24 with the same iterations; 1e-18 and above start to cost accuracy.
REG_PROPORTIONAL = 1e-22
DYN_EPS = 1e-9  # true pivots of the regularised quasi-definite K are at least STATIC_REG
DYN_DELTA = 2e-7


@jit(error_model="numpy")
def assemble_kkt(n, n_eq, n_lp, starts, dims, data, wb, eta, src_map, Kx, identity):
    """KKT values: +reg on the x diagonal, A, and -H - reg on the dual diagonal blocks.

    The regularisation grows with the largest entry of H (as Clarabel's does): near the end of
    an infeasible solve the scaling reaches 1e50 and more, and a fixed 1e-8 then regularises
    nothing."""
    hmax = 1.0
    if not identity:
        for i in range(n_lp):
            hmax = max(hmax, wb[i] * wb[i])
        for c in range(starts.size):
            o = starts[c]
            w2 = 0.0
            for i in range(dims[c]):
                w2 += wb[o + i] * wb[o + i]
            hmax = max(hmax, eta[c] * eta[c] * (2.0 * w2 + 1.0))
    reg = STATIC_REG + REG_PROPORTIONAL * hmax
    Kx[:] = 0.0
    k = 0
    for _ in range(n):
        Kx[src_map[k]] = reg
        k += 1
    for i in range(data.size):
        Kx[src_map[k]] = data[i]
        k += 1
    for _ in range(n_eq):
        Kx[src_map[k]] = -reg
        k += 1
    for i in range(n_lp):
        h = 1.0 if identity else wb[i] * wb[i]
        Kx[src_map[k]] = -h - reg
        k += 1
    for c in range(starts.size):
        o = starts[c]
        d = dims[c]
        e2 = eta[c] * eta[c]
        for i in range(d):
            for j in range(i, d):
                if identity:
                    h = 1.0 if i == j else 0.0
                elif i == 0 and j == 0:
                    h = e2 * (2.0 * wb[o] * wb[o] - 1.0)
                elif i == j:
                    h = e2 * (2.0 * wb[o + i] * wb[o + i] + 1.0)
                else:
                    h = e2 * 2.0 * wb[o + i] * wb[o + j]
                if i == j:
                    h += reg
                Kx[src_map[k]] = -h
                k += 1


@jit(error_model="numpy")
def ldl_factor(V, Lp, tp, tgt, sign, Dinv, tmp):
    """In-place LDL' of the values V (L's pattern by columns, then D) by the precomputed
    right-looking schedule; pivots of the wrong sign or too small are regularised."""
    N = Lp.size - 1
    nnz_l = Lp[N]
    for j in range(N):
        d = V[nnz_l + j]
        if sign[j] * d <= DYN_EPS:  # dynamic regularisation keeps the quasi-definite signs
            d = sign[j] * DYN_DELTA
            V[nnz_l + j] = d
        dinv = 1.0 / d
        Dinv[j] = dinv
        p0 = Lp[j]
        cnt = Lp[j + 1] - p0
        for k in range(cnt):
            t = V[p0 + k]
            tmp[k] = t
            V[p0 + k] = t * dinv
        # The multipliers are recomputed from tmp rather than read back from V: numba cannot
        # tell that the stores into V miss them, and the reloads cost a seventh of the factor.
        t = tp[j]
        for qi in range(cnt):
            a = tmp[qi]
            for pi in range(qi, cnt):
                V[tgt[t + pi - qi]] -= tmp[pi] * dinv * a
            t += cnt - qi


@jit(error_model="numpy")
def ldl_solve2(perm, Lp, Li, Lx, Dinv, rhs_a, rhs_b, out_a, out_b, wa, wb):
    """Two right-hand sides in one pass over L (the factor is read once)."""
    n = perm.size
    for k in range(n):
        wa[k] = rhs_a[perm[k]]
        wb[k] = rhs_b[perm[k]]
    for i in range(n):
        ai = wa[i]
        bi = wb[i]
        for j in range(Lp[i], Lp[i + 1]):
            r = Li[j]
            lv = Lx[j]
            wa[r] -= lv * ai
            wb[r] -= lv * bi
    for i in range(n):
        wa[i] *= Dinv[i]
        wb[i] *= Dinv[i]
    for i in range(n - 1, -1, -1):
        # two partial sums per right-hand side halve the chain of dependent subtractions
        a0 = wa[i]
        b0 = wb[i]
        a1 = 0.0
        b1 = 0.0
        j = Lp[i]
        end = Lp[i + 1]
        while j + 1 < end:
            r = Li[j]
            r1 = Li[j + 1]
            lv = Lx[j]
            lv1 = Lx[j + 1]
            a0 -= lv * wa[r]
            b0 -= lv * wb[r]
            a1 += lv1 * wa[r1]
            b1 += lv1 * wb[r1]
            j += 2
        if j < end:
            r = Li[j]
            lv = Lx[j]
            a0 -= lv * wa[r]
            b0 -= lv * wb[r]
        wa[i] = a0 - a1
        wb[i] = b0 - b1
    for k in range(n):
        out_a[perm[k]] = wa[k]
        out_b[perm[k]] = wb[k]


@jit(error_model="numpy")
def ldl_solve(perm, Lp, Li, Lx, Dinv, rhs, out, work):
    """One right-hand side: out = K^-1 rhs, with ``work`` as scratch."""
    n = perm.size
    for k in range(n):
        work[k] = rhs[perm[k]]
    for i in range(n):
        wi = work[i]
        for j in range(Lp[i], Lp[i + 1]):
            work[Li[j]] -= Lx[j] * wi
    for i in range(n):
        work[i] *= Dinv[i]
    for i in range(n - 1, -1, -1):
        a0 = work[i]
        a1 = 0.0
        j = Lp[i]
        end = Lp[i + 1]
        while j + 1 < end:
            a0 -= Lx[j] * work[Li[j]]
            a1 += Lx[j + 1] * work[Li[j + 1]]
            j += 2
        if j < end:
            a0 -= Lx[j] * work[Li[j]]
        work[i] = a0 - a1
    for k in range(n):
        out[perm[k]] = work[k]
