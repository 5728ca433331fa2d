"""Pay, norms and the plan: the monthly reckoning, quarterly norm revision, yearly ratchet.

docs/ODD.md, section 7 ("Pay", "Norms", "Plan").

* Monthly: each person's real daily pay (nominal / price index) against the reference the
  workers expect; the shortfall feeds grievance all next month. Month accumulators reset.
* Quarterly norm revision per shop: ``norm *= 1 + nu * max(0, fulfilment - min) * (discipline +
  norm_drive) + stakhanovite_push * stakhanovite share * campaign`` plus the wage-fund push,
  unless blocked by a meeting concession (``norm_pause``) or a foreman's informal deal
  (``foreman_deal``, the niche reading). A norm rise raises the shop's grievance.
* Yearly plan ratchet (Weitzman 1980), planned "from the achieved level":
  ``target_{y+1} = max(output_y, (1 - lam) target_y + lam output_y) * (1 + tempo)``.
  (The plain ratchet never lets a target fall, which drives fulfilment under 50 % by
  1933; see docs/ODD.md.)
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..population import EMPLOYED, WORKER
from ..records import I_RECOUNT, I_YEAR_DAYS
from ..rng import uniform


@njit(cache=True)
def month_end_pay(
    n, state, role, pay_m, out_m, days_m, pay_short, price, ref_pay, role_mult, reference_real
):
    """Set ``pay_short`` from the month's real pay; reset month accumulators."""
    for i in range(n):
        if state[i] == EMPLOYED and days_m[i] > 0:
            real = pay_m[i] / days_m[i] / price
            ref = ref_pay * role_mult[role[i]] * reference_real
            pay_short[i] = max(0.0, 1.0 - real / ref)
        pay_m[i] = 0.0
        out_m[i] = 0.0
        days_m[i] = 0


@njit(cache=True)
def shop_stakhanovite_share(n, state, shop, role, stakh, n_shops):
    cnt = np.zeros(n_shops)
    tot = np.zeros(n_shops)
    for i in range(n):
        if state[i] == EMPLOYED and role[i] == WORKER:
            tot[shop[i]] += 1.0
            cnt[shop[i]] += stakh[i]
    return cnt / np.maximum(tot, 1.0)


def revise_norms(
    shops, stakh_share, discipline, norm_drive, campaign, p_norms, foreman_deal, key, day
):
    """Quarterly norm revision (vectorised over shops). Returns the relative rises."""
    fulfil = shops.out_q / np.maximum(shops.normhours_q, 1e-9)
    pressure = discipline + norm_drive
    rise = (
        p_norms.nu * np.maximum(0.0, fulfil - p_norms.min_overfulfilment) * pressure
        + p_norms.wage_fund_push * np.maximum(0.0, fulfil - 1.0)
        + p_norms.stakhanovite_push * stakh_share * campaign
    )
    deal = np.array([uniform(key, day, s) for s in range(shops.n)]) < foreman_deal
    blocked = (shops.norm_pause > 0) | deal
    rise = np.where(blocked, 0.0, rise)
    shops.norm[:] *= 1.0 + rise
    shops.norm_rose[:] = rise
    shops.norm_pause[:] = 0
    shops.out_q[:] = 0.0
    shops.normhours_q[:] = 0.0
    return rise, blocked


def ratchet(target, output_y, tempo, lam):
    """Next year's annual target from this year's (Weitzman ratchet, from the achieved level)."""
    return np.maximum(output_y, (1.0 - lam) * target + lam * output_y) * (1.0 + tempo)


# ---------------------------------------------------------------- the steps
def month_close_step(run, t: int) -> None:
    """The ``month`` step (month end): the month's plan fulfilment; output starts anew; pay
    corrections fade as the wage fund is reckoned (a tenth a month).
    """
    fac = run.world.fac
    run.S.day.ints[I_RECOUNT] = 1
    fac.fulfilment_last[:] = fac.output_m / np.maximum(fac.plan_m, 1e-9)
    fac.output_m[:] = 0.0
    fac.pay_mult[:] = 1.0 + 0.9 * (fac.pay_mult - 1.0)


def month_pay_step(run, t: int) -> None:
    """The ``pay`` step (month end): real pay against expectations (:func:`month_end_pay`);
    the month's accident and absence sums start anew.
    """
    s, w = run.s, run.world
    pop, shops = w.pop, w.shops
    role_mult = np.array([1.0, s.pay.foreman, s.pay.specialist, s.pay.manager])
    month_end_pay(
        pop.n, pop.state, pop.role, pop.pay_m, pop.out_m, pop.days_m, pop.pay_short,
        float(run.S.cal.price[t]), s.pay.tariff, role_mult, s.pay.reference_real,
    )  # fmt: skip
    shops.accidents_m[:] = 0.0
    shops.deaths_m[:] = 0.0
    run.S.day.month_acc[:] = 0.0


def norms_step(run, t: int) -> None:
    """The ``norms`` step (quarter end): :func:`revise_norms`; a rise angers the shop."""
    s, w = run.s, run.world
    pop, shops = w.pop, w.shops
    day, _, pol, _ = run.day_of(t)
    stakh = shop_stakhanovite_share(pop.n, pop.state, pop.shop, pop.role, pop.stakh, shops.n)
    rise, _ = revise_norms(
        shops, stakh, pol["discipline"], pol["norm_drive"], pol["campaign"], s.norms,
        s.meetings.foreman_deal, run.keys["norms", "shop"], day,
    )  # fmt: skip
    shops.g_pulse[:] += s.grievance.norm_rise * rise


def plan_step(run, t: int) -> None:
    """The ``plan`` step (31 December): next year's target by :func:`ratchet` from the
    year's output, annualised over the days of the plan year.
    """
    fac, ints = run.world.fac, run.S.day.ints
    annualised = fac.output_y * 365.0 / max(int(ints[I_YEAR_DAYS]) + 1, 1)
    fac.target_annual[:] = ratchet(
        fac.target_annual, annualised, float(run.S.cal.tempo[t]), run.s.plan.lam
    )
    fac.output_y[:] = 0.0
    ints[I_YEAR_DAYS] = -1
