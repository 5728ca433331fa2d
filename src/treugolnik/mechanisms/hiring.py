"""Hiring to the target headcount and the attributes of newcomers.

MODEL.md section 7 ("Turnover and hiring"). The target headcount of a factory follows its
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

from ..population import EMPLOYED, WORKER, Population
from ..record import numpy_sum, stocks_by_factory
from ..rng import beta, uniform, uniform2
from ..state import C_HIRES


@njit(cache=True)
def fill_rows(
    rows0,
    rows1,
    pid,
    factory,
    shop,
    role,
    skill,
    c,
    e0,
    village,
    hired,
    fac_of_row,
    role_of_row,
    shops_per_factory,
    key,
    day,
    skill_a,
    skill_b,
    c_a,
    c_b,
    village_share,
    e_mean,
    e_sd,
    tenure_max_days,
):
    """Set the attributes of the new people in rows ``rows0..rows1`` (ids already given) from
    draws keyed by their ids: factory and role as given, shop, village origin, skill and
    consciousness (Beta), base effort (normal), and a tenure of up to ``tenure_max_days``.
    """
    for i in range(rows0, rows1):
        p = pid[i]
        f = fac_of_row[i - rows0]
        factory[i] = f
        role[i] = role_of_row[i - rows0]
        shop[i] = f * shops_per_factory + int(uniform2(key, day, p, 1) * shops_per_factory)
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
    """Append people with the given factories and roles; attributes drawn by id. Returns rows."""
    k = int(fac_of_new.shape[0])
    rows = pop.append(k)
    if k:
        fill_rows(
            rows.start,
            rows.stop,
            pop.pid,
            pop.factory,
            pop.shop,
            pop.role,
            pop.skill,
            pop.c,
            pop.e0,
            pop.village,
            pop.hired,
            fac_of_new.astype(np.int32),
            role_of_new.astype(np.int8),
            shops_per_factory,
            key,
            day,
            skill.alpha,
            skill.beta,
            consciousness.alpha,
            consciousness.beta,
            village_share,
            e_mean,
            e_sd,
            tenure_max_days,
        )
    return rows


def hires_today(
    target_by_role: np.ndarray,
    headcount_by_role: np.ndarray,
    fill_rate: float,
    village_supply: float,
    key,
    day: int,
) -> np.ndarray:
    """Number of hires per (factory, role): a share of vacancies, stochastically rounded.

    The rounding draw is keyed by (day, factory * 4 + role), so it is common across runs.
    """
    return _hires(target_by_role, headcount_by_role, fill_rate, village_supply, key, day)


@njit(cache=True)
def _hires(target_by_role, headcount_by_role, fill_rate, village_supply, key, day):
    nf, nr = target_by_role.shape
    out = np.empty((nf, nr), dtype=np.int64)
    for f in range(nf):
        for r in range(nr):
            out[f, r] = _hires_of(
                target_by_role[f, r], headcount_by_role[f, r], f, r, nr, fill_rate,
                village_supply, key, day,
            )  # fmt: skip
    return out


@njit(cache=True)
def hires_by_mix(target, mix, headcount_by_role, fill_rate, village_supply, key, day):
    """:func:`hires_today` with the target by role given as ``target[f] * mix[r]``."""
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
    u = uniform(key, day, f * nr + r + 1_000_000_007)
    return np.int64(np.floor(vac * min(rate, 1.0) + u))


@njit(cache=True, inline="always")
def _start(hired, g, lo, hi, day):
    """The newly hired in rows ``lo..hi`` start today, with a grievance of 0.1."""
    for i in range(lo, hi):
        hired[i] = day
        g[i] = 0.1


@njit(cache=True)
def hire_flitters(
    flit, r0, pid, factory, shop, role, skill, c, e0, village, hired, g, by_role, today,
    shops_per_factory, key, day, skill_a, skill_b, c_a, c_b, e_mean, e_sd,
):  # fmt: skip
    """Fill the rows reserved from ``r0`` with the workers each factory takes from other
    plants today (``flit``, from :func:`allocate_flitters`; attributes drawn as
    :func:`add_people` draws them, none from the village; tenure 0, grievance 0.1), and count
    them in ``by_role`` and ``today``.
    """
    nf = flit.shape[0]
    fac_of, role_of = expand_hires(flit.reshape(nf, 1))
    k = fac_of.shape[0]
    fill_rows(
        r0, r0 + k, pid, factory, shop, role, skill, c, e0, village, hired, fac_of, role_of,
        shops_per_factory, key, day, skill_a, skill_b, c_a, c_b, 0.0, e_mean, e_sd, 0,
    )  # fmt: skip
    _start(hired, g, r0, r0 + k, day)
    for f in range(nf):
        by_role[f, WORKER] += flit[f]
        today[f, C_HIRES] += flit[f]


@njit(cache=True)
def hire_rows(
    hires, r0, n_before, pid, factory, shop, role, skill, c, e0, village, hired, g, state,
    injured_until, phi, party, shock, stakh, inst, today, shops_per_factory, key, day, skill_a,
    skill_b, c_a, c_b, village_share, e_mean, e_sd,
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
            r0, r0 + k, pid, factory, shop, role, skill, c, e0, village, hired, fac_of, role_of,
            shops_per_factory, key, day, skill_a, skill_b, c_a, c_b, village_share, e_mean, e_sd,
            0,
        )  # fmt: skip
        _start(hired, g, r0, r0 + k, day)
        for f in range(hires.shape[0]):
            total = 0
            for r in range(hires.shape[1]):
                total += hires[f, r]
            today[f, C_HIRES] += total
    n = r0 + k
    return stocks_by_factory(
        n - n_before, state[n_before:n], factory[n_before:n], role[n_before:n],
        injured_until[n_before:n], g[n_before:n], phi[n_before:n], c[n_before:n],
        party[n_before:n], shock[n_before:n], stakh[n_before:n], inst[n_before:n], day,
        today.shape[0],
    )  # fmt: skip


def target_headcount(
    size0: np.ndarray, years: float, growth: float, path, date, safety_factor: float
) -> np.ndarray:
    """Target employees per factory on ``date``: the growth path times (1 + safety factor)."""
    return target_from_multiplier(
        size0, growth_multiplier(years, growth, path, date), safety_factor
    )


def target_from_multiplier(size0: np.ndarray, mult: float, safety_factor: float) -> np.ndarray:
    """Target employees per factory at a growth multiple ``mult`` of the initial sizes."""
    return size0 * mult * (1.0 + safety_factor)


def growth_multiplier(years: float, growth: float, path, date) -> float:
    """Multiple of the initial size on ``date``: the growth path if given, else compound growth."""
    if path:
        return growth_multipliers([date], date, growth, path)[0]
    return (1.0 + growth) ** years


def growth_multipliers(dates, start, growth: float, path) -> list[float]:
    """:func:`growth_multiplier` for many dates at once (the same numbers, computed faster)."""
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
def count_by_role(n, state, factory, role, n_factories):
    """Employees per (factory, role)."""
    out = np.zeros((n_factories, 4))
    for i in range(n):
        if state[i] == EMPLOYED:
            out[factory[i], role[i]] += 1.0
    return out


@njit(cache=True)
def flitters_by_factory(total, wanted, key, day):
    """See :func:`allocate_flitters`: ``min(total, sum(wanted)) * wanted / sum(wanted)`` a
    factory, rounded up with the probability of its fraction, at most ``floor(wanted)``.
    """
    nf = wanted.shape[0]
    out = np.zeros(nf, dtype=np.int64)
    w_sum = numpy_sum(wanted, 0, nf)
    if total <= 0 or w_sum <= 0:
        return out
    m = total if total <= w_sum else w_sum
    for f in range(nf):
        u = uniform(key, day, f + 2_000_000_011 + 1_000_000_007)
        out[f] = np.int64(min(np.floor(m * wanted[f] / w_sum + u), np.floor(wanted[f])))
    return out


def allocate_flitters(total: float, wanted: np.ndarray, key, day: int) -> np.ndarray:
    """Spread re-hired quitters over factories in proportion to their worker vacancies.

    The 1930s "flitting" (tekuchest'): a worker who quits one plant is hired by another. The
    count is stochastically rounded (draws keyed by day and factory), never above a factory's
    vacancies.
    """
    return flitters_by_factory(
        float(total), np.ascontiguousarray(wanted, dtype=np.float64), key, int(day)
    )
