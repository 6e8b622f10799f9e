"""A supernodal LDL' of the interior-point method's KKT matrix, on the ordering ``kkt_pattern``
finds (the SCvx/PTR subproblems' shapes; the 3-DoF fast path keeps ``kkt_factor.ldl_factor``).

``kkt_factor.ldl_factor`` updates the trailing matrix one scattered entry at a time: every
multiply-add of a column's outer product loads its target's position from the schedule, and
the target. On the SCvx/PTR shapes most of the work sits in chains of columns of 25-38 rows
whose patterns nest: column j's rows are j + 1 and column j + 1's. Such a chain (a supernode)
is factored here as one trapezoid (``_within``), and its outer product on the rows below it is
formed first and subtracted from its targets once per entry: by one matrix product (BLAS) when
the supernode is wide (``_update_dense``), by sums over its columns in registers when narrow
(``_update``); the scattered stores fall by the supernode's width. (The helpers that are not
inlined are kept apart on purpose: inlined into the loop over supernodes, the same code ran
1.2 to 1.5 times slower.)

The supernodes are relaxed (Ashcraft & Grimes 1989): a column whose parent in the elimination
tree is the next column joins the parent's supernode while the explicit zeros this adds stay
few (``RELAX_FRACTION`` of the supernode's entries, or ``RELAX_ZEROS``). The factor's pattern
is padded with those zeros; the KKT entries' storage positions (``src_map``) move with it, and
the triangular solves (``kkt_factor.ldl_solve``) run unchanged on the padded pattern. Pivots
are treated exactly as ``ldl_factor`` treats them (its dynamic regularisation, column by column
in the same order); only the order of the sums changes, so the two factors agree to round-off.
The matrix product is numpy's under ``BOOSTBACK_JIT=0`` and, compiled, BLAS called directly;
compiled, the multiply-subtracts are fused (``_FACTOR_MATH``) and the solves' sums reassociated
(``_SOLVE_MATH``): the same source, which rounds differently in the last bits (the 3-DoF path,
on ``kkt_factor``, is bit-identical either way).

The triangular solves (``sn_solve``, ``sn_solve2``) run on the same padded pattern.
"""

from __future__ import annotations

import numpy as np

from boostback.guidance.kkt_factor import DYN_DELTA, DYN_EPS
from boostback.jit import ENABLED, jit

__all__ = [
    "RELAX_FRACTION",
    "RELAX_WIDTH",
    "RELAX_ZEROS",
    "SOLVE_WIDTH",
    "relaxed_pattern",
    "sn_factor",
    "sn_solve",
    "sn_solve2",
]

# Relaxation of the supernodes: a column joins the next one's supernode while the supernode's
# explicit zeros stay at most RELAX_FRACTION of its entries (or at most RELAX_ZEROS), up to
# RELAX_WIDTH columns.
RELAX_FRACTION = 0.1
RELAX_ZEROS = 4
RELAX_WIDTH = 16
# A supernode whose update takes at least this many multiply-adds (width x rows^2) forms it by
# one matrix product (BLAS); a narrower one by loops.
GEMM_MIN = 1000
# Each multiply-subtract of the factor's loops compiled as one fused instruction (LLVM's
# "contract": one rounding instead of two, no other change to the arithmetic): the published
# PTR solve 1.03x less CPU, interleaved in one process.
_FACTOR_MATH = {"contract"}


@jit
def _partition(Lp, Li, frac, zabs, wmax):
    """Relaxed supernodes of L's pattern (columns ascending): their first columns, then N."""
    N = Lp.size - 1
    first = np.empty(N + 1, dtype=np.int64)
    ns = 0
    first[0] = 0
    j0 = 0
    for j in range(N - 1):
        cj = Lp[j + 1] - Lp[j]
        grow = cj > 0 and Li[Lp[j]] == j + 1 and j + 2 - j0 <= wmax
        if grow:
            # adding column j + 1: every column k of j0..j gets j + 1's rows (the pattern of
            # k is within k's chain and the rows of j + 1) and each counts its own zeros
            c1 = Lp[j + 2] - Lp[j + 1]
            z = 0
            tot = 0
            for k in range(j0, j + 2):
                full = j + 1 - k + c1
                z += full - (Lp[k + 1] - Lp[k])
                tot += full
            grow = z <= frac * tot or z <= zabs
        if not grow:
            ns += 1
            first[ns] = j + 1
            j0 = j + 1
    ns += 1
    first[ns] = N
    return first[: ns + 1].copy()


@jit
def _padded(Lp, Li, first):
    """The pattern of L with each supernode's columns padded to the supernode's trapezoid:
    column j of supernode j0..j1 - 1 holds rows j + 1 .. j1 - 1, then the last column's rows."""
    N = Lp.size - 1
    Pp = np.zeros(N + 1, dtype=np.int64)
    for s in range(first.size - 1):
        j0 = first[s]
        j1 = first[s + 1]
        below = Lp[j1] - Lp[j1 - 1]
        for j in range(j0, j1):
            Pp[j + 1] = Pp[j] + (j1 - 1 - j) + below
    Pi = np.empty(Pp[N], dtype=np.int64)
    for s in range(first.size - 1):
        j0 = first[s]
        j1 = first[s + 1]
        for j in range(j0, j1):
            t = Pp[j]
            for r in range(j + 1, j1):
                Pi[t] = r
                t += 1
            for q in range(Lp[j1 - 1], Lp[j1]):
                Pi[t] = Li[q]
                t += 1
    return Pp, Pi


@jit
def _moved(Lp, Li, Pp, Pi, src_map):
    """The KKT entries' storage positions in the padded pattern (D's after L's, as before)."""
    N = Lp.size - 1
    nnz_old = Lp[N]
    nnz_new = Pp[N]
    col = np.empty(nnz_old, dtype=np.int64)
    for j in range(N):
        for q in range(Lp[j], Lp[j + 1]):
            col[q] = j
    out = np.empty(src_map.size, dtype=np.int64)
    for k in range(src_map.size):
        q = src_map[k]
        if q >= nnz_old:
            out[k] = nnz_new + (q - nnz_old)
            continue
        j = col[q]
        r = Li[q]
        pos = -1
        for t in range(Pp[j], Pp[j + 1]):
            if Pi[t] == r:
                pos = t
                break
        if pos < 0:
            raise AssertionError("a KKT entry outside the padded pattern")
        out[k] = pos
    return out


@jit
def _targets(Pp, Pi, first):
    """Each supernode's update schedule: for its below rows r_0 < r_1 < ... (those of its last
    column), row by row q, the positions of D[r_q] and of L[r_p, r_q], p > q; and where each
    supernode's list starts (the last entry is the total)."""
    N = Pp.size - 1
    nnz = Pp[N]
    S = first.size - 1
    tp = np.zeros(S + 1, dtype=np.int64)
    for s in range(S):
        c = Pp[first[s + 1]] - Pp[first[s + 1] - 1]
        tp[s + 1] = tp[s] + c * (c + 1) // 2
    tgt = np.empty(tp[S], dtype=np.int64)
    t = 0
    for s in range(S):
        j = first[s + 1] - 1
        for qi in range(Pp[j], Pp[j + 1]):
            cq = Pi[qi]
            tgt[t] = nnz + cq
            t += 1
            pos = Pp[cq]
            end = Pp[cq + 1]
            for pi in range(qi + 1, Pp[j + 1]):
                r = Pi[pi]
                while pos < end and Pi[pos] < r:
                    pos += 1
                if pos == end or Pi[pos] != r:
                    raise AssertionError("an update outside the padded pattern")
                tgt[t] = pos
                t += 1
    return tp, tgt


def relaxed_pattern(
    Lp: np.ndarray, Li: np.ndarray, src_map: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The supernodal form of a factor pattern (``kkt_pattern.KktPattern``'s ``Lp``, ``Li`` and
    ``src_map``).

    Returns
    -------
    first : each supernode's first column, then N.
    Lp, Li : the padded pattern of L (columns, rows ascending).
    src_map : each KKT entry's storage position in it (D after L).
    tp, tgt : each supernode's update schedule (``sn_factor``).
    All unsigned 32-bit, as the compiled code indexes with them.
    """
    lp, li = Lp.astype(np.int64), Li.astype(np.int64)
    first = _partition(lp, li, RELAX_FRACTION, RELAX_ZEROS, RELAX_WIDTH)
    Pp, Pi = _padded(lp, li, first)
    moved = _moved(lp, li, Pp, Pi, src_map.astype(np.int64))
    tp, tgt = _targets(Pp, Pi, first)
    if max(Pp[-1] + Pp.size, tp[-1]) >= 2**32:
        raise ValueError("the padded pattern does not fit 32-bit indices")
    u = np.uint32
    return (
        first.astype(u),
        Pp.astype(u),
        Pi.astype(u),
        moved.astype(u),
        tp.astype(u),
        tgt.astype(u),
    )


@jit(error_model="numpy", fastmath=_FACTOR_MATH)
def sn_factor(V, Lp, first, tp, tgt, sign, Dinv, tmp):
    """In-place LDL' of the values V (the padded L by columns, then D), supernode by supernode;
    pivots as ``kkt_factor.ldl_factor`` treats them. ``tmp`` has room for N entries."""
    N = Lp.size - 1
    nnz_l = np.uint64(Lp[N])
    w_max = 1
    ns_max = 1
    for s in range(first.size - 1):
        w_max = max(w_max, np.int64(first[s + 1]) - np.int64(first[s]))
        ns_max = max(ns_max, np.int64(Lp[first[s + 1]]) - np.int64(Lp[first[s + 1] - 1]))
    blk = np.empty(2 * w_max * ns_max)  # a supernode's below rows, plain and times pivots
    outer = np.empty(ns_max * ns_max)
    for s in range(first.size - 1):
        j0 = np.uint64(first[s])
        j1 = np.uint64(first[s + 1])
        ns = np.uint64(Lp[j1]) - np.uint64(Lp[j1 - np.uint64(1)])
        _within(V, Lp, j0, j1, nnz_l, sign, Dinv, tmp)
        if j1 - j0 == np.uint64(1):
            _update_one(V, Lp, j0, ns, nnz_l, np.uint64(tp[s]), tgt)
        elif (j1 - j0) * ns * ns >= GEMM_MIN:
            _update_dense(V, Lp, j0, j1, ns, nnz_l, np.uint64(tp[s]), tgt, blk, outer)
        else:
            _update(V, Lp, j0, j1, ns, nnz_l, np.uint64(tp[s]), tgt, tmp)


@jit(error_model="numpy", inline="always", fastmath=_FACTOR_MATH)
def _within(V, Lp, j0, j1, nnz_l, sign, Dinv, tmp):
    """The supernode's columns j0..j1 - 1 scaled by their pivots, each updating the later ones."""
    one = np.uint64(1)
    for j in range(j0, j1):
        # kkt_factor.ldl_factor's pivot rule, written out again on purpose: shared through an
        # inlined numba function it slowed both factors by ~40 % (published PTR 111 -> 154 ms)
        d = V[nnz_l + j]
        if sign[j] * d <= DYN_EPS:  # dynamic regularisation keeps the quasi-definite signs
            d = sign[j] * DYN_DELTA
            V[nnz_l + j] = d
        dinv = 1.0 / d
        Dinv[j] = dinv
        p0 = np.uint64(Lp[j])
        cnt = np.uint64(Lp[j + one]) - p0
        for k in range(cnt):
            t = V[p0 + k]
            tmp[k] = t
            V[p0 + k] = t * dinv
        for i in range(j1 - one - j):  # column j + 1 + i: its rows are this column's from i + 1
            a = tmp[i] * dinv
            V[nnz_l + j + one + i] -= tmp[i] * a
            q0 = np.uint64(Lp[j + one + i]) - i - one
            for p in range(i + one, cnt):
                V[q0 + p] -= tmp[p] * a


@jit(error_model="numpy", inline="always", fastmath=_FACTOR_MATH)
def _update(V, Lp, j0, j1, ns, nnz_l, t, tgt, coef):
    """A narrow supernode's outer product on its ``ns`` below rows, each entry summed over the
    supernode's columns and subtracted from its target (``tgt`` from ``t``)."""
    one = np.uint64(1)
    for q in range(ns):
        for j in range(j0, j1):
            coef[j - j0] = V[np.uint64(Lp[j + one]) - ns + q] * V[nnz_l + j]
        for p in range(q, ns):
            acc = 0.0
            for j in range(j0, j1):
                acc += V[np.uint64(Lp[j + one]) - ns + p] * coef[j - j0]
            V[tgt[t + p - q]] -= acc
        t += ns - q


@jit(error_model="numpy")
def _update_dense(V, Lp, j0, j1, ns, nnz_l, t, tgt, blk, outer):
    """A wide supernode's outer product by one matrix product (BLAS): its below rows copied
    into a dense block B (and B times the pivots, C), C'B into ``outer``, whose upper triangle
    is subtracted from the targets."""
    one = np.uint64(1)
    w = j1 - j0
    size = w * ns
    k = np.uint64(0)
    for j in range(j0, j1):
        d = V[nnz_l + j]
        o = np.uint64(Lp[j + one]) - ns
        for p in range(ns):
            v = V[o + p]
            blk[k] = v
            blk[size + k] = v * d
            k += one
    _gemm_tn(blk, size, outer, w, ns)
    for q in range(ns):
        o = q * ns
        for p in range(q, ns):
            V[tgt[t]] -= outer[o + p]
            t += one


def _gemm_tn(blk, size, outer, w, ns):
    """``outer[:ns * ns]`` = C'B (row-major), B and C ``blk[:size]``, ``blk[size:2 size]`` as
    (w, ns): numpy's product interpreted; compiled, a direct BLAS call (``_register_gemm``)."""
    b = blk[:size].reshape((w, ns))
    c = blk[size : 2 * size].reshape((w, ns))
    np.dot(c.T, b, outer[: ns * ns].reshape((ns, ns)))


def _register_gemm() -> None:
    """Compile ``_gemm_tn`` as a direct call of numba's BLAS entry (``numba_xxgemm``) with the
    arguments its ``np.dot(C.T, B, out)`` passes (``numba.np.linalg.call_xxgemm``): the same
    routine on the same operands, the same bits. Through ``np.dot`` each call built six array
    views (a reference count taken and dropped on each) around a product of 2-16 columns by
    26-35 rows; on the published PTR shape (174 per factorisation) a factorisation then took
    256 against 232 us."""
    from llvmlite import ir
    from numba.core import cgutils, types
    from numba.extending import intrinsic, overload

    @intrinsic
    def _xxgemm_tn(typingctx, blk, size, outer, w, ns):
        def codegen(context, builder, sig, args):
            char = ir.IntType(8)
            void_p = char.as_pointer()
            intp = context.get_value_type(types.intp)
            # kind, transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc
            params = [char] * 3 + [intp] * 3 + [void_p, void_p, intp, void_p, intp]
            fnty = ir.FunctionType(ir.IntType(32), [*params, void_p, void_p, intp])
            fn = cgutils.get_or_insert_function(builder.module, fnty, "numba_xxgemm")
            data = context.make_array(sig.args[0])(context, builder, args[0]).data
            out = context.make_array(sig.args[2])(context, builder, args[2]).data
            f64 = context.get_value_type(types.float64)
            alpha = cgutils.alloca_once_value(builder, ir.Constant(f64, 1.0))
            beta = cgutils.alloca_once_value(builder, ir.Constant(f64, 0.0))
            cols, rows = args[3], args[4]
            c_data = builder.gep(data, [args[1]])
            return builder.call(
                fn,
                (
                    ir.Constant(char, ord("d")),
                    ir.Constant(char, ord("n")),
                    ir.Constant(char, ord("t")),
                    rows,
                    rows,
                    cols,
                    builder.bitcast(alpha, void_p),
                    builder.bitcast(data, void_p),
                    rows,
                    builder.bitcast(c_data, void_p),
                    rows,
                    builder.bitcast(beta, void_p),
                    builder.bitcast(out, void_p),
                    rows,
                ),
            )

        return types.int32(blk, size, outer, w, ns), codegen

    @overload(_gemm_tn)
    def _gemm_tn_compiled(blk, size, outer, w, ns):
        return lambda blk, size, outer, w, ns: _xxgemm_tn(blk, size, outer, w, ns)


if ENABLED:
    _register_gemm()


@jit(error_model="numpy", fastmath=_FACTOR_MATH)
def _update_one(V, Lp, j, ns, nnz_l, t, tgt):
    """A one-column supernode's outer product, entry by entry."""
    o = np.uint64(Lp[j])
    d = V[nnz_l + j]
    for q in range(ns):
        a = V[o + q] * d
        for p in range(q, ns):
            V[tgt[t + p - q]] -= V[o + p] * a
        t += ns - q


# The triangular solves on the padded pattern. A supernode at least SOLVE_WIDTH columns wide is
# solved by contiguous loops that the loop vectoriser turns into vector code: its triangle, then
# its below rows summed over its columns into a dense buffer and subtracted once each (forward),
# or gathered once and dotted with each column (backward); narrower ones column by column, as
# ``kkt_factor.ldl_solve`` does. The dot products are compiled with reassociation allowed
# (``fastmath`` reassoc and contract: no NaN or infinity assumptions, so the method's finiteness
# checks still see them), the only way numba vectorises a sum; the 3-DoF path, which keeps
# ``ldl_solve``, is untouched. On the published PTR shape one right-hand side takes 53 against
# 58 us, two 77 against 86 us. Written with unsigned indices throughout: with signed ones numba
# checks each index for wraparound and the loops stay scalar (the same loops were then slower
# than the column solve, as an earlier attempt by rows found).
SOLVE_WIDTH = 4
_SOLVE_MATH = {"reassoc", "contract"}


@jit(error_model="numpy", fastmath=_SOLVE_MATH)
def sn_solve(perm, Lp, Li, V, Dinv, first, rhs, out, work, acc):
    """out = K^-1 rhs with the supernodal factor (``sn_factor``); ``work`` and ``acc`` are
    scratch of N entries."""
    n = perm.size
    for k in range(n):
        work[k] = rhs[perm[k]]
    _forward(Lp, Li, V, first, work, acc)
    for i in range(n):
        work[i] *= Dinv[i]
    _backward(Lp, Li, V, first, work, acc)
    for k in range(n):
        out[perm[k]] = work[k]


@jit(error_model="numpy", inline="always", fastmath=_SOLVE_MATH)
def _forward(Lp, Li, V, first, work, acc):
    """work = L^-1 work, supernode by supernode."""
    one = np.uint64(1)
    for s in range(first.size - 1):
        j0 = np.uint64(first[s])
        j1 = np.uint64(first[s + 1])
        if j1 - j0 < np.uint64(SOLVE_WIDTH):
            for j in range(j0, j1):
                wj = work[j]
                for q in range(np.uint64(Lp[j]), np.uint64(Lp[j + one])):
                    work[Li[q]] -= V[q] * wj
            continue
        rb = np.uint64(Lp[j1 - one])
        ns = np.uint64(Lp[j1]) - rb
        for j in range(j0, j1 - one):  # the triangle: column j's first rows are j + 1 ..
            xj = work[j]
            p0 = np.uint64(Lp[j])
            for i in range(j1 - one - j):
                work[j + one + i] -= V[p0 + i] * xj
        for p in range(ns):
            acc[p] = 0.0
        for j in range(j0, j1):  # the below rows, the same ns rows in every column
            xj = work[j]
            b0 = np.uint64(Lp[j]) + (j1 - one - j)
            for p in range(ns):
                acc[p] += V[b0 + p] * xj
        for p in range(ns):
            work[Li[rb + p]] -= acc[p]


@jit(error_model="numpy", inline="always", fastmath=_SOLVE_MATH)
def _backward(Lp, Li, V, first, work, acc):
    """work = L^-T work, supernode by supernode from the last."""
    one = np.uint64(1)
    s = first.size - 1
    while s > 0:
        s -= 1
        j0 = np.uint64(first[s])
        j1 = np.uint64(first[s + 1])
        j = j1
        if j1 - j0 < np.uint64(SOLVE_WIDTH):
            while j > j0:
                j -= one
                a = work[j]
                for q in range(np.uint64(Lp[j]), np.uint64(Lp[j + one])):
                    a -= V[q] * work[Li[q]]
                work[j] = a
            continue
        rb = np.uint64(Lp[j1 - one])
        ns = np.uint64(Lp[j1]) - rb
        for p in range(ns):
            acc[p] = work[Li[rb + p]]
        for j in range(j0, j1):
            b0 = np.uint64(Lp[j]) + (j1 - one - j)
            a = 0.0
            for p in range(ns):
                a += V[b0 + p] * acc[p]
            work[j] -= a
        j = j1 - one
        while j > j0:
            j -= one
            p0 = np.uint64(Lp[j])
            a = work[j]
            for i in range(j1 - one - j):
                a -= V[p0 + i] * work[j + one + i]
            work[j] = a


@jit(error_model="numpy", fastmath=_SOLVE_MATH)
def sn_solve2(perm, Lp, Li, V, Dinv, first, rhs_a, rhs_b, out_a, out_b, wa, wb, acc):
    """``sn_solve`` for two right-hand sides in one pass over the factor; ``acc`` has room for
    2 N entries."""
    n = perm.size
    for k in range(n):
        wa[k] = rhs_a[perm[k]]
        wb[k] = rhs_b[perm[k]]
    _forward2(Lp, Li, V, first, wa, wb, acc, np.uint64(n))
    for i in range(n):
        wa[i] *= Dinv[i]
        wb[i] *= Dinv[i]
    _backward2(Lp, Li, V, first, wa, wb, acc, np.uint64(n))
    for k in range(n):
        out_a[perm[k]] = wa[k]
        out_b[perm[k]] = wb[k]


@jit(error_model="numpy", inline="always", fastmath=_SOLVE_MATH)
def _forward2(Lp, Li, V, first, wa, wb, acc, h):
    """``_forward`` on two right-hand sides (the second's sums in ``acc[h:]``)."""
    one = np.uint64(1)
    for s in range(first.size - 1):
        j0 = np.uint64(first[s])
        j1 = np.uint64(first[s + 1])
        if j1 - j0 < np.uint64(SOLVE_WIDTH):
            for j in range(j0, j1):
                xa = wa[j]
                xb = wb[j]
                for q in range(np.uint64(Lp[j]), np.uint64(Lp[j + one])):
                    r = Li[q]
                    lv = V[q]
                    wa[r] -= lv * xa
                    wb[r] -= lv * xb
            continue
        rb = np.uint64(Lp[j1 - one])
        ns = np.uint64(Lp[j1]) - rb
        for j in range(j0, j1 - one):
            xa = wa[j]
            xb = wb[j]
            p0 = np.uint64(Lp[j])
            for i in range(j1 - one - j):
                lv = V[p0 + i]
                wa[j + one + i] -= lv * xa
                wb[j + one + i] -= lv * xb
        for p in range(ns):
            acc[p] = 0.0
            acc[h + p] = 0.0
        for j in range(j0, j1):
            xa = wa[j]
            xb = wb[j]
            b0 = np.uint64(Lp[j]) + (j1 - one - j)
            for p in range(ns):
                lv = V[b0 + p]
                acc[p] += lv * xa
                acc[h + p] += lv * xb
        for p in range(ns):
            r = Li[rb + p]
            wa[r] -= acc[p]
            wb[r] -= acc[h + p]


@jit(error_model="numpy", inline="always", fastmath=_SOLVE_MATH)
def _backward2(Lp, Li, V, first, wa, wb, acc, h):
    """``_backward`` on two right-hand sides (the second's in ``acc[h:]``)."""
    one = np.uint64(1)
    s = first.size - 1
    while s > 0:
        s -= 1
        j0 = np.uint64(first[s])
        j1 = np.uint64(first[s + 1])
        j = j1
        if j1 - j0 < np.uint64(SOLVE_WIDTH):
            while j > j0:
                j -= one
                a = wa[j]
                b = wb[j]
                for q in range(np.uint64(Lp[j]), np.uint64(Lp[j + one])):
                    r = Li[q]
                    lv = V[q]
                    a -= lv * wa[r]
                    b -= lv * wb[r]
                wa[j] = a
                wb[j] = b
            continue
        rb = np.uint64(Lp[j1 - one])
        ns = np.uint64(Lp[j1]) - rb
        for p in range(ns):
            r = Li[rb + p]
            acc[p] = wa[r]
            acc[h + p] = wb[r]
        for j in range(j0, j1):
            b0 = np.uint64(Lp[j]) + (j1 - one - j)
            a = 0.0
            b = 0.0
            for p in range(ns):
                lv = V[b0 + p]
                a += lv * acc[p]
                b += lv * acc[h + p]
            wa[j] -= a
            wb[j] -= b
        j = j1 - one
        while j > j0:
            j -= one
            p0 = np.uint64(Lp[j])
            a = wa[j]
            b = wb[j]
            for i in range(j1 - one - j):
                lv = V[p0 + i]
                a -= lv * wa[j + one + i]
                b -= lv * wb[j + one + i]
            wa[j] = a
            wb[j] = b
