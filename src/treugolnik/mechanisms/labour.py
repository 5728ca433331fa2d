"""Labour: who is scheduled, grievance and fear drift, absence, dismissal, prosecution, quits.

docs/ODD.md, section 7 ("Absence", "Grievance and fear", "Quits").

* Absence: ``p = sigma(a0 + a_g g - a_E E_f - a_phi phi + a_v village + a_clash clash_shop)``
  with enforcement ``E_f = absence_penalty * will_f``; the will falls as vacancies rise
  (managers hoard scarce labour: pattern P5; Neutatz on the 1932 decree at Metrostroi).
* Under the 1932 decree an absentee may be dismissed (``dismiss_p * absence_penalty * will``);
  under the decree of 26 June 1940 (``prosecution`` = 1) absentees and quitters are prosecuted.
* Quits: ``p = sigma(q0 + q_g g + q_m tightness - q_L quit_penalty - q_t log(1 + tenure_years)
  - q_p party + q_v village)`` per day (Hirschman's exit; the 1930s "flitting").

The day's rows (these rules person by person) are in ``workday``, with production's; this
module holds the terms, the factories' caps, the centre's daily step and the Python steps.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..maths import table_cap
from ..population import ROLES
from ..record import Coded
from ..records import K_PROS
from ..state import C as _C

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
    (from ``workday.labour_rows``) enter the event log.
    """
    D, pop = run.S.day, run.world.pop
    k = int(D.counts[K_PROS])
    date = run.dates[t]
    if not k or "prosecution" in run.log.skip:
        return
    rows, kinds = D.pros_buf[: min(k, D.pros_buf.shape[0])].T
    run.log.add_columns(
        rows.shape[0], date, pop.factory[rows], "prosecution", -1, -1, "", pop.pid[rows],
        Coded(pop.role[rows], ROLES), "", "discipline", "", None, "", "",
        Coded(kinds, ("absence (decree of 26 June 1940)", "quitting (decree of 26 June 1940)")),
    )  # fmt: skip
