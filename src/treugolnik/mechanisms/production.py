"""Production: effort, storming, output, accidents and injuries, piece-rate pay accrual.

docs/ODD.md, section 7 ("Effort, storming and output", "Accidents", "Pay").

* Effort ``e = clip(e0 + b_c campaign c + b_p (shop mean - e0) - b_g g + storm + bonuses,
  0, e_max)``.
  Storming: in the last ten days of the month effort rises with the month-to-date plan gap,
  and output in the first ten days is cut by late supplies (Berliner 1957; P4).
* Output ``= skill * e * A_shop * hours * (1 - disruption_f) * supply``.
* Accidents ``p = p0 exp(k max(0, e - e_safe)) (1 - safety_shop) (1 + storm_factor storm)``;
  an injury keeps a person out for a geometric number of days; a share are fatal.
* Pay: workers are paid by the piece, ``tariff * output / (norm * hours)``, with the
  Stakhanovite bonus; foremen, specialists and managers are salaried (tariff times a multiple).
"""

from __future__ import annotations

from itertools import repeat

import numpy as np
from numba import njit

from ..population import DEAD, EMPLOYED, NO_INDEX, WORKER
from ..records import I_N_LOG, K_ACC
from ..rng import uniform, uniform2
from ..state import (
    C_ABSENT,
    C_ACCIDENTS,
    C_DEATHS,
    C_NORM_HOURS,
    C_OUTPUT,
    C_PAY,
    C_SCHEDULED,
    C_WORKDAYS,
    CLOCK_GROUPS,
    N_SERIES,
    N_SUMS,
    SERIES_DAYS,
)
from ..stocks import count_leaver, load_day_sums, store_day_sums
from . import sums as sm
from .labour import is_scheduled


@njit(cache=True, inline="always")
def _store_sums(today, fac_output_m, f, out, workdays, norm_hours, pay, fac_out):
    """Write a factory's running day sums back (see ``production_day``)."""
    today[f, C_OUTPUT] = out
    today[f, C_WORKDAYS] = workdays
    today[f, C_NORM_HOURS] = norm_hours
    today[f, C_PAY] = pay
    fac_output_m[f] = fac_out


@njit(cache=True)
def _work_day(i, f, s, e, S, hours, supply, tariff):
    """A person's day of work at effort ``e`` (clipped), person by person (clocks: the day's
    newcomers and those whose effort meets its clip): their output, pay and day, and the
    shop's and the factory's sums.
    """
    P, sh, fa, D = S.people, S.shops, S.fac, S.day
    sh.effort_sum[s] += e
    sh.effort_n[s] += 1.0
    worker = P.role[i] == WORKER
    out = 0.0
    if worker:
        out = P.skill[i] * e * sh.A[s] * hours * (1.0 - fa.disruption[f]) * supply
    P.out_m[i] += out
    P.days_m[i] += 1
    sh.out_q[s] += out
    nh = sh.norm[s] * hours
    fa.output_m[f] += out
    D.today[f, C_OUTPUT] += out
    D.today[f, C_WORKDAYS] += 1.0
    if worker:
        sh.normhours_q[s] += nh
        D.today[f, C_NORM_HOURS] += nh
        pay = tariff * fa.pay_mult[f] * out / nh * (1.0 + S.par.pay.stakhanovite_bonus * P.stakh[i])
    else:
        pay = tariff * D.role_mult[np.int64(P.role[i])]
    P.pay_m[i] += pay
    D.today[f, C_PAY] += pay


@njit(cache=True)
def _accident(i, f, s, day, n_acc, S):
    """Person ``i``'s accident today (drawn as ``u_acc``): the injury's length or a death, the
    counters and the buffer. Returns the buffer's new count and whether the person died.
    """
    P, sh, D, ac = S.people, S.shops, S.day, S.par.accidents
    key_acc = S.keys.accidents
    D.today[f, C_ACCIDENTS] += 1.0
    sh.accidents_m[s] += 1.0
    u = uniform2(key_acc, day, P.pid[i], 1)
    length = 1 + int(np.log(1.0 - u) / np.log(1.0 - 1.0 / ac.injury_days))
    P.injured_until[i] = day + 1 + length
    j = n_acc
    if j < D.acc_buf.shape[0]:
        D.acc_buf[j, 0] = P.pid[i]
        D.acc_buf[j, 1] = s
        D.acc_buf[j, 2] = length
    died = uniform2(key_acc, day, P.pid[i], 2) < ac.death_share
    if died:
        P.state[i] = DEAD
        P.left[i] = day
        D.today[f, C_DEATHS] += 1.0
        count_leaver(D.leavers, f, P.role[i], P.party[i], P.shock[i], P.stakh[i], P.inst[i])
        sh.deaths_m[s] += 1.0
        if j < D.acc_buf.shape[0]:
            D.acc_buf[j, 2] = -1
    return n_acc + 1, died


@njit(cache=True, nogil=True, error_model="numpy")
def _production_clock_rows(lo, hi, t, S):
    """``production_rows`` with production by sums (mechanisms.sums): the working are summed
    in ``production_prepare``; here only the rows labour marked (effort taken person by
    person, a candidate day on the accident clock) and the day's newcomers, who work their
    first day person by person and then join the sums.
    """
    P, sh, fa, D, cal = S.people, S.shops, S.fac, S.day, S.cal
    pr, ac, py, gr = S.par.production, S.par.accidents, S.par.pay, S.par.grievance
    state, absent, injured_until = P.state, P.absent, P.injured_until
    day = cal.days[t]
    hours = cal.hours[t]
    supply = supply_factor(cal.doms[t], pr.supply_lag)
    campaign = cal.campaign[t]
    tariff = py.tariff * cal.wage_index[t]
    key_acc = S.keys.accidents
    basis = sh.basis
    E, F = basis[sm.B_E], basis[sm.B_F]
    g_ratio = gr.pay_gap / gr.decay
    sb, role_mult = py.stakhanovite_bonus, D.role_mult
    b_c, b_g, e_max = pr.b_campaign, pr.b_grievance, pr.e_max
    p0, k_acc, e_safe, storm_factor = ac.p0, ac.k, ac.e_safe, ac.storm_factor
    exp_max = max(1.0, np.exp(k_acc * max(0.0, e_max - e_safe)))
    dsum = sh.dsum
    at_labour = sh.rows_at_labour[0]
    month_first = np.int64(basis[sm.B_MONTH])
    n_acc = 0
    for i in range(lo, min(hi, at_labour)):
        a = absent[i]
        if a == 0:
            continue
        absent[i] = 0
        if state[i] != EMPLOYED or (a & (sm.EXACT | sm.ACC_CANDIDATE)) == 0:
            continue
        f = np.int64(P.factory[i])
        s = np.int64(P.shop[i])
        j = sm.group_of(s, P.pid[i])
        gy, alpha, sk, pk, sal, w = sm.terms(
            i, P.pay_short, P.e0, P.shock, P.stakh, P.role, P.skill, pr, sb, g_ratio, role_mult
        )
        c, gx = np.float64(P.c[i]), P.gx[i]
        e = sm.effort_part(alpha, c, gx, campaign, E, b_c, b_g) + sh.sigma[s]
        e = min(max(e, 0.0), e_max)
        if a & sm.EXACT:
            _work_day(i, f, s, e, S, hours, supply, tariff)
        if a & sm.ACC_CANDIDATE:
            u_acc = uniform(key_acc, day, P.pid[i])
            safety = 1.0 - sh.safety[s]
            storm = 1.0 + storm_factor * fa.storm[f]
            p_acc = p0 * np.exp(k_acc * max(0.0, e - e_safe)) * safety * storm
            if u_acc * sh.p_bound[s] < p_acc:  # (the candidate's probability is p_bound)
                if not (a & sm.EXACT):
                    sm.bank(
                        i, j, day + 1, P.t_bank, P.out_m, P.pay_m, P.days_m, sh.series,
                        month_first, alpha, c, gx, sk, pk, sal, b_c, b_g,
                    )  # fmt: skip
                n_acc, died = _accident(i, f, s, day, n_acc, S)
                sm.add_working(dsum, j, -1.0, alpha, c, gx, sk, pk, sal, w)
                if died:
                    sm.add_employed(dsum, j, -1.0, 0.0, gy, gx, P.fx[i], c)
                else:
                    dsum[j * N_SUMS + sm.Q_INJ] += 1.0
                    P.t_bank[i] = injured_until[i]
    cal_code, common_workday = cal.cal_code[t], cal.common[t]
    for i in range(max(lo, at_labour), hi):
        if state[i] != EMPLOYED:
            continue
        f = np.int64(P.factory[i])
        s = np.int64(P.shop[i])
        p_id = P.pid[i]
        if injured_until[i] <= day and is_scheduled(cal_code, common_workday, day, p_id):
            base = P.e0[i] + pr.shock_bonus * P.shock[i] + pr.stakhanovite_bonus * P.stakh[i]
            e = (
                base
                + b_c * campaign * P.c[i]
                + pr.b_peer * (sh.effort_prev[s] - base)
                - b_g * P.g[i]
                + fa.storm[f]
            )
            e = min(max(e, 0.0), e_max)
            _work_day(i, f, s, e, S, hours, supply, tariff)
            u_acc = uniform(key_acc, day, p_id)
            safety = 1.0 - sh.safety[s]
            storm = 1.0 + storm_factor * fa.storm[f]
            # (the hazard at the highest effort bounds the person's: as production_rows)
            p_top = p0 * exp_max * safety * storm
            if u_acc < p_top and u_acc < p0 * np.exp(k_acc * max(0.0, e - e_safe)) * safety * storm:
                n_acc, died = _accident(i, f, s, day, n_acc, S)
                if died:
                    continue
        # the newcomer joins the sums (their first day is paid)
        j = sm.group_of(s, p_id)
        gy, alpha, sk, pk, sal, w = sm.terms(
            i, P.pay_short, P.e0, P.shock, P.stakh, P.role, P.skill, pr, sb, g_ratio, role_mult
        )
        c = np.float64(P.c[i])
        gx = (np.float64(P.g[i]) - sh.level_g[s] - gy) / E
        fx = (np.float64(P.phi[i]) - sh.level_phi[s]) / F
        P.gx[i], P.fx[i] = gx, fx
        hurt = injured_until[i] > day
        sm.add_employed(dsum, j, 1.0, 1.0 if hurt else 0.0, gy, gx, fx, c)
        if hurt:
            P.t_bank[i] = injured_until[i]
        else:
            sm.add_working(dsum, j, 1.0, alpha, c, gx, sk, pk, sal, w)
            P.t_bank[i] = day + 1
        P.t_acc[i] = sh.clock_acc[j] + sm._exponential(key_acc, day, p_id, 4)
        sm.raise_ext(
            sh.ext,
            s,
            gy,
            gx + sh.base_g[s],
            fx + sh.base_phi[s],
            alpha,
            c,
            not hurt,
            basis,
            b_c,
            b_g,
        )
    D.counts[K_ACC] = n_acc


@njit(cache=True, error_model="numpy")
def _sums_day(t, S):
    """Production by sums (clocks), before the marked rows: the day's changes join the sums;
    each shop and rest-day group that works today makes its output, effort and pay from its
    sums less the day's exclusions; the month's series take the day.
    """
    sh, fa, D, cal = S.shops, S.fac, S.day, S.cal
    pr, py = S.par.production, S.par.pay
    sums, dsum, xsum, series = sh.sums, sh.dsum, sh.xsum, sh.series
    for q in range(sums.shape[0]):
        sums[q] += dsum[q]
        dsum[q] = 0.0
    day = cal.days[t]
    hours = cal.hours[t]
    supply = supply_factor(cal.doms[t], pr.supply_lag)
    camp = cal.campaign[t]
    tariff = py.tariff * cal.wage_index[t]
    E = sh.basis[sm.B_E]
    d = np.int64(day - sh.basis[sm.B_MONTH])
    cal_code, common = cal.cal_code[t], cal.common[t]
    b_c, b_g = pr.b_campaign, pr.b_grievance
    per = sh.per_factory
    inc = np.zeros(N_SERIES)
    tot = np.zeros(sm.Q_NW + 1)
    for s in range(sh.level_g.shape[0]):
        f = s // per
        K = sh.A[s] * hours * (1.0 - fa.disruption[f]) * supply
        nh_unit = sh.norm[s] * hours
        R = tariff * fa.pay_mult[f] / nh_unit * K
        sig = sh.sigma[s]
        for r in range(CLOCK_GROUPS):
            j = s * CLOCK_GROUPS + r
            works = ((day + r) % 5 != 0) if cal_code == 1 else common
            base = j * N_SERIES * SERIES_DAYS
            inc[:] = 0.0
            if works:
                b = j * N_SUMS
                for q in range(sm.Q_SAL + 2):  # the working's sums less the exclusions
                    tot[q] = sums[b + q] - xsum[b + q]
                n = tot[sm.Q_N]
                if n != 0.0:
                    eff = tot[sm.Q_A] + b_c * camp * tot[sm.Q_C] - b_g * E * tot[sm.Q_X] + n * sig
                    sh.effort_sum[s] += eff
                    sh.effort_n[s] += n
                    lin = (
                        tot[sm.Q_SKA] + b_c * camp * tot[sm.Q_SKC] - b_g * E * tot[sm.Q_SKX]
                        + tot[sm.Q_SK] * sig
                    )  # fmt: skip
                    out = K * lin
                    lin_p = (
                        tot[sm.Q_PKA] + b_c * camp * tot[sm.Q_PKC] - b_g * E * tot[sm.Q_PKX]
                        + tot[sm.Q_PK] * sig
                    )  # fmt: skip
                    pay = R * lin_p + tariff * tot[sm.Q_SAL]
                    nh = nh_unit * tot[sm.Q_NW]
                    sh.out_q[s] += out
                    sh.normhours_q[s] += nh
                    fa.output_m[f] += out
                    D.today[f, C_OUTPUT] += out
                    D.today[f, C_WORKDAYS] += n
                    D.today[f, C_NORM_HOURS] += nh
                    D.today[f, C_PAY] += pay
                inc[sm.S_K], inc[sm.S_KC], inc[sm.S_KE], inc[sm.S_KS] = K, K * camp, K * E, K * sig
                inc[sm.S_R], inc[sm.S_RC], inc[sm.S_RE], inc[sm.S_RS] = R, R * camp, R * E, R * sig
                inc[sm.S_TAR], inc[sm.S_DAYS] = tariff, 1.0
            for k in range(N_SERIES):
                series[base + k * SERIES_DAYS + d + 1] = series[base + k * SERIES_DAYS + d] + inc[k]
    xsum[:] = 0.0


@njit(cache=True)
def _stocks_from_sums(t, S):
    """Clocks: the shops' employees and the factories' end-of-day stocks from the sums (and
    the day marked as produced).
    """
    sh, D = S.shops, S.day
    sh.basis[sm.B_PRODUCED] = S.cal.days[t]
    sums, dsum = sh.sums, sh.dsum
    for q in range(sums.shape[0]):
        sums[q] += dsum[q]
        dsum[q] = 0.0
    E, F = sh.basis[sm.B_E], sh.basis[sm.B_F]
    D.shop_employed[:] = 0.0
    D.day_stocks[:] = 0.0
    per = sh.per_factory
    for s in range(sh.level_g.shape[0]):
        f = s // per
        hc, inj, gs, ps, cs = load_day_sums(D.day_stocks, f)
        for r in range(CLOCK_GROUPS):
            b = (s * CLOCK_GROUPS + r) * N_SUMS
            n = sums[b + sm.Q_EMP]
            D.shop_employed[s] += n
            hc += n
            inj += sums[b + sm.Q_INJ]
            gs += n * sh.level_g[s] + sums[b + sm.Q_GY] + E * sums[b + sm.Q_GX]
            ps += n * sh.level_phi[s] + F * sums[b + sm.Q_FX]
            cs += sums[b + sm.Q_CC]
        store_day_sums(D.day_stocks, f, hc, inj, gs, ps, cs)


# (NumPy's error model skips the check for a division by zero on every division; where the
# default model would not stop with an error, the results are the same)
@njit(cache=True, nogil=True, error_model="numpy")
def production_rows(lo, hi, t, S):
    """The ``production`` step over rows ``lo..hi``: one working day. Accidents go to
    ``day.acc_buf`` (id, shop, injury length; -1 a death), their number to
    ``day.counts[K_ACC]``.

    ``day.shop_employed`` receives each shop's employees at the end of the day (after
    deaths); the dead are counted in ``day.leavers[factory]`` (``record.count_leaver``).
    ``day.day_stocks`` receives the end-of-day headcount, injured and the sums of grievance,
    fear and consciousness per factory, in the columns of ``record.STOCKS`` (the others stay
    zero), added in row order as ``record.stocks_by_factory`` adds them.
    """
    P, sh, fa, D, cal = S.people, S.shops, S.fac, S.day, S.cal
    pr, ac, py = S.par.production, S.par.accidents, S.par.pay
    pid, factory, shop, role, skill, c, g = P.pid, P.factory, P.shop, P.role, P.skill, P.c, P.g
    e0, effort, shock, stakh, state, left = P.e0, P.effort, P.shock, P.stakh, P.state, P.left
    injured_until, absent, out_m, pay_m, days_m = (
        P.injured_until,
        P.absent,
        P.out_m,
        P.pay_m,
        P.days_m,
    )
    party, inst, phi = P.party, P.inst, P.phi
    shop_norm, shop_A, shop_effort_prev = sh.norm, sh.A, sh.effort_prev
    shop_effort_sum, shop_effort_n, shop_safety = sh.effort_sum, sh.effort_n, sh.safety
    shop_accidents_m, shop_deaths_m, shop_out_q, shop_normhours_q = (
        sh.accidents_m,
        sh.deaths_m,
        sh.out_q,
        sh.normhours_q,
    )
    fac_storm, fac_disruption, fac_pay_mult, fac_output_m = (
        fa.storm,
        fa.disruption,
        fa.pay_mult,
        fa.output_m,
    )
    today, accident_buf, shop_employed = D.today, D.acc_buf, D.shop_employed
    leavers, day_stocks, role_mult = D.leavers, D.day_stocks, D.role_mult
    day = cal.days[t]
    cal_code = cal.cal_code[t]
    common_workday = cal.common[t]
    hours = cal.hours[t]
    supply = supply_factor(cal.doms[t], pr.supply_lag)
    campaign = cal.campaign[t]
    tariff = py.tariff * cal.wage_index[t]
    stakh_pay_bonus = py.stakhanovite_bonus
    b_campaign, b_peer, b_grievance, e_max = pr.b_campaign, pr.b_peer, pr.b_grievance, pr.e_max
    shock_bonus, stakh_bonus = pr.shock_bonus, pr.stakhanovite_bonus
    p0, k_acc, e_safe, storm_factor = ac.p0, ac.k, ac.e_safe, ac.storm_factor
    injury_days, death_share = ac.injury_days, ac.death_share
    key_acc = S.keys.accidents
    if S.par.derived.clocks:
        _production_clock_rows(lo, hi, t, S)
        return
    n_acc = 0
    exp_max = max(1.0, np.exp(k_acc * max(0.0, e_max - e_safe)))
    shop_employed[:] = 0.0
    day_stocks[:] = 0.0
    # running sums of the current factory's counters (rows of a factory are mostly adjacent):
    # loaded when the factory changes and written back, so the additions are the same
    cur = NO_INDEX
    t_out = t_wd = t_nh = t_pay = f_out = 0.0
    hc = inj = gs = ps = cs = 0.0  # end-of-day sums (record.load_day_sums)
    for i in range(lo, hi):
        if state[i] != EMPLOYED:
            effort[i] = 0.0
            continue
        f = np.uint64(factory[i])  # unsigned: lookups skip the negative-index wrap
        s = np.uint64(shop[i])
        if f != cur:
            if cur != NO_INDEX:
                _store_sums(today, fac_output_m, cur, t_out, t_wd, t_nh, t_pay, f_out)
                store_day_sums(day_stocks, cur, hc, inj, gs, ps, cs)
            cur = f
            t_out = today[f, C_OUTPUT]
            t_wd = today[f, C_WORKDAYS]
            t_nh = today[f, C_NORM_HOURS]
            t_pay = today[f, C_PAY]
            f_out = fac_output_m[f]
            hc, inj, gs, ps, cs = load_day_sums(day_stocks, f)
        shop_employed[s] += 1.0
        if (
            absent[i]
            or injured_until[i] > day
            or not is_scheduled(cal_code, common_workday, day, pid[i])
        ):
            effort[i] = 0.0
        else:
            base = e0[i] + shock_bonus * shock[i] + stakh_bonus * stakh[i]
            e = (
                base
                + b_campaign * campaign * c[i]
                + b_peer * (shop_effort_prev[s] - base)
                - b_grievance * g[i]
                + fac_storm[f]
            )
            e = min(max(e, 0.0), e_max)
            effort[i] = e
            shop_effort_sum[s] += e
            shop_effort_n[s] += 1.0
            # workers make the product; foremen, specialists and managers organise it
            out = 0.0
            if role[i] == WORKER:
                out = skill[i] * e * shop_A[s] * hours * (1.0 - fac_disruption[f]) * supply
            out_m[i] += out
            days_m[i] += 1
            shop_out_q[s] += out
            nh = shop_norm[s] * hours
            f_out += out
            t_out += out
            t_wd += 1.0
            if role[i] == WORKER:
                shop_normhours_q[s] += nh
                t_nh += nh
                pay = tariff * fac_pay_mult[f] * out / nh * (1.0 + stakh_pay_bonus * stakh[i])
            else:
                pay = tariff * role_mult[np.uint64(role[i])]
            pay_m[i] += pay
            t_pay += pay
            # accidents: fast, tired and storming work is dangerous; safety spending protects.
            # The hazard at the highest effort bounds every hazard of the shop (exp is
            # increasing), so most draws are decided without the person's own exp.
            u_acc = uniform(key_acc, day, pid[i])
            safety = 1.0 - shop_safety[s]
            storm = 1.0 + storm_factor * fac_storm[f]
            if u_acc < p0 * exp_max * safety * storm:
                p_acc = p0 * np.exp(k_acc * max(0.0, e - e_safe)) * safety * storm
                if u_acc < p_acc:
                    today[f, C_ACCIDENTS] += 1.0
                    shop_accidents_m[s] += 1.0
                    u = uniform2(key_acc, day, pid[i], 1)
                    # geometric injury length with the given mean
                    length = 1 + int(np.log(1.0 - u) / np.log(1.0 - 1.0 / injury_days))
                    injured_until[i] = day + 1 + length
                    j = n_acc  # this accident's place in the buffer
                    n_acc += 1
                    if j < accident_buf.shape[0]:
                        accident_buf[j, 0] = pid[i]
                        accident_buf[j, 1] = s
                        accident_buf[j, 2] = length
                    if uniform2(key_acc, day, pid[i], 2) < death_share:
                        state[i] = DEAD
                        left[i] = day
                        shop_employed[s] -= 1.0
                        today[f, C_DEATHS] += 1.0
                        count_leaver(leavers, f, role[i], party[i], shock[i], stakh[i], inst[i])
                        shop_deaths_m[s] += 1.0
                        if j < accident_buf.shape[0]:
                            accident_buf[j, 2] = -1
                        continue  # the dead are not among the day's stocks
        # everyone still employed at the end of the day, summed as the record sums them
        hc += 1.0
        inj += injured_until[i] > day
        gs += g[i]
        ps += phi[i]
        cs += c[i]
    if cur != NO_INDEX:
        _store_sums(today, fac_output_m, cur, t_out, t_wd, t_nh, t_pay, f_out)
        store_day_sums(day_stocks, cur, hc, inj, gs, ps, cs)
    D.counts[K_ACC] = n_acc


@njit(cache=True)
def production_prepare(lo, hi, t, S):
    """Each factory's state for today's production, in place: the storming boost (from day 21
    on, rising with the month-to-date shortfall against the pro-rata plan: P4), the output
    lost to disruption (institutions' share of the workforce times ``disruption_institutions``
    plus the cost of promoted managers, at most one half), the decay of that cost
    (``vydv_decay`` a day) and, on the first of the month, the month's plan (the annual target
    pro rata); the shops' effort sums are cleared.
    """
    fa, sh, pr = S.fac, S.shops, S.par.production
    day_of_month, days_in_month = S.cal.doms[t], S.cal.dims[t]
    vydv_decay, inst_share = S.par.derived.vydv_decay, S.day.inst_share
    elapsed = day_of_month / days_in_month
    for f in range(fa.output_m.shape[0]):
        fa.storm[f] = sm.storm_boost(
            fa.output_m[f], fa.plan_m[f], elapsed, day_of_month, pr.storm_max, pr.storm_k
        )
        fa.disruption[f] = min(0.5, inst_share[f] * pr.disruption_institutions + fa.vydv_penalty[f])
        fa.vydv_penalty[f] *= vydv_decay
        if day_of_month == 1:
            fa.plan_m[f] = fa.target_annual[f] * days_in_month / 365.0
    sh.effort_sum[:] = 0.0
    sh.effort_n[:] = 0.0
    if S.par.derived.clocks:
        _sums_day(t, S)


@njit(cache=True)
def production_close(lo, hi, t, S):
    """After the day's work: each shop's mean effort becomes tomorrow's peer norm (shops where
    nobody worked keep theirs); the month's absences and scheduled days are summed; each
    accident angers its shop, the more so the smaller the shop, and goes to ``day.acc_log``
    for the event log.
    """
    sh, D = S.shops, S.day
    if S.par.derived.clocks:
        _stocks_from_sums(t, S)
    for s in range(sh.effort_n.shape[0]):
        if sh.effort_n[s] > 0:
            sh.effort_prev[s] = sh.effort_sum[s] / sh.effort_n[s]
    for f in range(D.today.shape[0]):
        D.month_acc[f, 0] += D.today[f, C_ABSENT]
        D.month_acc[f, 1] += D.today[f, C_SCHEDULED]
    gs = S.par.accidents.grievance_shop * 100.0
    n_log = D.ints[I_N_LOG]
    for j in range(min(D.counts[K_ACC], D.acc_buf.shape[0])):
        s = D.acc_buf[j, 1]
        sh.g_pulse[s] += gs / max(D.shop_employed[s], 1.0)
        D.acc_log[n_log, 0] = t
        D.acc_log[n_log, 1] = D.acc_buf[j, 0]
        D.acc_log[n_log, 2] = s
        D.acc_log[n_log, 3] = D.acc_buf[j, 2]
        n_log += 1
    D.ints[I_N_LOG] = n_log


@njit(cache=True)
def supply_factor(day_of_month, supply_lag):
    """Late supplies: the first decade of the month loses ``supply_lag`` of its output."""
    return 1.0 - supply_lag if day_of_month <= 10 else 1.0


def log_accidents(run) -> None:
    """Enter the accidents waiting in ``day.acc_log`` (day index, id, shop, injury length; -1
    a death) into the run's event log, in order.
    """
    D = run.S.day
    k = int(D.ints[I_N_LOG])
    if not k:
        return
    D.ints[I_N_LOG] = 0
    if "accident" in run.log.skip:
        return
    S, label, dates = run.world.shops_per_factory, run.shop_label, run.dates
    ts, pids, shs, lengths = (c.tolist() for c in D.acc_log[:k].T)
    run.log.add_columns(
        k, [dates[t] for t in ts], [x // S for x in shs], repeat("accident", k),
        repeat(-1, k), repeat(-1, k), repeat("", k), pids, repeat("", k), repeat("", k),
        repeat("safety", k), repeat("", k), repeat(float("nan"), k),
        ["death" if n < 0 else "injury" for n in lengths], repeat("", k),
        [label[x % S] + ("" if n < 0 else f", {n} days off")
         for x, n in zip(shs, lengths, strict=True)],
    )  # fmt: skip
