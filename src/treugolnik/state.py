"""The state of a simulated world, defined once: people, shops, factories, today's counters.

Mechanisms receive a :class:`World` (or its arrays) and change it; they never import the
engine. Shops are indexed globally (``factory * shops + local``). ``World.today`` holds the
per-factory event counters of the current day, indexed by :data:`COUNTERS`; the engine turns
them, with the end-of-day stocks, into the metrics of the record contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .population import Population

# Per-factory event counters of one day (the record's flow columns, plus a few extras).
COUNTERS = (
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
    "pay_nominal",
    "workdays",
    "proposals_made",
    "proposals_adopted",
    "clashes",
    "meetings",
    "items",
    "workers_won",
    "concessions",
    "accusations",
    "accusations_political",
    "prosecutions_absence",
    "prosecutions_quitting",
    "directives_issued",
    "directives_adopted",
    "promotions",
    "management_turnover",
    "manager_arrests",
    "recruited",
    "reinstatements",
    "elections",
    "officers_replaced",
    "norm_hours",
)
C = {name: i for i, name in enumerate(COUNTERS)}
CLOCK_GROUPS = 5  # the continuous week's rest-day groups: a shop's absence clocks
# (clocks) production by sums: the sums kept per shop and rest-day group (``Shops.sums``), the
# month's cumulative daily series a person's output and pay are banked from (``Shops.series``,
# ``SERIES_DAYS`` entries a series: day 0 of the month to 31), and the shops' bounds
N_SUMS = 20
N_SERIES = 10
SERIES_DAYS = 32
N_EXT = 6


class Shops(NamedTuple):
    """Per-shop arrays (length n_shops). Shops are indexed globally: factory * per_factory +
    local shop.
    """

    n: int
    per_factory: int  # shops a factory
    factory: np.ndarray
    norm: np.ndarray  # output per hour at 100 % fulfilment
    A: np.ndarray  # productivity (raised by adopted proposals)
    safety: np.ndarray  # 0..1
    effort_prev: np.ndarray  # yesterday's mean effort (peer norm)
    effort_sum: np.ndarray
    effort_n: np.ndarray
    accidents_m: np.ndarray  # accidents this month
    deaths_m: np.ndarray
    out_q: np.ndarray  # output this quarter
    normhours_q: np.ndarray  # norm x hours worked this quarter
    clash: np.ndarray  # clash pressure (decays monthly), raises absence
    g_pulse: np.ndarray  # grievance to add to every member tomorrow
    fear_pulse: np.ndarray  # fear to add to every member tomorrow
    norm_pause: np.ndarray  # 1 = next norm revision blocked (concession)
    norm_rose: np.ndarray  # relative norm rise at the last revision
    # the hazard clocks (draws.labour = "clocks"): each shop's accumulated grievance and fear
    # pulses, decaying as grievance and fear do; its absence clocks (one per rest-day group:
    # index shop * CLOCK_GROUPS + group) and quit clock, and today's move of each
    level_g: np.ndarray
    level_phi: np.ndarray
    clock_abs: np.ndarray
    clock_quit: np.ndarray
    move_abs: np.ndarray
    move_quit: np.ndarray
    # (clocks) the pulse levels at the last rebuild (the shops' bounds are taken from them)
    base_g: np.ndarray
    base_phi: np.ndarray
    rows_at_labour: np.ndarray  # (clocks) the table's rows in use at the day's labour
    # (clocks) production by sums (mechanisms.sums): per shop and rest-day group, the sums of
    # the working and the employed (``N_SUMS`` each), their changes since the last rebuild
    # made by a day's steps (``dsum``) and the day's exclusions (absent, or effort clipped:
    # ``xsum``); the month's cumulative series (``N_SERIES`` x ``SERIES_DAYS`` each); the
    # accident clocks and today's moves; per shop the accident bound, the bounds of the
    # members' terms (``N_EXT``, as maxima), today's risk flags and shop term of effort;
    # ``basis``: the day of the last rebuild, E and F today, the month's first day, built
    sums: np.ndarray
    dsum: np.ndarray
    xsum: np.ndarray
    series: np.ndarray
    clock_acc: np.ndarray
    move_acc: np.ndarray
    p_bound: np.ndarray
    ext: np.ndarray
    risk: np.ndarray
    sigma: np.ndarray
    basis: np.ndarray

    @classmethod
    def empty(cls, n: int, factory: np.ndarray, per_factory: int = 1) -> Shops:
        def z(k=1):
            return np.zeros(n * k, dtype=np.float64)

        return cls(
            n, int(per_factory), np.asarray(factory, dtype=np.int64), z(), np.ones(n), z(),
            np.ones(n), z(), z(), z(), z(), z(), z(), z(), z(), z(),
            np.zeros(n, dtype=np.int8), z(), z(), z(), z(CLOCK_GROUPS), z(), z(CLOCK_GROUPS), z(),
            z(), z(), np.zeros(1, dtype=np.int64),
            z(CLOCK_GROUPS * N_SUMS), z(CLOCK_GROUPS * N_SUMS), z(CLOCK_GROUPS * N_SUMS),
            z(CLOCK_GROUPS * N_SERIES * SERIES_DAYS), z(CLOCK_GROUPS), z(CLOCK_GROUPS), z(),
            np.full(n * N_EXT, -np.inf), np.zeros(n, dtype=np.int8), z(), np.zeros(12),
        )  # fmt: skip


class Factories(NamedTuple):
    """Per-factory arrays (length n_factories) and the holders of the three posts."""

    n: int
    size0: np.ndarray  # employees on the start date
    target_annual: np.ndarray  # annual output target (plan)
    output_y: np.ndarray  # output this plan year
    output_m: np.ndarray  # output this month
    plan_m: np.ndarray  # this month's plan
    fulfilment_last: np.ndarray  # last month's fulfilment
    authority: np.ndarray  # management authority 0..1
    will: np.ndarray  # enforcement will 0..1
    pay_mult: np.ndarray  # pay correction multiplier
    disruption: np.ndarray  # output lost to meetings, institutions, clashes
    vydv_penalty: np.ndarray  # productivity cost of promoted managers (decays)
    fear_pulse: np.ndarray
    g_pulse: np.ndarray
    vacancy_rate: np.ndarray
    headcount: np.ndarray
    findings: np.ndarray  # control-commission findings waiting for the next PPO meeting
    storm: np.ndarray  # today's storming effort boost
    secretary: np.ndarray  # pid of the PPO secretary
    union_chair: np.ndarray  # pid of the union committee chair
    director: np.ndarray  # pid of the director

    @classmethod
    def empty(cls, n: int) -> Factories:
        def z():
            return np.zeros(n, dtype=np.float64)

        def ids():
            return np.full(n, -1, dtype=np.int64)

        return cls(
            n, z(), z(), z(), z(), z(), np.ones(n), np.full(n, 0.6), np.full(n, 0.6),
            np.ones(n), z(), z(), z(), z(), z(), z(), np.zeros(n, dtype=np.int64), z(), ids(),
            ids(), ids(),
        )  # fmt: skip


@dataclass
class World:
    """The state as the monthly steps (written in Python) see it: people, shops, factories
    and today's counters (the same arrays as the run's ``records.State``).
    """

    pop: Population
    shops: Shops
    fac: Factories
    shops_per_factory: int
    today: np.ndarray = field(default=None)  # (n_factories, len(COUNTERS))
    # (clocks) ``person_hook(kind, row, day)``: a Python step touches a person whose terms it
    # changes (mechanisms.sums: OUT before, IN after, LEAVE); None with the daily draws
    person_hook: object = field(default=None)
    C = C  # counter column by name

    def reset_today(self) -> None:
        if self.today is None:
            self.today = np.zeros((self.fac.n, len(COUNTERS)), dtype=np.float64)
        else:
            self.today[:] = 0.0


# Counter columns as module constants, for the Numba kernels (globals are compile-time there).
C_HIRES = C["hires"]
C_QUITS = C["quits"]
C_DISMISSALS = C["dismissals"]
C_ARRESTS = C["arrests"]
C_DEATHS = C["deaths"]
C_EXPULSIONS = C["expulsions"]
C_ABSENT = C["absent"]
C_SCHEDULED = C["scheduled"]
C_ACCIDENTS = C["accidents"]
C_OUTPUT = C["output"]
C_PAY = C["pay_nominal"]
C_WORKDAYS = C["workdays"]
C_PROS_ABS = C["prosecutions_absence"]
C_PROS_QUIT = C["prosecutions_quitting"]
C_NORM_HOURS = C["norm_hours"]
C_MANAGER_ARRESTS = C["manager_arrests"]
