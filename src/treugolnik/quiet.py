"""Runs of quiet days as one compiled loop.

Most days of a run have no monthly step (institutions, party, meetings, month end), no
directive, no mass operation and no prosecutions under the 1940 decree. On such a *quiet* day
the engine does the same few things: the centre's step, labour, hiring, production, the day's
totals and the record, with stocks carried from yesterday (``record.carried_stocks``). Called
one by one from Python, those steps cost more in their calls than in their work when a run has
only about a thousand people. :func:`quiet_days` runs consecutive quiet days in one compiled
loop that calls the very same compiled steps in the same order, so a run's results are
bit-identical with or without it (a test runs both ways and compares every output).

The engine uses it only where the day-by-day path would do exactly the same: a single-chunk
person table (see ``passes.py``), no per-factory record, no stock check. On a day with a
monthly step the loop runs the daily steps up to production and returns (:data:`PARTIAL`); the
engine takes the monthly steps and the record. Accidents are kept in ``acc_log`` and entered
into the event log by the engine after the loop, in their order. ``--profile`` runs day by day,
so that every step is timed.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .mechanisms.hiring import flitters_by_factory, hire_flitters, hire_rows, hires_by_mix
from .mechanisms.labour import centre_day, labour_day
from .mechanisms.production import after_day, before_day, production_day, supply_factor
from .population import new_ids
from .record import carried_stocks, close_day, record_row

# what stopped a run of quiet days (``out[3]``)
DONE = 0  # reached a day that is not quiet (or the end)
NEED_ROOM = 1  # the person table needs at least ``out[4]`` free rows before the next day
LOG_FULL = 2  # the accident log is full: the engine enters it and calls again
TOO_BIG = 3  # the day's table could be split into chunks: the engine runs it day by day
PARTIAL = 4  # a day with a monthly step (``quiet`` 2) ran up to production: the engine ends it


@njit(cache=True)
def quiet_days(
    t0, t1, quits_y, out, quits_out, hired_out, acc_log, n_split,
    # each day
    quiet, days, doms, dims, cal_code, common, growth, decree, tempo, discipline,
    absence_penalty, quit_penalty, prosecution, village_supply, hours, campaign, wage_index,
    price,
    # people
    n, next_pid, pid, factory, shop, role, skill, c, g, phi, e0, effort, shock, stakh, state,
    left, injured_until, absent, out_m, pay_m, days_m, hired, village, party, inst, pay_short,
    prosecuted, last_accused,
    # shops
    shop_g_pulse, shop_fear_pulse, shop_clash, shop_norm, shop_A, shop_safety, shop_effort_prev,
    shop_effort_sum, shop_effort_n, shop_accidents_m, shop_deaths_m, shop_out_q,
    shop_normhours_q, shops_per_factory,
    # factories
    size0, headcount, vacancy_rate, will, fac_g_pulse, fac_fear_pulse, output_m, plan_m,
    target_annual, storm, disruption, vydv_penalty, pay_mult, output_y, fulfilment_last,
    authority,
    # the engine's day arrays
    today, leavers, target, tight, inst_share, mix, role_mult, acc_buf, pros_buf, shop_employed,
    day_stocks, stocks, spare, month_acc, metric_rows,
    # the record's layout
    stock_dst, stock_src, flow_dst, flow_src, fixed_dst, fixed, norm0, means, weighted, i_head,
    i_pay_total, i_pay_nominal, i_pay_real, i_workdays, per_f,
    # parameters
    safety_factor, will_base, will_vacancy, will_rate,
    a0, a_g, a_E, a_phi, a_v, a_clash, dismiss_p, prosecute_p, prosecute_quit_p,
    g_decay, g_pay, g_max, phi_decay, q0, q_g, q_m, q_L, q_t, q_p, q_v,
    fill_rate, village_share, skill_a, skill_b, c_a, c_b, e_mean, e_sd, flit_share, f_skill_a,
    f_skill_b, f_c_a, f_c_b,
    disruption_institutions, vydv_decay, storm_max, storm_k, supply_lag,
    b_campaign, b_peer, b_grievance, e_max, shock_bonus, stakh_bonus,
    p0, k_acc, e_safe, storm_factor, injury_days, death_share, grievance_shop,
    tariff0, stakh_pay_bonus,
    key_absence, key_quit, key_hiring, key_accidents, key_flitting,
):  # fmt: skip
    """Run the quiet days from ``t0`` on, up to ``t1`` or the first day that is not quiet.

    Writes to ``out``: the next day to run, the table's row count and next id, what stopped
    the run (:data:`DONE`, :data:`NEED_ROOM`, :data:`LOG_FULL`, :data:`TOO_BIG`), the free rows
    needed, the accidents in ``acc_log`` (rows of day index, id, shop, injury length) and
    whether the stocks ended in ``spare`` (1) or ``stocks`` (0). ``quits_y`` is yesterday's
    quits (for flitting); the last day's quits go to ``quits_out[0]``.
    """
    nf = size0.shape[0]
    capacity = pid.shape[0]
    n_log = 0
    flips = 0
    code = DONE
    need = 0
    t = t0
    while t < t1 and quiet[t] > 0:
        # room for any day's hires: a factory hires at most its vacancies plus one a role,
        # and its vacancies are at most its target headcount
        bound = 4 * nf + 1
        for f in range(nf):
            bound += int(size0[f] * growth[t] * (1.0 + safety_factor) * mix.sum()) + 1
            if flit_share > 0:  # and at most its worker vacancies from other plants
                bound += int(size0[f] * growth[t] * (1.0 + safety_factor) * mix[0]) + 1
        if n + bound >= n_split:
            code = TOO_BIG
            break
        if n + bound > capacity:
            code, need = NEED_ROOM, bound
            break
        if n_log + acc_buf.shape[0] > acc_log.shape[0]:
            code = LOG_FULL
            break
        day = days[t]
        dom = doms[t]
        dim = dims[t]
        today[:] = 0.0
        # 1. centre
        centre_day(
            size0, growth[t], safety_factor, headcount, tempo[t], discipline[t], will_base,
            will_vacancy, will_rate, decree[t], target, vacancy_rate, tight, will,
        )  # fmt: skip
        # 2. labour (no prosecutions on a quiet day)
        leavers[:] = 0.0
        labour_day(
            n, pid, factory, shop, hired, village, party, g, phi, state, left, injured_until,
            absent, pay_short, prosecuted, day, cal_code[t], common[t], shop_g_pulse,
            shop_fear_pulse, shop_clash, fac_g_pulse, fac_fear_pulse, will, tight,
            absence_penalty[t], quit_penalty[t], prosecution[t], a0, a_g, a_E, a_phi, a_v,
            a_clash, dismiss_p, prosecute_p, g_decay, g_pay, g_max, phi_decay, q0, q_g, q_m,
            q_L, q_t, q_p, q_v, key_absence, key_quit, today, prosecute_quit_p, pros_buf, role,
            shock, stakh, inst, leavers,
        )  # fmt: skip
        shop_g_pulse[:] = 0.0
        shop_fear_pulse[:] = 0.0
        fac_g_pulse[:] = 0.0
        fac_fear_pulse[:] = 0.0
        # hiring to target, into rows reserved as Population.append reserves them
        by_role = stocks[:, 1:5] - leavers[:, 1:5]
        n_before = n
        if flit_share > 0 and quits_y > 0:
            # yesterday's quitters re-hired by plants short of workers ("flitting")
            wanted = np.empty(nf)
            for f in range(nf):
                wanted[f] = max(target[f] * mix[0] - by_role[f, 0], 0.0)
            flit = flitters_by_factory(flit_share * quits_y, wanted, key_flitting, day)
            kf = flit.sum()
            if kf > 0:
                new_ids(pid, last_accused, n, next_pid, kf)
                hire_flitters(
                    flit, n, pid, factory, shop, role, skill, c, e0, village, hired, g, by_role,
                    today, shops_per_factory, key_flitting, day, f_skill_a, f_skill_b, f_c_a,
                    f_c_b, e_mean, e_sd,
                )  # fmt: skip
                n += kf
                next_pid += kf
        hires = hires_by_mix(
            target, mix, by_role, fill_rate, village_supply[t], key_hiring, day
        )  # fmt: skip
        k = 0
        for f in range(nf):
            for r in range(4):
                k += hires[f, r]
        new_ids(pid, last_accused, n, next_pid, k)
        hired_stocks = hire_rows(
            hires, n, n_before, pid, factory, shop, role, skill, c, e0, village, hired, g, state,
            injured_until, phi, party, shock, stakh, inst, today, shops_per_factory,
            key_hiring, day, skill_a, skill_b, c_a, c_b,
            min(1.0, village_share * village_supply[t]), e_mean, e_sd,
        )  # fmt: skip
        n += k
        next_pid += k
        # 3. production
        before_day(
            output_m, plan_m, target_annual, storm, disruption, vydv_penalty, inst_share,
            disruption_institutions, vydv_decay, dom, dim, storm_max, storm_k, shop_effort_sum,
            shop_effort_n,
        )  # fmt: skip
        supply = supply_factor(dom, supply_lag)
        n_acc = production_day(
            n, pid, factory, shop, role, skill, c, g, e0, effort, shock, stakh, state, left,
            injured_until, absent, out_m, pay_m, days_m, day, cal_code[t], common[t], hours[t],
            supply, campaign[t], shop_norm, shop_A, shop_safety, shop_effort_prev,
            shop_effort_sum, shop_effort_n, shop_accidents_m, shop_deaths_m, shop_out_q,
            shop_normhours_q, storm, disruption, pay_mult, output_m, tariff0 * wage_index[t],
            role_mult, stakh_pay_bonus, b_campaign, b_peer, b_grievance, e_max, shock_bonus,
            stakh_bonus, p0, k_acc, e_safe, storm_factor, injury_days, death_share,
            key_accidents, today, acc_buf, shop_employed, party, inst, leavers, phi, day_stocks,
        )  # fmt: skip
        after_day(shop_effort_sum, shop_effort_n, shop_effort_prev, today, month_acc)
        # an accident angers its shop, the more so the smaller the shop
        gs = grievance_shop * 100.0
        for j in range(min(n_acc, acc_buf.shape[0])):
            sh = acc_buf[j, 1]
            shop_g_pulse[sh] += gs / max(shop_employed[sh], 1.0)
            acc_log[n_log, 0] = t
            acc_log[n_log, 1] = acc_buf[j, 0]
            acc_log[n_log, 2] = sh
            acc_log[n_log, 3] = acc_buf[j, 2]
            n_log += 1
        if quiet[t] == 2:
            # a day with a monthly step: the engine takes it from here
            hired_out[:] = hired_stocks
            code = PARTIAL
            break
        quits_y = close_day(today, output_y)
        quits_out[0] = quits_y
        # 7. observation: yesterday's counts carried, into the spare buffer
        carried_stocks(spare, day_stocks, stocks, leavers, hired_stocks)
        stocks, spare = spare, stocks
        flips ^= 1
        record_row(
            stocks, headcount, plan_m, dim, fulfilment_last, authority, will, today, stock_dst,
            stock_src, flow_dst, flow_src, fixed_dst, fixed, shop_norm, norm0,
            shops_per_factory, means, weighted, i_head, i_pay_total, i_pay_nominal, i_pay_real,
            i_workdays, price[t], per_f, metric_rows[t],
        )  # fmt: skip
        t += 1
    out[0] = t
    out[1] = n
    out[2] = next_pid
    out[3] = code
    out[4] = need
    out[5] = n_log
    out[6] = flips
