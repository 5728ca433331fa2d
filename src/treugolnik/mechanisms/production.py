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

The day's rows (effort, output, pay, accidents person by person) are in ``workday``, with
labour's; this module holds the factories' preparation, the day's close and the event log.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..record import Coded
from ..records import I_N_LOG, K_ACC
from ..state import C_ABSENT, C_SCHEDULED


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
    S, label = run.world.shops_per_factory, run.shop_label
    ts, pids, shs, lengths = D.acc_log[:k].T
    local = shs % S
    details = [label[x] + ("" if n < 0 else f", {n} days off")
               for x, n in zip(local.tolist(), lengths.tolist(), strict=True)]  # fmt: skip
    run.log.add_columns(
        k, run.date_array[ts], shs // S, "accident", -1, -1, "", pids, "", "", "safety", "",
        float("nan"), Coded((lengths >= 0).astype(np.int64), ("death", "injury")), "", details,
    )  # fmt: skip
