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
from ..state import C_ABSENT, C_DISMISSALS, C_PROS_ABS, C_PROS_QUIT, C_QUITS, C_SCHEDULED
from ..state import C as _C
from ..stocks import count_leaver

C_DIRECTIVES = _C["directives_issued"]

# log(1 + tenure in years) for tenures of whole days up to 60 years, computed as in the kernel.
TENURE_DAYS = 60 * 366


@njit(cache=True)
def _log_tenure_table():
    tab = np.empty(TENURE_DAYS)
    for d in range(TENURE_DAYS):
        tab[d] = np.log1p(max(d / 365.0, 0.0))
    return tab


LOG_TENURE = _log_tenure_table()


@njit(cache=True, inline="always")
def log_tenure(days):
    """``log(1 + max(days, 0) / 365)``, from :data:`LOG_TENURE` for tenures it covers."""
    if days <= 0:
        return 0.0
    if days < TENURE_DAYS:
        return LOG_TENURE[days]
    return np.log1p(days / 365.0)


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


@njit(cache=True, inline="always")
def is_scheduled(cal_code, common_workday, day, pid):
    """Continuous week (code 1): everyone rests one day in five, staggered by id."""
    if cal_code == 1:
        return (day + pid) % 5 != 0
    return common_workday


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
