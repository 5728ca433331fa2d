"""Production by sums (draws.labour = "clocks"): what the sums make equals what the model's
definition makes person by person.

Each day of a run, after production, the day's output and workdays of each factory are
recomputed here from the model's own formulas (docs/ODD.md, "Effort, storming and output"),
person by person, from everyone's grievance by its closed form and the day's absences; the
end-of-day stocks likewise; and each month's banked output of everyone present all month is
checked against the sum of their daily outputs.
"""

import numpy as np
import pytest

from treugolnik import load_scenario
from treugolnik.engine import Simulation
from treugolnik.errors import ScenarioError
from treugolnik.mechanisms import sums as sm
from treugolnik.population import DEAD, EMPLOYED, WORKER
from treugolnik.state import C
from treugolnik.stocks import load_day_sums


class Check:
    """Follows a step-by-step run and keeps the largest disagreements."""

    def __init__(self, sim):
        self.sim = sim
        self.worst = dict(
            output=0.0, workdays=0.0, pay=0.0, grievance=0.0, headcount=0.0, banked=0.0,
            banked_pay=0.0,
        )  # fmt: skip
        self.days_checked = 0
        self.banked_people = 0
        self.daily = {}  # pid -> this month's output, person by person
        self.daily_pay = {}  # pid -> this month's pay, person by person

    def __call__(self, name, t, when):
        sim = self.sim
        P, S = sim.world.pop, sim.S
        if name == "labour" and when == "after":
            n = P.n
            self.n = n
            self.absent = P.absent[:n].copy()
            self.injured = P.injured_until[:n].copy()
        elif name == "production" and when == "before":
            self.prev = sim.world.shops.effort_prev.copy()
        elif name == "production" and when == "after":
            self.after_production(t)
        elif name == "settle" and when == "after" and S.cal.doms[t] == S.cal.dims[t]:
            self.month_end(t)

    def after_production(self, t):
        sim, P, S = self.sim, self.sim.world.pop, self.sim.S
        sh, fa, cal = sim.world.shops, S.fac, S.cal
        pr, gr = S.par.production, S.par.grievance
        day, m = int(cal.days[t]), self.n
        E = sh.basis[sm.B_E]
        rest = (day + P.pid[:m]) % 5 != 0 if cal.cal_code[t] == 1 else bool(cal.common[t])
        # at work: employed after the day's arrests (or killed at work today), not injured
        # before today, scheduled, not absent
        state = P.state[:m]
        there = (state == EMPLOYED) | ((state == DEAD) & (P.left[:m] == day))
        work = there & (self.injured <= day) & rest & ((self.absent & 1) == 0)
        s, f = P.shop[:m].astype(np.int64), P.factory[:m].astype(np.int64)
        g_star = gr.pay_gap / gr.decay * P.pay_short[:m].astype(np.float64)
        g = sh.level_g[s] + g_star + P.gx[:m] * E
        base = P.e0[:m] + pr.shock_bonus * P.shock[:m] + pr.stakhanovite_bonus * P.stakh[:m]
        effort = (
            base
            + pr.b_campaign * cal.campaign[t] * P.c[:m]
            + pr.b_peer * (self.prev[s] - base)
            - pr.b_grievance * g
            + fa.storm[f]
        )
        effort = np.clip(effort, 0.0, pr.e_max)
        supply = 1.0 - pr.supply_lag if cal.doms[t] <= 10 else 1.0
        K = sh.A[s] * cal.hours[t] * (1.0 - fa.disruption[f]) * supply
        out = np.where(P.role[:m] == WORKER, P.skill[:m] * effort * K, 0.0) * work
        # pay: a worker's piece rate on the shop's norm, with the Stakhanovite bonus; the
        # others' salaries by their role's multiple of the tariff
        tariff = S.par.pay.tariff * cal.wage_index[t]
        nh = sh.norm[s] * cal.hours[t]
        bonus = 1.0 + S.par.pay.stakhanovite_bonus * P.stakh[:m]
        piece = tariff * fa.pay_mult[f] * out / nh * bonus
        salary = tariff * S.day.role_mult[P.role[:m].astype(np.int64)]
        pay = np.where(P.role[:m] == WORKER, piece, salary) * work
        nf = fa.output_m.shape[0]
        made = np.bincount(f, out, minlength=nf)
        paid = np.bincount(f, pay, minlength=nf)
        wd = np.bincount(f, work.astype(float), minlength=nf)
        # the day's newcomers work their first day as the table holds them
        new = np.arange(m, P.n)
        if new.size:
            rest_n = (day + P.pid[new]) % 5 != 0 if cal.cal_code[t] == 1 else bool(cal.common[t])
            w_n = ((P.state[new] == EMPLOYED) | (P.left[new] == day)) & rest_n
            s_n, f_n = P.shop[new].astype(np.int64), P.factory[new].astype(np.int64)
            b_n = P.e0[new] + pr.shock_bonus * P.shock[new] + pr.stakhanovite_bonus * P.stakh[new]
            e_n = (
                b_n
                + pr.b_campaign * cal.campaign[t] * P.c[new]
                + pr.b_peer * (self.prev[s_n] - b_n)
                - pr.b_grievance * P.g[new]
                + fa.storm[f_n]
            )
            e_n = np.clip(e_n, 0.0, pr.e_max)
            K_n = sh.A[s_n] * cal.hours[t] * (1.0 - fa.disruption[f_n]) * supply
            o_n = np.where(P.role[new] == WORKER, P.skill[new] * e_n * K_n, 0.0) * w_n
            p_n = np.where(
                P.role[new] == WORKER,
                tariff * fa.pay_mult[f_n] * o_n / (sh.norm[s_n] * cal.hours[t])
                * (1.0 + S.par.pay.stakhanovite_bonus * P.stakh[new]),
                tariff * S.day.role_mult[P.role[new].astype(np.int64)],
            ) * w_n  # fmt: skip
            made += np.bincount(f_n, o_n, minlength=nf)
            paid += np.bincount(f_n, p_n, minlength=nf)
            wd += np.bincount(f_n, w_n.astype(float), minlength=nf)
        today = S.day.today
        rel = np.abs(today[:, C["output"]] - made) / np.maximum(made, 1e-9)
        self.worst["output"] = max(self.worst["output"], float(rel.max()))
        self.worst["workdays"] = max(
            self.worst["workdays"], float(np.abs(today[:, C["workdays"]] - wd).max())
        )
        rel = np.abs(today[:, C["pay_nominal"]] - paid) / np.maximum(paid, 1e-9)
        self.worst["pay"] = max(self.worst["pay"], float(rel.max()))
        self.days_checked += 1
        for i in np.flatnonzero(work):
            pid = int(P.pid[i])
            self.daily[pid] = self.daily.get(pid, 0.0) + out[i]
            self.daily_pay[pid] = self.daily_pay.get(pid, 0.0) + pay[i]
        n = P.n
        emp = P.state[:n] == EMPLOYED
        s2, f2 = P.shop[:n].astype(np.int64), P.factory[:n].astype(np.int64)
        g2 = (
            sh.level_g[s2]
            + gr.pay_gap / gr.decay * P.pay_short[:n].astype(np.float64)
            + P.gx[:n] * E
        )
        gs = np.bincount(f2[emp], g2[emp], minlength=nf)
        hc = np.bincount(f2[emp], minlength=nf)
        for ff in range(nf):
            h, _, gsum, _, _ = load_day_sums(S.day.day_stocks, ff)
            self.worst["grievance"] = max(
                self.worst["grievance"], abs(gsum - gs[ff]) / max(gs[ff], 1e-9)
            )
            self.worst["headcount"] = max(self.worst["headcount"], abs(h - hc[ff]))

    def month_end(self, t):
        P = self.sim.world.pop
        day = int(self.sim.S.cal.days[t])
        for i in range(P.n):
            pid = int(P.pid[i])
            # everyone employed all month (hired before it began)
            if P.state[i] == EMPLOYED and P.hired[i] < day - 40 and pid in self.daily:
                want = self.daily[pid]
                rel = abs(float(P.out_m[i]) - want) / max(want, 1e-9)
                self.worst["banked"] = max(self.worst["banked"], rel)
                want = self.daily_pay[pid]
                rel = abs(float(P.pay_m[i]) - want) / max(want, 1e-9)
                self.worst["banked_pay"] = max(self.worst["banked_pay"], rel)
                self.banked_people += 1
        self.daily.clear()
        self.daily_pay.clear()


@pytest.fixture(scope="module")
def checked():
    # 1937 to 1938: the Great Terror's arrests and promotions, meetings, the party's purges
    scenario = load_scenario(
        "kirov-small",
        sets=["period.start=1937-01-01", "period.end=1937-12-31", "draws.labour=clocks"],
    )
    sim = Simulation(scenario, step_by_step=True)
    check = Check(sim)
    sim.on_step = check
    sim.run()
    return check


def test_the_sums_make_each_days_output_and_workdays_as_person_by_person(checked):
    assert checked.days_checked > 200
    assert checked.worst["output"] < 1e-9
    assert checked.worst["workdays"] == 0.0
    assert checked.worst["pay"] < 1e-9


def test_the_days_stocks_from_the_sums_are_everyones_closed_form(checked):
    assert checked.worst["headcount"] == 0.0
    assert checked.worst["grievance"] < 1e-9


def test_a_months_banked_output_is_the_sum_of_the_persons_days(checked):
    """Banked at the touches and the month's end from the shop's cumulative series; stored
    in single precision (a relative error of about 6e-8 a step)."""
    assert checked.banked_people > 5000
    assert checked.worst["banked"] < 1e-5
    assert checked.worst["banked_pay"] < 1e-5


def test_the_closed_form_needs_a_decay_between_0_and_1():
    for key in ("grievance.decay=0", "fear.decay=1"):
        with pytest.raises(ScenarioError, match="closed form"):
            load_scenario("kirov-small", sets=["draws.labour=clocks", key])
