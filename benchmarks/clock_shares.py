"""How many person-days would the shops' hazard clocks visit, on a run of the model?

    python benchmarks/clock_shares.py                          # kirov, 1928-1941, ~15 s
    python benchmarks/clock_shares.py kirov-small period.end=1933-12-31

An analysis, not the model. The run is made step by step with today's engine; after each
day's labour step this script takes the day's state and asks what the design of "The shops'
hazard clocks" (docs/PERFORMANCE.md) would have done with it:

* each employed person holds two person terms, ``h_a`` (absence) and ``h_q`` (quit), set from
  their state at their last touch (a visit, or the month's first day, when everyone is
  touched); every shop has daily group terms ``G_a`` and ``G_q`` (the constant, enforcement,
  clash pressure, tightness, penalties, and the shop's accumulated grievance and fear pulses);
* the bound ``h + G`` is at least the person's logit on every later day of the month, if
  nothing but the shop's pulses moved their grievance and fear: grievance is held under
  ``g* + (g(tau) - P(tau) - g*) a^(t - tau)`` at its highest over the month, plus the shop's
  pulse level ``P(t)`` (``g*`` the level the pay shortfall pulls towards), fear over its
  lowest;
* a day is a candidate with probability ``1 - exp(-exp(h + G))``, which is at least the
  logistic probability: a person's clock in its shop's cumulative intensity makes those
  candidates exactly; a candidate of either kind is a visit, and a visit touches the person
  (new person terms);
* a day where the logit is above its bound is a *violation*: something other than the shop's
  pulses raised the person's terms since their last touch (the design would touch them when
  that happens); it is counted, and treated as a visit.

The bounds assume that the coefficients of grievance and fear in both logits are not
negative, as in the bundled scenarios (``coefficient_signs`` refuses others).

Candidates are drawn here with NumPy's generator (only their number matters). Shares are of
the person-days of people employed after the day's labour step (the day's quitters and
dismissed are left out; they are about 0.2 % of person-days); "expected" events are the sums
of the day's probabilities.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from treugolnik import load_scenario
from treugolnik.engine import Simulation
from treugolnik.errors import ScenarioError
from treugolnik.population import CANDIDATE, EMPLOYED, MEMBER

# A logit above its bound by less than this is not a violation: the engine stores grievance
# and fear in single precision (a relative error of 6e-8), which the bound, made in double
# precision from the stored values, does not allow for.
TOLERANCE = 1e-6


def coefficient_signs(scenario) -> None:
    """Refuse coefficients of grievance, fear or tenure below 0: the bounds here take each
    term at the end of its range that raises the log-odds for coefficients of 0 or more."""
    ab, tv = scenario.absence, scenario.turnover
    for name, value in (("absence.a_grievance", ab.a_grievance), ("absence.a_fear", ab.a_fear),
                        ("turnover.q_grievance", tv.q_grievance),
                        ("turnover.q_tenure", tv.q_tenure)):  # fmt: skip
        if value < 0:
            raise ValueError(f"{name} = {value}: this analysis needs 0 or more")


class Shares:
    """The hook that follows a step-by-step run (``Simulation.on_step``)."""

    def __init__(self, sim: Simulation, seed: int = 5):
        self.sim = sim
        S = sim.S
        self.ab, self.tv = S.par.absence, S.par.turnover
        self.decay_g, self.decay_phi = S.par.grievance.decay, S.par.fear.decay
        self.pay_gap = S.par.grievance.pay_gap
        w = sim.world
        n_shops = w.shops.clash.shape[0]
        self.fac_of_shop = np.arange(n_shops) // w.shops_per_factory
        self.P_g = np.zeros(n_shops)  # the shops' accumulated grievance pulses
        self.P_phi = np.zeros(n_shops)  # and fear pulses
        self.h_a = self.h_q = np.zeros(0)
        self.rng = np.random.default_rng(seed)
        self.n = dict.fromkeys(
            ("employed", "scheduled", "absence_candidates", "quit_candidates", "visits",
             "touched_on_the_first", "violations", "violations_after_meeting",
             "violations_after_meeting_grievance_at_zero", "violations_other",
             "visits_but_at_floor_or_ceiling",
             "violations_grievance_at_zero", "violations_fear_at_one"), 0)  # fmt: skip
        self.expected_absences = self.expected_quits = 0.0

    def __call__(self, name: str, t: int, when: str) -> None:
        if name != "labour":
            return
        if when == "before":  # the pulses labour takes up today
            sh, fa = self.sim.world.shops, self.sim.world.fac
            self.P_g[:] = self.P_g * (1 - self.decay_g) + sh.g_pulse + fa.g_pulse[self.fac_of_shop]
            self.P_phi[:] = (
                self.P_phi * (1 - self.decay_phi) + sh.fear_pulse + fa.fear_pulse[self.fac_of_shop]
            )
            return
        self.after_labour(t)

    def after_labour(self, t: int) -> None:
        sim, ab, tv = self.sim, self.ab, self.tv
        P, w, cal = sim.world.pop, sim.world, sim.S.cal
        n, day, dom, dim = P.n, cal.days[t], cal.doms[t], cal.dims[t]
        emp = P.state[:n] == EMPLOYED
        f, s = P.factory[:n].astype(np.int64), P.shop[:n].astype(np.int64)
        g, phi = P.g[:n].astype(np.float64), P.phi[:n].astype(np.float64)
        village = P.village[:n].astype(np.float64)
        party = ((P.party[:n] == MEMBER) | (P.party[:n] == CANDIDATE)).astype(np.float64)
        log_tenure = np.log1p(np.maximum(day - P.hired[:n], 0) / 365.0)
        rest = (day + P.pid[:n]) % 5 != 0 if cal.cal_code[t] == 1 else bool(cal.common[t])
        scheduled = emp & (P.injured_until[:n] <= day) & rest
        enforcement = cal.absence_penalty[t] * w.fac.will[f]
        tight = sim.S.day.tight[f]
        x_a = (ab.a0 + ab.a_grievance * g - ab.a_enforcement * enforcement - ab.a_fear * phi
               + ab.a_village * village + ab.a_clash * w.shops.clash[s])  # fmt: skip
        x_q = (tv.q0 + tv.q_grievance * g + tv.q_tightness * tight
               - tv.q_penalty * cal.quit_penalty[t] - tv.q_tenure * log_tenure
               - tv.q_party * party + tv.q_village * village)  # fmt: skip
        G_a = (ab.a0 - ab.a_enforcement * enforcement + ab.a_clash * w.shops.clash[s]
               + ab.a_grievance * self.P_g[s] - ab.a_fear * self.P_phi[s])  # fmt: skip
        G_q = (tv.q0 + tv.q_tightness * tight - tv.q_penalty * cal.quit_penalty[t]
               + tv.q_grievance * self.P_g[s])  # fmt: skip
        left = dim - dom  # days to the month's end, when everyone is touched again

        def terms(idx):
            g_star = self.pay_gap * P.pay_short[idx].astype(np.float64) / self.decay_g
            c = g[idx] - self.P_g[s[idx]] - g_star
            g_top = g_star + np.where(c >= 0, c, c * (1 - self.decay_g) ** left)
            d = phi[idx] - self.P_phi[s[idx]]
            phi_low = np.where(d >= 0, d * (1 - self.decay_phi) ** left, d)
            h_a = ab.a_grievance * g_top - ab.a_fear * phi_low + ab.a_village * village[idx]
            h_q = (tv.q_grievance * g_top - tv.q_tenure * log_tenure[idx]
                   - tv.q_party * party[idx] + tv.q_village * village[idx])  # fmt: skip
            return h_a, h_q

        if dom == 1 or self.h_a.shape[0] == 0:  # everyone touched, before the day's draws
            self.h_a, self.h_q = terms(np.arange(n))
            self.n["touched_on_the_first"] += int(emp.sum())
        elif n > self.h_a.shape[0]:  # today's hires: touched on their first day
            h_a, h_q = terms(np.arange(self.h_a.shape[0], n))
            self.h_a, self.h_q = np.concatenate([self.h_a, h_a]), np.concatenate([self.h_q, h_q])
        b_a, b_q = self.h_a[:n] + G_a, self.h_q[:n] + G_q
        viol = (scheduled & (x_a > b_a + TOLERANCE)) | (emp & (x_q > b_q + TOLERANCE))
        cand_a = scheduled & (self.rng.random(n) < -np.expm1(-np.exp(b_a)))
        cand_q = emp & (self.rng.random(n) < -np.expm1(-np.exp(b_q)))
        visit = cand_a | cand_q | viol
        k = self.n
        k["employed"] += int(emp.sum())
        k["scheduled"] += int(scheduled.sum())
        k["absence_candidates"] += int(cand_a.sum())
        k["quit_candidates"] += int(cand_q.sum())
        k["visits"] += int(visit.sum())
        k["violations"] += int(viol.sum())
        k["violations_after_meeting"] += int(viol.sum()) if dom == 26 else 0
        k["violations_after_meeting_grievance_at_zero"] += (
            int((viol & (g == 0)).sum()) if dom == 26 else 0
        )
        k["violations_grievance_at_zero"] += int((viol & (g == 0)).sum())
        k["violations_fear_at_one"] += int((viol & (phi >= 0.999)).sum())
        other = viol & (g != 0) & (phi < 0.999)  # neither at grievance's floor nor fear's ceiling
        k["violations_other"] += int(other.sum())
        k["visits_but_at_floor_or_ceiling"] += int((cand_a | cand_q | other).sum())
        self.expected_absences += float((1 / (1 + np.exp(-x_a)))[scheduled].sum())
        self.expected_quits += float((1 / (1 + np.exp(-x_q)))[emp].sum())
        idx = np.flatnonzero(visit)
        if idx.size:
            self.h_a[idx], self.h_q[idx] = terms(idx)


def main() -> None:
    scenario = sys.argv[1] if len(sys.argv) > 1 else "kirov"
    try:
        sim = Simulation(load_scenario(scenario, sets=sys.argv[2:]), step_by_step=True)
        coefficient_signs(sim.s)
    except (ScenarioError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    shares = Shares(sim)
    sim.on_step = shares
    t0 = time.perf_counter()
    sim.run()
    k = shares.n
    per = 100.0 / k["employed"]
    print(f"{scenario}: {k['employed']:,} employed person-days "
          f"({time.perf_counter() - t0:.0f} s); shares in % of them")  # fmt: skip
    print(f"  expected absences      {shares.expected_absences * per:.3f}")
    print(f"  absence candidates     {k['absence_candidates'] * per:.3f}")
    print(f"  expected quits         {shares.expected_quits * per:.3f}")
    print(f"  quit candidates        {k['quit_candidates'] * per:.3f}")
    print(f"  violations             {k['violations'] * per:.3f}")
    print(f"    on the day after the meeting         {k['violations_after_meeting'] * per:.3f}")
    print(f"    grievance at 0                       {k['violations_grievance_at_zero'] * per:.3f}")
    print(
        f"    both                                 "
        f"{k['violations_after_meeting_grievance_at_zero'] * per:.3f}"
    )
    print(f"    fear at 1                            {k['violations_fear_at_one'] * per:.3f}")
    print(f"    neither                              {k['violations_other'] * per:.3f}")
    print(f"  visits (either, or a violation)  {k['visits'] * per:.3f}")
    print(f"  the same without the violations at grievance's floor or fear's ceiling  "
          f"{k['visits_but_at_floor_or_ceiling'] * per:.3f}")  # fmt: skip
    print(f"  touched on a month's first day   {k['touched_on_the_first'] * per:.3f}")


if __name__ == "__main__":
    main()
