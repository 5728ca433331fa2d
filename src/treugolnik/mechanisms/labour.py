"""Labour: who is scheduled, grievance and fear drift, absence, dismissal, prosecution, quits.

MODEL.md section 7 ("Absence", "Grievance and fear", "Turnover and hiring").

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

from ..population import CANDIDATE, DISMISSED, EMPLOYED, MEMBER, NO_INDEX, QUIT
from ..record import count_leaver
from ..rng import uniform, uniform2
from ..state import C_ABSENT, C_DISMISSALS, C_PROS_ABS, C_PROS_QUIT, C_QUITS, C_SCHEDULED


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
    """The absence logit of MODEL.md section 7 (terms added in this order)."""
    return a0 + a_g * g - a_E * enforcement - a_phi * phi + a_v * village + a_clash * clash


@njit(cache=True, inline="always")
def _table_cap(xb):
    """A probability at least sigmoid(x) for every x <= xb (the table entry above xb)."""
    k = int((xb - SIG_LO) * SIG_PER_UNIT)
    if k < 1:
        return SIG_TABLE[2]
    if k < SIG_N - 2:
        return SIG_TABLE[k + 2]
    return 1.0


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
        cap[f] = _table_cap(xb)
    return cap


@njit(cache=True, inline="always")
def is_scheduled(cal_code, common_workday, day, pid):
    """Continuous week (code 1): everyone rests one day in five, staggered by id."""
    if cal_code == 1:
        return (day + pid) % 5 != 0
    return common_workday


@njit(cache=True, nogil=True)
def labour_day(
    n,
    pid,
    factory,
    shop,
    hired,
    village,
    party,
    g,
    phi,
    state,
    left,
    injured_until,
    absent,
    pay_short,
    prosecuted,
    day,
    cal_code,
    common_workday,
    shop_g_pulse,
    shop_fear_pulse,
    shop_clash,
    fac_g_pulse,
    fac_fear_pulse,
    fac_will,
    fac_tight,
    absence_penalty,
    quit_penalty,
    prosecution,
    a0,
    a_g,
    a_E,
    a_phi,
    a_v,
    a_clash,
    dismiss_p,
    prosecute_p,
    g_decay,
    g_pay,
    g_max,
    phi_decay,
    q0,
    q_g,
    q_m,
    q_L,
    q_t,
    q_p,
    q_v,
    key_absence,
    key_quit,
    today,
    prosecute_quit_p,
    pros_buf,
    role,
    shock,
    stakh,
    inst,
    leavers,
):
    """One day of labour for every employed person; counts go to ``today[factory, counter]``.

    Prosecutions under the 1940 decree go to ``pros_buf`` as (row, kind 0 absence / 1 quitting);
    returns their number. Dismissed and quitting people are counted in ``leavers[factory]``
    (``record.count_leaver``).
    """
    quit_cap = quit_caps(fac_tight, quit_penalty, g_max, q0, q_g, q_m, q_L, q_t, q_p, q_v)
    k = 0
    cur = NO_INDEX  # the factory whose scheduled count is being summed in ``sched``
    sched = 0.0
    for i in range(n):
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
            enforcement = absence_penalty * fac_will[f]
            x = absence_logit(
                a0, a_g, a_E, a_phi, a_v, a_clash, g[i], enforcement, phi[i], village[i],
                shop_clash[s],
            )  # fmt: skip
            if below_sigmoid(uniform(key_absence, day, p_id), x):
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
    return k


@njit(cache=True, inline="always")
def _will_step(will, vacancy, discipline, will_base, will_vacancy, will_rate, decree_today):
    """One day of one factory's enforcement will (see :func:`enforcement_will`)."""
    if decree_today:
        w = 1.0
    else:
        pull = will_base * (0.5 + 0.5 * discipline)
        equilibrium = pull / (1.0 + will_vacancy * max(vacancy, 0.0))
        w = will + will_rate * (equilibrium - will)
    return max(min(w, 1.0), 0.0)


@njit(cache=True)
def _will_all(will, vacancy_rate, discipline, will_base, will_vacancy, will_rate, decree_today):
    for f in range(will.shape[0]):
        will[f] = _will_step(
            will[f], vacancy_rate[f], discipline, will_base, will_vacancy, will_rate, decree_today
        )


def enforcement_will(will, vacancy_rate, discipline, p, decree_today):
    """Update management's enforcement will, factory by factory, in place.

    On the day a discipline decree raises the penalties the will jumps to 1 (the campaign);
    it then returns towards ``will_base * discipline-weighted / (1 + will_vacancy * vacancy)``
    at ``will_rate`` per day: managers who need labour stop enforcing (P5).
    """
    _will_all(
        will, vacancy_rate, float(discipline), p.will_base, p.will_vacancy, p.will_rate,
        bool(decree_today),
    )  # fmt: skip
    return will


@njit(cache=True)
def centre_day(
    size0, mult, safety_factor, headcount, tempo, discipline, will_base, will_vacancy, will_rate,
    decree_today, target, vacancy_rate, tight, will,
):  # fmt: skip
    """The centre's day for every factory, in place: the target headcount (``size0`` times the
    growth multiple ``mult`` times one plus the safety factor), the vacancy rate against it,
    labour-market tightness ``min(3, tempo / 0.25 + 2 vacancy)`` and the enforcement will
    (:func:`enforcement_will`).
    """
    for f in range(size0.shape[0]):
        target[f] = size0[f] * mult * (1.0 + safety_factor)
        v = max(0.0, 1.0 - headcount[f] / max(target[f], 1.0))
        vacancy_rate[f] = v
        tight[f] = min(3.0, tempo / 0.25 + 2.0 * v)
        will[f] = _will_step(
            will[f], v, discipline, will_base, will_vacancy, will_rate, decree_today
        )
