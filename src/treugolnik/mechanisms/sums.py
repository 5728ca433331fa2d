"""Production by sums (``draws.labour = "clocks"``): the bookkeeping.

docs/PERFORMANCE.md, "Production by sums". Between two *rebuilds* (mechanisms.rebuild) a
person's grievance and fear follow their closed form,

    g(t) = L_g[shop](t) + g* + gx E(t),    phi(t) = L_phi[shop](t) + fx F(t),

with ``L`` the shop's pulse level (``Shops.level_g``, ``level_phi``), ``g* = pay_gap
pay_short / decay`` the level the pay shortfall pulls towards, ``E(t) = (1 - decay)^(t -
t_base)`` and ``F`` the same for fear, ``t_base`` the day of the last rebuild. A working
person's effort before its clip is then linear in the person's terms,

    e = alpha + b_campaign campaign c - b_grievance E gx + sigma[shop],
    alpha = (1 - b_peer) (e0 + bonuses) - b_grievance g*,
    sigma = b_peer effort_prev + storm - b_grievance L_g,

so each shop and rest-day group keeps sums of its working members' terms (weighted by 1 for
effort, by skill for a worker's output, by skill times the Stakhanovite bonus for a worker's
pay) and of its employed members' (for the day's stocks), and the day's output, effort and pay
are made from them. A person's own month of output, pay and days is *banked* from the month's
cumulative daily series of their shop and group when their terms change (and at every
rebuild). The few whose effort or grievance or fear meet a clip on a day are taken person by
person that day.

This module holds the shared pieces; the daily steps use them in mechanisms.labour and
mechanisms.production.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..population import CANDIDATE, EMPLOYED, MEMBER, WORKER
from ..rng import uniform2
from ..state import CLOCK_GROUPS, N_EXT, N_SERIES, N_SUMS, SERIES_DAYS

# the sums of a shop and rest-day group (``Shops.sums``): the working (weights 1, skill of a
# worker, skill times the Stakhanovite bonus of a worker: count, alpha, c, gx each; salaries;
# workers) and the employed (count, injured, g*, gx, fx, c)
Q_N, Q_A, Q_C, Q_X = 0, 1, 2, 3
Q_SK, Q_SKA, Q_SKC, Q_SKX = 4, 5, 6, 7
Q_PK, Q_PKA, Q_PKC, Q_PKX = 8, 9, 10, 11
Q_SAL, Q_NW = 12, 13
Q_EMP, Q_INJ, Q_GY, Q_GX, Q_FX, Q_CC = 14, 15, 16, 17, 18, 19
# the month's cumulative series of a shop and group: K (the day's output per unit of skill and
# effort) times 1, campaign, E and sigma; the same for a worker's pay per unit; the tariff
# (salaries); working days
S_K, S_KC, S_KE, S_KS, S_R, S_RC, S_RE, S_RS, S_TAR, S_DAYS = range(N_SERIES)
# ``Shops.basis``
B_TBASE, B_E, B_F, B_MONTH, B_BUILT, B_EH, B_FH, B_CLO, B_CHI, B_HORIZON, B_PRODUCED = range(11)
# the shops' bounds (``Shops.ext``, as maxima): grievance's person part above and below, fear's,
# a working member's effort part (sigma aside) above and below
X_GHI, X_GLO, X_FHI, X_FLO, X_EHI, X_ELO = range(N_EXT)
# the shops' risk flags today (``Shops.risk``)
RISK_G, RISK_PHI, RISK_E = 1, 2, 4
# bits of ``people.absent`` (clocks): absent today; a candidate day on the accident clock;
# effort (or its terms) taken person by person today
ABSENT, ACC_CANDIDATE, EXACT = 1, 2, 4
# log(1 + tenure in years) for tenures of whole days up to 60 years, computed as in the kernel.
TENURE_DAYS = 60 * 366


@njit(cache=True)
def _log_tenure_table():
    tab = np.empty(TENURE_DAYS)
    for d in range(TENURE_DAYS):
        tab[d] = np.log1p(max(d / 365.0, 0.0))
    return tab


LOG_TENURE = _log_tenure_table()


@njit(cache=True)
def log_tenure(days):
    """``log(1 + max(days, 0) / 365)``, from :data:`LOG_TENURE` for tenures it covers."""
    if days <= 0:
        return 0.0
    if days < TENURE_DAYS:
        return LOG_TENURE[days]
    return np.log1p(days / 365.0)


# the person's part is raised by this much in log-odds: grievance and fear are stored in single
# precision, and the closed form that bounds them over the month may differ in the last bits
CLOCK_MARGIN = 1e-4


@njit(cache=True)
def _span(y0, rate, inflow, days):
    """The lowest and highest of ``y(d) = y* + (y0 - y*) (1 - rate)^d`` (``y* = inflow /
    rate``; ``y0 + inflow d`` without decay) over whole days ``0..days``: the path is monotone,
    so they are its ends.
    """
    if rate > 0.0:
        y_star = inflow / rate
        y1 = y_star + (y0 - y_star) * (1.0 - rate) ** days
    else:
        y1 = y0 + inflow * days
    return min(y0, y1), max(y0, y1)


@njit(cache=True)
def clock_terms(g, phi, level_g, level_phi, pay_short, village, is_party, tenure, days,
                ab, tv, gr, fe):  # fmt: skip
    """A person's parts of the absence and quit bounds, ``exp(-h)``, for the ``days`` to the
    month's end: grievance less its shop's level follows its closed form to the month's end
    (the shop's level is in the shop's part), fear less its level decays; each term is taken
    at the end of its range that raises the log-odds; tenure only grows.
    """
    g_lo, g_hi = _span(g - level_g, gr.decay, gr.pay_gap * pay_short, days)
    f_lo, f_hi = _span(phi - level_phi, fe.decay, 0.0, days)
    x_g = ab.a_grievance * (g_hi if ab.a_grievance >= 0.0 else g_lo)
    x_f = -ab.a_fear * (f_lo if ab.a_fear >= 0.0 else f_hi)
    h_abs = x_g + x_f + ab.a_village * village + CLOCK_MARGIN
    ten = tenure if tv.q_tenure >= 0.0 else tenure + days
    h_quit = (
        tv.q_grievance * (g_hi if tv.q_grievance >= 0.0 else g_lo)
        - tv.q_tenure * log_tenure(ten)
        - tv.q_party * is_party
        + tv.q_village * village
        + CLOCK_MARGIN
    )
    return np.float32(np.exp(-h_abs)), np.float32(np.exp(-h_quit))


@njit(cache=True)
def _exponential(key, day, ident, salt):
    """An exponential wait of mean 1 on the person's own stream."""
    return -np.log(1.0 - uniform2(key, day, ident, salt))


@njit(cache=True)
def _rethreshold(t_old, w_old, w_new, before, key, day, ident):
    """A threshold for a new part ``w_new`` of the bound: the wait still to run from the
    clock's value before today is rescaled (the exponential has no memory), or a first wait is
    drawn for a person without one.
    """
    if w_old > 0.0:
        return before + (t_old - before) * (np.float64(w_new) / np.float64(w_old))
    return before + _exponential(key, day, ident, 5) * w_new


# margin of the risk tests (the sums and the closed form are in double precision)
RISK_MARGIN = 1e-9


@njit(cache=True)
def storm_boost(output_m, plan_m, elapsed_share, day_of_month, storm_max, storm_k):
    """The storming boost: from day 21 on, rising with the month-to-date shortfall against
    the pro-rata plan (P4).
    """
    if day_of_month < 21:
        return 0.0
    gap = max(0.0, 1.0 - output_m / max(plan_m * elapsed_share, 1e-9))
    # late in the month the remaining plan must be made in fewer days
    return min(storm_max, storm_k * (gap + 0.25 * elapsed_share))


@njit(cache=True)
def group_of(s, pid):
    """A person's shop and rest-day group, as the index of ``Shops.sums`` and the clocks."""
    return np.int64(s) * CLOCK_GROUPS + np.int64(pid % CLOCK_GROUPS)


@njit(cache=True)
def terms(i, pay_short, e0, shock, stakh, role, skill, pr, stakh_pay_bonus, g_ratio, role_mult):
    """A person's terms: ``g*``, ``alpha``, and the weights of output (skill of a worker), of
    pay (skill times the Stakhanovite bonus of a worker) and of salaries (the role's multiple
    of a non-worker), and 1 for a worker. (The person's columns are passed one by one: a
    call that takes the whole person table pays for counting references to all its
    columns.)
    """
    gy = g_ratio * np.float64(pay_short[i])
    base = np.float64(e0[i]) + pr.shock_bonus * shock[i] + pr.stakhanovite_bonus * stakh[i]
    alpha = (1.0 - pr.b_peer) * base - pr.b_grievance * gy
    if role[i] == WORKER:
        sk = np.float64(skill[i])
        return gy, alpha, sk, sk * (1.0 + stakh_pay_bonus * stakh[i]), 0.0, 1.0
    return gy, alpha, 0.0, 0.0, role_mult[np.int64(role[i])], 0.0


@njit(cache=True)
def add_working(arr, j, sign, alpha, c, gx, sk, pk, sal, w):
    """Add (``sign`` 1) or take out (-1) a working person's terms in ``arr``'s entry ``j``."""
    b = j * N_SUMS
    arr[b + Q_N] += sign
    arr[b + Q_A] += sign * alpha
    arr[b + Q_C] += sign * c
    arr[b + Q_X] += sign * gx
    arr[b + Q_SK] += sign * sk
    arr[b + Q_SKA] += sign * sk * alpha
    arr[b + Q_SKC] += sign * sk * c
    arr[b + Q_SKX] += sign * sk * gx
    arr[b + Q_PK] += sign * pk
    arr[b + Q_PKA] += sign * pk * alpha
    arr[b + Q_PKC] += sign * pk * c
    arr[b + Q_PKX] += sign * pk * gx
    arr[b + Q_SAL] += sign * sal
    arr[b + Q_NW] += sign * w


@njit(cache=True)
def add_employed(arr, j, sign, injured, gy, gx, fx, c):
    """Add or take out an employed person's terms (the day's stocks)."""
    b = j * N_SUMS
    arr[b + Q_EMP] += sign
    arr[b + Q_INJ] += sign * injured
    arr[b + Q_GY] += sign * gy
    arr[b + Q_GX] += sign * gx
    arr[b + Q_FX] += sign * fx
    arr[b + Q_CC] += sign * c


@njit(cache=True)
def _delta(ser, base, k, d0, d1):
    return ser[base + k * SERIES_DAYS + d1] - ser[base + k * SERIES_DAYS + d0]


@njit(cache=True)
def bank(i, j, upto, t_bank, out_m, pay_m, days_m, series, month_first, alpha, c, gx, sk, pk, sal,
         b_campaign, b_grievance):  # fmt: skip
    """Bank person ``i``'s output, pay and working days from their ``t_bank`` (or the month's
    first day) to day ``upto`` (exclusive) from the series of their shop and group (``j``),
    with their terms (:func:`terms`); ``t_bank`` becomes ``upto`` if it was before. The
    person must have been working on every day of the span on which their group worked.
    """
    tb = max(np.int64(t_bank[i]), month_first)
    if tb >= upto:
        if t_bank[i] < upto:
            t_bank[i] = upto
        return
    d0, d1 = tb - month_first, upto - month_first
    base = j * N_SERIES * SERIES_DAYS
    if sk != 0.0:
        out = sk * (
            alpha * _delta(series, base, S_K, d0, d1)
            + b_campaign * c * _delta(series, base, S_KC, d0, d1)
            - b_grievance * gx * _delta(series, base, S_KE, d0, d1)
            + _delta(series, base, S_KS, d0, d1)
        )
        pay = pk * (
            alpha * _delta(series, base, S_R, d0, d1)
            + b_campaign * c * _delta(series, base, S_RC, d0, d1)
            - b_grievance * gx * _delta(series, base, S_RE, d0, d1)
            + _delta(series, base, S_RS, d0, d1)
        )
        out_m[i] += out
        pay_m[i] += pay
    else:
        pay_m[i] += sal * _delta(series, base, S_TAR, d0, d1)
    days_m[i] += np.int16(round(_delta(series, base, S_DAYS, d0, d1)))
    t_bank[i] = upto


@njit(cache=True)
def raise_ext(ext, s, gy, gx, fx, alpha, c, working, basis, b_campaign, b_grievance):
    """Raise shop ``s``'s bounds (``Shops.ext``) to cover a member's terms from today to the
    horizon of the last rebuild. ``gx`` and ``fx`` are taken with the shop's pulse levels at
    the rebuild (``Shops.base_g``, ``base_phi``) added: ``g(t) = P(t) + g* + (gx + L0) E(t)``
    with ``P(t) = L(t) - L0 E(t)`` the pulses since the rebuild, so that a person's bound is
    not loosened by the decay of the shop's level.
    """
    e_now, e_h, f_now, f_h = basis[B_E], basis[B_EH], basis[B_F], basis[B_FH]
    b = np.int64(s) * N_EXT
    x1, x2 = gx * e_now, gx * e_h
    ext[b + X_GHI] = max(ext[b + X_GHI], gy + max(x1, x2))
    ext[b + X_GLO] = max(ext[b + X_GLO], -(gy + min(x1, x2)))
    y1, y2 = fx * f_now, fx * f_h
    ext[b + X_FHI] = max(ext[b + X_FHI], max(y1, y2))
    ext[b + X_FLO] = max(ext[b + X_FLO], -min(y1, y2))
    if working:
        k1, k2 = b_campaign * c * basis[B_CLO], b_campaign * c * basis[B_CHI]
        z1, z2 = -b_grievance * gx * e_now, -b_grievance * gx * e_h
        ext[b + X_EHI] = max(ext[b + X_EHI], alpha + max(k1, k2) + max(z1, z2))
        ext[b + X_ELO] = max(ext[b + X_ELO], -(alpha + min(k1, k2) + min(z1, z2)))


@njit(cache=True)
def effort_part(alpha, c, gx, campaign, e_now, b_campaign, b_grievance):
    """A working person's effort less the shop term ``sigma``, before its clip."""
    return alpha + b_campaign * campaign * c - b_grievance * e_now * gx


# ---------------------------------------------------------------- rebuilds and settles
@njit(cache=True)
def rebuild_setup(t, S, base_day):
    """Start a rebuild with ``base_day`` as the reference day of the closed form (the day of
    the rebuild, the month's last, or the day before a run's first when it is built before
    that day's labour): the horizon its bounds must cover (the end of the month of the day
    after the base, when the next rebuild comes), E and F at the horizon, the campaign's range
    to it; the sums cleared.
    """
    sh, cal = S.shops, S.cal
    basis = sh.basis
    day, dom, dim = cal.days[t], cal.doms[t], cal.dims[t]
    last = cal.campaign.shape[0] - 1
    if base_day < day + dim - dom:  # (the day after the base is in day t's month)
        horizon = day + dim - dom
    else:  # the base is the month's last day: to the next month's end
        horizon = base_day + (cal.dims[t + 1] if t < last else 31)
    basis[B_TBASE] = base_day
    basis[B_E] = 1.0
    basis[B_F] = 1.0
    basis[B_EH] = (1.0 - S.par.grievance.decay) ** (horizon - base_day)
    basis[B_FH] = (1.0 - S.par.fear.decay) ** (horizon - base_day)
    basis[B_HORIZON] = horizon
    lo, hi = np.inf, -np.inf
    for d in range(base_day + 1, horizon + 1):
        k = min(max(t + (d - day), 0), last)
        lo = min(lo, cal.campaign[k])
        hi = max(hi, cal.campaign[k])
    basis[B_CLO], basis[B_CHI] = lo, hi
    sh.sums[:] = 0.0
    sh.dsum[:] = 0.0
    sh.xsum[:] = 0.0
    sh.ext[:] = -np.inf
    sh.base_g[:] = sh.level_g
    sh.base_phi[:] = sh.level_phi


@njit(cache=True, nogil=True)
def rebuild_range(lo, hi, t, S, bank_from):
    """Rows ``lo..hi`` of a rebuild (after :func:`rebuild_setup`): each employed person's
    ``gx`` and ``fx`` from their grievance and fear as the table holds them, their terms into
    the sums (the day's absent and clipped into the exclusions), the shop's bounds, their
    parts of the clocks' bounds and thresholds (a first accident threshold for those without
    one). ``bank_from`` >= 0 sets ``t_bank`` (a run's first build).
    """
    P, sh, cal = S.people, S.shops, S.cal
    pr, py, gr = S.par.production, S.par.pay, S.par.grievance
    ab, tv, fe = S.par.absence, S.par.turnover, S.par.fear
    basis = sh.basis
    base_day = np.int64(basis[B_TBASE])
    horizon = np.int64(basis[B_HORIZON])
    day = cal.days[t]
    g_ratio = gr.pay_gap / gr.decay
    role_mult = S.day.role_mult
    sb = py.stakhanovite_bonus
    keys = S.keys
    for i in range(lo, hi):
        if P.state[i] != EMPLOYED:
            continue
        s = np.int64(P.shop[i])
        p_id = P.pid[i]
        j = group_of(s, p_id)
        gy, alpha, sk, pk, sal, w = terms(
            i, P.pay_short, P.e0, P.shock, P.stakh, P.role, P.skill, pr, sb, g_ratio, role_mult
        )
        L, Lp = sh.level_g[s], sh.level_phi[s]
        gx = np.float64(P.g[i]) - L - gy
        fx = np.float64(P.phi[i]) - Lp
        P.gx[i] = gx
        P.fx[i] = fx
        c = np.float64(P.c[i])
        injured = P.injured_until[i] > base_day
        add_employed(sh.sums, j, 1.0, 1.0 if injured else 0.0, gy, gx, fx, c)
        if injured:
            P.t_bank[i] = max(P.t_bank[i], P.injured_until[i])
        else:
            add_working(sh.sums, j, 1.0, alpha, c, gx, sk, pk, sal, w)
            if P.absent[i] & (ABSENT | EXACT):
                add_working(sh.xsum, j, 1.0, alpha, c, gx, sk, pk, sal, w)
            if bank_from >= 0:
                P.t_bank[i] = bank_from
        raise_ext(
            sh.ext, s, gy, gx + sh.base_g[s], fx + sh.base_phi[s], alpha, c, not injured, basis,
            pr.b_campaign, pr.b_grievance,
        )  # fmt: skip
        is_party = 1.0 if (P.party[i] == MEMBER or P.party[i] == CANDIDATE) else 0.0
        wa, wq = clock_terms(
            P.g[i], P.phi[i], L, Lp, P.pay_short[i], P.village[i], is_party,
            base_day - P.hired[i], horizon - base_day, ab, tv, gr, fe,
        )  # fmt: skip
        P.t_abs[i] = _rethreshold(P.t_abs[i], P.w_abs[i], wa, sh.clock_abs[j], keys.absence,
                                  day, p_id)  # fmt: skip
        P.t_quit[i] = _rethreshold(P.t_quit[i], P.w_quit[i], wq, sh.clock_quit[s], keys.quit,
                                   day, p_id)  # fmt: skip
        P.w_abs[i] = wa
        P.w_quit[i] = wq
        if P.t_acc[i] == 0.0:
            P.t_acc[i] = sh.clock_acc[j] + _exponential(keys.accidents, day, p_id, 4)


@njit(cache=True)
def initial_build(t, S):
    """A run's first build, before its first day's labour: as of the day before, with the
    month's series started.
    """
    day = S.cal.days[t]
    S.shops.basis[B_MONTH] = day - S.cal.doms[t] + 1
    S.shops.series[:] = 0.0
    rebuild_setup(t, S, day - 1)
    rebuild_range(0, S.people.size[0], t, S, day)
    S.shops.basis[B_BUILT] = 1.0


@njit(cache=True)
def rebuild_prepare(lo, hi, t, S):
    """The ``rebuild`` steps (clocks only): a rebuild with the day as its reference day."""
    if S.par.derived.clocks:
        rebuild_setup(t, S, S.cal.days[t])


@njit(cache=True, nogil=True)
def rebuild_rows(lo, hi, t, S):
    """The ``rebuild`` steps over rows ``lo..hi`` (:func:`rebuild_range`)."""
    if S.par.derived.clocks:
        rebuild_range(lo, hi, t, S, -1)


@njit(cache=True, nogil=True)
def _settle(lo, hi, t, S, upto):
    """Each employed person's grievance and fear from their closed form into the table, and
    their output, pay and days banked to day ``upto`` (exclusive).
    """
    P, sh = S.people, S.shops
    pr, py, gr = S.par.production, S.par.pay, S.par.grievance
    g_ratio = gr.pay_gap / gr.decay
    g_max = gr.g_max
    role_mult = S.day.role_mult
    e_now, f_now = sh.basis[B_E], sh.basis[B_F]
    month_first = np.int64(sh.basis[B_MONTH])
    sb, b_c, b_g = py.stakhanovite_bonus, pr.b_campaign, pr.b_grievance
    pay_short, e0, shock, stakh, role, skill = P.pay_short, P.e0, P.shock, P.stakh, P.role, P.skill
    t_bank, out_m, pay_m, days_m, series = P.t_bank, P.out_m, P.pay_m, P.days_m, sh.series
    for i in range(lo, hi):
        if P.state[i] != EMPLOYED:
            continue
        s = np.int64(P.shop[i])
        j = group_of(s, P.pid[i])
        if upto >= 0 and t_bank[i] < upto:
            gy, alpha, sk, pk, sal, w = terms(
                i, pay_short, e0, shock, stakh, role, skill, pr, sb, g_ratio, role_mult
            )
            bank(i, j, upto, t_bank, out_m, pay_m, days_m, series, month_first, alpha,
                 np.float64(P.c[i]), P.gx[i], sk, pk, sal, b_c, b_g)  # fmt: skip
        gy = g_ratio * np.float64(pay_short[i])
        g = sh.level_g[s] + gy + P.gx[i] * e_now
        phi = sh.level_phi[s] + P.fx[i] * f_now
        P.g[i] = min(max(g, 0.0), g_max)
        P.phi[i] = min(max(phi, 0.0), 1.0)


@njit(cache=True, nogil=True)
def settle_rows(lo, hi, t, S):
    """The ``settle`` step (clocks only; after the day's production): grievance and fear into
    the table for the steps that read them; at the month's end everyone's output, pay and
    days banked through the day, for pay.
    """
    if S.par.derived.clocks:
        month_end = S.cal.doms[t] == S.cal.dims[t]
        _settle(lo, hi, t, S, S.cal.days[t] + 1 if month_end else -1)


@njit(cache=True)
def day_prepare(t, S):
    """Before the day's labour (clocks only), after the pulse levels have taken up the day's
    pulses: the first build of a run; the month's series started on its first day; E and F
    today; each shop's accident bound and clocks, its term of effort ``sigma`` and its risk
    flags (``Shops.risk``) from its bounds.
    """
    sh, fa, cal = S.shops, S.fac, S.cal
    pr, ac, gr, fe = S.par.production, S.par.accidents, S.par.grievance, S.par.fear
    basis = sh.basis
    day, dom, dim = cal.days[t], cal.doms[t], cal.dims[t]
    if dom == 1:
        basis[B_MONTH] = day
        sh.series[:] = 0.0
    E = (1.0 - gr.decay) ** (day - basis[B_TBASE])
    F = (1.0 - fe.decay) ** (day - basis[B_TBASE])
    basis[B_E], basis[B_F] = E, F
    per = sh.per_factory
    exp_max = max(1.0, np.exp(ac.k * max(0.0, pr.e_max - ac.e_safe)))
    elapsed = dom / dim
    cal_code, common = cal.cal_code[t], cal.common[t]
    for s in range(sh.level_g.shape[0]):
        f = s // per
        storm = storm_boost(fa.output_m[f], fa.plan_m[f], elapsed, dom, pr.storm_max, pr.storm_k)
        p_b = ac.p0 * exp_max * (1.0 - sh.safety[s]) * (1.0 + ac.storm_factor * storm)
        p_b = min(max(p_b, 0.0), 1.0 - 1e-12)
        sh.p_bound[s] = p_b
        lam = -np.log1p(-p_b)
        for r in range(CLOCK_GROUPS):
            works = ((day + r) % 5 != 0) if cal_code == 1 else common
            j = s * CLOCK_GROUPS + r
            sh.move_acc[j] = lam if works else 0.0
            sh.clock_acc[j] += sh.move_acc[j]
        sh.sigma[s] = pr.b_peer * sh.effort_prev[s] + storm - pr.b_grievance * sh.level_g[s]
        b = s * N_EXT
        ext = sh.ext
        flags = 0
        # the pulses since the rebuild (its levels decayed to today): the bounds' shop part
        L = sh.level_g[s] - sh.base_g[s] * E
        Lp = sh.level_phi[s] - sh.base_phi[s] * F
        sig = pr.b_peer * sh.effort_prev[s] + storm - pr.b_grievance * L
        if L + ext[b + X_GHI] > gr.g_max + RISK_MARGIN or L - ext[b + X_GLO] < -RISK_MARGIN:
            flags |= RISK_G
        if Lp + ext[b + X_FHI] > 1.0 + RISK_MARGIN or Lp - ext[b + X_FLO] < -RISK_MARGIN:
            flags |= RISK_PHI
        if sig + ext[b + X_EHI] > pr.e_max + RISK_MARGIN or sig - ext[b + X_ELO] < -RISK_MARGIN:
            flags |= RISK_E
        sh.risk[s] = flags


# ---------------------------------------------------------------- one person's terms change
# Between rebuilds (each month's end) a step that changes a person's terms touches them: before
# the change their output and pay are banked with their old terms and the terms taken out of the
# sums (``OUT``); after it the new terms go in, with new parts of the clocks' bounds (``IN``); a
# person who leaves is only taken out (``LEAVE``). Compiled steps call :func:`person_hook`;
# the Python ones through ``World.person_hook``.
OUT, IN, LEAVE = 0, 1, 2


# the arguments of :func:`person_hook` after ``kind, i, day`` that are the people's columns
HOOK_PEOPLE = ("shop", "pid", "pay_short", "e0", "shock", "stakh", "role", "skill", "c", "gx",
               "fx", "injured_until", "absent", "t_bank", "out_m", "pay_m", "days_m", "party",
               "village", "hired", "t_abs", "t_quit", "w_abs", "w_quit")  # fmt: skip
# and then the shops' arrays
HOOK_SHOPS = ("basis", "series", "dsum", "xsum", "ext", "base_g", "base_phi", "level_g",
              "level_phi", "clock_abs", "clock_quit")  # fmt: skip


@njit(cache=True)
def person_hook(kind, i, day, shop, pid, pay_short, e0, shock, stakh, role, skill, cc, gxs, fxs,
                injured_until, absent, t_bank, out_m, pay_m, days_m, party, village, hired,
                t_abs, t_quit, w_abs, w_quit, basis, series, dsum, xsum, ext, base_g, base_phi,
                level_g, level_phi, clock_abs, clock_quit, role_mult, par, keys):  # fmt: skip
    """Touch row ``i`` on ``day`` (``OUT``, ``IN`` or ``LEAVE``; clocks only). The people's
    columns and the shops' arrays are passed one by one (:data:`HOOK_PEOPLE`,
    :data:`HOOK_SHOPS`): a call that takes the people or the shops as a record counts
    references to every one of their arrays, about a microsecond a call.
    """
    if not par.derived.clocks:
        return
    pr, py, gr = par.production, par.pay, par.grievance
    s = np.int64(shop[i])
    j = group_of(s, pid[i])
    g_ratio = gr.pay_gap / gr.decay
    sb = py.stakhanovite_bonus
    gy, alpha, sk, pk, sal, w = terms(
        i, pay_short, e0, shock, stakh, role, skill, pr, sb, g_ratio, role_mult
    )
    c = np.float64(cc[i])
    gx, fx = gxs[i], fxs[i]
    in_work = injured_until[i] <= day
    # today's exclusion (absent, or effort taken person by person) is in ``xsum`` until
    # production has run
    excluded = basis[B_PRODUCED] != day and in_work and (absent[i] & (ABSENT | EXACT)) != 0
    sign = 1.0 if kind == IN else -1.0
    if kind == OUT:
        upto = day + 1 if basis[B_PRODUCED] == day else day
        bank(i, j, upto, t_bank, out_m, pay_m, days_m, series,
             np.int64(basis[B_MONTH]), alpha, c, gx, sk, pk, sal, pr.b_campaign,
             pr.b_grievance)  # fmt: skip
    add_employed(dsum, j, sign, 0.0 if in_work else 1.0, gy, gx, fx, c)
    if in_work:
        add_working(dsum, j, sign, alpha, c, gx, sk, pk, sal, w)
        if excluded:
            add_working(xsum, j, sign, alpha, c, gx, sk, pk, sal, w)
    if kind != IN:
        return
    raise_ext(
        ext, s, gy, gx + base_g[s], fx + base_phi[s], alpha, c, in_work, basis,
        pr.b_campaign, pr.b_grievance,
    )  # fmt: skip
    # the person's parts of the clocks' bounds to the horizon anew, thresholds rescaled
    L, Lp = level_g[s], level_phi[s]
    g = L + gy + gx * basis[B_E]
    phi = Lp + fx * basis[B_F]
    is_party = 1.0 if (party[i] == MEMBER or party[i] == CANDIDATE) else 0.0
    horizon = np.int64(basis[B_HORIZON])
    wa, wq = clock_terms(
        g, phi, L, Lp, pay_short[i], village[i], is_party, day - hired[i],
        max(horizon - day, 0), par.absence, par.turnover, gr, par.fear,
    )  # fmt: skip
    t_abs[i] = _rethreshold(t_abs[i], w_abs[i], wa, clock_abs[j], keys.absence, day,
                              pid[i])  # fmt: skip
    t_quit[i] = _rethreshold(t_quit[i], w_quit[i], wq, clock_quit[s], keys.quit, day,
                               pid[i])  # fmt: skip
    w_abs[i] = wa
    w_quit[i] = wq


@njit(cache=True)
def c_hook(i, day, dc, shop, pid, pay_short, e0, shock, stakh, role, skill, gxs, fxs, cc,
           injured_until, t_bank, out_m, pay_m, basis, series, dsum, ext, base_g, base_phi,
           role_mult, par):  # fmt: skip
    """A person's consciousness rises by ``dc`` today, after production (the institutions'
    training): only its terms change, so the sums are moved by ``dc`` and the output and pay
    not yet banked are corrected for the days before, which a later bank counts at the new
    value; the shop's bounds are raised (clocks only).
    """
    pr, gr = par.production, par.grievance
    s = np.int64(shop[i])
    j = group_of(s, pid[i])
    g_ratio = gr.pay_gap / gr.decay
    gy, alpha, sk, pk, sal, w = terms(
        i, pay_short, e0, shock, stakh, role, skill, pr, par.pay.stakhanovite_bonus, g_ratio,
        role_mult,
    )  # fmt: skip
    b = j * N_SUMS
    dsum[b + Q_CC] += dc
    in_work = injured_until[i] <= day
    if in_work:
        dsum[b + Q_C] += dc
        dsum[b + Q_SKC] += sk * dc
        dsum[b + Q_PKC] += pk * dc
        month_first = np.int64(basis[B_MONTH])
        tb = max(np.int64(t_bank[i]), month_first)
        if tb < day + 1:
            d0, d1 = tb - month_first, day + 1 - month_first
            base = j * N_SERIES * SERIES_DAYS
            out_m[i] -= sk * pr.b_campaign * dc * _delta(series, base, S_KC, d0, d1)
            pay_m[i] -= pk * pr.b_campaign * dc * _delta(series, base, S_RC, d0, d1)
    raise_ext(
        ext, s, gy, gxs[i] + base_g[s], fxs[i] + base_phi[s], alpha, np.float64(cc[i]) + dc,
        in_work, basis, pr.b_campaign, pr.b_grievance,
    )  # fmt: skip


@njit(cache=True)
def shift_hook(i, day, d_shock, d_stakh, shop, pid, pay_short, e0, shock, stakh, role, skill,
               cc, gxs, fxs, injured_until, t_bank, out_m, pay_m, days_m, basis, series, dsum,
               ext, base_g, base_phi, role_mult, par):  # fmt: skip
    """A worker's shock or Stakhanovite status changed today by ``d_shock``, ``d_stakh``
    (already written): only ``alpha`` and the pay weight change, and neither enters the
    clocks' bounds, so the person is banked with the old terms and the working sums are moved
    by the differences; the shop's effort bound is raised (clocks only; the party's changes
    on the 1st). Called after the day's production (the party's step comes after it), so the
    day is banked and no exclusions of the day remain to be moved.
    """
    pr = par.production
    s = np.int64(shop[i])
    j = group_of(s, pid[i])
    g_ratio = par.grievance.pay_gap / par.grievance.decay
    sb = par.pay.stakhanovite_bonus
    gy, alpha, sk, pk, sal, w = terms(
        i, pay_short, e0, shock, stakh, role, skill, pr, sb, g_ratio, role_mult
    )
    alpha0 = alpha - (1.0 - pr.b_peer) * (
        pr.shock_bonus * d_shock + pr.stakhanovite_bonus * d_stakh
    )
    pk0 = sk * (1.0 + sb * (stakh[i] - d_stakh))
    c = np.float64(cc[i])
    gx = gxs[i]
    bank(i, j, day + 1, t_bank, out_m, pay_m, days_m, series, np.int64(basis[B_MONTH]), alpha0,
         c, gx, sk, pk0, sal, pr.b_campaign, pr.b_grievance)  # fmt: skip
    if injured_until[i] > day:
        return
    da, dpk = alpha - alpha0, pk - pk0
    dpka = pk * alpha - pk0 * alpha0
    b = j * N_SUMS
    dsum[b + Q_A] += da
    dsum[b + Q_SKA] += sk * da
    dsum[b + Q_PK] += dpk
    dsum[b + Q_PKA] += dpka
    dsum[b + Q_PKC] += dpk * c
    dsum[b + Q_PKX] += dpk * gx
    raise_ext(ext, s, gy, gx + base_g[s], fxs[i] + base_phi[s], alpha, c, True, basis,
              pr.b_campaign, pr.b_grievance)  # fmt: skip


@njit(cache=True)
def person_hook_state(S, kind, i, day):
    """:func:`person_hook` for a call from Python (``World.person_hook``) or for a rare one
    (an arrest).
    """
    P, sh = S.people, S.shops
    person_hook(
        kind, i, day, P.shop, P.pid, P.pay_short, P.e0, P.shock, P.stakh, P.role, P.skill,
        P.c, P.gx, P.fx, P.injured_until, P.absent, P.t_bank, P.out_m, P.pay_m, P.days_m,
        P.party, P.village, P.hired, P.t_abs, P.t_quit, P.w_abs, P.w_quit, sh.basis,
        sh.series, sh.dsum, sh.xsum, sh.ext, sh.base_g, sh.base_phi, sh.level_g,
        sh.level_phi, sh.clock_abs, sh.clock_quit, S.day.role_mult, S.par, S.keys,
    )  # fmt: skip


@njit(cache=True, nogil=True)
def retouch_rows(lo, hi, t, S):
    """The ``retouch`` step (clocks only; after the meetings): everyone whose grievance or
    fear a step has changed since the day's settle (the closed form no longer gives what the
    table holds), or whose party status changed today, is re-referenced: banked with their
    old ``gx``, taken out of the sums, and put back with the table's values.
    """
    if not S.par.derived.clocks:
        return
    P, sh, gr = S.people, S.shops, S.par.grievance
    role_mult, par, keys = S.day.role_mult, S.par, S.keys
    day = S.cal.days[t]
    g_ratio = gr.pay_gap / gr.decay
    E, F = sh.basis[B_E], sh.basis[B_F]
    h_shop = P.shop
    h_pid = P.pid
    h_pay_short = P.pay_short
    h_e0 = P.e0
    h_shock = P.shock
    h_stakh = P.stakh
    h_role = P.role
    h_skill = P.skill
    h_c = P.c
    h_gx = P.gx
    h_fx = P.fx
    h_injured_until = P.injured_until
    h_absent = P.absent
    h_t_bank = P.t_bank
    h_out_m = P.out_m
    h_pay_m = P.pay_m
    h_days_m = P.days_m
    h_party = P.party
    h_village = P.village
    h_hired = P.hired
    h_t_abs = P.t_abs
    h_t_quit = P.t_quit
    h_w_abs = P.w_abs
    h_w_quit = P.w_quit
    hs_basis = sh.basis
    hs_series = sh.series
    hs_dsum = sh.dsum
    hs_xsum = sh.xsum
    hs_ext = sh.ext
    hs_base_g = sh.base_g
    hs_base_phi = sh.base_phi
    hs_level_g = sh.level_g
    hs_level_phi = sh.level_phi
    hs_clock_abs = sh.clock_abs
    hs_clock_quit = sh.clock_quit
    for i in range(lo, hi):
        if P.state[i] != EMPLOYED:
            continue
        s = np.int64(P.shop[i])
        gy = g_ratio * np.float64(P.pay_short[i])
        g = np.float32(min(max(sh.level_g[s] + gy + P.gx[i] * E, 0.0), gr.g_max))
        phi = np.float32(min(max(sh.level_phi[s] + P.fx[i] * F, 0.0), 1.0))
        if g == P.g[i] and phi == P.phi[i] and P.party_since[i] != day:
            continue
        person_hook(
            OUT,
            i,
            day,
            h_shop,
            h_pid,
            h_pay_short,
            h_e0,
            h_shock,
            h_stakh,
            h_role,
            h_skill,
            h_c,
            h_gx,
            h_fx,
            h_injured_until,
            h_absent,
            h_t_bank,
            h_out_m,
            h_pay_m,
            h_days_m,
            h_party,
            h_village,
            h_hired,
            h_t_abs,
            h_t_quit,
            h_w_abs,
            h_w_quit,
            hs_basis,
            hs_series,
            hs_dsum,
            hs_xsum,
            hs_ext,
            hs_base_g,
            hs_base_phi,
            hs_level_g,
            hs_level_phi,
            hs_clock_abs,
            hs_clock_quit,
            role_mult,
            par,
            keys,
        )
        P.gx[i] = (np.float64(P.g[i]) - sh.level_g[s] - gy) / E
        P.fx[i] = (np.float64(P.phi[i]) - sh.level_phi[s]) / F
        person_hook(
            IN,
            i,
            day,
            h_shop,
            h_pid,
            h_pay_short,
            h_e0,
            h_shock,
            h_stakh,
            h_role,
            h_skill,
            h_c,
            h_gx,
            h_fx,
            h_injured_until,
            h_absent,
            h_t_bank,
            h_out_m,
            h_pay_m,
            h_days_m,
            h_party,
            h_village,
            h_hired,
            h_t_abs,
            h_t_quit,
            h_w_abs,
            h_w_quit,
            hs_basis,
            hs_series,
            hs_dsum,
            hs_xsum,
            hs_ext,
            hs_base_g,
            hs_base_phi,
            hs_level_g,
            hs_level_phi,
            hs_clock_abs,
            hs_clock_quit,
            role_mult,
            par,
            keys,
        )
