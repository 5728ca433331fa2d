"""The reference implementation: the same model written the way a Mesa 3 user would.

One ``mesa.Agent`` per employee, methods for each daily mechanism, the factory's state on the
model, Python loops everywhere, NumPy's ``Generator`` (Mesa's ``model.rng``) for chance. It reads
the same scenario and timeline as the engine and implements the same submodels (docs/ODD.md
section 7) from their formulas, not from the engine's code: the engine never imports it, and the
docking tests (``pytest -m docking``) compare the two as distributions over seeds.

It supports one factory (the kirov scenarios). It is slow on purpose only in the sense that it
is written plainly; ``benchmarks/run.py`` measures the engine against it.
"""

from __future__ import annotations

import calendar as _cal
import datetime as _dt
import math

import mesa
import numpy as np
import polars as pl

from ..mechanisms.meetings import (
    CHARGE_TOPIC,
    FRAMES,
    MANAGEMENT_VARIABLES,
    PARTY_BUSINESS,
    RANK,
    STAKE,
    TOPIC_HEAT,
    campaign_title,
    general_month,
)
from ..mechanisms.repression import POLITICAL, choose_charge
from ..scenario.schema import Scenario
from ..timeline import EPOCH, build_policy, working_calendar

WORKER, FOREMAN, SPECIALIST, MANAGER = 0, 1, 2, 3
NONPARTY, CANDIDATE, MEMBER, EXPELLED = 0, 1, 2, 3


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


class Employee(mesa.Agent):
    """One person of the plant."""

    def __init__(
        self,
        model: TriangleModel,
        role: int,
        day: int,
        *,
        tenure_days: int = 0,
        village_share: float = 0.0,
        skill=None,
        consciousness=None,
    ):
        super().__init__(model)
        rng = model.rng
        s = model.s
        self.role = role
        self.shop = int(rng.integers(0, s.factories.shops))
        self.village = 1 if (role == WORKER and rng.random() < village_share) else 0
        sk = rng.beta((skill or s.factories.skill).alpha, (skill or s.factories.skill).beta)
        cd = consciousness or s.factories.consciousness
        c = rng.beta(cd.alpha, cd.beta)
        if role != WORKER:
            sk, c = 0.5 + 0.5 * sk, min(1.0, c + 0.2)
        self.skill, self.c = float(sk), float(c)
        self.e0 = max(0.3, s.production.e0 + s.production.e_sd * rng.standard_normal())
        self.hired = day - int(rng.random() * tenure_days)
        self.party, self.party_since = NONPARTY, day
        self.g, self.phi, self.effort = 0.1, 0.0, 0.0
        self.out_m = self.pay_m = 0.0
        self.days_m = 0
        self.shock = self.stakh = 0
        self.inst = 0
        self.accused = 0
        self.last_accused = -1
        self.injured_until = -1
        self.absent = False
        self.pay_short = 0.0

    # ---------------------------------------------------------------- daily
    def scheduled(self, day: int) -> bool:
        m = self.model
        if m.cal_code == 1:
            return (day + self.unique_id) % 5 != 0
        return m.common_day

    def labour(self, day: int) -> None:
        m, s = self.model, self.model.s
        a, tv, gr = s.absence, s.turnover, s.grievance
        self.g = min(
            max(
                self.g * (1 - gr.decay)
                + gr.pay_gap * self.pay_short
                + m.shop_g[self.shop]
                + m.fac_g,
                0.0,
            ),
            gr.g_max,
        )
        self.phi = min(
            max(self.phi * (1 - s.fear.decay) + m.shop_fear[self.shop] + m.fac_fear, 0.0), 1.0
        )
        self.absent = False
        pol = m.pol
        if self.injured_until <= day and self.scheduled(day):
            m.today["scheduled"] += 1
            x = (
                a.a0
                + a.a_grievance * self.g
                - a.a_enforcement * pol["absence_penalty"] * m.will
                - a.a_fear * self.phi
                + a.a_village * self.village
                + a.a_clash * m.shop_clash[self.shop]
            )
            if m.rng.random() < sigmoid(x):
                self.absent = True
                m.today["absent"] += 1
                if pol["prosecution"] > 0.5:
                    if m.rng.random() < a.prosecute_p * m.will:
                        m.today["prosecutions_absence"] += 1
                elif m.rng.random() < a.dismiss_p * pol["absence_penalty"] * m.will:
                    m.leave(self, "dismissals")
                    return
        tenure = max((day - self.hired) / 365.0, 0.0)
        party = 1.0 if self.party in (CANDIDATE, MEMBER) else 0.0
        xq = (
            tv.q0
            + tv.q_grievance * self.g
            + tv.q_tightness * m.tight
            - tv.q_penalty * pol["quit_penalty"]
            - tv.q_tenure * math.log1p(tenure)
            - tv.q_party * party
            + tv.q_village * self.village
        )
        if m.rng.random() < sigmoid(xq):
            if pol["prosecution"] > 0.5 and m.rng.random() < a.prosecute_quit_p:
                m.today["prosecutions_quitting"] += 1
            m.leave(self, "quits")

    def work(self, day: int) -> None:
        m, s = self.model, self.model.s
        if self.absent or self.injured_until > day or not self.scheduled(day):
            self.effort = 0.0
            return
        pr, ac = s.production, s.accidents
        base = self.e0 + pr.shock_bonus * self.shock + pr.stakhanovite_bonus * self.stakh
        e = (
            base
            + pr.b_campaign * m.pol["campaign"] * self.c
            + pr.b_peer * (m.shop_effort_prev[self.shop] - base)
            - pr.b_grievance * self.g
            + m.storm
        )
        e = min(max(e, 0.0), pr.e_max)
        self.effort = e
        m.shop_effort_sum[self.shop] += e
        m.shop_effort_n[self.shop] += 1
        hours = m.pol["hours"]
        out = 0.0
        if self.role == WORKER:
            out = self.skill * e * m.shop_A[self.shop] * hours * (1 - m.disruption) * m.supply
        self.out_m += out
        self.days_m += 1
        m.output_m += out
        m.today["output"] += out
        m.today["workdays"] += 1
        nh = m.shop_norm[self.shop] * hours
        if self.role == WORKER:
            m.shop_out_q[self.shop] += out
            m.shop_nh_q[self.shop] += nh
            pay = m.tariff * m.pay_mult * out / nh * (1 + s.pay.stakhanovite_bonus * self.stakh)
        else:
            pay = m.tariff * m.role_mult[self.role]
        self.pay_m += pay
        m.today["pay_total"] += pay
        p_acc = (
            ac.p0
            * math.exp(ac.k * max(0.0, e - ac.e_safe))
            * (1 - m.shop_safety[self.shop])
            * (1 + ac.storm_factor * m.storm)
        )
        if m.rng.random() < p_acc:
            m.today["accidents"] += 1
            m.shop_acc[self.shop] += 1
            length = 1 + int(math.log(1 - m.rng.random()) / math.log(1 - 1 / ac.injury_days))
            self.injured_until = day + 1 + length
            m.new_accidents.append(self.shop)
            if m.rng.random() < ac.death_share:
                m.shop_deaths[self.shop] += 1
                m.leave(self, "deaths")


class TriangleModel(mesa.Model):
    """The plant as a Mesa model; ``run()`` returns monthly aggregates (Polars)."""

    def __init__(self, scenario: Scenario, seed: int | None = None):
        super().__init__(seed=scenario.seed if seed is None else seed)
        if scenario.factories.count != 1:
            raise ValueError("the reference implementation models one factory")
        self.s = s = scenario
        self.policy = build_policy(scenario)
        self.codes, self.commons = working_calendar(self.policy)
        S = s.factories.shops
        day0 = (s.period.start - EPOCH).days
        mix = s.factories.role_mix
        size = s.factories.size
        counts = [
            max(1, round(size * x)) for x in (mix.worker, mix.foreman, mix.specialist, mix.manager)
        ]
        counts[0] = size - sum(counts[1:])
        for role, k in enumerate(counts):
            for _ in range(k):
                Employee(
                    self, role, day0, tenure_days=3650, village_share=s.factories.village_share
                )
        people = list(self.agents)
        score = {a: a.c + 0.3 * self.rng.random() for a in people}
        ranked = sorted(people, key=lambda a: -score[a])
        fs = s.factories
        n_mem = round(fs.party_share * len(people))
        n_cand = round(fs.candidate_share * len(people))
        chosen = []
        shares = ((SPECIALIST, fs.specialist_party_share), (MANAGER, fs.manager_party_share))
        for role, share in shares:
            of_role = [a for a in ranked if a.role == role]
            k = min(round(share * len(of_role)), n_mem)
            chosen += of_role[:k]
            n_mem -= k
        bench = [a for a in ranked if a.role <= FOREMAN]
        chosen += bench[:n_mem]
        for a in chosen:
            a.party, a.party_since = MEMBER, day0 - int(self.rng.random() * 1825)
        for a in bench[n_mem : n_mem + n_cand]:
            a.party, a.party_since = CANDIDATE, day0 - int(self.rng.random() * 300)
        supply = 1 - s.production.supply_lag * 10 / 30
        caps = [[] for _ in range(S)]
        for a in people:
            if a.role == WORKER:
                caps[a.shop].append(a.skill * a.e0)
        self.shop_norm = [(np.mean(c) if c else 0.5) * supply / 1.15 for c in caps]
        self.norm0 = list(self.shop_norm)
        self.shop_A = [1.0] * S
        self.shop_safety = [s.accidents.safety0] * S
        self.shop_effort_prev = [s.production.e0] * S
        self.shop_clash = [0.0] * S
        self.shop_g = [0.0] * S
        self.shop_fear = [0.0] * S
        self.shop_acc = [0.0] * S
        self.shop_deaths = [0.0] * S
        self.shop_out_q = [0.0] * S
        self.shop_nh_q = [0.0] * S
        self.norm_pause = [False] * S
        self.norm_rose = [0.0] * S
        self.fac_g = self.fac_fear = 0.0
        hours = self.policy.values["hours"][0]
        daily = sum(a.skill * a.e0 for a in people if a.role == WORKER) * hours * supply * 0.95
        self.target_annual = daily * (6 / 7) * 365 * s.plan.initial_fulfilment
        self.output_y = self.output_m = 0.0
        self.plan_m = 0.0
        self.fulfilment_last = 1.0
        self.authority, self.will, self.pay_mult = 1.0, 0.6, 1.0
        self.disruption = self.vydv = 0.0
        self.inst_share = 0.0
        self.year_days = 0
        self.findings = 0
        self.pending: list = []
        self.month_abs = [0.0, 0.0]
        self.size0 = float(size)
        self.role_mult = [1.0, s.pay.foreman, s.pay.specialist, s.pay.manager]
        self.rows: list[dict] = []
        self.secretary = self.chair = self.director = None

    # ---------------------------------------------------------------- helpers
    def employees(self):
        return list(self.agents)

    def leave(self, agent: Employee, why: str) -> None:
        self.today[why] += 1
        agent.remove()

    def run(self) -> pl.DataFrame:
        for t in range(self.policy.n_days):
            self.step_day(t)
        return self.monthly()

    # ---------------------------------------------------------------- the day
    def step_day(self, t: int) -> None:
        s, date = self.s, self.policy.dates[t]
        day = (date - EPOCH).days
        dom, dim = date.day, _cal.monthrange(date.year, date.month)[1]
        self.pol = pol = {k: float(v[t]) for k, v in self.policy.values.items()}
        self.cal_code, self.common_day = int(self.codes[t]), bool(self.commons[t])
        self.today = dict.fromkeys(
            (
                "hires",
                "quits",
                "dismissals",
                "arrests",
                "deaths",
                "expulsions",
                "absent",
                "scheduled",
                "accidents",
                "output",
                "workdays",
                "pay_total",
                "items",
                "workers_won",
                "accusations",
                "accusations_political",
                "clashes",
                "proposals_adopted",
                "prosecutions_absence",
                "prosecutions_quitting",
                "meetings",
                "reinstatements",
            ),
            0.0,
        )
        prev = self.policy.values["absence_penalty"][t - 1] if t else pol["absence_penalty"]
        for _, event, _desc, _src in (d for d in self.policy.directives if d[0] == t):
            variables = {r.variable for r in self.policy.rows if r.event == event}
            self.pending.append(
                (event, "management" if variables & MANAGEMENT_VARIABLES else "workers")
            )
        head = len(self.agents)
        years = (date - s.period.start).days / 365.25
        target = self.size0 * (1 + s.factories.growth) ** years * (1 + s.hiring.safety_factor)
        vac = max(0.0, 1 - head / max(target, 1.0))
        self.tight = min(3.0, pol["tempo"] / 0.25 + 2 * vac)
        a = s.absence
        if pol["absence_penalty"] > prev + 1e-9:
            self.will = 1.0
        else:
            eq = a.will_base * (0.5 + 0.5 * pol["discipline"]) / (1 + a.will_vacancy * vac)
            self.will += a.will_rate * (eq - self.will)
        self.will = min(max(self.will, 0.0), 1.0)
        # labour
        for agent in self.employees():
            agent.labour(day)
        self.shop_g = [0.0] * s.factories.shops
        self.shop_fear = [0.0] * s.factories.shops
        self.fac_g = self.fac_fear = 0.0
        if dom == 1 and pol["specialist_baiting"] > 0:
            h = s.repression.ogpu_rate * pol["specialist_baiting"] * dim
            for agent in self.employees():
                if agent.role >= SPECIALIST:
                    w = 1 + (3 if agent.accused else 0)
                    if self.rng.random() < 1 - math.exp(-h * w):
                        self.arrest(agent, day)
        if pol["arrest_quota"] > 0:
            rate = s.repression.quota_rate * pol["arrest_quota"]
            for agent in self.employees():
                w = 1 + (3 if agent.accused else 0) + agent.village
                if self.rng.random() < rate * w:
                    self.arrest(agent, day)
        # hiring
        mix = s.factories.role_mix
        shares = (mix.worker, mix.foreman, mix.specialist, mix.manager)
        have = [0, 0, 0, 0]
        for agent in self.agents:
            have[agent.role] += 1
        for role in range(4):
            v = max(target * shares[role] - have[role], 0.0)
            rate = s.hiring.fill_rate * (pol["village_supply"] if role == WORKER else 1.0)
            k = int(math.floor(v * min(rate, 1.0) + self.rng.random()))
            for _ in range(k):
                Employee(
                    self,
                    role,
                    day,
                    village_share=min(1.0, s.hiring.village_share * pol["village_supply"]),
                    skill=s.hiring.newcomer_skill,
                    consciousness=s.hiring.newcomer_consciousness,
                )
                self.today["hires"] += 1
        # production
        pr = s.production
        if dom == 1:
            self.plan_m = self.target_annual * dim / 365.0
        if dom >= 21:
            gap = max(0.0, 1 - self.output_m / max(self.plan_m * dom / dim, 1e-9))
            self.storm = min(pr.storm_max, pr.storm_k * (gap + 0.25 * dom / dim))
        else:
            self.storm = 0.0
        self.supply = 1 - pr.supply_lag if dom <= 10 else 1.0
        self.disruption = min(0.5, self.inst_share * pr.disruption_institutions + self.vydv)
        self.vydv *= math.exp(-1 / s.repression.vydvizhenets_days)
        self.tariff = s.pay.tariff * self.policy.wage_index[t]
        self.shop_effort_sum = [0.0] * s.factories.shops
        self.shop_effort_n = [0] * s.factories.shops
        self.new_accidents = []
        for agent in self.employees():
            agent.work(day)
        for k in range(s.factories.shops):
            if self.shop_effort_n[k]:
                self.shop_effort_prev[k] = self.shop_effort_sum[k] / self.shop_effort_n[k]
        if self.new_accidents:
            sizes = [0] * s.factories.shops
            for agent in self.agents:
                sizes[agent.shop] += 1
            for sh in self.new_accidents:
                self.shop_g[sh] += s.accidents.grievance_shop * 100 / max(sizes[sh], 1)
        self.month_abs[0] += self.today["absent"]
        self.month_abs[1] += self.today["scheduled"]
        if dom == 15:
            self.institutions(day)
        if dom == 1:
            self.party_life(day, t, dim)
        if self.policy.elections:
            self.elections(t, day)
        if dom == 25:
            self.meeting(day)
        if dom == dim:
            self.month_end(t, day, date.month)
        if dom == dim and date.month == 12:
            annual = self.output_y * 365 / max(self.year_days + 1, 1)
            tempo = pol["tempo"]
            self.target_annual = max(
                annual, (1 - s.plan.lam) * self.target_annual + s.plan.lam * annual
            ) * (1 + tempo)
            self.output_y = 0.0
            self.year_days = -1
        self.output_y += self.today["output"]
        self.year_days += 1
        self.record(date)

    # ---------------------------------------------------------------- monthly
    def institutions(self, day: int) -> None:
        s, ip = self.s, self.s.institutions
        enabled = ip.enabled and not s.counterfactual.no_institutions
        S = s.factories.shops
        parts = [[] for _ in range(S)]
        for a in self.agents:
            if a.inst:
                parts[a.shop].append(a.c)
        leader = []
        for cs in parts:
            if not cs:
                leader.append(0.0)
                continue
            mean = sum(cs) / len(cs)
            top = [c for c in cs if c >= mean]
            leader.append(sum(top) / len(top))
        adopted = [0.0] * S
        clashes = [0.0] * S
        part = self.pol["participation"]
        for a in self.employees():
            if not enabled:
                a.inst = 0
                continue
            party = 1.0 if a.party in (CANDIDATE, MEMBER) else 0.0
            x = (
                ip.join0
                + ip.join_c * a.c
                + ip.join_party * party
                + ip.join_participation * part
                - ip.join_fear * a.phi
            )
            for b in range(3):
                bit = 1 << b
                off = -1.5 if bit == 2 else (-0.5 + a.skill if bit == 4 else 0.0)
                u = self.rng.random()
                if a.inst & bit:
                    if u < ip.leave:
                        a.inst &= ~bit
                elif u < sigmoid(x + off):
                    a.inst |= bit
            if not a.inst:
                continue
            if a.inst & 5 and self.rng.random() < ip.proposal_rate:  # noqa: SIM102
                if self.rng.random() < sigmoid(
                    ip.adopt0 + ip.adopt_participation * part - ip.adopt_authority * self.authority
                ):
                    adopted[a.shop] += 1
                    self.today["proposals_adopted"] += 1
            if a.inst & 2 and self.rng.random() < ip.finding_rate * (1 - 0.5 * self.authority):
                self.findings += 1
            if self.rng.random() < ip.clash_rate * a.c * (1 - a.phi) * (0.5 + part):
                clashes[a.shop] += 1
                self.today["clashes"] += 1
            a.c += ip.training * max(0.0, leader[a.shop] - a.c)
        sizes = [0] * S
        for a in self.agents:
            sizes[a.shop] += 1
        for k in range(S):
            n = max(sizes[k], 1)
            self.shop_A[k] *= 1 + ip.adopt_gain * adopted[k] / n
            self.shop_clash[k] = self.shop_clash[k] * (1 - ip.clash_decay) + clashes[k] / n
        members = sum(bin(a.inst).count("1") for a in self.agents)
        self.inst_share = members / max(len(self.agents), 1) / 3

    def party_life(self, day: int, t: int, dim: int) -> None:
        pp = self.s.party
        purge = self.policy.values["purge"]
        h = 0.0
        if purge[t] > 0:
            lo = t
            while lo > 0 and purge[lo - 1] == purge[t]:
                lo -= 1
            hi = t
            while hi + 1 < len(purge) and purge[hi + 1] == purge[t]:
                hi += 1
            h = -math.log(1 - min(purge[t], 0.99)) / (hi - lo + 1)

        def weight(a):
            w = (
                1.0
                + (pp.purge_passive if a.c < 0.35 else 0)
                + (pp.purge_accused if a.accused else 0)
            )
            return w + (pp.purge_recent if day - a.party_since < 365 else 0)

        members = [a for a in self.agents if a.party in (CANDIDATE, MEMBER)]
        mean_w = (sum(weight(a) for a in members) / len(members)) if members else 1.0
        rec, camp = self.pol["recruitment"], self.pol["campaign"]
        for a in self.employees():
            if a.party == NONPARTY and rec > 0:
                p = min(
                    0.5,
                    pp.recruit_rate
                    * rec
                    * math.exp(
                        pp.recruit_c * (a.c - 0.3)
                        + pp.recruit_shock * a.shock
                        + pp.recruit_stakhanovite * a.stakh
                    ),
                )
                if self.rng.random() < p:
                    a.party, a.party_since = CANDIDATE, day
            elif a.party == CANDIDATE and rec > 0 and day - a.party_since >= pp.candidacy_days:
                a.party, a.party_since = MEMBER, day
            elif (
                a.party == EXPELLED
                and self.pol["appeals"] > 0
                and day - a.party_since <= pp.appeal_window_days
                and self.rng.random() < 1 - math.exp(-pp.reinstate_rate * self.pol["appeals"] * dim)
            ):
                a.party, a.party_since = MEMBER, day
                self.today["reinstatements"] += 1
            if h > 0 and a.party in (CANDIDATE, MEMBER):  # noqa: SIM102
                if self.rng.random() < 1 - math.exp(-h * dim * weight(a) / mean_w):
                    a.party, a.party_since = EXPELLED, day
                    self.today["expulsions"] += 1
            if a.role == WORKER:
                if not a.shock:
                    if self.rng.random() < sigmoid(
                        pp.shock0 + pp.shock_campaign * camp + pp.shock_c * a.c
                    ):
                        a.shock = 1
                elif self.rng.random() < 0.04 + 0.06 * (1 - camp):
                    a.shock = 0
                if (
                    camp > 0.6
                    and not a.stakh
                    and self.rng.random()
                    < sigmoid(
                        pp.stakh0
                        + pp.stakh_campaign * camp
                        + pp.stakh_skill * a.skill
                        + 2 * a.shock
                    )
                ):
                    a.stakh = 1

    def _frame(self, names_fits: list, u: float) -> tuple:
        """A frame drawn with probability softmax(fit / frame_temperature) over
        ``names_fits`` ((side, name, fit) in order); temperature 0: the best fit (ties to the
        first).
        """
        tau = self.s.meetings.frame_temperature
        if tau <= 0:
            return max(names_fits, key=lambda x: x[2])
        top = max(x[2] for x in names_fits)
        w = np.array([math.exp((x[2] - top) / tau) for x in names_fits])
        return names_fits[int(np.searchsorted(np.cumsum(w), u * w.sum(), side="right"))]

    def _fits(self, side: str) -> list:
        return [(side, k, fn(self.pol)) for k, fn in FRAMES[side].items()]

    def _partkom(self, members: list) -> list:
        """The secretary, union chair and director; ``partkom_elected`` full members, the
        seats shared among the roles in proportion to the organisation (largest remainders),
        the most conscious of each role; each shop's delegate, its most conscious remaining
        full member at the bench (or of any role if the shop has none).
        """
        body = []
        for a in (self.secretary, self.chair, self.director):
            if a is not None and a not in body:
                body.append(a)
        full = sorted(
            (a for a in members if a.party == MEMBER and a not in body),
            key=lambda a: (-a.c, a.unique_id),
        )
        k = self.s.meetings.partkom_elected
        counts = [sum(1 for a in full if a.role == r) for r in range(4)]
        quota = [k * c / max(sum(counts), 1) for c in counts]
        seats = [math.floor(q) for q in quota]
        short = min(k, len(full)) - sum(seats)
        for r in sorted(range(4), key=lambda r: -(quota[r] - seats[r]))[: max(short, 0)]:
            seats[r] += 1
        elected = []
        for r in range(4):
            elected += [a for a in full if a.role == r][: seats[r]]
        body += [a for a in full if a in elected]
        rest = [a for a in full if a not in elected]
        best = {}
        for a in [a for a in rest if a.role <= FOREMAN] + [a for a in rest if a.role > FOREMAN]:
            best.setdefault(a.shop, a)
        delegates = set(best.values())
        body += [a for a in rest if a in delegates]
        return body

    def fill_posts(self, exclude=None) -> None:
        """The director, secretary and union chair where vacant; no one holds two of them
        (data/offices.csv), and ``exclude`` (a defeated holder) none.
        """
        members = [a for a in self.agents if a.party == MEMBER]

        def free(a):
            return a is not exclude and a not in (self.director, self.secretary, self.chair)

        if self.director is None or self.director not in self.agents:
            self.director = None
            cand = [a for a in self.agents if a.role == MANAGER and free(a)]
            self.director = max(cand, key=lambda a: a.skill) if cand else None
        if self.secretary is None or self.secretary not in self.agents:
            self.secretary = None
            cand = [a for a in members if a.role != MANAGER and free(a)]
            self.secretary = max(cand, key=lambda a: a.c) if cand else None
        if self.chair is None or self.chair not in self.agents:
            self.chair = None
            cand = [a for a in members if a.role <= FOREMAN and free(a)]
            self.chair = max(cand, key=lambda a: a.c * (1 - a.phi)) if cand else None

    def elections(self, t: int, day: int) -> None:
        """Elections of the day (timeline rows of kind ``election``): each voter votes against
        the holder with sigma(vote0 + vote_grievance g + vote_accused [accused] - vote_fear phi
        (1 - secret)); the holder goes when more than half vote against.
        """
        e = self.s.elections
        for k, office, secret in self.policy.elections:
            if k != t:
                continue
            self.fill_posts()
            attr = "secretary" if office == "secretary" else "chair"
            holder = getattr(self, attr)
            if holder is None:
                continue
            voters = [
                a for a in self.agents
                if a is not holder and (office != "secretary" or a.party == MEMBER)
            ]  # fmt: skip
            if not voters:
                continue
            against = sum(
                self.rng.random()
                < sigmoid(
                    e.vote0 + e.vote_grievance * a.g + e.vote_accused * (holder.accused > 0)
                    - e.vote_fear * a.phi * (1 - secret)
                )
                for a in voters
            ) / len(voters)  # fmt: skip
            if against > 0.5:
                setattr(self, attr, None)
                self.fill_posts(exclude=holder)

    def meeting(self, day: int) -> None:
        s, mp = self.s, self.s.meetings
        pol = self.pol
        date = EPOCH + _dt.timedelta(days=day)
        members = [a for a in self.agents if a.party in (CANDIDATE, MEMBER)]
        self.fill_posts()
        partkom = len(members) >= mp.partkom_threshold and not general_month(date, mp.general_every)
        body = self._partkom(members) if partkom else members
        present = [
            a
            for a in body
            if self.rng.random() < mp.attendance * (1 - 0.5 * a.phi) * (0.6 + 0.4 * a.c)
        ]
        self.today["meetings"] += 1
        acc = sum(self.shop_acc)
        items = []
        if self.fulfilment_last < 0.97:
            items.append("plan")
        pay_short = sum(a.pay_short for a in self.agents) / max(len(self.agents), 1)
        if max(self.norm_rose) > 0.005 or pay_short > 0.35:
            items.append("norms_pay")
        if acc >= max(2.0, len(self.agents) * s.accidents.p0 * 25 * 1.5):
            items.append("safety")
        if self.month_abs[0] / max(self.month_abs[1], 1) > 0.05 or pol["discipline"] >= 0.75:
            items.append("discipline")
        directives = self.pending
        items += ["directive"] * len(directives)
        if campaign_title(date, pol, self.rng.random(), mp.campaign_item):
            items.append("campaign")
        items += ["control_finding"] * min(self.findings, mp.findings_items)
        first = day - date.day + 1
        prev = (date.replace(day=1) - _dt.timedelta(days=1)).replace(day=date.day)
        since = day - (date - prev).days
        cases = [
            a
            for a in self.agents
            if a.party in (CANDIDATE, MEMBER, EXPELLED) and since <= a.last_accused < day
        ]
        items += ["personal_case"] * min(len(cases), mp.personal_cases)
        if any(a.party_since >= first for a in members):
            items.append("admissions")
        self.pending, self.findings = [], 0
        self.norm_rose = [0.0] * s.factories.shops
        d_i = 0
        for topic in items:
            self.today["items"] += 1
            w = (
                np.array(
                    [
                        a.c * (1 - a.phi) * STAKE[topic][a.role] * (1 + 0.5 * RANK[a.role])
                        for a in present
                    ]
                )
                + 1e-9
            )
            k = min(mp.speakers, len(present))
            speakers = (
                list(self.rng.choice(present, size=k, replace=False, p=w / w.sum())) if k else []
            )
            by_office = (
                self.secretary,
                self.chair if topic in ("norms_pay", "safety") else None,
                self.director if partkom and topic in ("plan", "control_finding") else None,
            )
            extra = []
            for a in by_office:  # nobody twice on one item
                if a is not None and a not in speakers and a not in extra:
                    extra.append(a)
            S = {"workers": 0.0, "management": 0.0}
            ranks = {"workers": [], "management": []}
            lead = {"workers": (None, -1.0), "management": (None, -1.0)}
            for a in speakers + extra:
                u = self.rng.random()
                if a is self.secretary:
                    both = self._fits("workers") + self._fits("management")
                    side, _, fit = self._frame(both, self.rng.random())
                else:
                    if a is self.chair:
                        stance = mp.union_stance * (1 - mp.union_turn * pol["union_production"])
                        side = "workers" if u < stance else "management"
                    elif a.role == WORKER:
                        side = "workers"
                    elif a.role == FOREMAN:
                        side = "workers" if u < 0.5 else "management"
                    else:
                        side = "management"
                    _, _, fit = self._frame(self._fits(side), self.rng.random())
                fit = max(fit, 0.0)
                office = a is self.secretary or a is self.chair
                rank = max(RANK[a.role], 1.5) if office else RANK[a.role]
                strength = a.c * fit * (1 + mp.rho * rank) * (1 - a.phi)
                S[side] += strength
                ranks[side].append(rank)
                if strength > lead[side][1] and a is not self.secretary:
                    lead[side] = (a, strength)
            gap = (np.mean(ranks["workers"]) if ranks["workers"] else 0.0) - (
                np.mean(ranks["management"]) if ranks["management"] else 0.0
            )
            tot = S["workers"] + S["management"] + 1e-9
            x = (
                mp.theta_frame * (S["workers"] - S["management"]) / tot
                + mp.theta_rank * gap
                + mp.bias
            )
            workers_win = self.rng.random() < sigmoid(x)
            binding = self.rng.random() < mp.binding
            self.resolve(topic, workers_win, binding, lead)
            if workers_win:
                self.today["workers_won"] += 1
            if topic == "directive":
                d_i += 1
            heat = abs(S["workers"] - S["management"]) / tot + TOPIC_HEAT[topic]
            if topic == "safety" and sum(self.shop_deaths) > 0:
                heat += 1
            xa = mp.acc0 + mp.acc_heat * heat + mp.acc_vigilance * pol["vigilance"] + mp.acc_loss
            if self.rng.random() < sigmoid(xa):
                loser = "management" if workers_win else "workers"
                target = lead[loser][0]
                if workers_win and (
                    target is None or topic in ("safety", "plan", "control_finding")
                ):
                    want = FOREMAN if topic == "safety" else MANAGER
                    pool = [a for a in self.agents if a.role == want]
                    target = pool[int(self.rng.random() * len(pool))] if pool else None
                if target is not None and target in self.agents:
                    charge = choose_charge(
                        CHARGE_TOPIC.get(topic, topic),
                        target.role,
                        target.accused,
                        pol["vigilance"],
                        pol["specialist_baiting"],
                        mp,
                        self.rng.random(),
                        self.rng.random(),
                    )
                    self.accuse(target, charge, day)

    def resolve(self, topic: str, workers_win: bool, binding: bool, lead: dict) -> None:
        mp, gp = self.s.meetings, self.s.grievance
        if not binding or topic in PARTY_BUSINESS:
            return
        if workers_win:
            self.fac_g -= 0.5 * gp.concession
            if topic == "norms_pay":
                self.norm_pause = [True] * self.s.factories.shops
                self.shop_norm = [n * (1 - mp.norm_rollback) for n in self.shop_norm]
                self.pay_mult *= 1 + mp.pay_correction
            elif topic == "safety":
                worst = int(np.argmax(self.shop_acc)) if sum(self.shop_acc) else None
                for k in [worst] if worst is not None else range(self.s.factories.shops):
                    self.shop_safety[k] += mp.safety_gain * (1 - self.shop_safety[k])
            elif topic == "discipline":
                self.will *= 1 - 0.5 * mp.will_gain
            elif topic == "control_finding":
                self.pay_mult *= 1 + 0.5 * mp.pay_correction
            self.authority = max(0.0, self.authority - mp.authority_loss)
            return
        self.authority += mp.authority_gain * (1 - self.authority)
        self.will += mp.will_gain * (1 - self.will)
        self.fac_g += 0.2 * gp.defeat
        critic = lead["workers"][0]
        if critic is not None:
            critic.g = min(critic.g + gp.defeat, gp.g_max)
            critic.phi = min(1.0, critic.phi + 0.05)

    def accuse(self, target: Employee, charge: str, day: int) -> None:
        rp, pol = self.s.repression, self.pol
        political = charge in POLITICAL
        self.today["accusations"] += 1
        self.today["accusations_political"] += political
        target.accused += 1
        target.last_accused = day
        target.g = min(target.g + 0.2, self.s.grievance.g_max)
        target.phi = min(1.0, target.phi + 0.1)
        if target.party in (CANDIDATE, MEMBER):
            x = (
                rp.expel0
                + rp.expel_political * political
                + rp.expel_vigilance * pol["vigilance"]
                - rp.expel_appeals * pol["appeals"]
            )
            u = self.rng.random()
            if u < sigmoid(x):
                target.party, target.party_since = EXPELLED, day
                self.today["expulsions"] += 1
            elif u < sigmoid(x) + 0.5 * (1 - sigmoid(x)) and target.role == MANAGER:
                self.authority = max(0.0, self.authority - 0.5 * self.s.meetings.authority_loss)
        if political:
            elite = target.role in (MANAGER, SPECIALIST)
            x = (
                rp.arrest0
                + rp.arrest_vigilance * pol["vigilance"]
                + rp.arrest_quota * pol["arrest_quota"]
                + elite * (rp.arrest_manager + rp.arrest_baiting * pol["specialist_baiting"])
            )
            if self.rng.random() < sigmoid(x):
                self.arrest(target, day)

    def arrest(self, agent: Employee, day: int) -> None:
        s = self.s
        self.shop_fear[agent.shop] += s.fear.shop_arrest
        self.fac_fear += s.fear.factory_arrest / max(len(self.agents), 1)
        role = agent.role
        self.leave(agent, "arrests")
        if role in (MANAGER, SPECIALIST):
            # promotion one rank up, and the post so vacated in turn, down to the bench
            vacated, moved = role, False
            while vacated > WORKER:
                pool = [a for a in self.agents if a.role == vacated - 1]
                if not pool:
                    break
                members = [a for a in pool if a.party == MEMBER]
                if (vacated == MANAGER or vacated - 1 == WORKER) and members:
                    pool = members
                if vacated - 1 == WORKER and members:
                    best = max(pool, key=lambda a: a.c + 1e-6 * a.skill)
                else:
                    best = max(pool, key=lambda a: a.skill + 1e-6 * a.c)
                best.role, moved = vacated, True
                vacated -= 1
            if moved:
                self.vydv += s.repression.vydvizhenets_penalty / max(len(self.agents) * 0.03, 1)

    def month_end(self, t: int, day: int, month: int) -> None:
        s = self.s
        self.fulfilment_last = self.output_m / max(self.plan_m, 1e-9)
        self.output_m = 0.0
        self.pay_mult = 1 + 0.9 * (self.pay_mult - 1)
        price = float(self.policy.price[t])
        for a in self.agents:
            if a.days_m > 0:
                a.skill += (1 - a.skill) * (1 - (1 - s.learning.skill_rate) ** a.days_m)
                real = a.pay_m / a.days_m / price
                a.pay_short = max(
                    0.0, 1 - real / (s.pay.tariff * self.role_mult[a.role] * s.pay.reference_real)
                )
            if a.party in (CANDIDATE, MEMBER):
                dim = _cal.monthrange(self.policy.dates[t].year, month)[1]
                a.c += (1 - a.c) * (1 - (1 - s.learning.party_schooling) ** dim)
            a.pay_m = a.out_m = 0.0
            a.days_m = 0
        self.shop_acc = [0.0] * s.factories.shops
        self.shop_deaths = [0.0] * s.factories.shops
        self.month_abs = [0.0, 0.0]
        if month in (3, 6, 9, 12):
            p, pol = s.norms, self.pol
            stakh = [0.0] * s.factories.shops
            cnt = [0] * s.factories.shops
            for a in self.agents:
                if a.role == WORKER:
                    cnt[a.shop] += 1
                    stakh[a.shop] += a.stakh
            for k in range(s.factories.shops):
                f = self.shop_out_q[k] / max(self.shop_nh_q[k], 1e-9)
                rise = (
                    p.nu
                    * max(0.0, f - p.min_overfulfilment)
                    * (pol["discipline"] + pol["norm_drive"])
                    + p.wage_fund_push * max(0.0, f - 1)
                    + p.stakhanovite_push * stakh[k] / max(cnt[k], 1) * pol["campaign"]
                )
                if self.norm_pause[k] or self.rng.random() < s.meetings.foreman_deal:
                    rise = 0.0
                self.shop_norm[k] *= 1 + rise
                self.norm_rose[k] = rise
                self.shop_g[k] += s.grievance.norm_rise * rise
                self.shop_out_q[k] = self.shop_nh_q[k] = 0.0
            self.norm_pause = [False] * s.factories.shops

    def record(self, date) -> None:
        row = dict(self.today)
        row["date"] = date
        row["headcount"] = len(self.agents)
        row["plan_daily"] = self.plan_m / _cal.monthrange(date.year, date.month)[1]
        self.rows.append(row)

    def monthly(self) -> pl.DataFrame:
        m = pl.DataFrame(self.rows).with_columns(pl.col("date").dt.truncate("1mo").alias("month"))
        out = m.group_by("month", maintain_order=True).agg(
            pl.exclude("date", "month", "headcount", "plan_daily").sum(),
            pl.col("headcount").last(),
            pl.col("headcount").mean().alias("_mean_head"),
            pl.col("plan_daily").sum().alias("plan"),
            pl.len().alias("days"),
        )
        return out.with_columns(
            (pl.col("quits") / pl.col("_mean_head") * 365 / pl.col("days")).alias("turnover_rate"),
            (pl.col("absent") / pl.col("scheduled")).alias("absence_rate"),
            (pl.col("output") / pl.col("plan")).alias("fulfilment"),
        ).drop("_mean_head")


def run_reference(scenario: Scenario, seed: int | None = None) -> pl.DataFrame:
    """Run the reference model and return its monthly aggregates."""
    return TriangleModel(scenario, seed).run()
