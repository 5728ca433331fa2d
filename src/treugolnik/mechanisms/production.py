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
)
from ..stocks import count_leaver, load_day_sums, store_day_sums
from .labour import is_scheduled


@njit(cache=True, inline="always")
def _store_sums(today, fac_output_m, f, out, workdays, norm_hours, pay, fac_out):
    """Write a factory's running day sums back (see ``production_day``)."""
    today[f, C_OUTPUT] = out
    today[f, C_WORKDAYS] = workdays
    today[f, C_NORM_HOURS] = norm_hours
    today[f, C_PAY] = pay
    fac_output_m[f] = fac_out


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
    # with the shops' hazard clocks labour does not visit everyone: the day's drift of
    # grievance and fear is made here, with the pulses labour took up (labour.clocks_prepare)
    clocks = S.par.derived.clocks
    pay_short, at_labour = P.pay_short, sh.rows_at_labour[0]
    gr, fe = S.par.grievance, S.par.fear
    g_keep, g_pay, g_max, phi_keep = 1.0 - gr.decay, gr.pay_gap, gr.g_max, 1.0 - fe.decay
    take_g, take_gf, take_phi, take_phif = sh.take_g, sh.take_gf, sh.take_phi, sh.take_phif
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
        if clocks and i < at_labour:  # (the day's newcomers came after labour)
            gi = g[i] * g_keep + g_pay * pay_short[i] + take_g[s] + take_gf[s]
            g[i] = min(max(gi, 0.0), g_max)
            fi = phi[i] * phi_keep + take_phi[s] + take_phif[s]
            phi[i] = min(max(fi, 0.0), 1.0)
        was_absent = absent[i]
        if clocks:
            absent[i] = 0  # (labour marks only the day's absentees)
        if (
            was_absent
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


@njit(cache=True, inline="always")
def _storm(output_m, plan_m, elapsed_share, day_of_month, storm_max, storm_k):
    if day_of_month < 21:
        return 0.0
    gap = max(0.0, 1.0 - output_m / max(plan_m * elapsed_share, 1e-9))
    # late in the month the remaining plan must be made in fewer days
    return min(storm_max, storm_k * (gap + 0.25 * elapsed_share))


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
        fa.storm[f] = _storm(
            fa.output_m[f], fa.plan_m[f], elapsed, day_of_month, pr.storm_max, pr.storm_k
        )
        fa.disruption[f] = min(0.5, inst_share[f] * pr.disruption_institutions + fa.vydv_penalty[f])
        fa.vydv_penalty[f] *= vydv_decay
        if day_of_month == 1:
            fa.plan_m[f] = fa.target_annual[f] * days_in_month / 365.0
    sh.effort_sum[:] = 0.0
    sh.effort_n[:] = 0.0


@njit(cache=True)
def production_close(lo, hi, t, S):
    """After the day's work: each shop's mean effort becomes tomorrow's peer norm (shops where
    nobody worked keep theirs); the month's absences and scheduled days are summed; each
    accident angers its shop, the more so the smaller the shop, and goes to ``day.acc_log``
    for the event log.
    """
    sh, D = S.shops, S.day
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
