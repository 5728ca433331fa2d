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
                  keeps two thresholds (absence, quit) on its shop's two cumulative hazard
                  clocks; the scan reads the shop and both thresholds (20 bytes) and looks up
                  the shop's two clocks; a row is visited when either clock has passed its
                  threshold. A visit carries grievance and fear by their closed form from the
                  shop's pulse levels (two powers), takes both exact probabilities (two
                  exponentials) against two draws, banks pay and output and adds to the shop's
                  sums as ``events_d`` does, and sets both thresholds anew (two draws, two
                  logarithms, two exponentials). ``clocks32_d``: thresholds in single
                  precision (12 bytes scanned).
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


@njit(cache=True, parallel=True)
def clocks(days, T, tau, Ta, Tq, Ha, Hq, Pi, Phi, keys, r_a, r_q, shop_sums):
    """The clocks' scan and visits over ``days`` days; returns the number of visits. The
    decays over a row's days since its last visit come from tables of whole days: every row
    is refreshed at least monthly, so those days are fewer than :data:`MAX_GAP`."""
    (state, factory, shop, pid, g, phi, pay_short, injured, village, absent, e0, shock,
     stakh, c, role, skill, effort, out_m, pay_m, days_m) = T  # fmt: skip
    n = pid.shape[0]
    visits = np.zeros(CHUNKS, dtype=np.int64)
    k0, k1, k2 = keys[0], keys[1], keys[2]  # scalars: hoisted out of the loops
    pow_a, pow_b = powers(0.99), powers(0.996)
    for day in range(days):
        # the shops' clocks and pulse levels move once a day (a shop's intensity is 1 here)
        for s in range(Ha.shape[0]):
            Ha[s] += 1.0
            Hq[s] += 1.0
            Pi[s] *= 0.99
            Phi[s] *= 0.996
        for k in prange(CHUNKS):
            lo, hi = n * k // CHUNKS, n * (k + 1) // CHUNKS
            v = 0
            sums = shop_sums[k]
            for i in range(lo, hi):
                s = shop[i]
                if (Ha[s] < Ta[i] and Hq[s] < Tq[i]) or state[i] != 1:
                    continue
                v += 1
                p = pid[i]
                dt = day - tau[i]
                g_star = pay_short[i] * 1.2
                gi = g_star + (g[i] - g_star) * pow_a[dt % MAX_GAP] + Pi[s]
                ph = phi[i] * pow_b[dt % MAX_GAP] + Phi[s]
                x_a = -3.5 + gi - ph + village[i]
                x_q = -6.5 + 0.8 * gi
                absent[i] = uniform(k0, day, p) < 1.0 / (1.0 + np.exp(-x_a)) or injured[i] > day
                q = uniform(k1, day, p) < 1.0 / (1.0 + np.exp(-x_q))
                e = e0[i] + shock[i] + stakh[i] + c[i] - gi + factory[i] * 1e-9
                out = skill[i] * e * (role[i] == 0) * dt
                out_m[i] += out
                pay_m[i] += out * 0.5
                days_m[i] += dt
                tau[i] = day
                g[i] = gi - Pi[s]
                phi[i] = ph - Phi[s]
                # the person terms (held at the share's rates within 1e-12, so that the share
                # visited stays stationary whatever the columns hold) and the new thresholds
                h_a = np.log(r_a) + 1e-12 * (gi + q)
                h_q = np.log(r_q) + 1e-12 * ph
                Ta[i] = Ha[s] - np.log(1.0 - uniform2(k2, day, p, 7)) * np.exp(-h_a)
                Tq[i] = Hq[s] - np.log(1.0 - uniform2(k2, day, p, 8)) * np.exp(-h_q)
                sums[s, 0] += e
                sums[s, 1] += out
                sums[s, 2] += gi
            visits[k] += v
    return visits.sum()


@njit(cache=True, parallel=True)
def refresh(T, tau, Ta, Tq, Ha, Hq, Pi, Phi, ha, hq, day):
    """The clocks' monthly pass over every row (no draws)."""
    (state, factory, shop, pid, g, phi, pay_short, injured, village, absent, e0, shock,
     stakh, c, role, skill, effort, out_m, pay_m, days_m) = T  # fmt: skip
    n = pid.shape[0]
    pow_a, pow_b = powers(0.99), powers(0.996)
    acc = np.zeros(CHUNKS)
    for k in prange(CHUNKS):
        lo, hi = n * k // CHUNKS, n * (k + 1) // CHUNKS
        for i in range(lo, hi):
            if state[i] != 1:
                continue
            s = shop[i]
            dt = day - tau[i]
            g_star = pay_short[i] * 1.2
            gi = g_star + (g[i] - g_star) * pow_a[dt % MAX_GAP] + Pi[s]
            ph = phi[i] * pow_b[dt % MAX_GAP] + Phi[s]
            g[i] = gi - Pi[s]
            phi[i] = ph - Phi[s]
            tau[i] = day
            h_a = ha[i] + 1e-12 * gi
            h_q = hq[i] + 1e-12 * ph
            # the residual wait in each clock, rescaled from the old person term to the new
            Ta[i] = Ha[s] + (Ta[i] - Ha[s]) * np.exp(ha[i] - h_a)
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
    if n < 1000 or days < 1 or reps < 1:
        raise SystemExit("events_floor: --rows at least 1000, --days and --repeats at least 1")
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
    z10 = np.zeros(10)
    for dtype in (np.float64, np.float32):
        th = np.ones(2000, dtype)
        clocks(1, small, np.zeros(2000, np.int32), th, th.copy(), z10.copy(), z10.copy(),
               z10.copy(), z10.copy(), keys, 0.05, 0.005, z)  # fmt: skip
    refresh(small, np.zeros(2000, np.int32), np.ones(2000), np.ones(2000), z10, z10, z10, z10,
            np.zeros(2000), np.zeros(2000), 1)  # fmt: skip

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
    n_shops = int(T[2].max()) + 1
    Ta, Tq = rng.exponential(30.0, n), rng.exponential(300.0, n)
    ha, hq = np.full(n, np.log(1 / 30.0)), np.full(n, np.log(1 / 300.0))
    H0, P0 = np.zeros(n_shops), np.zeros(n_shops)
    tau = np.zeros(n, np.int32)
    wall = best(lambda: refresh(T, tau, Ta, Tq, H0, H0, P0, P0, ha, hq, 30), reps)
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


def clock_probes(d, T, keys, days, reps, rng) -> None:
    """``clocks_d`` and ``clocks32_d``: the clocks' rates set so that each day a row's absence
    clock passes its threshold with probability ``0.9 d`` and its quit clock with ``0.1 d``."""
    n = T[3].shape[0]
    per = 1e9 / (n * days)
    n_shops = int(T[2].max()) + 1
    sums = np.zeros((CHUNKS, n_shops, 3))
    r_a, r_q = -np.log1p(-0.9 * d), -np.log1p(-0.1 * d)
    first_a = rng.exponential(1.0 / r_a, n)
    first_q = rng.exponential(1.0 / r_q, n)
    for dtype, name in ((np.float64, "clocks"), (np.float32, "clocks32")):
        Ta, Tq = first_a.astype(dtype), first_q.astype(dtype)
        Ha, Hq = np.zeros(n_shops), np.zeros(n_shops)
        Pi, Phi = np.zeros(n_shops), np.zeros(n_shops)
        tau = np.zeros(n, np.int32)
        args = (days, T, tau, Ta, Tq, Ha, Hq, Pi, Phi, keys, r_a, r_q, sums)

        def fresh(Ta=Ta, Tq=Tq, Ha=Ha, Hq=Hq, Pi=Pi, Phi=Phi, tau=tau):
            Ta[:] = first_a
            Tq[:] = first_q
            Ha[:] = 0.0
            Hq[:] = 0.0
            Pi[:] = 0.1
            Phi[:] = 0.05
            tau[:] = 0

        fresh()
        v = clocks(*args)
        wall = best(lambda args=args: clocks(*args), reps, fresh)
        print(f"{name}_{d:g}: {wall * per:.2f}  (visited {v / (n * days):.3f} of row-days)")


if __name__ == "__main__":
    main()
