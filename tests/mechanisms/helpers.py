import numpy as np

from treugolnik.population import Population
from treugolnik.state import COUNTERS


def crowd(n: int, *, shops: int = 1, day0: int = 0) -> Population:
    """n identical employed workers in factory 0, spread over ``shops`` shops."""
    pop = Population(capacity=n)
    pop.append(n)
    pop.shop[:n] = np.arange(n) % shops
    pop.skill[:n] = 0.5
    pop.e0[:n] = 1.0
    pop.c[:n] = 0.3
    pop.hired[:n] = day0 - 365
    return pop


def today(nf: int = 1) -> np.ndarray:
    return np.zeros((nf, len(COUNTERS)))


def within(share: float, p: float, n: int, z: float = 4.5) -> bool:
    return abs(share - p) <= z * np.sqrt(p * (1 - p) / n) + 1e-12


def tiny_state(pop, *, nf: int = 1, shops: int = 1, scenario=None, days=(0,), **cal):
    """A ``records.State`` around ``pop`` for calling compiled steps directly: ``nf``
    factories of ``shops`` shops each, the scenario's parameters (default: the defaults), and
    a calendar of the given day numbers whose policy values are given as keyword arrays or
    numbers (defaults: a common working day, calendar 0, nothing else switched on; hours 7).
    Returns ``(S, ref)``: the named tuple and what compiled steps take.
    """
    from treugolnik import records
    from treugolnik.plan import PLAN, QUIET
    from treugolnik.rng import Streams
    from treugolnik.scenario.schema import Scenario
    from treugolnik.state import Factories, Shops

    scenario = scenario or Scenario()
    nd = len(days)
    rm, p = scenario.factories.role_mix, scenario.pay
    day = records.new_day(
        nf, nf * shops, len(COUNTERS), [rm.worker, rm.foreman, rm.specialist, rm.manager],
        [1.0, p.foreman, p.specialist, p.manager], 4096,
    )  # fmt: skip
    defaults = dict(
        doms=np.full(nd, 2), dims=np.full(nd, 30), cal_code=np.zeros(nd, dtype=np.int64),
        common=np.ones(nd, dtype=np.bool_), growth=np.ones(nd), decree=np.zeros(nd, np.bool_),
        tempo=0.0, discipline=0.0, absence_penalty=0.0, quit_penalty=0.0, prosecution=0.0,
        village_supply=1.0, hours=7.0, campaign=0.0, arrest_quota=0.0, specialist_baiting=0.0,
        appeals=0.0, participation=0.0,
        recruitment=0.0, norm_drive=0.0, purge_h=0.0, wage_index=1.0, price=1.0,
    )  # fmt: skip
    defaults.update(cal)
    fields = {}
    for name, value in defaults.items():
        arr = np.asarray(value)
        if arr.ndim == 0:
            arr = np.full(nd, value, dtype=np.float64)
        fields[name] = np.ascontiguousarray(arr)
    for name in ("doms", "dims", "cal_code"):
        fields[name] = fields[name].astype(np.int64)
    for name in ("common", "decree"):
        fields[name] = fields[name].astype(np.bool_)
    c = records.Cal(
        days=np.asarray(days, dtype=np.int64), **fields,
        active=np.ones((nd, len(PLAN)), dtype=np.bool_), quiet=QUIET.copy(),
        fuse=np.zeros(nd, dtype=np.bool_), n_split=1 << 40,
    )  # fmt: skip
    ncol = 52
    rec = records.Rec(
        *(np.zeros(1, dtype=np.int64) for _ in range(5)), np.zeros((4, nf)),
        np.ones(nf * shops), np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64),
        np.zeros(5, dtype=np.int64), np.zeros((nf, ncol)), np.zeros((nd, ncol)),
    )  # fmt: skip
    S = records.State(
        pop.record(), Shops.empty(nf * shops, np.repeat(np.arange(nf), shops), shops),
        Factories.empty(nf), day, c, records.params(scenario),
        records.keys(Streams(scenario.seed)), rec,
    )  # fmt: skip
    return S, records.compiled(S)
