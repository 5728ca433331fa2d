"""The daily loop: set up the world from a scenario, call the mechanisms in the documented
order, record what happens.

>>> from treugolnik import load_scenario, simulate
>>> res = simulate(load_scenario("kirov-small", sets=["period.end=1928-12-31"]))
>>> res.metrics.height
92

The order of a day is data (:data:`PLAN`), printed by ``treugolnik run --plan``. Quiet days
(no monthly step, directive, mass operation or prosecutions) run as compiled runs of days
(:mod:`treugolnik.quiet`) calling the same steps in the same order; with ``step_by_step=True``
(``treugolnik run --profile``) every day goes step by step and the time spent in each step is
measured. Both give the same results.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np
import polars as pl

from .mechanisms import hiring, institutions, labour, learning, meetings, party, pay, production
from .mechanisms import repression as rep
from .passes import Buffer, Passes
from .population import (
    CANDIDATE,
    COLUMNS,
    EMPLOYED,
    FOREMAN,
    MANAGER,
    MEMBER,
    ROLES,
    SPECIALIST,
    WORKER,
    Population,
    group_by_factory,
)
from .quiet import LOG_FULL, NEED_ROOM, PARTIAL, quiet_days
from .record import (
    EXTRA_COLUMNS,
    METRIC_COLUMNS,
    PAIRWISE_MAX,
    STOCKS,
    EventLog,
    carried_stocks,
    close_day,
    count_promotion,
    monthly_from_daily,
    record_row,
    stocks_by_factory,
    write_run,
)
from .rng import Streams, uniforms
from .scenario.schema import Scenario
from .state import COUNTERS, C, Factories, Shops, World
from .timeline import EPOCH, Policy, build_policy, working_calendar

# The daily order (MODEL.md section 3): (step, when, what it calls).
PLAN: list[tuple[str, str, str]] = [
    ("centre", "daily", "timeline policy vector; directives issued to every factory"),
    ("labour", "daily", "mechanisms.labour.labour_day: grievance/fear, absence, dismissal, quits"),
    (
        "repression.quota",
        "daily while arrest_quota > 0",
        "mechanisms.repression.quota_arrests (Order 00447)",
    ),
    ("hiring", "daily", "mechanisms.hiring.hires_by_mix + hire_rows: fill vacancies"),
    (
        "production",
        "daily",
        "mechanisms.production.production_day: effort, storming, output, accidents, pay",
    ),
    (
        "institutions",
        "monthly, on the 15th",
        "mechanisms.institutions.institutions_month: join, proposals, findings, clashes, training",
    ),
    (
        "party",
        "monthly, on the 1st",
        "mechanisms.party.party_month: recruitment, candidacy, purges, shock work, Stakhanovism",
    ),
    (
        "meetings",
        "monthly, on the 25th",
        "mechanisms.meetings.hold_meeting: PPO general meeting, accusations, consequences",
    ),
    ("pay", "month end", "mechanisms.pay.month_end_pay: real pay against expectations"),
    ("learning", "month end", "mechanisms.learning.learn_month: skill, party schooling"),
    ("norms", "quarter end", "mechanisms.pay.revise_norms: quarterly norm revision"),
    ("plan", "1 January", "mechanisms.pay.ratchet: annual target (Weitzman ratchet)"),
    ("record", "daily", "record.stocks_by_factory: end-of-day stocks and the metrics row"),
]

ACCIDENT_BUF = 4096
# an institutional event's outcome by its code (proposal, clash, finding) and success
OUTCOME = (("rejected", "adopted"), ("", ""), ("", ""))
TOPIC = ("", "", "control_finding")
INST_BUF = 1 << 16


@dataclass
class Result:
    """A finished run: ``metrics`` (daily), ``monthly``, ``events`` (Polars DataFrames)."""

    scenario: Scenario
    metrics: pl.DataFrame
    monthly: pl.DataFrame
    events: pl.DataFrame
    manifest: dict
    profile: dict[str, float] = field(default_factory=dict)
    by_factory: pl.DataFrame | None = None

    def save(self, out_dir) -> None:
        """Write ``run.json``, ``metrics.parquet``, ``monthly.parquet``, ``events.parquet``."""
        metrics = self.metrics if self.by_factory is None else self.by_factory
        write_run(out_dir, self.manifest, metrics, self.monthly, self.events)


class Simulation:
    """One run in progress. Most users call :func:`simulate` instead."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        by_factory: bool = False,
        passes: Passes | None = None,
        step_by_step: bool = False,
    ):
        self.s = scenario
        # run quiet days as compiled runs (quiet.py) where that gives the same results, unless
        # every step is to be timed day by day
        self.step_by_step = step_by_step
        self.passes = passes if passes is not None else Passes()
        self._positions: dict = {}
        self.policy: Policy = build_policy(scenario)
        self.cal_code, self.common = working_calendar(self.policy)
        self.keys = Streams(scenario.seed)
        self.purge_h = party.purge_hazards(self.policy.values["purge"])
        self.log = EventLog(set(scenario.record.skip_events))
        self.by_factory = by_factory
        self.profile: dict[str, float] = {name: 0.0 for name, _, _ in PLAN}
        if not step_by_step:
            self.profile["quiet days (compiled)"] = 0.0
        self._init_world()
        n_days = self.policy.n_days
        self.rows = np.zeros((n_days, len(METRIC_COLUMNS) + len(EXTRA_COLUMNS)))
        self.col = {c: i for i, c in enumerate(METRIC_COLUMNS + EXTRA_COLUMNS)}
        self.fac_rows = np.zeros((n_days, self.world.fac.n, len(self.col))) if by_factory else None
        rm = scenario.factories.role_mix
        self.mix = np.array([rm.worker, rm.foreman, rm.specialist, rm.manager])
        p = scenario.pay
        self.role_mult = np.array([1.0, p.foreman, p.specialist, p.manager])
        self.acc_buf = np.zeros((ACCIDENT_BUF, 3), dtype=np.int64)
        self.inst_buf = np.zeros((INST_BUF, 4), dtype=np.int64)
        self.arrest_buf = np.zeros(ACCIDENT_BUF, dtype=np.int64)
        self.pros_buf = np.zeros((ACCIDENT_BUF, 2), dtype=np.int64)
        self.expel_buf = np.zeros(INST_BUF, dtype=np.int64)
        self.shop_employed = np.zeros(self.world.shops.n)
        # the daily decay of promoted managers' productivity cost
        self.vydv_decay = float(np.exp(-1.0 / scenario.repression.vydvizhenets_days))
        self._inst_share = np.zeros(self.world.fac.n)  # institutions' share of the workforce
        self._shop_label = [f"shop {j + 1}" for j in range(self.world.shops_per_factory)]
        self.target = np.zeros(self.world.fac.n)  # today's target headcount per factory
        self.tight = np.zeros(self.world.fac.n)  # today's labour-market tightness
        # counted attributes of today's leavers and hires (record.COUNT_COLUMNS of STOCKS)
        self.leavers = np.zeros((self.world.fac.n, 16))
        self.day_stocks = np.zeros((self.world.fac.n, 16))  # summed by production
        self.hired_stocks = np.zeros((self.world.fac.n, 16))  # stocks of today's hires
        self.stocks: np.ndarray | None = None  # yesterday's end-of-day stocks (STOCKS layout)
        self._spare: np.ndarray | None = None  # the stocks of the day before (a buffer to reuse)
        self.counts_changed = True  # a step other than leaving or hiring changed counted fields
        self.check_stocks = False  # tests: verify the day's stocks against a full recount
        self.quiet_days = 0  # days whose stocks were carried rather than recounted
        self.compiled_days = 0  # of which run in compiled runs of quiet days (quiet.py)
        self.partial_days = 0  # days with a monthly step whose daily steps ran compiled

    # ------------------------------------------------------------------ set-up
    def _init_world(self) -> None:
        s, fs = self.s, self.s.factories
        start = s.period.start
        day0 = (start - EPOCH).days
        key = self.keys["init"]
        nf, S = fs.count, fs.shops
        fac = Factories.empty(nf)
        z = uniforms(key, day0, np.arange(nf, dtype=np.int64) + 10_000_000)
        zn = np.sqrt(2.0) * _erfinv(2.0 * z - 1.0)
        fac.size0[:] = np.maximum(
            10.0, fs.size * np.exp(fs.size_sigma * zn - 0.5 * fs.size_sigma**2)
        )
        mix = np.array(
            [fs.role_mix.worker, fs.role_mix.foreman, fs.role_mix.specialist, fs.role_mix.manager]
        )
        counts = np.maximum(np.round(fac.size0[:, None] * mix[None, :]), 1).astype(np.int64)
        counts[:, WORKER] = np.round(fac.size0).astype(np.int64) - counts[:, 1:].sum(axis=1)
        fac_of = np.repeat(np.repeat(np.arange(nf), 4), counts.ravel())
        role_of = np.repeat(np.tile(np.arange(4), nf), counts.ravel())
        pop = Population(capacity=int(counts.sum() * 3))
        hiring.add_people(
            pop,
            fac_of,
            role_of,
            S,
            key,
            day0,
            skill=fs.skill,
            consciousness=fs.consciousness,
            village_share=fs.village_share,
            e_mean=s.production.e0,
            e_sd=s.production.e_sd,
            tenure_max_days=3650,
        )
        n = pop.n
        # party: the most conscious (with noise) are members, the next ones candidates
        u = uniforms(key, day0 + 1, pop.pid[:n])
        score = pop.c[:n] + 0.3 * u
        order = np.argsort(-score, kind="stable")
        n_mem = int(round(fs.party_share * n))
        n_cand = int(round(fs.candidate_share * n))
        pop.party[order[:n_mem]] = MEMBER
        pop.party[order[n_mem : n_mem + n_cand]] = CANDIDATE
        since = uniforms(key, day0 + 2, pop.pid[:n])
        pop.party_since[:n] = day0 - (since * 1825).astype(np.int32)
        cand = pop.party[:n] == CANDIDATE
        pop.party_since[:n][cand] = day0 - (since[cand] * 300).astype(np.int32)
        pop.phi[:n] = 0.0
        pop.g[:n] = 0.1
        shops = Shops.empty(nf * S, np.repeat(np.arange(nf), S))
        shops.safety[:] = s.accidents.safety0
        # norms: the first quarter's workers fulfil them at about 115 % (output per hour)
        workers = pop.role[:n] == WORKER
        cap = np.bincount(
            pop.shop[:n][workers], weights=(pop.skill[:n] * pop.e0[:n])[workers], minlength=nf * S
        )
        cnt = np.bincount(pop.shop[:n][workers], minlength=nf * S)
        mean_cap = np.where(cnt > 0, cap / np.maximum(cnt, 1), 0.5)
        supply = 1.0 - s.production.supply_lag * 10.0 / 30.0
        shops.norm[:] = mean_cap * supply / 1.15
        shops.effort_prev[:] = s.production.e0
        # plan: expected output per calendar day x 365 at the initial fulfilment
        hours = self.policy.values["hours"][0]
        per_fac = np.bincount(
            pop.factory[:n][workers], weights=(pop.skill[:n] * pop.e0[:n])[workers], minlength=nf
        )
        daily = per_fac * hours * supply * 0.95 * (6.0 / 7.0)
        fac.target_annual[:] = daily * 365.0 * s.plan.initial_fulfilment
        fac.headcount[:] = np.bincount(pop.factory[:n], minlength=nf)
        self._fill_posts(pop, fac)
        self.world = World(pop, shops, fac, S)
        self.world.reset_today()
        self.year_days = 0
        self.quits_yesterday = 0.0
        self.month_acc = np.zeros((nf, 3))  # absent, scheduled, accidents-this-month
        self.pending = [[] for _ in range(nf)]

    @classmethod
    def _fill_posts(cls, pop, fac) -> np.ndarray:
        """Choose the director, PPO secretary and union chair of each factory whose post is
        vacant (its holder has left or none was chosen); returns the rows of the three posts'
        holders (3 x factories; -1 where a post stays vacant).
        """
        holders = np.concatenate((fac.director, fac.secretary, fac.union_chair))
        rows = pop.employed_rows(holders).reshape(3, fac.n)
        vacant = rows < 0
        fill = np.flatnonzero(vacant.any(axis=0)).tolist()
        for f in fill:
            cls._mark_roles(pop, fac, f, vacant[:, f].tolist())
        if fill:
            holders = np.concatenate((fac.director, fac.secretary, fac.union_chair))
            rows = pop.employed_rows(holders).reshape(3, fac.n)
        return rows

    @staticmethod
    def _mark_roles(pop, fac, f: int, vacant: list[bool]) -> None:
        """Choose factory ``f``'s director, PPO secretary and union chair where ``vacant``."""
        rows_f = pop.factory_rows(f, fac.n)
        here = rows_f[pop.state[rows_f] == EMPLOYED]

        def pick(mask, score):
            rows = here[mask]
            return int(pop.pid[rows[np.argmax(score)]]) if rows.size else -1

        role = pop.role[here]
        member = pop.party[here] == MEMBER
        if vacant[0]:
            m = role == MANAGER
            fac.director[f] = pick(m, pop.skill[here][m])
        if vacant[1]:
            # a party worker, not one of the plant's managers
            m = member & (role != MANAGER)
            fac.secretary[f] = pick(m, pop.c[here][m])
        if vacant[2]:
            m = member & (role <= FOREMAN)
            fac.union_chair[f] = pick(m, (pop.c[here] * (1 - pop.phi[here]))[m])

    # ------------------------------------------------------------------ the day
    def run(self, progress: Callable[[int, int], None] | None = None) -> Result:
        t0 = time.perf_counter()
        started = dt.datetime.now(dt.UTC)
        pol_arrays = self.policy.values
        n_days = self.policy.n_days
        directives_by_day: dict[int, list] = {}
        mgmt = meetings.MANAGEMENT_VARIABLES
        for t, event, desc, src in self.policy.directives:
            variables = {r.variable for r in self.policy.rows if r.event == event}
            orient = "management" if variables & mgmt else "workers"
            directives_by_day.setdefault(t, []).append((t, event, desc, src, orient))
        # the day's policy values as Python floats, and the growth of the target headcount
        names = self._pol_names = list(pol_arrays)
        table = self._pol_table = np.column_stack([pol_arrays[k] for k in names]).tolist()
        fs, start = self.s.factories, self.s.period.start
        self.growth = hiring.growth_multipliers(self.policy.dates, start, fs.growth, fs.growth_path)
        # each day's number (days since EPOCH) and its month's length
        self._days = [(d - EPOCH).days for d in self.policy.dates]
        self._dims = [_cal.monthrange(d.year, d.month)[1] for d in self.policy.dates]
        absence = pol_arrays["absence_penalty"]
        decree = np.zeros(n_days, dtype=np.bool_)
        decree[1:] = absence[1:] > absence[:-1] + 1e-9  # a discipline decree raises the penalty
        quiet = self._quiet_calendar(directives_by_day, decree)
        try:
            t = 0
            while t < n_days:
                if quiet is not None and quiet[t] and self._can_run_quiet():
                    t_next = self._quiet_run(t, n_days, quiet)
                    if t_next > t:
                        t = t_next
                        if progress is not None:
                            progress(t, n_days)
                        continue
                date = self.policy.dates[t]
                pol = dict(zip(names, table[t], strict=True))
                self._day(t, date, pol, directives_by_day.get(t, []), decree=bool(decree[t]))
                if progress is not None and (t % 30 == 0 or t == n_days - 1):
                    progress(t + 1, n_days)
                t += 1
        finally:
            self.passes.close()
        wall = time.perf_counter() - t0
        return self._result(started, wall)

    def _pass(self, name: str, kernel, accum, overwrite, buffers, *args):
        """Run a daily kernel over the person table (chunked on big tables: passes.py).

        ``accum``/``overwrite`` are the arrays the kernel adds to / fills; ``buffers`` are
        (event buffer, column holding a row index or -1). Timed under ``name`` if given.
        """
        t = time.perf_counter()
        if not self.passes.splits(args[0]):
            out = kernel(*args)
        else:
            # argument positions, by identity (the same on every call of a kernel)
            pos = self._positions.get(kernel)
            if pos is None:
                pop = self.world.pop
                person_ids = {id(getattr(pop, c)) for c in COLUMNS}
                where = {id(a): i for i, a in enumerate(args) if isinstance(a, np.ndarray)}
                pos = self._positions[kernel] = (
                    [i for i, a in enumerate(args) if id(a) in person_ids],
                    [where[id(a)] for a in accum],
                    [where[id(a)] for a in overwrite],
                    [Buffer(where[id(b)], col) for b, col in buffers],
                )
            out = self.passes.run(kernel, args, args[0], *pos)
        if name:
            self.profile[name] += time.perf_counter() - t
        return out

    # ------------------------------------------------------------------ quiet days
    def _quiet_calendar(self, directives_by_day: dict, decree: np.ndarray) -> np.ndarray | None:
        """The days that may run as compiled runs of quiet days (quiet.py), or None if this
        run must go day by day: days without a directive, mass operation or prosecutions (2
        where a monthly step follows production), in a run without per-factory rows, stock
        checks or more shops a factory than the record sums in one block.
        """
        s = self.s
        if self.step_by_step or self.fac_rows is not None or s.factories.shops > PAIRWISE_MAX:
            return None
        v = self.policy.values
        doms = np.array([d.day for d in self.policy.dates])
        # 1: a quiet day; 2: a day with a monthly step, whose daily steps up to production run
        # compiled before the engine takes the day's end (quiet.PARTIAL)
        monthly = (doms == 1) | (doms == 15) | (doms == 25) | (doms == np.array(self._dims))
        quiet = np.where(monthly, 2, 1).astype(np.int64)
        quiet[(v["arrest_quota"] > 0) | (v["prosecution"] > 0.5)] = 0
        quiet[list(directives_by_day)] = 0
        self._q_days = (
            np.array(self._days, dtype=np.int64),
            doms.astype(np.int64),
            np.array(self._dims, dtype=np.int64),
            np.asarray(self.cal_code, dtype=np.int64),
            np.asarray(self.common, dtype=np.bool_),
            np.array(self.growth, dtype=np.float64),
            decree,
            *(np.ascontiguousarray(v[k], dtype=np.float64) for k in (
                "tempo", "discipline", "absence_penalty", "quit_penalty", "prosecution",
                "village_supply", "hours", "campaign")),
            np.ascontiguousarray(self.policy.wage_index, dtype=np.float64),
            np.ascontiguousarray(self.policy.price, dtype=np.float64),
        )  # fmt: skip
        self._q_out = np.zeros(7, dtype=np.int64)
        self._q_hired = np.zeros((self.world.fac.n, 16))
        self._q_quits = np.zeros(1)
        self._acc_log = np.zeros((8 * ACCIDENT_BUF, 4), dtype=np.int64)
        return quiet

    def _can_run_quiet(self) -> bool:
        """Whether yesterday left what a quiet day carries: counts and the record's layout."""
        return (
            self.stocks is not None
            and not self.counts_changed
            and not self.check_stocks
            and self._index is not None
        )

    def _quiet_args(self, quiet: np.ndarray) -> list:
        """The arguments of :func:`quiet.quiet_days`, built once for the person table's
        arrays (they change only when it grows); the day range, row count, next id and the
        stocks buffers are set on each call (at :attr:`_q_pos`).
        """
        s, w = self.s, self.world
        pop, fac, shops = w.pop, w.fac, w.shops
        if self._q_args is not None and self._q_args[0] is pop.pid:
            return self._q_args[1]
        a, tv, gr, fe = s.absence, s.turnover, s.grievance, s.fear
        hi, pr, ac, py = s.hiring, s.production, s.accidents, s.pay
        stock_dst, stock_src, flow_dst, flow_src, means, weighted, fixed_dst, special = self._index
        head = [0, 0, 0.0, self._q_out, self._q_quits, self._q_hired, self._acc_log,
                2 * self.passes.chunk, quiet, *self._q_days]  # fmt: skip
        people = [0, 0, pop.pid, pop.factory, pop.shop, pop.role, pop.skill, pop.c, pop.g,
                  pop.phi, pop.e0, pop.effort, pop.shock, pop.stakh, pop.state, pop.left,
                  pop.injured_until, pop.absent, pop.out_m, pop.pay_m, pop.days_m, pop.hired,
                  pop.village, pop.party, pop.inst, pop.pay_short, pop.prosecuted,
                  pop.last_accused]  # fmt: skip
        rest = [
            shops.g_pulse, shops.fear_pulse, shops.clash, shops.norm, shops.A, shops.safety,
            shops.effort_prev, shops.effort_sum, shops.effort_n, shops.accidents_m,
            shops.deaths_m, shops.out_q, shops.normhours_q, w.shops_per_factory, fac.size0,
            fac.headcount, fac.vacancy_rate, fac.will, fac.g_pulse, fac.fear_pulse,
            fac.output_m, fac.plan_m, fac.target_annual, fac.storm, fac.disruption,
            fac.vydv_penalty, fac.pay_mult, fac.output_y, fac.fulfilment_last, fac.authority,
            w.today, self.leavers, self.target, self.tight, self._inst_share, self.mix,
            self.role_mult, self.acc_buf, self.pros_buf, self.shop_employed, self.day_stocks,
        ]  # fmt: skip
        stocks_at = len(head) + len(people) + len(rest)
        tail = [
            None, None, self.month_acc, self.rows, stock_dst, stock_src, flow_dst, flow_src,
            fixed_dst, self._fixed, self._norm0, means, weighted, *special, self._per_f,
            hi.safety_factor, a.will_base, a.will_vacancy, a.will_rate, a.a0, a.a_grievance,
            a.a_enforcement, a.a_fear, a.a_village, a.a_clash, a.dismiss_p, a.prosecute_p,
            a.prosecute_quit_p, gr.decay, gr.pay_gap, gr.g_max, fe.decay, tv.q0,
            tv.q_grievance, tv.q_tightness, tv.q_penalty, tv.q_tenure, tv.q_party,
            tv.q_village, hi.fill_rate, hi.village_share, hi.newcomer_skill.alpha,
            hi.newcomer_skill.beta, hi.newcomer_consciousness.alpha,
            hi.newcomer_consciousness.beta, pr.e0, pr.e_sd, hi.flit_share,
            s.factories.skill.alpha, s.factories.skill.beta, s.factories.consciousness.alpha,
            s.factories.consciousness.beta, pr.disruption_institutions,
            self.vydv_decay, pr.storm_max, pr.storm_k, pr.supply_lag, pr.b_campaign,
            pr.b_peer, pr.b_grievance, pr.e_max, pr.shock_bonus, pr.stakhanovite_bonus,
            ac.p0, ac.k, ac.e_safe, ac.storm_factor, ac.injury_days, ac.death_share,
            ac.grievance_shop, py.tariff, py.stakhanovite_bonus, self.keys["absence"],
            self.keys["quit"], self.keys["hiring"], self.keys["accidents"],
            self.keys["flitting"],
        ]  # fmt: skip
        args = head + people + rest + tail
        # (the list follows quiet_days' signature by position: a parameter added there must be
        # added here in its place)
        assert len(args) == quiet_days.py_func.__code__.co_argcount, "quiet_days arguments"
        self._q_pos = (len(head), stocks_at)
        self._q_args = (pop.pid, args)
        return args

    _q_args: tuple | None = None

    def _quiet_run(self, t: int, t_end: int, quiet: np.ndarray) -> int:
        """Run the quiet days from ``t`` in compiled runs (quiet.py); returns the next day."""
        t0 = time.perf_counter()
        pop = self.world.pop
        spare = self._spare if self._spare is not None else np.empty_like(self.stocks)
        out, acc_log = self._q_out, self._acc_log
        while True:
            args = self._quiet_args(quiet)
            i_n, i_stocks = self._q_pos
            args[0], args[1], args[2] = t, t_end, self.quits_yesterday
            args[i_n], args[i_n + 1] = pop.n, pop.next_pid
            args[i_stocks], args[i_stocks + 1] = self.stocks, spare
            quiet_days(*args)
            t_next, n, next_pid, code, need, n_log, flips = out.tolist()
            pop.n, pop.next_pid = n, next_pid
            if t_next > t:
                done = t_next - t
                self.quiet_days += done
                self.compiled_days += done
                self.year_days += done
                self.quits_yesterday = float(self._q_quits[0])
                if flips:
                    self.stocks, spare = spare, self.stocks
            if n_log and "accident" not in self.log.skip:
                self._log_accidents(acc_log[:n_log].tolist())
            t = t_next
            if code == NEED_ROOM:
                pop.reserve(need)
            elif code != LOG_FULL:
                break
        self._spare = spare
        self.profile["quiet days (compiled)"] += time.perf_counter() - t0
        if code == PARTIAL:
            # day t ran up to production; the engine takes its monthly steps and record
            self.hired_stocks = self._q_hired.copy()
            self.partial_days += 1
            pol = dict(zip(self._pol_names, self._pol_table[t], strict=True))
            self._day_end(t, self.policy.dates[t], pol)
            t += 1
        return t

    def _log_accidents(self, accidents: list) -> None:
        """Enter accidents, given as (day index, person id, shop, injury length; -1 death)."""
        if not accidents:
            return
        S, label, dates = self.world.shops_per_factory, self._shop_label, self.policy.dates
        k = len(accidents)
        ts, pids, shs, lengths = zip(*accidents, strict=True)
        self.log.add_columns(
            k, [dates[t] for t in ts], [x // S for x in shs], repeat("accident", k),
            repeat(-1, k), repeat(-1, k), repeat("", k), pids, repeat("", k), repeat("", k),
            repeat("safety", k), repeat("", k), repeat(float("nan"), k),
            ["death" if n < 0 else "injury" for n in lengths], repeat("", k),
            [label[x % S] + ("" if n < 0 else f", {n} days off")
             for x, n in zip(shs, lengths, strict=True)],
        )  # fmt: skip

    def _day(self, t: int, date: dt.date, pol: dict, directives: list, decree: bool) -> None:
        s, w = self.s, self.world
        pop, fac, shops = w.pop, w.fac, w.shops
        day = self._days[t]
        dom = date.day
        dim = self._dims[t]
        w.reset_today()
        tc = time.perf_counter()
        # 1. centre
        for item in directives:
            for f in range(fac.n):
                self.pending[f].append(item)
            w.today[:, C["directives_issued"]] += 1
        target, tight, ab = self.target, self.tight, s.absence
        labour.centre_day(
            fac.size0, self.growth[t], s.hiring.safety_factor, fac.headcount, pol["tempo"],
            pol["discipline"], ab.will_base, ab.will_vacancy, ab.will_rate, decree,
            target, fac.vacancy_rate, tight, fac.will,
        )  # fmt: skip
        self.profile["centre"] += time.perf_counter() - tc
        # 2. labour
        a, tv, gr, fe = s.absence, s.turnover, s.grievance, s.fear
        self.leavers[:] = 0.0
        n_pros = self._pass(
            "labour",
            labour.labour_day,
            (w.today, self.leavers),
            (),
            ((self.pros_buf, 0),),
            pop.n,
            pop.pid,
            pop.factory,
            pop.shop,
            pop.hired,
            pop.village,
            pop.party,
            pop.g,
            pop.phi,
            pop.state,
            pop.left,
            pop.injured_until,
            pop.absent,
            pop.pay_short,
            pop.prosecuted,
            day,
            int(self.cal_code[t]),
            bool(self.common[t]),
            shops.g_pulse,
            shops.fear_pulse,
            shops.clash,
            fac.g_pulse,
            fac.fear_pulse,
            fac.will,
            tight,
            pol["absence_penalty"],
            pol["quit_penalty"],
            pol["prosecution"],
            a.a0,
            a.a_grievance,
            a.a_enforcement,
            a.a_fear,
            a.a_village,
            a.a_clash,
            a.dismiss_p,
            a.prosecute_p,
            gr.decay,
            gr.pay_gap,
            gr.g_max,
            fe.decay,
            tv.q0,
            tv.q_grievance,
            tv.q_tightness,
            tv.q_penalty,
            tv.q_tenure,
            tv.q_party,
            tv.q_village,
            self.keys["absence"],
            self.keys["quit"],
            w.today,
            a.prosecute_quit_p,
            self.pros_buf,
            pop.role,
            pop.shock,
            pop.stakh,
            pop.inst,
            self.leavers,
        )
        for r, kind in self.pros_buf[: min(n_pros, ACCIDENT_BUF)] if n_pros else ():
            self.log.add(
                "prosecution",
                date,
                int(pop.factory[r]),
                target=int(pop.pid[r]),
                target_role=ROLES[pop.role[r]],
                topic="discipline",
                detail=("absence" if kind == 0 else "quitting") + " (decree of 26 June 1940)",
            )
        shops.g_pulse[:] = 0.0
        shops.fear_pulse[:] = 0.0
        fac.g_pulse[:] = 0.0
        fac.fear_pulse[:] = 0.0
        quota_today = pol["arrest_quota"] > 0
        if quota_today:
            # (the arrested are counted as leavers and promotions as moves between roles,
            # so the day's counts can still be carried)
            tq = time.perf_counter()
            k = self._pass(
                "",
                rep.quota_arrests,
                (w.today, self.leavers),
                (),
                ((self.arrest_buf, 0),),
                pop.n,
                pop.pid,
                pop.factory,
                pop.shop,
                pop.role,
                pop.village,
                pop.accused,
                pop.state,
                pop.left,
                day,
                s.repression.quota_rate * pol["arrest_quota"],
                self.keys["quota"],
                w.today,
                self.arrest_buf,
                pop.party,
                pop.shock,
                pop.stakh,
                pop.inst,
                self.leavers,
            )
            for r in self.arrest_buf[: min(k, ACCIDENT_BUF)]:
                f = int(pop.factory[r])
                self.log.add(
                    "arrest",
                    date,
                    f,
                    target=int(pop.pid[r]),
                    target_role=ROLES[pop.role[r]],
                    detail="mass operation (Order 00447)",
                )
                rep.spread_fear(w, int(pop.shop[r]), f, 1, s)
                if pop.role[r] in (MANAGER, SPECIALIST):
                    w.today[f, C["manager_arrests"]] += pop.role[r] == MANAGER
                    w.today[f, C["management_turnover"]] += 1
                    role = int(pop.role[r])
                    up = rep.promote_vydvizhenets(w, f, role, day, date, s, self.log, -1)
                    if up >= 0:
                        count_promotion(self.leavers, f, WORKER, role)
            self.profile["repression.quota"] += time.perf_counter() - tq
        # hiring to target
        th = time.perf_counter()
        if self.stocks is None:
            by_role = self._pass(
                "", hiring.count_by_role, (), (), (), pop.n, pop.state, pop.factory, pop.role, fac.n
            )
        else:
            # yesterday's end-of-day employees by role (STOCKS columns 1-4) less today's
            # leavers so far, with promotions moved between roles
            by_role = self.stocks[:, 1:5] - self.leavers[:, 1:5]
        n_before_hiring = pop.n
        if s.hiring.flit_share > 0 and self.quits_yesterday > 0:
            wanted = np.maximum(target * self.mix[WORKER] - by_role[:, WORKER], 0.0)
            flit = hiring.allocate_flitters(
                s.hiring.flit_share * self.quits_yesterday, wanted, self.keys["flitting"], day
            )
            rows = pop.append(int(flit.sum()))
            fs_skill, fs_c = s.factories.skill, s.factories.consciousness
            hiring.hire_flitters(
                flit, rows.start, pop.pid, pop.factory, pop.shop, pop.role, pop.skill, pop.c,
                pop.e0, pop.village, pop.hired, pop.g, by_role, w.today, w.shops_per_factory,
                self.keys["flitting"], day, fs_skill.alpha, fs_skill.beta, fs_c.alpha,
                fs_c.beta, s.production.e0, s.production.e_sd,
            )  # fmt: skip
        hires = hiring.hires_by_mix(
            target, self.mix, by_role, s.hiring.fill_rate, pol["village_supply"],
            self.keys["hiring"], day,
        )  # fmt: skip
        rows = pop.append(int(hires.sum()))
        sk, cs = s.hiring.newcomer_skill, s.hiring.newcomer_consciousness
        self.hired_stocks = hiring.hire_rows(
            hires, rows.start, n_before_hiring, pop.pid, pop.factory, pop.shop, pop.role,
            pop.skill, pop.c, pop.e0, pop.village, pop.hired, pop.g, pop.state,
            pop.injured_until, pop.phi, pop.party, pop.shock, pop.stakh, pop.inst, w.today,
            w.shops_per_factory, self.keys["hiring"], day, sk.alpha, sk.beta, cs.alpha, cs.beta,
            min(1.0, s.hiring.village_share * pol["village_supply"]), s.production.e0,
            s.production.e_sd,
        )  # fmt: skip
        self.profile["hiring"] += time.perf_counter() - th
        # 3. production
        pr, ac, py = s.production, s.accidents, s.pay
        tp = time.perf_counter()
        production.before_day(
            fac.output_m, fac.plan_m, fac.target_annual, fac.storm, fac.disruption,
            fac.vydv_penalty, self._inst_share, pr.disruption_institutions, self.vydv_decay, dom,
            dim, pr.storm_max, pr.storm_k, shops.effort_sum, shops.effort_n,
        )  # fmt: skip
        tariff = py.tariff * self.policy.wage_index[t]
        role_mult = self.role_mult
        n_acc = self._pass(
            "",
            production.production_day,
            (
                shops.effort_sum,
                shops.effort_n,
                shops.accidents_m,
                shops.deaths_m,
                shops.out_q,
                shops.normhours_q,
                fac.output_m,
                w.today,
                self.leavers,
            ),
            (self.shop_employed, self.day_stocks),
            ((self.acc_buf, -1),),
            pop.n,
            pop.pid,
            pop.factory,
            pop.shop,
            pop.role,
            pop.skill,
            pop.c,
            pop.g,
            pop.e0,
            pop.effort,
            pop.shock,
            pop.stakh,
            pop.state,
            pop.left,
            pop.injured_until,
            pop.absent,
            pop.out_m,
            pop.pay_m,
            pop.days_m,
            day,
            int(self.cal_code[t]),
            bool(self.common[t]),
            pol["hours"],
            production.supply_factor(dom, pr.supply_lag),
            pol["campaign"],
            shops.norm,
            shops.A,
            shops.safety,
            shops.effort_prev,
            shops.effort_sum,
            shops.effort_n,
            shops.accidents_m,
            shops.deaths_m,
            shops.out_q,
            shops.normhours_q,
            fac.storm,
            fac.disruption,
            fac.pay_mult,
            fac.output_m,
            tariff,
            role_mult,
            py.stakhanovite_bonus,
            pr.b_campaign,
            pr.b_peer,
            pr.b_grievance,
            pr.e_max,
            pr.shock_bonus,
            pr.stakhanovite_bonus,
            ac.p0,
            ac.k,
            ac.e_safe,
            ac.storm_factor,
            ac.injury_days,
            ac.death_share,
            self.keys["accidents"],
            w.today,
            self.acc_buf,
            self.shop_employed,
            pop.party,
            pop.inst,
            self.leavers,
            pop.phi,
            self.day_stocks,
        )
        production.after_day(
            shops.effort_sum, shops.effort_n, shops.effort_prev, w.today, self.month_acc
        )
        if n_acc:
            acc = self.acc_buf[: min(n_acc, ACCIDENT_BUF)]
            sh = acc[:, 1]
            # an accident angers its shop, the more so the smaller the shop
            np.add.at(
                shops.g_pulse,
                sh,
                ac.grievance_shop * 100.0 / np.maximum(self.shop_employed[sh], 1.0),
            )
            if "accident" not in self.log.skip:
                self._log_accidents([(t, *row) for row in acc.tolist()])
        self.profile["production"] += time.perf_counter() - tp
        self._day_end(t, date, pol)

    def _day_end(self, t: int, date: dt.date, pol: dict) -> None:
        """The rest of a day after production: monthly steps, the day's totals, the record."""
        s, fac = self.s, self.world.fac
        day, dom, dim = self._days[t], date.day, self._dims[t]
        # 4. institutions
        if dom == 15:
            self._institutions(day, date, pol)
        # 5. party
        if dom == 1:
            self._party(day, date, pol, dim)
        if dom == 25:
            self._meetings(day, date, pol)
        # 6. end of month / quarter / year
        if dom == dim:
            self._month_end(t, day, date, pol, dim)
        if dom == dim and date.month == 12:
            tpl = time.perf_counter()
            annualised = fac.output_y * 365.0 / max(self.year_days + 1, 1)
            fac.target_annual[:] = pay.ratchet(
                fac.target_annual, annualised, float(self.policy.values["tempo"][t]), s.plan.lam
            )
            fac.output_y[:] = 0.0
            self.year_days = -1
            self.profile["plan"] += time.perf_counter() - tpl
        self.quits_yesterday = close_day(self.world.today, fac.output_y)
        self.year_days += 1
        # 7. observation
        tr = time.perf_counter()
        self._record(t, day, pol, dim)
        self.profile["record"] += time.perf_counter() - tr

    # ------------------------------------------------------------------ monthly steps
    def _institutions(self, day: int, date: dt.date, pol: dict) -> None:
        self.counts_changed = True
        t0 = time.perf_counter()
        s, w = self.s, self.world
        pop, fac, shops = w.pop, w.fac, w.shops
        ip = s.institutions
        enabled = ip.enabled and not s.counterfactual.no_institutions
        leader_c = institutions.leader_consciousness(
            pop.n, pop.state, pop.shop, pop.c, pop.inst, shops.n
        )
        shop_adopted = np.zeros(shops.n)
        shop_clashes = np.zeros(shops.n)
        findings = np.zeros(fac.n)
        props = np.zeros(fac.n)
        adopted = np.zeros(fac.n)
        clashes = np.zeros(fac.n)
        # counts and per-person draws only: the same on one chunk or many
        k = self._pass(
            "",
            institutions.institutions_month,
            (shop_adopted, shop_clashes, findings, props, adopted, clashes),
            (),
            ((self.inst_buf, -1),),
            pop.n,
            pop.pid,
            pop.factory,
            pop.shop,
            pop.party,
            pop.c,
            pop.phi,
            pop.skill,
            pop.inst,
            pop.state,
            day,
            pol["participation"],
            enabled,
            ip.join0,
            ip.join_c,
            ip.join_party,
            ip.join_participation,
            ip.join_fear,
            ip.leave,
            ip.proposal_rate,
            ip.adopt0,
            ip.adopt_participation,
            ip.adopt_authority,
            ip.finding_rate,
            ip.clash_rate,
            ip.training,
            fac.authority,
            leader_c,
            self.keys["institutions"],
            shop_adopted,
            shop_clashes,
            findings,
            props,
            adopted,
            clashes,
            self.inst_buf,
        )
        # each shop's employees, as production counted them at the end of its pass (nothing
        # has changed the workforce since)
        size = np.maximum(self.shop_employed, 1.0)
        shops.A *= 1.0 + ip.adopt_gain * shop_adopted / size
        shops.clash[:] = shops.clash * (1.0 - ip.clash_decay) + shop_clashes / size
        w.today[:, C["proposals_made"]] += props
        w.today[:, C["proposals_adopted"]] += adopted
        w.today[:, C["clashes"]] += clashes
        kinds = ("proposal", "clash", "control_finding")
        kept = [j for j, kind in enumerate(kinds) if kind not in self.log.skip]
        events = self.inst_buf[: min(k, INST_BUF)]
        if len(kept) < len(kinds):
            events = events[np.isin(events[:, 0], kept)]
        S, label, k = w.shops_per_factory, self._shop_label, len(events)
        code, sh, ok = events[:, 0].tolist(), events[:, 2].tolist(), events[:, 3].tolist()
        self.log.add_columns(
            k, repeat(date, k), [x // S for x in sh], [kinds[c] for c in code], repeat(-1, k),
            events[:, 1].tolist(), repeat("", k), repeat(-1, k), repeat("", k), repeat("", k),
            [TOPIC[c] for c in code], repeat("", k), repeat(float("nan"), k),
            [OUTCOME[c][o != 0] for c, o in zip(code, ok, strict=True)], repeat("", k),
            [label[x % S] for x in sh],
        )  # fmt: skip
        fac.findings[:] = [int(x) for x in findings]
        parts = self._pass(
            "",
            institutions.participants_by_factory,
            (),
            (),
            (),
            pop.n,
            pop.state,
            pop.factory,
            pop.inst,
            fac.n,
        )
        # share of working time lost to institutional activity (members of several bodies count
        # once per body)
        self._inst_share[:] = parts.sum(axis=1) / np.maximum(fac.headcount, 1.0) / 3.0
        self.profile["institutions"] += time.perf_counter() - t0

    def _party(self, day: int, date: dt.date, pol: dict, dim: int) -> None:
        self.counts_changed = True
        t0 = time.perf_counter()
        s, w = self.s, self.world
        pop, fac = w.pop, w.fac
        pp = s.party
        t = (date - s.period.start).days
        h = float(self.purge_h[t])
        mean_w = 1.0
        if h > 0:
            mean_w = party.purge_weights(
                pop.n,
                pop.state,
                pop.party,
                pop.c,
                pop.accused,
                pop.party_since,
                day,
                pp.purge_passive,
                pp.purge_accused,
                pp.purge_recent,
            )
        recruited = np.zeros(fac.n)
        expelled = np.zeros(fac.n)
        # counts and per-person draws only: the same on one chunk or many
        k = self._pass(
            "",
            party.party_month,
            (recruited, expelled),
            (),
            ((self.expel_buf, -1),),
            pop.n,
            pop.pid,
            pop.factory,
            pop.role,
            pop.state,
            pop.party,
            pop.party_since,
            pop.c,
            pop.skill,
            pop.shock,
            pop.stakh,
            pop.accused,
            day,
            dim,
            pol["recruitment"],
            h,
            pol["campaign"],
            pp.recruit_rate,
            pp.recruit_c,
            pp.recruit_shock,
            pp.recruit_stakhanovite,
            pp.candidacy_days,
            pp.purge_passive,
            pp.purge_accused,
            pp.purge_recent,
            mean_w,
            pp.shock0,
            pp.shock_campaign,
            pp.shock_c,
            pp.stakh0,
            pp.stakh_campaign,
            pp.stakh_skill,
            self.keys["party"],
            recruited,
            expelled,
            self.expel_buf,
        )
        w.today[:, C["recruited"]] += recruited
        w.today[:, C["expulsions"]] += expelled
        if k:
            rows = pop.rows_of(self.expel_buf[: min(k, INST_BUF)])
            for r in rows:
                self.log.add(
                    "expulsion",
                    date,
                    int(pop.factory[r]),
                    target=int(pop.pid[r]),
                    target_role=ROLES[pop.role[r]],
                    detail="purge screening",
                )
        self.profile["party"] += time.perf_counter() - t0

    def _meetings(self, day: int, date: dt.date, pol: dict) -> None:
        self.counts_changed = True
        t0 = time.perf_counter()
        s, w = self.s, self.world
        pop, fac, shops = w.pop, w.fac, w.shops
        rows, bounds = group_by_factory(0, pop.n, pop.factory, pop.state, pop.party, True, fac.n)
        pay_sum = meetings.pay_short_by_factory(pop.n, pop.state, pop.factory, pop.pay_short, fac.n)
        pay_short = pay_sum / np.maximum(fac.headcount, 1)
        # (a meeting changes only its own factory's people, so the posts of all factories can
        # be filled first)
        posts = self._fill_posts(pop, fac)
        secretary, chair = posts[1].tolist(), posts[2].tolist()
        S = w.shops_per_factory
        acc = shops.accidents_m.reshape(fac.n, S)
        acc_sum = acc.sum(axis=1)
        states = zip(
            fac.fulfilment_last.tolist(),
            shops.norm_rose.reshape(fac.n, S).max(axis=1).tolist(),
            pay_short.tolist(),
            acc_sum.tolist(),
            shops.deaths_m.reshape(fac.n, S).sum(axis=1).tolist(),
            (fac.headcount * s.accidents.p0 * 25 * 1.5).tolist(),
            (self.month_acc[:, 0] / np.maximum(self.month_acc[:, 1], 1.0)).tolist(),
            np.where(acc_sum > 0, np.arange(fac.n) * S + np.argmax(acc, axis=1), -1).tolist(),
            strict=True,
        )
        names = ("fulfilment", "norm_rose", "pay_short", "accidents", "deaths",
                 "accidents_expected", "absence_rate", "worst_shop")  # fmt: skip
        for f, values in enumerate(states):
            state = dict(zip(names, values, strict=True))
            sh = slice(f * S, (f + 1) * S)
            meetings.hold_meeting(
                w,
                f,
                day,
                date,
                pol,
                s,
                self.keys,
                self.log,
                rows[bounds[f] : bounds[f + 1]],
                state,
                self.pending[f],
                int(fac.findings[f]),
                secretary[f],
                chair[f],
            )
            self.pending[f] = []
            fac.findings[f] = 0
            shops.norm_rose[sh] = 0.0
        self.profile["meetings"] += time.perf_counter() - t0

    def _month_end(self, t: int, day: int, date: dt.date, pol: dict, dim: int) -> None:
        self.counts_changed = True
        s, w = self.s, self.world
        pop, fac, shops = w.pop, w.fac, w.shops
        tp = time.perf_counter()
        fac.fulfilment_last[:] = fac.output_m / np.maximum(fac.plan_m, 1e-9)
        fac.output_m[:] = 0.0
        # pay corrections fade as the wage fund is reckoned (a tenth a month)
        fac.pay_mult[:] = 1.0 + 0.9 * (fac.pay_mult - 1.0)
        role_mult = np.array([1.0, s.pay.foreman, s.pay.specialist, s.pay.manager])
        self.profile["pay"] += time.perf_counter() - tp
        tl = time.perf_counter()
        learning.learn_month(
            pop.n,
            pop.state,
            pop.skill,
            pop.c,
            pop.party,
            pop.days_m,
            s.learning.skill_rate,
            s.learning.party_schooling,
            dim,
        )
        self.profile["learning"] += time.perf_counter() - tl
        tp = time.perf_counter()
        pay.month_end_pay(
            pop.n,
            pop.state,
            pop.role,
            pop.pay_m,
            pop.out_m,
            pop.days_m,
            pop.pay_short,
            float(self.policy.price[t]),
            s.pay.tariff,
            role_mult,
            s.pay.reference_real,
        )
        shops.accidents_m[:] = 0.0
        shops.deaths_m[:] = 0.0
        self.month_acc[:] = 0.0
        self.profile["pay"] += time.perf_counter() - tp
        if date.month in (3, 6, 9, 12):
            tn = time.perf_counter()
            stakh = pay.shop_stakhanovite_share(
                pop.n, pop.state, pop.shop, pop.role, pop.stakh, shops.n
            )
            rise, _ = pay.revise_norms(
                shops,
                stakh,
                pol["discipline"],
                pol["norm_drive"],
                pol["campaign"],
                s.norms,
                s.meetings.foreman_deal,
                self.keys["norms"],
                day,
            )
            shops.g_pulse += s.grievance.norm_rise * rise
            self.profile["norms"] += time.perf_counter() - tn
        pop.compact()

    # ------------------------------------------------------------------ records
    # record columns copied from today's counters: every counter that is also a record column
    # (the day's pay sum becomes pay_total; pay_nominal is per working day)
    _FROM_COUNTERS = {
        **{n: n for n in COUNTERS if n in METRIC_COLUMNS + EXTRA_COLUMNS and n != "pay_nominal"},
        "pay_total": "pay_nominal",
    }
    _STOCK_AS = {"g_sum": "grievance", "phi_sum": "fear", "c_sum": "consciousness"}
    _index: tuple | None = None

    def _record_index(self) -> tuple:
        col = self.col
        stock_dst, stock_src = [], []
        for j, name in enumerate(STOCKS):
            name = self._STOCK_AS.get(name, name)
            if name in col:
                stock_dst.append(col[name])
                stock_src.append(j)
        flow_dst = [col[k] for k in self._FROM_COUNTERS]
        flow_src = [C[v] for v in self._FROM_COUNTERS.values()]
        means = [col[k] for k in ("grievance", "fear", "consciousness")]
        weighted = [
            col[k] for k in ("norm_index", "fulfilment_month", "authority", "enforcement_will")
        ]
        fixed = ("plan_daily", "fulfilment_month", "authority", "enforcement_will", "norm_index")
        fixed_dst = [col[k] for k in fixed]
        special = tuple(
            col[k] for k in ("headcount", "pay_total", "pay_nominal", "pay_real", "workdays")
        )
        return (
            np.array(stock_dst),
            np.array(stock_src),
            np.array(flow_dst),
            np.array(flow_src),
            np.array(means),
            np.array(weighted),
            np.array(fixed_dst),
            special,
        )

    def _stocks(self, lo: int, hi: int, day: int) -> np.ndarray:
        """End-of-day stocks (STOCKS layout) of the people in rows ``lo..hi``."""
        pop, nf = self.world.pop, self.world.fac.n
        cols = (pop.state, pop.factory, pop.role, pop.injured_until, pop.g, pop.phi, pop.c,
                pop.party, pop.shock, pop.stakh, pop.inst)  # fmt: skip
        if lo > 0:
            return stocks_by_factory(hi - lo, *(a[lo:hi] for a in cols), day, nf)
        return self._pass("", stocks_by_factory, (), (), (), hi, *cols, day, nf)

    def _record(self, t: int, day: int, pol: dict, dim: int) -> None:
        """End-of-day stocks and today's flows into the metrics row (and per factory)."""
        w = self.world
        pop, fac = w.pop, w.fac
        if self.counts_changed or self.stocks is None:
            st = self._stocks(0, pop.n, day)
            self.counts_changed = False
        else:
            # a quiet day: nothing has changed since production, which summed headcount,
            # injured, grievance, fear and consciousness over everyone employed at its end;
            # only leaving and hiring changed the counted attributes, so they are yesterday's
            # counts less today's leavers plus today's hires (exact: whole numbers)
            # (into yesterday's spare buffer: nothing keeps the stocks of two days ago)
            st = self._spare if self._spare is not None else np.empty_like(self.day_stocks)
            self.quiet_days += 1
            carried_stocks(st, self.day_stocks, self.stocks, self.leavers, self.hired_stocks)
            if self.check_stocks:
                full = self._stocks(0, pop.n, day)
                if not np.array_equal(st, full):
                    raise AssertionError(f"day {day}: stocks differ from a full recount")
        self._spare, self.stocks = self.stocks, st
        if self._index is None:
            self._index = self._record_index()
            self._norm0 = w.shops.norm.copy()
            self._per_f = np.empty((fac.n, len(self.col)))
            self._fixed = np.empty((4, fac.n))
        stock_dst, stock_src, flow_dst, flow_src, means, weighted, fixed_dst, special = self._index
        price = float(self.policy.price[t])
        per_f = self._per_f
        fixed = self._fixed
        if w.shops_per_factory > PAIRWISE_MAX:
            rel = w.shops.norm / np.maximum(self._norm0, 1e-12)
            per_f[:, self.col["norm_index"]] = rel.reshape(fac.n, -1).mean(axis=1)
        record_row(
            st,
            fac.headcount,
            fac.plan_m,
            dim,
            fac.fulfilment_last,
            fac.authority,
            fac.will,
            w.today,
            stock_dst,
            stock_src,
            flow_dst,
            flow_src,
            fixed_dst,
            fixed,
            w.shops.norm,
            self._norm0,
            w.shops_per_factory,
            means,
            weighted,
            *special,
            price,
            per_f,
            self.rows[t],
        )
        if self.fac_rows is not None:
            col = self.col
            head = np.maximum(st[:, 0], 1.0)
            per_f[:, means] /= head[:, None]
            per_f[:, col["pay_nominal"]] = per_f[:, col["pay_total"]] / np.maximum(
                per_f[:, col["workdays"]], 1.0
            )
            per_f[:, col["pay_real"]] = per_f[:, col["pay_nominal"]] / price
            self.fac_rows[t] = per_f

    def _result(self, started: dt.datetime, wall: float) -> Result:
        dates = self.policy.dates
        data = {"date": pl.Series("date", dates, dtype=pl.Date)}
        for name, j in self.col.items():
            data[name] = self.rows[:, j]
        metrics = pl.DataFrame(data)
        int_cols = [
            c
            for c in metrics.columns
            if c
            not in (
                "date",
                "output",
                "plan_daily",
                "pay_nominal",
                "pay_real",
                "norm_index",
                "grievance",
                "fear",
                "consciousness",
                "pay_total",
                "fulfilment_month",
                "authority",
                "enforcement_will",
            )
        ]
        metrics = metrics.with_columns([pl.col(c).round(0).cast(pl.Int64) for c in int_cols])
        monthly = monthly_from_daily(metrics)
        by_factory = None
        if self.fac_rows is not None:
            nd, nf, _ = self.fac_rows.shape
            bf = {
                "date": pl.Series("date", np.repeat(np.array(dates, dtype="datetime64[D]"), nf)),
                "factory": np.tile(np.arange(nf, dtype=np.int32), nd),
            }
            for name, j in self.col.items():
                bf[name] = self.fac_rows[:, :, j].ravel()
            by_factory = pl.DataFrame(bf).with_columns(
                [pl.col(c).round(0).cast(pl.Int64) for c in int_cols]
            )
        person_days = float(metrics["headcount"].sum())
        manifest = {
            "scenario": self.s.model_dump(mode="json"),
            "scenario_sha256": scenario_hash(self.s),
            "regime": self.s.regime,
            "seed": self.s.seed,
            "period": [self.s.period.start.isoformat(), self.s.period.end.isoformat()],
            "started": started.isoformat(),
            "finished": dt.datetime.now(dt.UTC).isoformat(),
            "wall_seconds": round(wall, 3),
            "worker_days": person_days,
            "worker_days_per_second": round(person_days / max(wall, 1e-9)),
            "events": len(self.log),
        }
        return Result(
            self.s, metrics, monthly, self.log.frame(), manifest, dict(self.profile), by_factory
        )


def scenario_hash(scenario: Scenario) -> str:
    import hashlib
    import json

    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _erfinv(y: np.ndarray) -> np.ndarray:
    """Inverse error function (Winitzki's approximation, good to ~1e-3; used for sizes only)."""
    a = 0.147
    y = np.clip(y, -0.999999, 0.999999)
    ln = np.log(1.0 - y * y)
    t = 2.0 / (np.pi * a) + ln / 2.0
    return np.sign(y) * np.sqrt(np.sqrt(t * t - ln / a) - t)


def simulate(
    scenario: Scenario,
    *,
    regime: str | None = None,
    seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    by_factory: bool = False,
    threads: int | None = None,
    step_by_step: bool = False,
) -> Result:
    """Run a scenario and return its :class:`Result`.

    Args:
        scenario: a validated scenario (see :func:`treugolnik.load_scenario`).
        regime: override the scenario's regime (applies that regime's preset anew).
        seed: override the root seed.
        progress: called as ``progress(days_done, n_days)`` every 30 days.
        by_factory: also keep per-factory daily rows (written as ``metrics.parquet``).
        threads: threads for the daily passes of populations of 500,000 or more (default:
            ``TREUGOLNIK_THREADS`` or the machine's cores); results do not depend on it.
        step_by_step: run every day step by step, each step timed in ``Result.profile``,
            instead of running quiet days as compiled runs (``treugolnik.quiet``); results
            do not depend on it.

    Returns:
        A :class:`Result` with ``metrics``, ``monthly`` and ``events`` (Polars) and ``save()``.

    """
    if regime is not None and regime != scenario.regime:
        from .scenario.regimes import with_regime

        scenario = with_regime(scenario, regime)
    if seed is not None:
        scenario = scenario.model_copy(update={"seed": int(seed)})
    passes = Passes(threads=threads) if threads is not None else None
    return Simulation(
        scenario, by_factory=by_factory, passes=passes, step_by_step=step_by_step
    ).run(progress)
