"""The world on the first day: factories of their sizes, people with their attributes and
party status, shops with their norms, the plan, and the three posts of each triangle.
"""

from __future__ import annotations

import numpy as np

from . import records
from .maths import erfinv
from .mechanisms import hiring
from .mechanisms.hiring import growth_multipliers
from .mechanisms.posts import fill_posts
from .population import CANDIDATE, FOREMAN, MANAGER, MEMBER, SPECIALIST, WORKER, Population
from .rng import uniforms, uniforms2
from .state import Factories, Shops, World
from .timeline import EPOCH, working_calendar


def initial_world(s, policy, keys) -> World:
    """The world of scenario ``s`` on its first day (``policy``: its ``timeline.Policy``;
    ``keys``: its ``rng.Streams``; draws on the ``init`` stream keyed by day and id).
    """
    fs = s.factories
    start = s.period.start
    day0 = (start - EPOCH).days
    key = keys["init"]
    nf, S = fs.count, fs.shops
    fac = Factories.empty(nf)
    z = uniforms(keys["init", "factory"], day0, np.arange(nf, dtype=np.int64))
    zn = np.sqrt(2.0) * erfinv(2.0 * z - 1.0)
    fac.size0[:] = np.maximum(10.0, fs.size * np.exp(fs.size_sigma * zn - 0.5 * fs.size_sigma**2))
    mix = np.array(
        [fs.role_mix.worker, fs.role_mix.foreman, fs.role_mix.specialist, fs.role_mix.manager]
    )
    counts = np.maximum(np.round(fac.size0[:, None] * mix[None, :]), 1).astype(np.int64)
    counts[:, WORKER] = np.round(fac.size0).astype(np.int64) - counts[:, 1:].sum(axis=1)
    fac_of = np.repeat(np.repeat(np.arange(nf), 4), counts.ravel())
    role_of = np.repeat(np.tile(np.arange(4), nf), counts.ravel())
    # room for the first day's hires too (hiring.room_needed: up to twice the headcount with
    # flitting), so that the table does not grow, and copy itself, on the first day; rows not
    # yet used are zero pages the system has not yet given memory to
    pop = Population(capacity=int(counts.sum() * 4))
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
    # party: the most conscious (with noise) are members, the next ones candidates. Among
    # specialists and managers the members are their roles' shares (engineers overwhelmingly
    # outside the party, managers largely in it); workers and foremen hold the other members
    # of the plant's ``party_share``, and all the candidates.
    u = uniforms2(key, day0, pop.pid[:n], 6)
    score = pop.c[:n] + 0.3 * u
    order = np.argsort(-score, kind="stable")
    role = pop.role[:n][order]
    n_mem = int(round(fs.party_share * n))
    n_cand = int(round(fs.candidate_share * n))
    for r, share in ((SPECIALIST, fs.specialist_party_share), (MANAGER, fs.manager_party_share)):
        of_role = order[role == r]
        k = min(int(round(share * of_role.size)), n_mem)
        pop.party[of_role[:k]] = MEMBER
        n_mem -= k
    bench = order[role <= FOREMAN]
    pop.party[bench[:n_mem]] = MEMBER
    pop.party[bench[n_mem : n_mem + n_cand]] = CANDIDATE
    since = uniforms2(key, day0, pop.pid[:n], 7)
    pop.party_since[:n] = day0 - (since * 1825).astype(np.int32)
    cand = pop.party[:n] == CANDIDATE
    pop.party_since[:n][cand] = day0 - (since[cand] * 300).astype(np.int32)
    pop.phi[:n] = 0.0
    pop.g[:n] = 0.1
    shops = Shops.empty(nf * S, np.repeat(np.arange(nf), S), S)
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
    hours = policy.values["hours"][0]
    per_fac = np.bincount(
        pop.factory[:n][workers], weights=(pop.skill[:n] * pop.e0[:n])[workers], minlength=nf
    )
    daily = per_fac * hours * supply * 0.95 * (6.0 / 7.0)
    fac.target_annual[:] = daily * 365.0 * s.plan.initial_fulfilment
    fac.headcount[:] = np.bincount(pop.factory[:n], minlength=nf)
    fill_posts(pop, fac)
    return World(pop, shops, fac, S)


def _month_lengths(dates) -> np.ndarray:
    """The number of days in each date's month."""
    d = np.array(dates, dtype="datetime64[D]")
    month = d.astype("datetime64[M]")
    return ((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(np.int64)


def calendar(s, pol, purge_h, n_steps: int, n_split: int):
    """The run's calendar (``records.Cal``): each day's number, day of the month and the
    month's length, working calendar, growth of the target headcount, discipline decrees, the
    centre's policy variables, the purge's daily hazard, the wage and price indices; room for
    which of ``n_steps`` steps run each day; ``n_split`` rows from which tables are split.
    """
    days = [(d - EPOCH).days for d in pol.dates]
    v = pol.values
    cal_code, common = working_calendar(pol)
    absence = v["absence_penalty"]
    decree = np.zeros(pol.n_days, dtype=np.bool_)
    decree[1:] = absence[1:] > absence[:-1] + 1e-9  # a discipline decree raises the penalty
    f64 = np.ascontiguousarray
    cal = records.Cal(
        days=np.array(days, dtype=np.int64),
        doms=np.array([d.day for d in pol.dates], dtype=np.int64),
        dims=_month_lengths(pol.dates),
        cal_code=np.asarray(cal_code, dtype=np.int64),
        common=np.asarray(common, dtype=np.bool_),
        growth=np.array(
            growth_multipliers(pol.dates, s.period.start, s.factories.growth,
                               s.factories.growth_path), dtype=np.float64),
        decree=decree,
        **{k: f64(v[k], dtype=np.float64) for k in (
            "tempo", "discipline", "absence_penalty", "quit_penalty", "prosecution",
            "village_supply", "hours", "campaign", "arrest_quota", "specialist_baiting", "appeals",
            "participation",
            "recruitment", "norm_drive")},
        purge_h=f64(purge_h, dtype=np.float64),
        wage_index=f64(pol.wage_index, dtype=np.float64),
        price=f64(pol.price, dtype=np.float64),
        active=np.zeros((pol.n_days, n_steps), dtype=np.bool_),
        quiet=np.zeros(n_steps, dtype=np.bool_),
        fuse=np.zeros(pol.n_days, dtype=np.bool_),
        n_split=n_split,
    )  # fmt: skip
    return cal
