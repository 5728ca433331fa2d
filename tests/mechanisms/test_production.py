import numpy as np
import pytest

from treugolnik.mechanisms.production import production_day, storm_boost, supply_factor
from treugolnik.population import DEAD, EMPLOYED, MANAGER, MEMBER, WORKER
from treugolnik.record import COUNT_COLUMNS, STOCKS, stocks_by_factory
from treugolnik.rng import stream_key
from treugolnik.scenario.schema import Production
from treugolnik.state import C

from .helpers import crowd, today

DAY = 3000


def work(
    pop,
    *,
    storm=0.0,
    safety=0.0,
    p0=0.0,
    k=2.5,
    e_safe=1.2,
    hours=7.0,
    supply=1.0,
    campaign=0.0,
    norm=0.5,
    A=1.0,
    disruption=0.0,
    tariff=2.0,
    prev=None,
    death=0.0,
    employed=None,
    leavers=None,
    stocks=None,
):
    n = pop.n
    shops = int(pop.shop[:n].max()) + 1
    t = today()
    buf = np.zeros((n + 1, 3), dtype=np.int64)
    sums = np.zeros(shops)
    cnt = np.zeros(shops)
    acc_m = np.zeros(shops)
    k_acc = production_day(
        n,
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
        DAY,
        0,
        True,
        hours,
        supply,
        campaign,
        np.full(shops, norm),
        np.full(shops, A),
        np.full(shops, safety),
        np.full(shops, 1.0) if prev is None else prev,
        sums,
        cnt,
        acc_m,
        np.zeros(shops),
        np.zeros(shops),
        np.zeros(shops),
        np.array([storm]),
        np.array([disruption]),
        np.array([1.0]),
        np.zeros(1),
        tariff,
        np.array([1.0, 1.4, 1.9, 2.2]),
        0.5,
        0.25,
        0.3,
        0.15,
        2.5,
        0.1,
        0.3,
        p0,
        k,
        e_safe,
        1.0,
        12.0,
        death,
        stream_key(1, "accidents"),
        t,
        buf,
        np.zeros(shops) if employed is None else employed,
        pop.party,
        pop.inst,
        np.zeros((1, 16)) if leavers is None else leavers,
        pop.phi,
        np.zeros((1, 16)) if stocks is None else stocks,
    )
    return t, k_acc, buf


def test_output_and_piece_rate_pay_follow_their_formulas():
    pop = crowd(10)
    pop.g[:10] = 0.0
    pop.role[9] = MANAGER
    t, _, _ = work(pop, hours=7.0, supply=0.7, A=1.2, disruption=0.1, norm=0.5, tariff=2.0)
    e = 1.0  # e0 = 1, peer mean = 1, no campaign, no grievance, no storm
    out = 0.5 * e * 1.2 * 7.0 * 0.9 * 0.7
    assert pop.effort[0] == pytest.approx(e)
    assert pop.out_m[0] == pytest.approx(out, rel=1e-6)
    assert t[0, C["output"]] == pytest.approx(9 * out, rel=1e-6)  # the manager makes no output
    assert pop.pay_m[0] == pytest.approx(2.0 * out / (0.5 * 7.0), rel=1e-6)
    assert pop.pay_m[9] == pytest.approx(2.0 * 2.2)  # salaried
    assert t[0, C["workdays"]] == 10


def test_effort_is_clipped_and_rises_with_storm_and_campaign():
    pop = crowd(4)
    work(pop, storm=0.4, campaign=1.0)
    assert pop.effort[0] == pytest.approx(1.0 + 0.25 * 0.3 + 0.3 * (1 - 1.0) - 0.15 * 0.0 + 0.4)
    pop = crowd(4)
    work(pop, storm=10.0)
    assert pop.effort[0] == 2.5


def test_absent_and_injured_do_not_work():
    pop = crowd(4)
    pop.absent[0] = 1
    pop.injured_until[1] = DAY + 3
    t, _, _ = work(pop)
    assert t[0, C["workdays"]] == 2 and pop.out_m[0] == 0 and pop.out_m[1] == 0


def test_accident_rate_matches_and_rises_with_effort_above_safe():
    n = 100_000
    pop = crowd(n)
    p0 = 0.002
    t, k, _ = work(pop, p0=p0, safety=0.25)
    assert abs(k / n - p0 * 0.75) < 4.5 * np.sqrt(p0 * 0.75 / n)
    pop2 = crowd(n)
    t2, k2, _ = work(pop2, p0=p0, safety=0.25, storm=0.6)
    # e = 1.6 > e_safe = 1.2: exp(2.5 * 0.4) times more, and x (1 + storm)
    expect = p0 * np.exp(2.5 * 0.4) * 0.75 * 1.6
    assert abs(k2 / n - expect) < 4.5 * np.sqrt(expect / n)
    assert np.sum(pop2.injured_until[:n] > DAY) == k2


def test_deaths_leave_employment():
    n = 50_000
    pop = crowd(n)
    shops = int(pop.shop[:n].max()) + 1
    employed = np.full(shops, -7.0)  # overwritten by the kernel
    pop.role[:n] = np.arange(n) % 4
    pop.party[:n] = np.arange(n) % 3
    pop.g[:n] = np.linspace(0.0, 2.0, n)
    pop.phi[:n] = np.linspace(0.5, 0.0, n)
    pop.c[:n] = np.linspace(0.1, 0.9, n)
    leavers = np.zeros((1, 16))
    stocks = np.full((1, 16), -3.0)  # overwritten by the kernel
    t, k, buf = work(pop, p0=0.01, death=0.2, employed=employed, leavers=leavers, stocks=stocks)
    dead = pop.state[:n] == DEAD
    assert dead.sum() == t[0, C["deaths"]] > 0 and np.sum(buf[:k, 2] == -1) == dead.sum()
    # the dead are counted among the day's leavers by role and party
    assert np.array_equal(leavers[0, 1:5], np.bincount(pop.role[:n][dead], minlength=4))
    assert leavers[0, STOCKS.index("party_members")] == np.sum(dead & (pop.party[:n] == MEMBER))
    # the end-of-day stocks production sums are the full count's, to the last bit
    full = stocks_by_factory(
        n, pop.state, pop.factory, pop.role, pop.injured_until, pop.g, pop.phi, pop.c,
        pop.party, pop.shock, pop.stakh, pop.inst, DAY, 1,
    )  # fmt: skip
    summed = [STOCKS.index(c) for c in ("headcount", "injured", "g_sum", "phi_sum", "c_sum")]
    assert np.array_equal(stocks[:, summed], full[:, summed])
    assert full[0, STOCKS.index("injured")] > 0 and full[0, 0] == n - dead.sum()
    assert not stocks[:, COUNT_COLUMNS].any()
    # the shops' end-of-day employees: everyone but the dead
    alive = pop.state[:n] == EMPLOYED
    assert np.array_equal(employed, np.bincount(pop.shop[:n][alive], minlength=shops))


def test_storming_only_in_the_last_decade_and_supply_lag_in_the_first():
    p = Production()
    out, plan = np.array([40.0]), np.array([100.0])
    assert storm_boost(out, plan, 0.6, 18, p)[0] == 0.0
    late = storm_boost(out, plan, 0.8, 24, p)[0]
    assert late == pytest.approx(min(p.storm_max, p.storm_k * ((1 - 40 / 80) + 0.25 * 0.8)))
    assert storm_boost(np.array([90.0]), plan, 0.8, 24, p)[0] < late
    assert supply_factor(5, 0.3) == 0.7 and supply_factor(15, 0.3) == 1.0
    assert WORKER == 0


def test_before_and_after_the_day_follow_their_definitions():
    from treugolnik.mechanisms.production import after_day, before_day
    from treugolnik.state import COUNTERS

    p = Production()
    out_m, plan_m = np.array([40.0, 90.0]), np.array([100.0, 100.0])
    target_annual = np.array([3650.0, 730.0])
    storm, disruption = np.zeros(2), np.zeros(2)
    vydv = np.array([0.1, 0.6])
    inst = np.array([0.2, 0.0])
    eff_sum, eff_n = np.array([3.0, 5.0]), np.array([2.0, 0.0])
    before_day(out_m, plan_m, target_annual, storm, disruption, vydv, inst, 0.5, 0.9, 24, 30,
               p.storm_max, p.storm_k, eff_sum, eff_n)  # fmt: skip
    assert np.array_equal(storm, storm_boost(out_m, plan_m, 24 / 30, 24, p))
    assert disruption[0] == pytest.approx(0.2 * 0.5 + 0.1) and disruption[1] == 0.5  # capped
    assert np.allclose(vydv, [0.09, 0.54])  # decayed after use
    assert np.array_equal(plan_m, [100.0, 100.0]) and not eff_sum.any() and not eff_n.any()
    before_day(out_m, plan_m, target_annual, storm, disruption, vydv, inst, 0.5, 0.9, 1, 31,
               p.storm_max, p.storm_k, eff_sum, eff_n)  # fmt: skip
    assert np.allclose(plan_m, target_annual * 31 / 365) and not storm.any()  # a new month

    prev = np.array([0.7, 0.8])
    today = np.zeros((1, len(COUNTERS)))
    today[0, C["absent"]], today[0, C["scheduled"]] = 3, 40
    acc = np.array([[1.0, 10.0, 0.0]])
    after_day(np.array([3.0, 5.0]), np.array([2.0, 0.0]), prev, today, acc)
    assert prev.tolist() == [1.5, 0.8]  # a shop where nobody worked keeps its peer norm
    assert acc.tolist() == [[4.0, 50.0, 0.0]]
