"""Labour: who is scheduled, grievance and fear drift, absence, dismissal, prosecution, quits.

docs/ODD.md, section 7 ("Absence", "Grievance and fear", "Quits").

* Absence: ``p = sigma(a0 + a_g g - a_E E_f - a_phi phi + a_v village + a_clash clash_shop)``
  with enforcement ``E_f = absence_penalty * will_f``; the will falls as vacancies rise
  (managers hoard scarce labour: pattern P5; Neutatz on the 1932 decree at Metrostroi).
* Under the 1932 decree an absentee may be dismissed (``dismiss_p * absence_penalty * will``);
  under the decree of 26 June 1940 (``prosecution`` = 1) absentees and quitters are prosecuted.
* Quits: ``p = sigma(q0 + q_g g + q_m tightness - q_L quit_penalty - q_t log(1 + tenure_years)
  - q_p party + q_v village)`` per day (Hirschman's exit; the 1930s "flitting").
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..maths import below_sigmoid, table_cap
from ..population import CANDIDATE, DISMISSED, EMPLOYED, MEMBER, NO_INDEX, QUIT, ROLES
from ..records import K_PROS
from ..rng import uniform, uniform2
from ..state import (
    C_ABSENT,
    C_DISMISSALS,
    C_PROS_ABS,
    C_PROS_QUIT,
    C_QUITS,
    C_SCHEDULED,
    CLOCK_GROUPS,
    N_SUMS,
)
from ..state import C as _C
from ..stocks import count_leaver
from . import sums as sm
from .sums import (
    _exponential,
    _rethreshold,
    clock_terms,
    log_tenure,
)

C_DIRECTIVES = _C["directives_issued"]


@njit(cache=True, inline="always")
def absence_logit(a0, a_g, a_E, a_phi, a_v, a_clash, g, enforcement, phi, village, clash):
    """The absence logit of docs/ODD.md, section 7 (terms added in this order)."""
    return a0 + a_g * g - a_E * enforcement - a_phi * phi + a_v * village + a_clash * clash


@njit(cache=True)
def quit_caps(fac_tight, quit_penalty, g_max, q0, q_g, q_m, q_L, q_t, q_p, q_v):
    """Per factory, a number no person's quit probability can reach today.

    The quit logit is a sum of terms each bounded over the population (grievance in
    [0, g_max], tenure >= 0, party and village 0 or 1); the bound is added in the kernel's
    order, so in floating point too it is at least any person's logit, and the table entry
    above it is at least the probability. A draw at or above the cap is no quit; only draws
    below it need the person's own logit.
    """
    nf = fac_tight.shape[0]
    cap = np.ones(nf)
    if q_t < 0.0:
        return cap  # a negative tenure effect has no upper bound: no shortcut
    g_top = np.float64(np.float32(g_max))  # grievance is stored in float32
    for f in range(nf):
        xb = (
            q0
            + max(0.0, q_g * g_top)
            + q_m * fac_tight[f]
            - q_L * quit_penalty
            - 0.0
            - min(0.0, q_p)
            + max(0.0, q_v)
        )
        cap[f] = table_cap(xb)
    return cap


# Above this an absence cap is dropped (made 1): a draw below the cap then goes on to the logit
# for a large and unpredictable share of people, and the branch costs more than the logits it
# saves. Measured on kirov's labour step (one thread): caps of 0.29-0.57, the whole run's
# range, cost 1.6-4.3 ns a row more than no cap; a cap of 0.05 saved 2.5 ns, one of 0.10 about
# 1.3 ns; nothing was measured between 0.10 and 0.29 (docs/PERFORMANCE.md, "The absence cap,
# measured again").
CAP_USEFUL = 0.15


@njit(cache=True)
def absence_caps(fac_will, shop_clash, absence_penalty, g_max, a0, a_g, a_E, a_phi, a_v, a_clash):
    """Per factory, a number no scheduled person's absence probability can reach today.

    As :func:`quit_caps`: each term of the absence logit is bounded over the factory
    (grievance in [0, g_max], fear in [0, 1], village 0 or 1, the factory's highest clash
    pressure among its shops; the enforcement is the factory's own) and the bound is added
    in :func:`absence_logit`'s order, so that in floating point too it is at least any of its
    people's logit. A draw at or above the cap is no absence; only draws below it need the
    person's own logit. A cap above :data:`CAP_USEFUL` is returned as 1 (every draw goes on to
    the logit): the decisions are the same, made faster.
    """
    nf = fac_will.shape[0]
    per = shop_clash.shape[0] // nf
    g_top = np.float64(np.float32(g_max))  # grievance is stored in float32
    cap = np.ones(nf)
    for f in range(nf):
        clash_top = -np.inf
        for s in range(f * per, (f + 1) * per):
            clash_top = max(clash_top, a_clash * shop_clash[s])
        enforcement = absence_penalty * fac_will[f]
        xb = (
            a0
            + max(0.0, a_g * g_top)
            - a_E * enforcement
            - min(0.0, a_phi)
            + max(0.0, a_v)
            + clash_top
        )
        cap[f] = table_cap(xb)
        if cap[f] > CAP_USEFUL:
            cap[f] = 1.0
    return cap


# ---------------------------------------------------------------- the shops' hazard clocks
# (draws.labour = "clocks"; docs/PERFORMANCE.md, "The shops' hazard clocks"). A person's absence
# and quit logits are bounded by a part of their own, fixed when they are touched, plus a part of
# their shop's that moves daily. e^bound is then a Poisson intensity whose day has a point with
# probability 1 - exp(-e^bound) >= sigmoid(logit); each shop keeps the cumulative intensity (its
# clock) and each person a threshold on it: a day on which the clock passes the threshold is a
# candidate, accepted with probability sigmoid(logit) / (1 - exp(-e^bound)), so that every day
# is an absence (a quit) with exactly the logistic probability.


@njit(cache=True)
def clocks_prepare(lo, hi, t, S):
    """Before the day's labour (clocks only): a run's first build (mechanisms.sums); the
    shops' pulse levels take up today's pulses; each shop's absence clocks (of the rest-day
    groups that work today) and quit clock move by today's shop part of the bound, ``e^G``;
    then the day's closed form, accident clocks, shop terms and risk flags
    (``sums.day_prepare``).
    """
    if not S.par.derived.clocks:
        return
    sh, fa, D, cal = S.shops, S.fac, S.day, S.cal
    ab, tv, gr, fe = S.par.absence, S.par.turnover, S.par.grievance, S.par.fear
    if sh.basis[sm.B_BUILT] == 0.0:
        sm.initial_build(t, S)
    day = cal.days[t]
    cal_code, common = cal.cal_code[t], cal.common[t]
    penalty, quit_penalty = cal.absence_penalty[t], cal.quit_penalty[t]
    per = sh.per_factory
    sh.rows_at_labour[0] = S.people.size[0]  # (rows past these are the day's newcomers)
    for s in range(sh.level_g.shape[0]):
        f = s // per
        sh.level_g[s] = sh.level_g[s] * (1.0 - gr.decay) + sh.g_pulse[s] + fa.g_pulse[f]
        sh.level_phi[s] = sh.level_phi[s] * (1.0 - fe.decay) + sh.fear_pulse[s] + fa.fear_pulse[f]
        G = (
            ab.a0
            - ab.a_enforcement * (penalty * fa.will[f])
            + ab.a_clash * sh.clash[s]
            + ab.a_grievance * sh.level_g[s]
            - ab.a_fear * sh.level_phi[s]
        )
        m = np.exp(G)
        for r in range(CLOCK_GROUPS):
            # (a person of group r is scheduled as is_scheduled says for an id r mod 5)
            works = ((day + r) % 5 != 0) if cal_code == 1 else common
            j = s * CLOCK_GROUPS + r
            sh.move_abs[j] = m if works else 0.0
            sh.clock_abs[j] += sh.move_abs[j]
        Gq = tv.q0 + tv.q_tightness * D.tight[f] - tv.q_penalty * quit_penalty
        sh.move_quit[s] = np.exp(Gq + tv.q_grievance * sh.level_g[s])
        sh.clock_quit[s] += sh.move_quit[s]
    sm.day_prepare(t, S)


@njit(cache=True, inline="always")
def is_scheduled(cal_code, common_workday, day, pid):
    """Continuous week (code 1): everyone rests one day in five, staggered by id."""
    if cal_code == 1:
        return (day + pid) % 5 != 0
    return common_workday


@njit(cache=True, nogil=True)
def labour_clock_rows(lo, hi, t, S):
    """``labour_rows`` with the shops' hazard clocks and production by sums (mechanisms.sums).

    A person is looked at only when a clock (absence, quit, accident) has passed their
    threshold, when they come back from an injury, when their shop's risk flags say that a
    clip may bind today, or when they have no thresholds yet; everyone else is only counted
    among the scheduled. Grievance and fear are their closed form; a clip that binds
    re-references the person. Absentees and those whose effort meets its clip today are
    excluded from today's sums (``shops.xsum``) and marked in ``people.absent`` for
    production; leavers and returners change the sums (``shops.dsum``).
    """
    P, sh, fa, D, cal = S.people, S.shops, S.fac, S.day, S.cal
    ab, tv, gr, fe = S.par.absence, S.par.turnover, S.par.grievance, S.par.fear
    pr, py = S.par.production, S.par.pay
    pid, factory, shop, hired, village, party = (
        P.pid, P.factory, P.shop, P.hired, P.village, P.party,
    )  # fmt: skip
    state, left, injured_until, absent = P.state, P.left, P.injured_until, P.absent
    prosecuted, role, shock, stakh, inst = P.prosecuted, P.role, P.shock, P.stakh, P.inst
    shop_clash, fac_will, fac_tight = sh.clash, fa.will, D.tight
    today, leavers, pros_buf = D.today, D.leavers, D.pros_buf
    day = cal.days[t]
    cal_code = cal.cal_code[t]
    common_workday = cal.common[t]
    absence_penalty = cal.absence_penalty[t]
    quit_penalty = cal.quit_penalty[t]
    prosecution = cal.prosecution[t]
    campaign = cal.campaign[t]
    a0, a_g, a_E, a_phi = ab.a0, ab.a_grievance, ab.a_enforcement, ab.a_fear
    a_v, a_clash, dismiss_p, prosecute_p = ab.a_village, ab.a_clash, ab.dismiss_p, ab.prosecute_p
    prosecute_quit_p = ab.prosecute_quit_p
    g_max = gr.g_max
    q0, q_g, q_m, q_L = tv.q0, tv.q_grievance, tv.q_tightness, tv.q_penalty
    q_t, q_p, q_v = tv.q_tenure, tv.q_party, tv.q_village
    key_absence, key_quit, key_acc = S.keys.absence, S.keys.quit, S.keys.accidents
    t_abs, t_quit, w_abs, w_quit, t_acc = P.t_abs, P.t_quit, P.w_abs, P.w_quit, P.t_acc
    level_g, level_phi, risk, sigma = sh.level_g, sh.level_phi, sh.risk, sh.sigma
    clock_abs, clock_quit, clock_acc = sh.clock_abs, sh.clock_quit, sh.clock_acc
    move_abs, move_quit = sh.move_abs, sh.move_quit
    dsum, xsum, ext, basis = sh.dsum, sh.xsum, sh.ext, sh.basis
    E, F = basis[sm.B_E], basis[sm.B_F]
    horizon = np.int64(basis[sm.B_HORIZON])
    g_ratio = gr.pay_gap / gr.decay
    sb, role_mult = py.stakhanovite_bonus, D.role_mult
    b_c, b_g, e_max = pr.b_campaign, pr.b_grievance, pr.e_max
    pay_short, e0, skill = P.pay_short, P.e0, P.skill
    t_bank, out_m, pay_m, days_m, series = P.t_bank, P.out_m, P.pay_m, P.days_m, sh.series
    month_first = np.int64(basis[sm.B_MONTH])
    k = 0
    cur = NO_INDEX  # the factory whose scheduled count is being summed in ``sched``
    sched = 0.0
    for i in range(lo, hi):
        if state[i] != EMPLOYED:
            continue
        f = np.uint64(factory[i])  # unsigned: lookups skip the negative-index wrap
        s = np.uint64(shop[i])
        p_id = pid[i]
        if f != cur:
            if cur != NO_INDEX:
                today[cur, C_SCHEDULED] = sched
            cur = f
            sched = today[f, C_SCHEDULED]
        j = np.int64(s) * CLOCK_GROUPS + np.int64(p_id % CLOCK_GROUPS)
        inj = injured_until[i]
        working = inj <= day and is_scheduled(cal_code, common_workday, day, p_id)
        flags = risk[s]
        if not (
            inj == day
            or w_abs[i] == 0.0
            or clock_abs[j] >= t_abs[i]
            or clock_quit[s] >= t_quit[i]
            or clock_acc[j] >= t_acc[i]
        ):
            # only the shop's risk flags may call for a look: the person's own values first
            quiet = True
            if flags & (sm.RISK_G | sm.RISK_PHI):
                g_now = level_g[s] + g_ratio * np.float64(pay_short[i]) + P.gx[i] * E
                phi_now = level_phi[s] + P.fx[i] * F
                quiet = 0.0 <= g_now <= g_max and 0.0 <= phi_now <= 1.0
            if quiet and working and (flags & sm.RISK_E):
                gy, alpha, sk, pk, sal, w = sm.terms(
                    i, pay_short, e0, shock, stakh, role, skill, pr, sb, g_ratio, role_mult
                )
                e = sm.effort_part(alpha, np.float64(P.c[i]), P.gx[i], campaign, E, b_c, b_g)
                e += sigma[s]
                quiet = 0.0 <= e <= e_max
            if quiet:
                if working:
                    sched += 1.0
                continue
        gy, alpha, sk, pk, sal, w = sm.terms(
            i, pay_short, e0, shock, stakh, role, skill, pr, sb, g_ratio, role_mult
        )
        c = np.float64(P.c[i])
        gx, fx = P.gx[i], P.fx[i]
        in_work = inj <= day
        check_effort = (flags & sm.RISK_E) != 0
        if inj == day:  # back from an injury: into the working sums
            sm.add_working(dsum, j, 1.0, alpha, c, gx, sk, pk, sal, w)
            dsum[j * N_SUMS + sm.Q_INJ] -= 1.0
            t_bank[i] = max(t_bank[i], day)
            sm.raise_ext(
                ext, s, gy, gx + sh.base_g[s], fx + sh.base_phi[s], alpha, c, True, basis, b_c, b_g
            )
            check_effort = True
        touched = w_abs[i] == 0.0
        g_now = level_g[s] + gy + gx * E
        phi_now = level_phi[s] + fx * F
        if g_now < 0.0 or g_now > g_max or phi_now < 0.0 or phi_now > 1.0:
            # a floor or a ceiling binds today: the person is re-referenced at the clipped
            # values (their output and pay banked to yesterday with their old terms)
            g_now = min(max(g_now, 0.0), g_max)
            phi_now = min(max(phi_now, 0.0), 1.0)
            sm.bank(
                i,
                j,
                day,
                t_bank,
                out_m,
                pay_m,
                days_m,
                series,
                month_first,
                alpha,
                c,
                gx,
                sk,
                pk,
                sal,
                b_c,
                b_g,
            )
            hurt = 0.0 if in_work else 1.0
            sm.add_employed(dsum, j, -1.0, hurt, gy, gx, fx, c)
            if in_work:
                sm.add_working(dsum, j, -1.0, alpha, c, gx, sk, pk, sal, w)
            gx = (g_now - level_g[s] - gy) / E
            fx = (phi_now - level_phi[s]) / F
            P.gx[i], P.fx[i] = gx, fx
            sm.add_employed(dsum, j, 1.0, hurt, gy, gx, fx, c)
            if in_work:
                sm.add_working(dsum, j, 1.0, alpha, c, gx, sk, pk, sal, w)
            sm.raise_ext(
                ext,
                s,
                gy,
                gx + sh.base_g[s],
                fx + sh.base_phi[s],
                alpha,
                c,
                in_work,
                basis,
                b_c,
                b_g,
            )
            touched = True
            check_effort = True
        if touched:
            # the person's parts of the clocks' bounds anew, to the rebuild's horizon
            is_party = 1.0 if (party[i] == MEMBER or party[i] == CANDIDATE) else 0.0
            wa, wq = clock_terms(
                g_now, phi_now, level_g[s], level_phi[s], P.pay_short[i], village[i],
                is_party, day - hired[i], max(horizon - day, 0), ab, tv, gr, fe,
            )  # fmt: skip
            t_abs[i] = _rethreshold(
                t_abs[i], w_abs[i], wa, clock_abs[j] - move_abs[j], key_absence, day, p_id
            )
            t_quit[i] = _rethreshold(
                t_quit[i], w_quit[i], wq, clock_quit[s] - move_quit[s], key_quit, day, p_id
            )
            w_abs[i] = wa
            w_quit[i] = wq
        if working:
            sched += 1.0
        hit = False
        excluded = False
        if clock_abs[j] >= t_abs[i]:
            # a candidate day (its group works today; the injured are not absent): taken
            # with the logistic probability over the candidate's
            if working:
                u_abs = uniform(key_absence, day, p_id)
                cand = -np.expm1(-move_abs[j] / np.float64(w_abs[i]))
                hit = below_sigmoid(
                    u_abs * cand,
                    absence_logit(
                        a0, a_g, a_E, a_phi, a_v, a_clash, g_now,
                        absence_penalty * fac_will[f], phi_now, village[i], shop_clash[s],
                    ),
                )  # fmt: skip
            t_abs[i] = clock_abs[j] + _exponential(key_absence, day, p_id, 3) * w_abs[i]
        if hit:
            today[f, C_ABSENT] += 1.0
            sm.bank(
                i,
                j,
                day,
                t_bank,
                out_m,
                pay_m,
                days_m,
                series,
                month_first,
                alpha,
                c,
                gx,
                sk,
                pk,
                sal,
                b_c,
                b_g,
            )
            if prosecution > 0.5:
                # decree of 26 June 1940: corrective labour, pay withheld; stays employed
                if uniform2(key_absence, day, p_id, 1) < prosecute_p * fac_will[f]:
                    prosecuted[i] += 1
                    today[f, C_PROS_ABS] += 1.0
                    if k < pros_buf.shape[0]:
                        pros_buf[k, 0] = i
                        pros_buf[k, 1] = 0
                    k += 1
            elif uniform2(key_absence, day, p_id, 2) < dismiss_p * absence_penalty * fac_will[f]:
                # decree of 15 Nov 1932: one day's absence, dismissal
                state[i] = DISMISSED
                left[i] = day
                today[f, C_DISMISSALS] += 1.0
                count_leaver(leavers, f, role[i], party[i], shock[i], stakh[i], inst[i])
                sm.add_employed(dsum, j, -1.0, 0.0, gy, gx, fx, c)
                sm.add_working(dsum, j, -1.0, alpha, c, gx, sk, pk, sal, w)
                continue
            absent[i] |= sm.ABSENT
            t_bank[i] = day + 1
            sm.add_working(xsum, j, 1.0, alpha, c, gx, sk, pk, sal, w)
            excluded = True
        if working and not hit and check_effort:
            e = sm.effort_part(alpha, c, gx, campaign, E, b_c, b_g) + sigma[s]
            if e > e_max or e < 0.0:  # taken person by person today
                sm.bank(
                    i,
                    j,
                    day,
                    t_bank,
                    out_m,
                    pay_m,
                    days_m,
                    series,
                    month_first,
                    alpha,
                    c,
                    gx,
                    sk,
                    pk,
                    sal,
                    b_c,
                    b_g,
                )
                absent[i] |= sm.EXACT
                t_bank[i] = day + 1
                sm.add_working(xsum, j, 1.0, alpha, c, gx, sk, pk, sal, w)
                excluded = True
        if clock_acc[j] >= t_acc[i]:
            if working and not hit:
                absent[i] |= sm.ACC_CANDIDATE
            t_acc[i] = clock_acc[j] + _exponential(key_acc, day, p_id, 3)
        if clock_quit[s] < t_quit[i]:
            continue
        cand = -np.expm1(-move_quit[s] / np.float64(w_quit[i]))
        u_quit = uniform(key_quit, day, p_id) * cand  # (decided as for absence)
        t_quit[i] = clock_quit[s] + _exponential(key_quit, day, p_id, 3) * w_quit[i]
        is_party = 1.0 if (party[i] == MEMBER or party[i] == CANDIDATE) else 0.0
        xq = (
            q0
            + q_g * g_now
            + q_m * fac_tight[f]
            - q_L * quit_penalty
            - q_t * log_tenure(day - hired[i])
            - q_p * is_party
            + q_v * village[i]
        )
        if below_sigmoid(u_quit, xq):
            state[i] = QUIT
            left[i] = day
            today[f, C_QUITS] += 1.0
            count_leaver(leavers, f, role[i], party[i], shock[i], stakh[i], inst[i])
            sm.bank(
                i,
                j,
                day,
                t_bank,
                out_m,
                pay_m,
                days_m,
                series,
                month_first,
                alpha,
                c,
                gx,
                sk,
                pk,
                sal,
                b_c,
                b_g,
            )
            if excluded:  # (no longer excluded today: out of the sums for good)
                sm.add_working(xsum, j, -1.0, alpha, c, gx, sk, pk, sal, w)
            sm.add_employed(dsum, j, -1.0, 0.0 if in_work else 1.0, gy, gx, fx, c)
            if in_work:
                sm.add_working(dsum, j, -1.0, alpha, c, gx, sk, pk, sal, w)
            absent[i] = 0
            if prosecution > 0.5 and uniform2(key_quit, day, p_id, 1) < prosecute_quit_p:
                prosecuted[i] += 1
                today[f, C_PROS_QUIT] += 1.0
                if k < pros_buf.shape[0]:
                    pros_buf[k, 0] = i
                    pros_buf[k, 1] = 1
                k += 1
    if cur != NO_INDEX:
        today[cur, C_SCHEDULED] = sched
    D.counts[K_PROS] = k


@njit(cache=True, nogil=True)
def labour_rows(lo, hi, t, S):
    """The ``labour`` step: one day of labour for every employed person in rows ``lo..hi``;
    counts go to ``today[factory, counter]``.

    Prosecutions under the 1940 decree go to ``day.pros_buf`` as (row, kind 0 absence /
    1 quitting), their number to ``day.counts[K_PROS]``. Dismissed and quitting people are
    counted in ``day.leavers[factory]`` (``record.count_leaver``).
    """
    P, sh, fa, D, cal = S.people, S.shops, S.fac, S.day, S.cal
    ab, tv, gr, fe = S.par.absence, S.par.turnover, S.par.grievance, S.par.fear
    pid, factory, shop, hired, village, party = (
        P.pid,
        P.factory,
        P.shop,
        P.hired,
        P.village,
        P.party,
    )
    g, phi, state, left, injured_until, absent = (
        P.g,
        P.phi,
        P.state,
        P.left,
        P.injured_until,
        P.absent,
    )
    pay_short, prosecuted, role, shock, stakh, inst = (
        P.pay_short,
        P.prosecuted,
        P.role,
        P.shock,
        P.stakh,
        P.inst,
    )
    shop_g_pulse, shop_fear_pulse, shop_clash = sh.g_pulse, sh.fear_pulse, sh.clash
    fac_g_pulse, fac_fear_pulse, fac_will, fac_tight = fa.g_pulse, fa.fear_pulse, fa.will, D.tight
    today, leavers, pros_buf = D.today, D.leavers, D.pros_buf
    day = cal.days[t]
    cal_code = cal.cal_code[t]
    common_workday = cal.common[t]
    absence_penalty = cal.absence_penalty[t]
    quit_penalty = cal.quit_penalty[t]
    prosecution = cal.prosecution[t]
    a0, a_g, a_E, a_phi = ab.a0, ab.a_grievance, ab.a_enforcement, ab.a_fear
    a_v, a_clash, dismiss_p, prosecute_p = ab.a_village, ab.a_clash, ab.dismiss_p, ab.prosecute_p
    prosecute_quit_p = ab.prosecute_quit_p
    if S.par.derived.clocks:
        labour_clock_rows(lo, hi, t, S)
        return
    g_decay, g_pay, g_max, phi_decay = gr.decay, gr.pay_gap, gr.g_max, fe.decay
    q0, q_g, q_m, q_L = tv.q0, tv.q_grievance, tv.q_tightness, tv.q_penalty
    q_t, q_p, q_v = tv.q_tenure, tv.q_party, tv.q_village
    key_absence, key_quit = S.keys.absence, S.keys.quit
    quit_cap = quit_caps(fac_tight, quit_penalty, g_max, q0, q_g, q_m, q_L, q_t, q_p, q_v)
    abs_cap = absence_caps(
        fac_will, shop_clash, absence_penalty, g_max, a0, a_g, a_E, a_phi, a_v, a_clash
    )
    k = 0
    cur = NO_INDEX  # the factory whose scheduled count is being summed in ``sched``
    sched = 0.0
    for i in range(lo, hi):
        if state[i] != EMPLOYED:
            continue
        f = np.uint64(factory[i])  # unsigned: lookups skip the negative-index wrap
        s = np.uint64(shop[i])
        p_id = pid[i]
        if f != cur:
            if cur != NO_INDEX:
                today[cur, C_SCHEDULED] = sched
            cur = f
            sched = today[f, C_SCHEDULED]
        # grievance and fear drift (pulses come from yesterday's accidents, arrests, meetings)
        gi = g[i] * (1.0 - g_decay) + g_pay * pay_short[i] + shop_g_pulse[s] + fac_g_pulse[f]
        g[i] = min(max(gi, 0.0), g_max)
        fi = phi[i] * (1.0 - phi_decay) + shop_fear_pulse[s] + fac_fear_pulse[f]
        phi[i] = min(max(fi, 0.0), 1.0)
        absent[i] = 0
        if injured_until[i] <= day and is_scheduled(cal_code, common_workday, day, p_id):
            sched += 1.0
            u_abs = uniform(key_absence, day, p_id)
            # (at or above the factory's cap no one is absent today: no logit needed)
            if u_abs < abs_cap[f] and below_sigmoid(
                u_abs,
                absence_logit(
                    a0, a_g, a_E, a_phi, a_v, a_clash, g[i], absence_penalty * fac_will[f],
                    phi[i], village[i], shop_clash[s],
                ),
            ):  # fmt: skip
                absent[i] = 1
                today[f, C_ABSENT] += 1.0
                if prosecution > 0.5:
                    # decree of 26 June 1940: corrective labour, pay withheld; stays employed
                    if uniform2(key_absence, day, p_id, 1) < prosecute_p * fac_will[f]:
                        prosecuted[i] += 1
                        today[f, C_PROS_ABS] += 1.0
                        if k < pros_buf.shape[0]:
                            pros_buf[k, 0] = i
                            pros_buf[k, 1] = 0
                        k += 1
                elif (
                    uniform2(key_absence, day, p_id, 2) < dismiss_p * absence_penalty * fac_will[f]
                ):
                    # decree of 15 Nov 1932: one day's absence, dismissal
                    state[i] = DISMISSED
                    left[i] = day
                    today[f, C_DISMISSALS] += 1.0
                    count_leaver(leavers, f, role[i], party[i], shock[i], stakh[i], inst[i])
                    continue
        u_quit = uniform(key_quit, day, p_id)
        if u_quit >= quit_cap[f]:
            continue  # above the factory's highest possible quit probability today
        is_party = 1.0 if (party[i] == MEMBER or party[i] == CANDIDATE) else 0.0
        xq = (
            q0
            + q_g * g[i]
            + q_m * fac_tight[f]
            - q_L * quit_penalty
            - q_t * log_tenure(day - hired[i])
            - q_p * is_party
            + q_v * village[i]
        )
        if below_sigmoid(u_quit, xq):
            state[i] = QUIT
            left[i] = day
            today[f, C_QUITS] += 1.0
            count_leaver(leavers, f, role[i], party[i], shock[i], stakh[i], inst[i])
            if prosecution > 0.5 and uniform2(key_quit, day, p_id, 1) < prosecute_quit_p:
                prosecuted[i] += 1
                today[f, C_PROS_QUIT] += 1.0
                if k < pros_buf.shape[0]:
                    pros_buf[k, 0] = i
                    pros_buf[k, 1] = 1
                k += 1
    if cur != NO_INDEX:
        today[cur, C_SCHEDULED] = sched
    D.counts[K_PROS] = k


@njit(cache=True)
def labour_close(lo, hi, t, S):
    """After everyone's labour: the pulses of grievance and fear have been taken up."""
    S.shops.g_pulse[:] = 0.0
    S.shops.fear_pulse[:] = 0.0
    S.fac.g_pulse[:] = 0.0
    S.fac.fear_pulse[:] = 0.0


@njit(cache=True, inline="always")
def will_step(will, vacancy, discipline, will_base, will_vacancy, will_rate, decree_today):
    """One day of one factory's enforcement will.

    On the day a discipline decree raises the penalties the will jumps to 1 (the campaign);
    it then returns towards ``will_base * (0.5 + 0.5 discipline) / (1 + will_vacancy *
    vacancy)`` at ``will_rate`` a day: managers who need labour stop enforcing (P5).
    """
    if decree_today:
        w = 1.0
    else:
        pull = will_base * (0.5 + 0.5 * discipline)
        equilibrium = pull / (1.0 + will_vacancy * max(vacancy, 0.0))
        w = will + will_rate * (equilibrium - will)
    return max(min(w, 1.0), 0.0)


@njit(cache=True)
def centre_step(lo, hi, t, S):
    """The ``centre`` step, for every factory in place: the target headcount (the initial size
    times the day's growth multiple times one plus ``hiring.safety_factor``), the vacancy rate
    against it, labour-market tightness ``min(3, tempo / 0.25 + 2 vacancy)`` and the
    enforcement will (:func:`will_step`).
    """
    fac, D, cal, ab = S.fac, S.day, S.cal, S.par.absence
    mult, safety = cal.growth[t], S.par.hiring.safety_factor
    tempo, discipline, decree = cal.tempo[t], cal.discipline[t], cal.decree[t]
    for f in range(fac.size0.shape[0]):
        D.target[f] = fac.size0[f] * mult * (1.0 + safety)
        v = max(0.0, 1.0 - fac.headcount[f] / max(D.target[f], 1.0))
        fac.vacancy_rate[f] = v
        D.tight[f] = min(3.0, tempo / 0.25 + 2.0 * v)
        fac.will[f] = will_step(
            fac.will[f], v, discipline, ab.will_base, ab.will_vacancy, ab.will_rate, decree
        )


# ---------------------------------------------------------------- the Python steps
def issue_directives(run, t: int) -> None:
    """The ``directives`` step: the day's directives wait for every factory's next meeting."""
    items = run.directives_by_day.get(t, [])
    for item in items:
        for f in range(run.world.fac.n):
            run.pending[f].append(item)
        run.S.day.today[:, C_DIRECTIVES] += 1


def log_prosecutions(run, t: int) -> None:
    """The ``prosecutions`` step: the day's prosecutions under the decree of 26 June 1940
    (from ``labour_rows``) enter the event log.
    """
    D, pop = run.S.day, run.world.pop
    k = int(D.counts[K_PROS])
    date = run.dates[t]
    for r, kind in D.pros_buf[: min(k, D.pros_buf.shape[0])] if k else ():
        run.log.add(
            "prosecution",
            date,
            int(pop.factory[r]),
            target=int(pop.pid[r]),
            target_role=ROLES[pop.role[r]],
            topic="discipline",
            detail=("absence" if kind == 0 else "quitting") + " (decree of 26 June 1940)",
        )
