"""Shared mathematics of the mechanisms: the logistic function and its bracket table, and
the inverse error function used to spread factory sizes.
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
    """A probability at least sigmoid(x) for every x <= xb (the table entry above xb)."""
    k = int((xb - SIG_LO) * SIG_PER_UNIT)
    if k < 1:
        return SIG_TABLE[2]
    if k < SIG_N - 2:
        return SIG_TABLE[k + 2]
    return 1.0


def erfinv(y: np.ndarray) -> np.ndarray:
    """Inverse error function (Winitzki's approximation, good to ~1e-3; used for sizes only)."""
    a = 0.147
    y = np.clip(y, -0.999999, 0.999999)
    ln = np.log(1.0 - y * y)
    t = 2.0 / (np.pi * a) + ln / 2.0
    return np.sign(y) * np.sqrt(np.sqrt(t * t - ln / a) - t)
