"""How fast could an engine that visits people only at their events be, on this machine?

    python benchmarks/events_floor.py                 # 12 million rows, 1-3 minutes
    python benchmarks/events_floor.py --rows 3000000  # a smaller table

A probe, not the model: synthetic columns with the person table's types, and kernels that do
the memory traffic and the arithmetic of two designs, so that their floors can be compared in
one process at one moment of a shared machine. Every figure is nanoseconds per row and day
(every row is employed, so per worker-day), on two threads, the best of ``--repeats`` runs of
``--days`` days.

``daily_reads``   two sweeps a day, as the two daily passes: the first reads labour's columns
                  (state, factory, shop, id, grievance, fear, pay shortfall, injury, village:
                  34 bytes a row) and writes grievance, fear and absence (9 bytes); the second
                  reads production's (55 bytes, the shared ones again) and writes effort and
                  the month's output, pay and days (14 bytes). No draws. The memory floor of
                  today's layout and passes.
``daily_pass``    the same with the passes' three counter-based draws a row (absence and quit
                  in the first sweep, accident in the second): the floor of today's engine.
``scan``          every row reads one 4-byte column, the next day something is due for it,
                  and nothing else: the floor of a design that scans.
``scan16``        the same with a 2-byte column (days relative to a base).
``events_d``      the scan, and a visit of the rows due today: read the same columns as the
                  daily passes, carry grievance and fear by their closed form (two powers),
                  three draws, a new due day by a geometric waiting time at a per-row bound
                  (two logarithms), bank pay and output, and add to three per-shop sums.
                  ``d`` is the share of rows visited a day. Columns by attribute, as today.
``records_d``     the same visits with the visited columns in one 64-byte record a row.
``list_d``        the visits alone from a list of as many rows a day as ``events_d`` visited
                  (a calendar queue's floor, without the queue's upkeep), in row order;
                  ``shuffled_d`` the same rows in random order within each thread's half (a
                  queue per chunk that does not sort).

``clocks_d``      the design of "The shops' hazard clocks" (docs/PERFORMANCE.md): each row
                  keeps two thresholds (absence, quit), on its shop's absence clock for its
                  rest-day group and on its shop's quit clock; the scan reads the shop, the
                  group and both thresholds (21 bytes) and looks up the two clocks; a row is
                  visited when either clock has passed its threshold. A visit (the work of both
                  kinds, whichever clock brought it) carries grievance and fear by their closed
                  form from the shop's pulse levels (decays from a table of whole days), takes
                  both logistic probabilities over the candidate's probability (the thinning
                  ratios: four exponentials), makes two draws against them, banks pay and
                  output and adds to the shop's sums as ``events_d`` does, computes both person
                  terms anew (the month's highest grievance and lowest fear, the tenure's
                  logarithm from a table) and sets both thresholds (two draws, two
                  logarithms, two exponentials). ``clocks32_d``: thresholds in single
                  precision (13 bytes scanned). ``clockblocks_d``: the rows in blocks of
                  :data:`BLOCK` (sorted by shop), a block of one shop skipped when its least
                  thresholds lie above its shop's clocks. ``clocklean_d``: a visit does only
                  the kind whose clock brought it, keeps the person's terms (valid to the
                  month's end), and banks and touches the row only for an accepted candidate:
                  one draw and one logarithm for the new threshold. ``clockdue_d``: as
                  ``clocklean_d``, with a 4-byte earliest day a row (the first day either
                  clock could pass its threshold if the clocks moved :data:`SLACK` times as
                  fast as they do, which holds here by construction); the scan reads only
                  it. ``clockscan`` and
                  ``clockscan_blocks``: the same at a share of 1e-6, the scan alone.
``refresh``       the clocks' monthly pass over every row: grievance and fear by their closed
                  form, the two person terms anew, both thresholds rescaled to them (the
                  residual waits kept, no draws: one exponential each). Per row and pass.

The visited share is stationary: each row's first due day is geometric at the share, and its
waiting times keep it (a row's own bound differs from the share by under 1e-12).

The model's own events bound ``d`` from below: on the kirov run about 2.8 % of person-days
bring an absence, a quit, an accident or a dismissal (docs/PERFORMANCE.md, "Where the goals
stand"), and every synchronisation (a month's first day, a factory's pulses) adds to it.
"""

from __future__ import annotations

import argparse
import sys
import time

import numba
import numpy as np
from numba import njit, prange

from treugolnik.rng import stream_key, uniform, uniform2

CHUNKS = 2  # the engine's daily passes run on two threads here

# the columns the two daily passes read (labour_rows, production_rows), with the table's types
READ = {
    "state": np.int8,
    "factory": np.int32,
    "shop": np.int32,
    "pid": np.int64,
    "g": np.float32,
    "phi": np.float32,
    "pay_short": np.float32,
    "injured_until": np.int32,
    "village": np.int8,
    "absent": np.int8,
    "e0": np.float32,
    "shock": np.int8,
    "stakh": np.int8,
    "c": np.float32,
    "role": np.int8,
    "skill": np.float32,
    "effort": np.float32,
    "out_m": np.float32,
    "pay_m": np.float32,
    "days_m": np.int16,
}

# one record a row for the visited columns (64 bytes: the same fields, a last-visit day in
# place of the daily effort, padded)
RECORD = np.dtype(
    [
        ("pid", np.int64),
        ("factory", np.int32),
        ("shop", np.int32),
        ("g", np.float32),
        ("phi", np.float32),
        ("pay_short", np.float32),
        ("injured_until", np.int32),
        ("e0", np.float32),
        ("c", np.float32),
        ("skill", np.float32),
        ("out_m", np.float32),
        ("pay_m", np.float32),
        ("tau", np.int32),
        ("days_m", np.int16),
        ("state", np.int8),
        ("absent", np.int8),
        ("shock", np.int8),
        ("stakh", np.int8),
        ("role", np.int8),
        ("pad", np.int8),
    ]
)
assert RECORD.itemsize == 64


@njit(cache=True, inline="always")
def labour_sweep(lo, hi, day, T, keys, draws):
    """Labour's reads (state, factory, shop, id, grievance, fear, pay shortfall, injury,
    village: 34 bytes) and writes (grievance, fear, absence: 9 bytes), with its two draws
    (absence, quit) if ``draws``."""
    (state, factory, shop, pid, g, phi, pay_short, injured, village, absent, e0, shock,
     stakh, c, role, skill, effort, out_m, pay_m, days_m) = T  # fmt: skip
    a = 0.0
    k0, k1 = keys[0], keys[1]  # scalars: hoisted out of the loop
    for i in range(lo, hi):
        if state[i] != 1:
            continue
        p = pid[i]
        g[i] = g[i] * np.float32(0.99) + pay_short[i] + np.float32(shop[i] * 1e-9)
        phi[i] = phi[i] * np.float32(0.98) + np.float32(factory[i] * 1e-9)
        x = g[i] - phi[i] + village[i]
        if draws:
            absent[i] = uniform(k0, day, p) < 0.03 + 1e-9 * x or injured[i] > day
            a += uniform(k1, day, p) < 0.001
        else:
            absent[i] = x > 2.0 or injured[i] > day
            a += p & 1
    return a


@njit(cache=True, inline="always")
def production_sweep(lo, hi, day, T, keys, draws):
    """Production's reads (state, factory, shop, id, absence, injury, base effort, shock and
    Stakhanovite flags, consciousness, grievance, role, skill, the month's output, pay and
    days, fear: 55 bytes) and writes (effort, the month's output, pay and days: 14 bytes),
    with its draw (accident) if ``draws``."""
    (state, factory, shop, pid, g, phi, pay_short, injured, village, absent, e0, shock,
     stakh, c, role, skill, effort, out_m, pay_m, days_m) = T  # fmt: skip
    a = 0.0
    k2 = keys[2]  # a scalar: hoisted out of the loop
    for i in range(lo, hi):
        if state[i] != 1:
            continue
        if absent[i] or injured[i] > day:
            effort[i] = 0.0
            continue
        e = e0[i] + shock[i] + stakh[i] + c[i] - g[i] + factory[i] * 1e-9 + shop[i] * 1e-9
        effort[i] = e
        out = skill[i] * e * (role[i] == 0)
        out_m[i] += out
        pay_m[i] += out * 0.5
        days_m[i] += 1
        a += out + phi[i]
        if draws:
            a += uniform(k2, day, pid[i]) < 0.0004
        else:
            a += pid[i] & 1
    return a


@njit(cache=True, parallel=True)
def daily(days, T, keys, draws):
    """Both sweeps a day, with the passes' three draws if ``draws`` (``daily_pass``) or
    without (``daily_reads``)."""
    n = T[3].shape[0]
    acc = np.zeros(CHUNKS)
    for day in range(days):
        for k in prange(CHUNKS):
            acc[k] += labour_sweep(n * k // CHUNKS, n * (k + 1) // CHUNKS, day, T, keys, draws)
        for k in prange(CHUNKS):
            lo, hi = n * k // CHUNKS, n * (k + 1) // CHUNKS
            acc[k] += production_sweep(lo, hi, day, T, keys, draws)
    return acc.sum()


@njit(cache=True, parallel=True)
def scan(days, due):
    n = due.shape[0]
    hits = np.zeros(CHUNKS, dtype=np.int64)
    for day in range(days):
        for k in prange(CHUNKS):
            lo, hi = n * k // CHUNKS, n * (k + 1) // CHUNKS
            h = 0
            for i in range(lo, hi):
                h += due[i] <= day
            hits[k] += h
    return hits.sum()


@njit(cache=True, inline="always")
def wait(key, day, p, rate):
    """A geometric waiting time of at least one day at the daily probability ``rate``."""
    u = uniform2(key, day, p, 7)
    return 1 + np.int32(np.log(1.0 - u) / np.log(1.0 - rate))


# The visit's body is written out in each of ``events``, ``records`` and ``listed``: as one
# inlined function taking the table's tuple, it made ``events`` and ``listed`` 0.5-1.2 ns a
# row-day slower on 12 million rows, which would change the floor being measured.
@njit(cache=True, parallel=True)
def events(days, due, T, tau, keys, rate, shop_sums):
    (state, factory, shop, pid, g, phi, pay_short, injured, village, absent, e0, shock,
     stakh, c, role, skill, effort, out_m, pay_m, days_m) = T  # fmt: skip
    n = pid.shape[0]
    visits = np.zeros(CHUNKS, dtype=np.int64)
    a_log, b_log = np.log(0.99), np.log(0.98)
    k0, k1, k2 = keys[0], keys[1], keys[2]  # scalars: hoisted out of the loops
    for day in range(days):
        for k in prange(CHUNKS):
            lo, hi = n * k // CHUNKS, n * (k + 1) // CHUNKS
            v = 0
            sums = shop_sums[k]
            for i in range(lo, hi):
                if due[i] > day or state[i] != 1:
                    continue
                v += 1
                p = pid[i]
                s = shop[i]
                dt = day - tau[i]
                g_star = pay_short[i] * 100.0
                g[i] = g_star + (g[i] - g_star) * np.exp(a_log * dt)
                phi[i] = phi[i] * np.exp(b_log * dt)
                absent[i] = uniform(k0, day, p) < 0.5 or injured[i] > day
                q = uniform(k1, day, p) < 0.01
                e = e0[i] + shock[i] + stakh[i] + c[i] - g[i] + factory[i] * 1e-9
                out = skill[i] * e * (role[i] == 0) * dt
                out_m[i] += out
                pay_m[i] += out * 0.5
                days_m[i] += dt
                tau[i] = day
                # the row's own bound (a logarithm of its own); it stays at the share within
                # 1e-12, so that the share visited is stationary whatever the columns hold
                bound = rate * (1.0 + 1e-12 * (g[i] + q))
                due[i] = day + min(wait(k2, day, p, bound), 30000)
                sums[s, 0] += e
                sums[s, 1] += out
                sums[s, 2] += g[i]
            visits[k] += v
    return visits.sum()


@njit(cache=True, parallel=True)
def records(days, due, R, keys, rate, shop_sums):
    n = R.shape[0]
    visits = np.zeros(CHUNKS, dtype=np.int64)
    a_log, b_log = np.log(0.99), np.log(0.98)
    k0, k1, k2 = keys[0], keys[1], keys[2]  # scalars: hoisted out of the loops
    for day in range(days):
        for k in prange(CHUNKS):
            lo, hi = n * k // CHUNKS, n * (k + 1) // CHUNKS
            v = 0
            sums = shop_sums[k]
            for i in range(lo, hi):
                if due[i] > day:
                    continue
                r = R[i]
                if r.state != 1:
                    continue
                v += 1
                p = r.pid
                s = r.shop
                dt = day - r.tau
                g_star = r.pay_short * 100.0
                r.g = g_star + (r.g - g_star) * np.exp(a_log * dt)
                r.phi = r.phi * np.exp(b_log * dt)
                r.absent = uniform(k0, day, p) < 0.5 or r.injured_until > day
                q = uniform(k1, day, p) < 0.01
                e = r.e0 + r.shock + r.stakh + r.c - r.g + r.factory * 1e-9
                out = r.skill * e * (r.role == 0) * dt
                r.out_m += out
                r.pay_m += out * 0.5
                r.days_m += dt
                r.tau = day
                bound = rate * (1.0 + 1e-12 * (r.g + q))
                due[i] = day + min(wait(k2, day, p, bound), 30000)
                sums[s, 0] += e
                sums[s, 1] += out
                sums[s, 2] += r.g
            visits[k] += v
    return visits.sum()


@njit(cache=True, parallel=True)
def listed(days, rows, T, tau, keys, shop_sums):
    """The visits alone, over a list of rows (the same list every day; ``tau`` moves back so
    that every visit carries one day)."""
    (state, factory, shop, pid, g, phi, pay_short, injured, village, absent, e0, shock,
     stakh, c, role, skill, effort, out_m, pay_m, days_m) = T  # fmt: skip
    m = rows.shape[0]
    visits = np.zeros(CHUNKS, dtype=np.int64)
    a_log, b_log = np.log(0.99), np.log(0.98)
    k0, k1, k2 = keys[0], keys[1], keys[2]  # scalars: hoisted out of the loops
    for day in range(days):
        for k in prange(CHUNKS):
            lo, hi = m * k // CHUNKS, m * (k + 1) // CHUNKS
            sums = shop_sums[k]
            for j in range(lo, hi):
                i = rows[j]
                p = pid[i]
                s = shop[i]
                dt = 1 + (day - tau[i]) % 7
                g_star = pay_short[i] * 100.0
                g[i] = g_star + (g[i] - g_star) * np.exp(a_log * dt)
                phi[i] = phi[i] * np.exp(b_log * dt)
                absent[i] = uniform(k0, day, p) < 0.5 or injured[i] > day
                q = uniform(k1, day, p) < 0.01
                e = e0[i] + shock[i] + stakh[i] + c[i] - g[i] + factory[i] * 1e-9
                out = skill[i] * e * (role[i] == 0) * dt
                out_m[i] += out
                pay_m[i] += out * 0.5
                days_m[i] += dt
                tau[i] = day
                bound = 0.05 * (1.0 + 1e-12 * (g[i] + q))
                w = min(wait(k2, day, p, bound), 30000)
                sums[s, 0] += e + w
                sums[s, 1] += out
                sums[s, 2] += g[i]
            visits[k] += hi - lo
    return visits.sum()


MAX_GAP = 64  # the clocks' rows are touched at least monthly: days since, fewer than this


@njit(cache=True)
def powers(a):
    """``a ** d`` for whole days ``d`` below :data:`MAX_GAP`."""
    out = np.empty(MAX_GAP)
    for d in range(MAX_GAP):
        out[d] = a**d
    return out


@njit(cache=True)
def log_tenures():
    """``log(1 + d / 365)`` for tenures of whole days up to 60 years, as the engine's table."""
    return np.log1p(np.arange(TENURE_DAYS) / 365.0)


TENURE_DAYS = 60 * 366
BLOCK = 16  # rows a block, for the clocks' least thresholds
SLACK = 1.25  # ``clockdue``: the clocks' bound on their daily move, over their true move
GROUPS = 5  # the continuous week's rest-day groups: one absence clock each, in every shop


@njit(cache=True, inline="always")
def person_terms(gi, ph, g_star, P_s, F_s, village, party, tenure, left, pow_a, pow_b, log_ten):
    """A row's two person terms from its grievance and fear of the day: grievance at its
    highest and fear at their lowest over the ``left`` days to the month's end (their closed
    forms from the shop's pulse levels ``P_s`` and ``F_s``), village, party and tenure."""
    c = gi - P_s - g_star
    g_top = g_star + (c if c >= 0.0 else c * pow_a[left])
    f = ph - F_s
    phi_low = f * pow_b[left] if f >= 0.0 else f
    h_a = g_top - phi_low + village
    h_q = 0.8 * g_top - 0.8 * log_ten[min(max(tenure, 0), TENURE_DAYS - 1)] - party + village
    return h_a, h_q


@njit(cache=True, inline="always")
def earliest(day, to_abs, to_quit, slack):
    """The first day after ``day`` on which either clock could pass its threshold, the clocks
    moving at most ``slack`` a day (``to_abs``, ``to_quit``: what each has still to run)."""
    return day + max(1, int(np.ceil(min(to_abs, to_quit) / slack)))


@njit(cache=True, parallel=True)
def clocks(
    days, T, X, tau, Ta, Tq, Ha, Hq, Ga, Gq, Pi, Phi, keys, r_a, r_q, shop_sums, M, lean, due, slack
):
    """The clocks' scan and visits over ``days`` days; returns the number of visits.

    ``X``: the columns the clocks add (rest-day group, hiring day, party, the two person
    terms). The decays over a row's days since its last touch come from tables of whole days:
    every row is touched at least monthly, so those days are fewer than :data:`MAX_GAP`. A
    visit does the work of both kinds whichever clock brought it (an upper bound of its cost).

    ``M``: if not empty, the least absence and quit thresholds of each block of
    :data:`BLOCK` rows (rows sorted by shop); a block of one shop whose least thresholds lie
    above its shop's clocks (the absence clocks' highest) is skipped without reading its rows,
    and a block with a visit has its least thresholds made anew.

    ``lean``: a visit does only the kind whose clock brought it, keeps the person's terms (they
    bound the logit to the month's end: ``X[3]`` and ``X[4]`` then hold ``e^-h``, the wait a
    threshold adds per unit of the exponential), and banks and touches the row only when the
    candidate is accepted; the new threshold costs a draw and a logarithm.

    ``due``: if not empty, each row's earliest day (4 bytes) that either clock could pass its
    threshold if the clocks moved ``slack`` times as fast as they do (here they move by 1 a
    day); the scan reads only it, and a row due but not a candidate has it made anew.
    """
    (state, factory, shop, pid, g, phi, pay_short, injured, village, absent, e0, shock,
     stakh, c, role, skill, effort, out_m, pay_m, days_m) = T  # fmt: skip
    grp, hired, party, ha, hq = X
    n = pid.shape[0]
    visits = np.zeros(CHUNKS, dtype=np.int64)
    k0, k1, k2 = keys[0], keys[1], keys[2]  # scalars: hoisted out of the loops
    pow_a, pow_b = powers(0.99), powers(0.996)
    log_ten = log_tenures()
    log_ra, log_rq = np.log(r_a), np.log(r_q)
    blocks = M.shape[0] > 0
    filtered = due.shape[0] > 0
    n_blocks = (n + BLOCK - 1) // BLOCK
    H_top = np.zeros(Hq.shape[0])
    Ma, Mq = np.zeros(Ha.shape[0]), np.zeros(Hq.shape[0])  # the day's intensities e^G
    for day in range(days):
        # the shops' clocks and pulse levels move once a day (the day's intensity e^G is 1
        # here, so that the share visited stays as set)
        for j in range(Ha.shape[0]):
            Ma[j] = np.exp(Ga[j])
            Ha[j] += Ma[j]
        for s in range(Hq.shape[0]):
            Mq[s] = np.exp(Gq[s])
            Hq[s] += Mq[s]
            Pi[s] *= 0.99
            Phi[s] *= 0.996
            top = Ha[s * GROUPS]
            for r in range(1, GROUPS):
                top = max(top, Ha[s * GROUPS + r])
            H_top[s] = top
        left = 30 - day % 30  # days to the month's end
        for k in prange(CHUNKS):
            v = 0
            sums = shop_sums[k]
            for b in range(n_blocks * k // CHUNKS, n_blocks * (k + 1) // CHUNKS):
                lo, hi = b * BLOCK, min((b + 1) * BLOCK, n)
                if blocks:
                    s0 = shop[lo]
                    if shop[hi - 1] == s0 and M[b, 0] > H_top[s0] and M[b, 1] > Hq[s0]:
                        continue
                v0 = v
                for i in range(lo, hi):
                    if filtered and due[i] > day:
                        continue
                    s = shop[i]
                    j = s * GROUPS + grp[i]
                    if (Ha[j] < Ta[i] and Hq[s] < Tq[i]) or state[i] != 1:
                        if filtered:
                            due[i] = earliest(day, Ta[i] - Ha[j], Tq[i] - Hq[s], slack)
                        continue
                    v += 1
                    p = pid[i]
                    dt = day - tau[i]
                    g_star = pay_short[i] * 1.2
                    gi = g_star + (g[i] - g_star) * pow_a[dt % MAX_GAP] + Pi[s]
                    ph = phi[i] * pow_b[dt % MAX_GAP] + Phi[s]
                    if lean:
                        # only the kind whose clock came round; the person's terms are kept
                        bank = False
                        if Ha[j] >= Ta[i]:
                            x_a = -3.5 + gi - ph + village[i]
                            cand = -np.expm1(-Ma[j] / ha[i])  # the candidate's probability
                            if uniform(k0, day, p) * cand < 1.0 / (1.0 + np.exp(-x_a)):
                                absent[i] = 1
                                bank = True
                            Ta[i] = Ha[j] - np.log(1.0 - uniform2(k2, day, p, 7)) * ha[i]
                        if Hq[s] >= Tq[i]:
                            x_q = -6.5 + 0.8 * gi
                            cand = -np.expm1(-Mq[s] / hq[i])
                            if uniform(k1, day, p) * cand < 1.0 / (1.0 + np.exp(-x_q)):
                                bank = True
                            Tq[i] = Hq[s] - np.log(1.0 - uniform2(k2, day, p, 8)) * hq[i]
                        if filtered:
                            due[i] = earliest(day, Ta[i] - Ha[j], Tq[i] - Hq[s], slack)
                        q = bank
                    else:
                        x_a = -3.5 + gi - ph + village[i]
                        x_q = -6.5 + 0.8 * gi
                        # a candidate is accepted with the logistic probability over the
                        # candidate's (``1 - exp(-e^bound)``), the bound being the person's
                        # term plus the shop's
                        acc_a = 1.0 / (1.0 + np.exp(-x_a)) / -np.expm1(-np.exp(ha[i] + Ga[j]))
                        acc_q = 1.0 / (1.0 + np.exp(-x_q)) / -np.expm1(-np.exp(hq[i] + Gq[s]))
                        absent[i] = uniform(k0, day, p) < acc_a or injured[i] > day
                        q = uniform(k1, day, p) < acc_q
                        bank = True
                    if not bank:
                        continue
                    e = e0[i] + shock[i] + stakh[i] + c[i] - gi + factory[i] * 1e-9
                    out = skill[i] * e * (role[i] == 0) * dt
                    out_m[i] += out
                    pay_m[i] += out * 0.5
                    days_m[i] += dt
                    tau[i] = day
                    g[i] = gi - Pi[s]
                    phi[i] = ph - Phi[s]
                    if not lean:
                        h_a, h_q = person_terms(
                            gi, ph, g_star, Pi[s], Phi[s], village[i], party[i], day - hired[i],
                            left, pow_a, pow_b, log_ten,
                        )  # fmt: skip
                        # (held at the share's rates within 1e-12, so that the share visited
                        # stays stationary whatever the columns hold)
                        ha[i] = log_ra + 1e-12 * (h_a + q)
                        hq[i] = log_rq + 1e-12 * h_q
                        Ta[i] = Ha[j] - np.log(1.0 - uniform2(k2, day, p, 7)) * np.exp(-ha[i])
                        Tq[i] = Hq[s] - np.log(1.0 - uniform2(k2, day, p, 8)) * np.exp(-hq[i])
                    sums[s, 0] += e
                    sums[s, 1] += out
                    sums[s, 2] += gi
                if blocks and v > v0:
                    M[b, 0] = Ta[lo:hi].min()
                    M[b, 1] = Tq[lo:hi].min()
            visits[k] += v
    return visits.sum()


@njit(cache=True, parallel=True)
def refresh(T, X, tau, Ta, Tq, Ha, Hq, Pi, Phi, day):
    """The clocks' monthly pass over every row, without draws: grievance and fear carried,
    the person terms anew, both residual waits rescaled to them."""
    (state, factory, shop, pid, g, phi, pay_short, injured, village, absent, e0, shock,
     stakh, c, role, skill, effort, out_m, pay_m, days_m) = T  # fmt: skip
    grp, hired, party, ha, hq = X
    n = pid.shape[0]
    pow_a, pow_b = powers(0.99), powers(0.996)
    log_ten = log_tenures()
    acc = np.zeros(CHUNKS)
    for k in prange(CHUNKS):
        lo, hi = n * k // CHUNKS, n * (k + 1) // CHUNKS
        for i in range(lo, hi):
            if state[i] != 1:
                continue
            s = shop[i]
            j = s * GROUPS + grp[i]
            dt = day - tau[i]
            g_star = pay_short[i] * 1.2
            gi = g_star + (g[i] - g_star) * pow_a[dt % MAX_GAP] + Pi[s]
            ph = phi[i] * pow_b[dt % MAX_GAP] + Phi[s]
            g[i] = gi - Pi[s]
            phi[i] = ph - Phi[s]
            tau[i] = day
            h_a, h_q = person_terms(
                gi, ph, g_star, Pi[s], Phi[s], village[i], party[i], day - hired[i], 30,
                pow_a, pow_b, log_ten,
            )  # fmt: skip
            h_a = ha[i] + 1e-12 * h_a  # (kept at the old rates within 1e-12, as above)
            h_q = hq[i] + 1e-12 * h_q
            Ta[i] = Ha[j] + (Ta[i] - Ha[j]) * np.exp(ha[i] - h_a)
            Tq[i] = Hq[s] + (Tq[i] - Hq[s]) * np.exp(hq[i] - h_q)
            ha[i] = h_a
            hq[i] = h_q
            acc[k] += gi
    return acc.sum()


def table(n: int, n_shops: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    cols = []
    for name, dtype in READ.items():
        if name == "state":
            col = np.ones(n, dtype)
        elif name == "pid":
            col = np.arange(n, dtype=dtype)
        elif name == "factory":
            col = (np.arange(n) * (n_shops // 10) // n).astype(dtype)
        elif name == "shop":
            col = (np.arange(n) * n_shops // n).astype(dtype)
        elif np.issubdtype(dtype, np.floating):
            col = rng.random(n).astype(dtype)
        else:
            col = np.zeros(n, dtype)
        cols.append(col)
    return tuple(cols)


def best(fn, repeats: int, setup=None) -> float:
    """The shortest of ``repeats`` timed calls of ``fn``, each after ``setup`` (not timed)."""
    out = float("inf")
    for _ in range(repeats):
        if setup is not None:
            setup()
        t = time.perf_counter()
        fn()
        out = min(out, time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=12_000_000)
    ap.add_argument("--days", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--shares", default="0.028,0.05,0.09", help="shares of rows visited a day (comma list)"
    )
    args = ap.parse_args()
    n, days, reps = args.rows, args.days, args.repeats
    if n < 1000 or not 1 <= days <= 60 or reps < 1:
        print(
            "error: events_floor: --rows at least 1000, --days 1 to 60 (the clocks' tables of "
            "decays cover 64 days), --repeats at least 1",
            file=sys.stderr,
        )
        raise SystemExit(2)
    shares = [float(x) for x in args.shares.split(",")]
    n_shops = max(10, n // 400)
    T = table(n, n_shops)
    keys = np.array([stream_key(1, s) for s in ("absence", "quit", "accidents")], np.uint64)
    per = 1e9 / (n * days)
    threads = min(CHUNKS, numba.get_num_threads())
    print(f"rows: {n:,}  days: {days}  threads: {threads}  (ns per row and day, best of {reps})")
    # compile on a small table first
    small = table(2000, 10)
    daily(1, small, keys, False)
    daily(1, small, keys, True)
    scan(1, np.zeros(2000, np.int32))
    scan(1, np.zeros(2000, np.int16))
    z = np.zeros((CHUNKS, 10, 3))
    events(1, np.zeros(2000, np.int32), small, np.zeros(2000, np.int32), keys, 0.05, z)
    records(1, np.zeros(2000, np.int32), np.zeros(2000, RECORD), keys, 0.05, z)
    listed(1, np.arange(10, dtype=np.int64), small, np.zeros(2000, np.int32), keys, z)
    Xs, _, _ = clock_columns(2000, 0.05, np.random.default_rng(0))
    for dtype in (np.float64, np.float32):
        th = np.ones(2000, dtype)
        clocks(1, small, Xs, np.zeros(2000, np.int32), th, th.copy(), np.zeros(10 * GROUPS),
               np.zeros(10), np.zeros(10 * GROUPS), np.zeros(10), np.zeros(10), np.zeros(10),
               keys, 0.05, 0.005, z, np.zeros((0, 2)), False, np.zeros(0, np.int32),
               1.0)  # fmt: skip
    refresh(small, Xs, np.zeros(2000, np.int32), np.ones(2000), np.ones(2000),
            np.zeros(10 * GROUPS), np.zeros(10), np.zeros(10), np.zeros(10), 1)  # fmt: skip

    print(f"daily_reads: {best(lambda: daily(days, T, keys, False), reps) * per:.2f}")
    print(f"daily_pass: {best(lambda: daily(days, T, keys, True), reps) * per:.2f}")
    rng = np.random.default_rng(2)
    due = rng.integers(0, 1 << 20, n).astype(np.int32)
    print(f"scan: {best(lambda: scan(days, due), reps) * per:.2f}")
    due16 = rng.integers(0, 1 << 14, n).astype(np.int16)
    print(f"scan16: {best(lambda: scan(days, due16), reps) * per:.2f}")
    R = np.zeros(n, RECORD)
    for name in READ:
        if name in RECORD.names:
            R[name] = T[list(READ).index(name)]
    for d in shares:
        visit_probes(d, T, R, keys, days, reps, rng)
    clock_probes(1e-6, T, keys, days, reps, rng, label="clockscan")
    n_shops = int(T[2].max()) + 1
    X, _, _ = clock_columns(n, 0.05, rng)
    Ta, Tq = rng.exponential(30.0, n), rng.exponential(300.0, n)
    H0, P0 = np.zeros(n_shops * GROUPS), np.zeros(n_shops)
    tau = np.zeros(n, np.int32)
    wall = best(lambda: refresh(T, X, tau, Ta, Tq, H0, P0, P0, P0, 30), reps)
    print(f"refresh: {wall * 1e9 / n:.2f} per row and pass")


def visit_probes(d, T, R, keys, days, reps, rng) -> None:
    """The probes that visit a share ``d`` of the rows a day."""
    n = R.shape[0]
    per = 1e9 / (n * days)
    sums = np.zeros((CHUNKS, int(T[2].max()) + 1, 3))
    # a stationary start: each row's next day is geometric at the share
    first = (rng.geometric(d, n) - 1).astype(np.int32)
    due, tau = first.copy(), np.zeros(n, np.int32)

    def fresh():
        due[:] = first
        tau[:] = 0
        R["tau"] = 0

    fresh()
    # the rows due, and so the visits, depend only on the draws: every call from ``fresh``
    # visits the same rows as this one
    v = events(days, due, T, tau, keys, d, sums)
    share = v / (n * days)
    wall = best(lambda: events(days, due, T, tau, keys, d, sums), reps, fresh)
    print(f"events_{d:g}: {wall * per:.2f}  (visited {share:.3f} of row-days)")
    wall = best(lambda: records(days, due, R, keys, d, sums), reps, fresh)
    print(f"records_{d:g}: {wall * per:.2f}")
    # as many rows a day as the scan visited, in row order; then shuffled within each thread's
    # half (each thread keeps to its own rows, as a queue per chunk would)
    rows = np.sort(rng.choice(n, round(n * share), replace=False)).astype(np.int64)
    wall = best(lambda: listed(days, rows, T, tau, keys, sums), reps)
    print(f"list_{d:g}: {wall * per:.2f}")
    m = rows.shape[0]
    for k in range(CHUNKS):
        rng.shuffle(rows[m * k // CHUNKS : m * (k + 1) // CHUNKS])
    wall = best(lambda: listed(days, rows, T, tau, keys, sums), reps)
    print(f"shuffled_{d:g}: {wall * per:.2f}")
    clock_probes(d, T, keys, days, reps, rng)


def clock_columns(n, d, rng):
    """The clocks' own columns for ``n`` rows at the visited share ``d``: rest-day group,
    hiring day, party, and the two person terms at the rates that give the share."""
    r_a, r_q = -np.log1p(-0.9 * d), -np.log1p(-0.1 * d)
    grp = (np.arange(n) % GROUPS).astype(np.int8)
    hired = -rng.integers(0, 3000, n).astype(np.int32)
    party = (rng.random(n) < 0.1).astype(np.int8)
    return (grp, hired, party, np.full(n, np.log(r_a)), np.full(n, np.log(r_q))), r_a, r_q


def clock_probes(d, T, keys, days, reps, rng, label=None) -> None:
    """The clocks' probes (``clocks_d``, ``clocks32_d``, ``clockblocks_d``, ``clocklean_d``,
    ``clockdue_d``; with ``label``, that scan and its block-skipping form alone): the clocks'
    rates set so that each day a row's absence clock passes its threshold with probability
    ``0.9 d`` and its quit clock with ``0.1 d``."""
    n = T[3].shape[0]
    per = 1e9 / (n * days)
    n_shops = int(T[2].max()) + 1
    sums = np.zeros((CHUNKS, n_shops, 3))
    X, r_a, r_q = clock_columns(n, d, rng)
    first_a = rng.exponential(1.0 / r_a, n)
    first_q = rng.exponential(1.0 / r_q, n)
    h0 = (X[3].copy(), X[4].copy())
    Ga, Gq = np.zeros(n_shops * GROUPS), np.zeros(n_shops)
    n_blocks = (n + BLOCK - 1) // BLOCK
    kinds = (
        ((np.float64, label, False, False), (np.float64, label + "_blocks", True, False))
        if label
        else ((np.float64, "clocks", False, False), (np.float32, "clocks32", False, False),
              (np.float64, "clockblocks", True, False), (np.float64, "clocklean", False, True),
              (np.float64, "clockdue", False, True))
    )  # fmt: skip
    for dtype, name, blocked, lean in kinds:
        filtered = name == "clockdue"
        due = np.zeros(n if filtered else 0, np.int32)
        M = np.zeros((n_blocks if blocked else 0, 2))
        h_start = (np.full(n, 1.0 / r_a), np.full(n, 1.0 / r_q)) if lean else h0
        Ta, Tq = first_a.astype(dtype), first_q.astype(dtype)
        Ha, Hq = np.zeros(n_shops * GROUPS), np.zeros(n_shops)
        Pi, Phi = np.zeros(n_shops), np.zeros(n_shops)
        tau = np.zeros(n, np.int32)
        args = (days, T, X, tau, Ta, Tq, Ha, Hq, Ga, Gq, Pi, Phi, keys, r_a, r_q, sums, M, lean,
                due, SLACK)  # fmt: skip

        def fresh(Ta=Ta, Tq=Tq, Ha=Ha, Hq=Hq, Pi=Pi, Phi=Phi, tau=tau, M=M, h_start=h_start,
                  due=due):  # fmt: skip
            Ta[:] = first_a
            Tq[:] = first_q
            Ha[:] = 0.0
            Hq[:] = 0.0
            Pi[:] = 0.1
            Phi[:] = 0.05
            tau[:] = 0
            X[3][:] = h_start[0]
            X[4][:] = h_start[1]
            if due.shape[0]:  # the clocks stand at 0 before day 0 and move by 1 a day
                due[:] = np.maximum(np.ceil(np.minimum(first_a, first_q) / SLACK) - 1, 0)
            if M.shape[0]:
                pad = n_blocks * BLOCK - n
                M[:, 0] = np.pad(Ta, (0, pad), constant_values=np.inf).reshape(-1, BLOCK).min(1)
                M[:, 1] = np.pad(Tq, (0, pad), constant_values=np.inf).reshape(-1, BLOCK).min(1)

        fresh()
        v = clocks(*args)
        wall = best(lambda args=args: clocks(*args), reps, fresh)
        tag = name if label else f"{name}_{d:g}"
        print(f"{tag}: {wall * per:.2f}  (visited {v / (n * days):.4f} of row-days)")


if __name__ == "__main__":
    main()
