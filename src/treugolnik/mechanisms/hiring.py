"""Hiring to the target headcount and the attributes of newcomers.

docs/ODD.md, section 7 ("Hiring"). The target headcount of a factory follows its
growth path (Kirov: about 12,000 in 1928 to about 30,000 in 1941; P8) plus a safety factor of
hoarded labour (Berliner's safety factor). Each day a share ``fill_rate * village_supply`` of
the vacancies of each role is filled; workers come largely from the village (collectivisation
pushed peasants into industry, internal passports from Dec 1932 slowed the flow), less skilled
and less conscious than the urban core. All attributes are counter-based draws keyed by the new
person's id (stream ``hiring``), so who gets hired does not depend on storage order.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..maths import numpy_sum
from ..population import EMPLOYED, WORKER, Population, new_ids
from ..records import F_QUITS_Y, I_CUR, I_HAVE_STOCKS
from ..rng import beta, uniform, uniform2
from ..state import C_HIRES
from ..stocks import stocks_into


@njit(cache=True)
def fill_rows(
    P, rows0, rows1, fac_of_row, role_of_row, per_factory, key, day, dists, village_share,
    effort, tenure_max_days,
):  # fmt: skip
    """Set the attributes of the new people in rows ``rows0..rows1`` of the person table ``P``
    (ids already given) from draws keyed by their ids: factory and role as given, shop,
    village origin, skill and consciousness (``dists``: the two Beta distributions), base
    effort (normal with ``effort`` = (mean, sd), at least 0.3), and a tenure of up to
    ``tenure_max_days``.
    """
    pid, factory, shop, role, skill, c = P.pid, P.factory, P.shop, P.role, P.skill, P.c
    e0, village, hired = P.e0, P.village, P.hired
    skill_a, skill_b = dists[0].alpha, dists[0].beta
    c_a, c_b = dists[1].alpha, dists[1].beta
    e_mean, e_sd = effort
    for i in range(rows0, rows1):
        p = pid[i]
        f = fac_of_row[i - rows0]
        factory[i] = f
        role[i] = role_of_row[i - rows0]
        shop[i] = f * per_factory + int(uniform2(key, day, p, 1) * per_factory)
        is_village = role[i] == WORKER and uniform2(key, day, p, 2) < village_share
        village[i] = 1 if is_village else 0
        sk = beta(key, day, p, skill_a, skill_b, 1000)
        cs = beta(key, day, p, c_a, c_b, 5000)
        if role[i] != WORKER:
            # foremen, specialists and managers: trained and better versed in the party's language
            sk = 0.5 + 0.5 * sk
            cs = min(1.0, cs + 0.2)
        skill[i] = sk
        c[i] = cs
        z = np.sqrt(-2.0 * np.log(1.0 - uniform2(key, day, p, 3))) * np.cos(
            2.0 * np.pi * uniform2(key, day, p, 4)
        )
        e0[i] = max(0.3, e_mean + e_sd * z)
        hired[i] = day - int(uniform(key, day, p) * tenure_max_days)


def add_people(
    pop: Population,
    fac_of_new: np.ndarray,
    role_of_new: np.ndarray,
    shops_per_factory: int,
    key,
    day: int,
    *,
    skill,
    consciousness,
    village_share: float,
    e_mean: float,
    e_sd: float,
    tenure_max_days: int = 0,
) -> slice:
    """Append people with the given factories and roles; attributes drawn by id. Returns rows.

    ``skill`` and ``consciousness`` are Beta distributions (anything with ``alpha`` and
    ``beta``).
    """
    k = int(fac_of_new.shape[0])
    rows = pop.append(k)
    if k:
        dists = tuple(_beta_record(d) for d in (skill, consciousness))
        fill_rows(
            pop.record(), rows.start, rows.stop, fac_of_new.astype(np.int32),
            role_of_new.astype(np.int8), shops_per_factory, key, day, dists,
            float(village_share), (float(e_mean), float(e_sd)), tenure_max_days,
        )  # fmt: skip
    return rows


def _beta_record(dist):
    from ..records import param_record

    return dist if isinstance(dist, tuple) else param_record(dist, "distribution")


@njit(cache=True)
def hires_by_mix(target, mix, headcount_by_role, fill_rate, village_supply, key, day):
    """Hires per (factory, role): a share of the vacancies against the target by role
    ``target[f] * mix[r]`` (for workers the share is multiplied by the village's supply),
    stochastically rounded with a draw keyed by (day, factory * 4 + role), common across runs.
    """
    nf, nr = headcount_by_role.shape
    out = np.empty((nf, nr), dtype=np.int64)
    for f in range(nf):
        for r in range(nr):
            out[f, r] = _hires_of(
                target[f] * mix[r], headcount_by_role[f, r], f, r, nr, fill_rate,
                village_supply, key, day,
            )  # fmt: skip
    return out


@njit(cache=True, inline="always")
def _hires_of(target, headcount, f, r, nr, fill_rate, village_supply, key, day):
    vac = max(target - headcount, 0.0)
    # worker recruitment depends on the village's supply
    rate = fill_rate * village_supply if r == WORKER else fill_rate
    u = uniform(key, day, f * nr + r)  # the (factory, role) slot's draw
    return np.int64(np.floor(vac * min(rate, 1.0) + u))


@njit(cache=True, inline="always")
def _start(hired, g, lo, hi, day):
    """The newly hired in rows ``lo..hi`` start today, with a grievance of 0.1."""
    for i in range(lo, hi):
        hired[i] = day
        g[i] = 0.1


@njit(cache=True)
def hire_flitters(P, flit, r0, by_role, today, per_factory, key, day, dists, effort):
    """Fill the rows reserved from ``r0`` with the workers each factory takes from other
    plants today (``flit``, from :func:`flitters_by_factory`; attributes drawn as
    :func:`add_people` draws them, none from the village; tenure 0, grievance 0.1), and count
    them in ``by_role`` and ``today``.
    """
    nf = flit.shape[0]
    fac_of, role_of = expand_hires(flit.reshape(nf, 1))
    k = fac_of.shape[0]
    fill_rows(P, r0, r0 + k, fac_of, role_of, per_factory, key, day, dists, 0.0, effort, 0)
    _start(P.hired, P.g, r0, r0 + k, day)
    for f in range(nf):
        by_role[f, WORKER] += flit[f]
        today[f, C_HIRES] += flit[f]


@njit(cache=True)
def hire_rows(
    P, hires, r0, n_before, today, per_factory, key, day, dists, village_share, effort
):  # fmt: skip
    """Fill the rows reserved from ``r0`` with the day's hires (:func:`expand_hires` order,
    attributes as :func:`add_people` draws them; tenure 0, grievance 0.1) and count them in
    ``today``; returns the end-of-day stocks (``record.STOCKS``) of all rows added today, from
    ``n_before`` on.
    """
    fac_of, role_of = expand_hires(hires)
    k = fac_of.shape[0]
    if k:
        fill_rows(
            P, r0, r0 + k, fac_of, role_of, per_factory, key, day, dists, village_share,
            effort, 0,
        )  # fmt: skip
        _start(P.hired, P.g, r0, r0 + k, day)
        for f in range(hires.shape[0]):
            total = 0
            for r in range(hires.shape[1]):
                total += hires[f, r]
            today[f, C_HIRES] += total
    out = np.zeros((today.shape[0], 16))
    stocks_into(out, n_before, r0 + k, P, day)
    return out


@njit(cache=True)
def room_needed(t, S):
    """Rows the person table must have free before the hiring step of day ``t``: a factory
    hires at most its vacancies plus one a role, and its vacancies are at most its target
    headcount (with flitting, at most its worker vacancies more).
    """
    fa, hp, mix = S.fac, S.par.hiring, S.day.mix
    grow = S.cal.growth[t] * (1.0 + hp.safety_factor)
    nf = fa.size0.shape[0]
    bound = 4 * nf + 1
    for f in range(nf):
        bound += int(fa.size0[f] * grow * mix.sum()) + 1
        if hp.flit_share > 0:
            bound += int(fa.size0[f] * grow * mix[0]) + 1
    return bound


@njit(cache=True)
def hiring_step(lo, hi, t, S):
    """The ``hiring`` step: yesterday's quitters re-hired by plants short of workers
    ("flitting", ``hiring.flit_share``), then a share of each role's vacancies filled
    (:func:`hires_by_mix`), into rows reserved beforehand (:func:`room_needed`). The stocks of
    the day's hires go to ``day.hired_stocks``.
    """
    P, D, cal, hp, pr = S.people, S.day, S.cal, S.par.hiring, S.par.production
    fs = S.par.factories
    day = cal.days[t]
    per_factory = S.shops.per_factory
    nf = D.target.shape[0]
    n = P.size[0]
    if D.ints[I_HAVE_STOCKS]:
        # yesterday's end-of-day employees by role less today's leavers so far, with
        # promotions moved between roles
        by_role = D.stocks[D.ints[I_CUR]][:, 1:5] - D.leavers[:, 1:5]
    else:
        by_role = count_by_role(0, n, P.state, P.factory, P.role, nf)
    n_before = n
    effort = (pr.e0, pr.e_sd)
    quits_y = D.floats[F_QUITS_Y]
    if hp.flit_share > 0 and quits_y > 0:
        wanted = np.empty(nf)
        for f in range(nf):
            wanted[f] = max(D.target[f] * D.mix[0] - by_role[f, 0], 0.0)
        flit = flitters_by_factory(hp.flit_share * quits_y, wanted, S.keys.flitting_factory, day)
        kf = flit.sum()
        new_ids(P.pid, P.last_accused, n, P.size[1], kf)
        hire_flitters(
            P, flit, n, by_role, D.today, per_factory, S.keys.flitting, day,
            (fs.skill, fs.consciousness), effort,
        )  # fmt: skip
        n += kf
        P.size[1] += kf
    hires = hires_by_mix(
        D.target, D.mix, by_role, hp.fill_rate, cal.village_supply[t], S.keys.hiring_slot, day
    )
    k = 0
    for f in range(nf):
        for r in range(4):
            k += hires[f, r]
    new_ids(P.pid, P.last_accused, n, P.size[1], k)
    D.hired_stocks[:] = hire_rows(
        P, hires, n, n_before, D.today, per_factory, S.keys.hiring, day,
        (hp.newcomer_skill, hp.newcomer_consciousness),
        min(1.0, hp.village_share * cal.village_supply[t]), effort,
    )  # fmt: skip
    P.size[0] = n + k
    P.size[1] += k


def growth_multipliers(dates, start, growth: float, path) -> list[float]:
    """The target headcount's multiple of the initial size on each of ``dates``: the growth
    path (date, multiple) interpolated linearly if given, else compound growth from ``start``.
    """
    if path:
        xs = np.array([(d - path[0][0]).days for d, _ in path], dtype=float)
        ys = np.array([m for _, m in path], dtype=float)
        days = np.array([(d - path[0][0]).days for d in dates], dtype=float)
        return np.interp(days, xs, ys).tolist()
    return [(1.0 + growth) ** ((d - start).days / 365.25) for d in dates]


@njit(cache=True)
def expand_hires(hires):
    """The factory and role of each of the day's hires, factory by factory, role by role."""
    k = 0
    for f in range(hires.shape[0]):
        for r in range(hires.shape[1]):
            k += hires[f, r]
    fac_of = np.empty(k, dtype=np.int32)
    role_of = np.empty(k, dtype=np.int8)
    k = 0
    for f in range(hires.shape[0]):
        for r in range(hires.shape[1]):
            for _ in range(hires[f, r]):
                fac_of[k] = f
                role_of[k] = r
                k += 1
    return fac_of, role_of


@njit(cache=True, nogil=True)
def count_by_role(lo, hi, state, factory, role, n_factories):
    """Employees per (factory, role) in rows ``lo..hi``."""
    out = np.zeros((n_factories, 4))
    for i in range(lo, hi):
        if state[i] == EMPLOYED:
            out[factory[i], role[i]] += 1.0
    return out


@njit(cache=True)
def flitters_by_factory(total, wanted, key, day):
    """Spread re-hired quitters over factories in proportion to their worker vacancies.

    The 1930s "flitting" (tekuchest'): a worker who quits one plant is hired by another.
    Factory ``f`` takes ``min(total, sum(wanted)) * wanted[f] / sum(wanted)``, rounded up with
    the probability of its fraction (draws keyed by day and factory), never above
    ``floor(wanted[f])``.
    """
    nf = wanted.shape[0]
    out = np.zeros(nf, dtype=np.int64)
    w_sum = numpy_sum(wanted, 0, nf)
    if total <= 0 or w_sum <= 0:
        return out
    m = total if total <= w_sum else w_sum
    for f in range(nf):
        u = uniform(key, day, f)  # the factory's draw
        out[f] = np.int64(min(np.floor(m * wanted[f] / w_sum + u), np.floor(wanted[f])))
    return out
