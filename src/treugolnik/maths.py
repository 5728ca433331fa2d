"""Shared mathematics of the mechanisms: the logistic function and its bracket table, the
inverse error function used to spread factory sizes, and sums in NumPy's order (so that a
compiled sum equals ``np.sum`` to the last bit).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# A bracket table of the logistic function. ``u < sigmoid(x)`` is decided from the table when u
# lies outside sigmoid's values at the grid points around x (almost always) and from the exact
# function otherwise, so the decision is exactly that of ``u < sigmoid(x)`` without its exp.
SIG_LO = -40.0
SIG_PER_UNIT = 32  # grid points per unit of x (a power of two: grid points are exact)
SIG_N = 80 * SIG_PER_UNIT + 3


@njit(cache=True)
def _sigmoid_table():
    tab = np.empty(SIG_N)
    for j in range(SIG_N):
        tab[j] = sigmoid(SIG_LO + j / SIG_PER_UNIT)
    return tab


SIG_TABLE = _sigmoid_table()


@njit(cache=True, inline="always")
def below_sigmoid(u, x):
    """``u < sigmoid(x)``, decided from :data:`SIG_TABLE` where it can be, else exactly.

    sigmoid is increasing, so for x between grid points k and k+1 its value lies between the
    table's entries k-1 and k+2 (one point of slack on each side for rounding in the index).
    """
    k = int((x - SIG_LO) * SIG_PER_UNIT)
    if k >= 1 and k < SIG_N - 2:
        if u >= SIG_TABLE[k + 2]:
            return False
        if u < SIG_TABLE[k - 1]:
            return True
    return u < sigmoid(x)


@njit(cache=True, inline="always")
def table_cap(xb):
    """A probability at least sigmoid(x) for every x <= xb (the table entry above xb; 1 for
    a bound above the table, infinite or not a number).
    """
    v = (xb - SIG_LO) * SIG_PER_UNIT
    if not v < SIG_N - 2:
        return 1.0
    if v < 1.0:
        return SIG_TABLE[2]
    return SIG_TABLE[int(v) + 2]


def erfinv(y: np.ndarray) -> np.ndarray:
    """Inverse error function (Winitzki's approximation, good to ~1e-3; used for sizes only)."""
    a = 0.147
    y = np.clip(y, -0.999999, 0.999999)
    ln = np.log(1.0 - y * y)
    t = 2.0 / (np.pi * a) + ln / 2.0
    return np.sign(y) * np.sqrt(np.sqrt(t * t - ln / a) - t)


PAIRWISE_MAX = 128  # NumPy's pairwise block: below it, one block of eight running sums


@njit(cache=True)
def pairwise_sum(a, lo, n):
    """Sum of ``a[lo:lo + n]`` added as NumPy adds a contiguous block of at most 128 numbers
    (so the result equals ``np.sum``); ``n`` must not exceed :data:`PAIRWISE_MAX`.
    """
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - n % 8:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True)
def numpy_sum(a, lo, n):
    """Sum of ``a[lo:lo + n]`` in the order NumPy adds a contiguous float64 array (blocks of at
    most 128 by :func:`pairwise_sum`, halves of whole eights above), so it equals ``np.sum``.
    """
    if n <= PAIRWISE_MAX:
        return pairwise_sum(a, lo, n)
    # NumPy recurses: sum(first n2) + sum(rest), n2 = the whole eights of n // 2. The same tree,
    # walked with explicit stacks (a block's sum when small; else its halves, then their sum).
    los = np.empty(64, dtype=np.int64)
    ns = np.empty(64, dtype=np.int64)
    stage = np.zeros(64, dtype=np.int64)
    vals = np.empty(64)
    sp = 1
    vp = 0
    los[0], ns[0] = lo, n
    while sp > 0:
        top = sp - 1
        m = ns[top]
        if m <= PAIRWISE_MAX:
            vals[vp] = pairwise_sum(a, los[top], m)
            vp += 1
            sp -= 1
            continue
        m2 = m // 2
        m2 -= m2 % 8
        if stage[top] == 2:
            vals[vp - 2] = vals[vp - 2] + vals[vp - 1]
            vp -= 1
            sp -= 1
            continue
        child_lo = los[top] if stage[top] == 0 else los[top] + m2
        child_n = m2 if stage[top] == 0 else m - m2
        stage[top] += 1
        los[sp], ns[sp], stage[sp] = child_lo, child_n, 0
        sp += 1
    return vals[0]
