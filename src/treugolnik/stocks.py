"""The end-of-day stocks of the record, defined once for the steps that keep them.

Per factory, the :data:`STOCKS` columns: headcount, employees by role, injured, the sums of
grievance, fear and consciousness, party members and candidates, shock workers,
Stakhanovites and the participants of each grassroots institution. Counted attributes change
only by leaving, hiring, promotion and the monthly steps, so on other days the steps count
today's leavers (:func:`count_leaver`) and hires, and production sums the rest as it passes;
the record then carries yesterday's counts (:func:`carried_stocks`) instead of recounting
everyone (:func:`stocks_into`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .population import CANDIDATE, EMPLOYED, FOREMAN, MANAGER, MEMBER, SPECIALIST, WORKER

# stock columns computed by the stocks kernel, in its output order
STOCKS = (
    "headcount",
    "workers",
    "foremen",
    "specialists",
    "managers",
    "injured",
    "g_sum",
    "phi_sum",
    "c_sum",
    "party_members",
    "party_candidates",
    "shock_workers",
    "stakhanovites",
    "participants_conference",
    "participants_commission",
    "participants_inventors",
)


@njit(cache=True, nogil=True)
def stocks_into(out, lo, hi, P, day):
    """Add the end-of-day stocks of the employed people in rows ``lo..hi`` of the person table
    ``P`` to ``out`` (factories x :data:`STOCKS`).

    People of one factory mostly sit in consecutive rows, so the sums of a run of rows are kept
    in local variables and written back when the factory changes: the same additions in the
    same order as summing into the table directly, without a memory write per person.
    """
    state, factory, role, injured_until = P.state, P.factory, P.role, P.injured_until
    g, phi, c, party, shock, stakh, inst = P.g, P.phi, P.c, P.party, P.shock, P.stakh, P.inst
    cur = -1
    hc = wk = fm = sp = mg = inj = gs = ps = cs = mem = cand = sh = st = i0 = i1 = i2 = 0.0
    for i in range(lo, hi + 1):
        if i < hi and state[i] != EMPLOYED:
            continue
        f = factory[i] if i < hi else -1
        if f != cur:
            if cur >= 0:
                out[cur, 0] = hc
                out[cur, 1] = wk
                out[cur, 2] = fm
                out[cur, 3] = sp
                out[cur, 4] = mg
                out[cur, 5] = inj
                out[cur, 6] = gs
                out[cur, 7] = ps
                out[cur, 8] = cs
                out[cur, 9] = mem
                out[cur, 10] = cand
                out[cur, 11] = sh
                out[cur, 12] = st
                out[cur, 13] = i0
                out[cur, 14] = i1
                out[cur, 15] = i2
            if f < 0:
                break
            cur = f
            hc, wk, fm, sp, mg = out[f, 0], out[f, 1], out[f, 2], out[f, 3], out[f, 4]
            inj, gs, ps, cs, mem = out[f, 5], out[f, 6], out[f, 7], out[f, 8], out[f, 9]
            cand, sh, st = out[f, 10], out[f, 11], out[f, 12]
            i0, i1, i2 = out[f, 13], out[f, 14], out[f, 15]
        hc += 1.0
        r = role[i]
        wk += r == WORKER
        fm += r == FOREMAN
        sp += r == SPECIALIST
        mg += r == MANAGER
        inj += injured_until[i] > day
        gs += g[i]
        ps += phi[i]
        cs += c[i]
        mem += party[i] == MEMBER
        cand += party[i] == CANDIDATE
        sh += shock[i]
        st += stakh[i]
        b = inst[i]
        i0 += b & 1
        i1 += (b >> 1) & 1
        i2 += (b >> 2) & 1


def stocks_by_factory(P, day: int, n_factories: int) -> np.ndarray:
    """End-of-day stocks per factory (:data:`STOCKS` order) of everyone in the table ``P``."""
    out = np.zeros((n_factories, 16))
    stocks_into(out, 0, int(P.size[0]), P, day)
    return out


# STOCKS columns that count people by attributes changed only by leaving, hiring, promotion
# and the monthly steps (role, party, shock work, institutions); the others
# (headcount, injured, grievance, fear, consciousness) are summed every day (by production on
# days without those steps)
COUNT_COLUMNS = np.array([1, 2, 3, 4, 9, 10, 11, 12, 13, 14, 15])


@njit(cache=True, inline="always")
def count_leaver(leavers, f, role, party, shock, stakh, inst):
    """Add a person who left today to ``leavers[f]`` (the :data:`COUNT_COLUMNS` of STOCKS)."""
    leavers[f, 1 + role] += 1.0
    leavers[f, 9] += party == MEMBER
    leavers[f, 10] += party == CANDIDATE
    leavers[f, 11] += shock
    leavers[f, 12] += stakh
    leavers[f, 13] += inst & 1
    leavers[f, 14] += (inst >> 1) & 1
    leavers[f, 15] += (inst >> 2) & 1


def count_promotion(leavers, f: int, old_role: int, new_role: int) -> None:
    """A person of factory ``f`` moved from ``old_role`` to ``new_role`` today: in
    ``leavers`` (subtracted from yesterday's counts) as one leaving the old role and one
    less leaving the new one.
    """
    leavers[f, 1 + old_role] += 1.0
    leavers[f, 1 + new_role] -= 1.0


@njit(cache=True, inline="always")
def load_day_sums(stocks, f):
    """Factory ``f``'s headcount, injured and grievance, fear and consciousness sums."""
    return stocks[f, 0], stocks[f, 5], stocks[f, 6], stocks[f, 7], stocks[f, 8]


@njit(cache=True, inline="always")
def store_day_sums(stocks, f, hc, inj, gs, ps, cs):
    """Write back what :func:`load_day_sums` read (the STOCKS columns not in COUNT_COLUMNS)."""
    stocks[f, 0] = hc
    stocks[f, 5] = inj
    stocks[f, 6] = gs
    stocks[f, 7] = ps
    stocks[f, 8] = cs


@njit(cache=True)
def carry_counts(st, prev, leavers, hired):
    """``st[:, COUNT_COLUMNS] = prev - leavers + hired`` (whole numbers: exact in any order)."""
    for f in range(st.shape[0]):
        for c in COUNT_COLUMNS:
            st[f, c] = prev[f, c] - leavers[f, c] + hired[f, c]


@njit(cache=True)
def carried_stocks(out, day_sums, prev, leavers, hired):
    """A quiet day's stocks into ``out``: the sums production took at the end of the day
    (``day_sums``) with the counts carried from yesterday (:func:`carry_counts`).
    """
    out[:] = day_sums
    carry_counts(out, prev, leavers, hired)
