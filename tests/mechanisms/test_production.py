import numpy as np
import pytest

from treugolnik.mechanisms.production import (
    production_close,
    production_prepare,
    supply_factor,
)
from treugolnik.mechanisms.workday import production_rows
from treugolnik.population import DEAD, EMPLOYED, MANAGER, MEMBER, WORKER
from treugolnik.record import COUNT_COLUMNS, STOCKS, stocks_by_factory
from treugolnik.records import I_N_LOG, K_ACC
from treugolnik.scenario.schema import Accidents, Pay, Production, Repression, Scenario
from treugolnik.state import C

from .helpers import crowd, tiny_state

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
    dom=15,
    campaign=0.0,
    norm=0.5,
    A=1.0,
    disruption=0.0,
    tariff=2.0,
    prev=1.0,
    death=0.0,
    employed=None,
    stocks=None,
):
    """One production step over ``pop`` (factory 0) on day ``dom`` of a month (late supplies
    cut the first ten days' output by the default ``supply_lag``); returns the state and the
    number of accidents.
    """
    n = pop.n
    shops = int(pop.shop[:n].max()) + 1
    sc = Scenario(
        seed=1,
        production=Production(
            b_campaign=0.25, b_peer=0.3, b_grievance=0.15, e_max=2.5, shock_bonus=0.1,
            stakhanovite_bonus=0.3,
        ),
        accidents=Accidents(
            p0=p0, k=k, e_safe=e_safe, storm_factor=1.0, injury_days=12.0, death_share=death
        ),
        pay=Pay(tariff=tariff, foreman=1.4, specialist=1.9, manager=2.2, stakhanovite_bonus=0.5),
    )  # fmt: skip
    S, ref = tiny_state(
        pop, shops=shops, scenario=sc, days=(DAY,), hours=hours, doms=dom, campaign=campaign,
        wage_index=1.0,
    )  # fmt: skip
    S.shops.norm[:] = norm
    S.shops.A[:] = A
    S.shops.safety[:] = safety
    S.shops.effort_prev[:] = prev
    S.fac.storm[:] = storm
    S.fac.disruption[:] = disruption
    S.fac.pay_mult[:] = 1.0
    if employed is not None:
        S.day.shop_employed[:] = employed
    if stocks is not None:
        S.day.day_stocks[:] = stocks
    production_rows(0, n, 0, ref)
    return S, int(S.day.counts[K_ACC])


def test_output_and_piece_rate_pay_follow_their_formulas():
    pop = crowd(10)
    pop.g[:10] = 0.0
    pop.role[9] = MANAGER
    S, _ = work(pop, hours=7.0, dom=5, A=1.2, disruption=0.1, norm=0.5, tariff=2.0)
    t = S.day.today
    e = 1.0  # e0 = 1, peer mean = 1, no campaign, no grievance, no storm
    out = 0.5 * e * 1.2 * 7.0 * 0.9 * (1 - 0.3)  # the first decade: late supplies
    assert pop.effort[0] == pytest.approx(e)
    assert pop.out_m[0] == pytest.approx(out, rel=1e-6)
    assert t[0, C["output"]] == pytest.approx(9 * out, rel=1e-6)  # the manager makes no output
    assert pop.pay_m[0] == pytest.approx(2.0 * out / (0.5 * 7.0), rel=1e-6)
    assert pop.pay_m[9] == pytest.approx(2.0 * 2.2)  # salaried
    assert t[0, C["workdays"]] == 10
    pop = crowd(10)
    pop.g[:10] = 0.0
    work(pop, hours=7.0, dom=15, A=1.2, disruption=0.1, norm=0.5)
    assert pop.out_m[0] == pytest.approx(0.5 * e * 1.2 * 7.0 * 0.9, rel=1e-6)  # supplies came


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
    S, _ = work(pop)
    assert S.day.today[0, C["workdays"]] == 2 and pop.out_m[0] == 0 and pop.out_m[1] == 0


def test_accident_rate_matches_and_rises_with_effort_above_safe():
    n = 100_000
    pop = crowd(n)
    p0 = 0.002
    _, k = work(pop, p0=p0, safety=0.25)
    assert abs(k / n - p0 * 0.75) < 4.5 * np.sqrt(p0 * 0.75 / n)
    pop2 = crowd(n)
    _, k2 = work(pop2, p0=p0, safety=0.25, storm=0.6)
    # e = 1.6 > e_safe = 1.2: exp(2.5 * 0.4) times more, and x (1 + storm)
    expect = p0 * np.exp(2.5 * 0.4) * 0.75 * 1.6
    assert abs(k2 / n - expect) < 4.5 * np.sqrt(expect / n)
    assert np.sum(pop2.injured_until[:n] > DAY) == k2


def test_deaths_leave_employment():
    n = 50_000
    pop = crowd(n)
    shops = int(pop.shop[:n].max()) + 1
    pop.role[:n] = np.arange(n) % 4
    pop.party[:n] = np.arange(n) % 3
    pop.g[:n] = np.linspace(0.0, 2.0, n)
    pop.phi[:n] = np.linspace(0.5, 0.0, n)
    pop.c[:n] = np.linspace(0.1, 0.9, n)
    # shop_employed and day_stocks are overwritten by the kernel
    S, k = work(pop, p0=0.01, death=0.2, employed=-7.0, stocks=-3.0)
    t, buf, leavers = S.day.today, S.day.acc_buf, S.day.leavers
    employed, stocks = S.day.shop_employed, S.day.day_stocks
    assert k <= buf.shape[0]
    dead = pop.state[:n] == DEAD
    assert dead.sum() == t[0, C["deaths"]] > 0 and np.sum(buf[:k, 2] == -1) == dead.sum()
    # the dead are counted among the day's leavers by role and party
    assert np.array_equal(leavers[0, 1:5], np.bincount(pop.role[:n][dead], minlength=4))
    assert leavers[0, STOCKS.index("party_members")] == np.sum(dead & (pop.party[:n] == MEMBER))
    # the end-of-day stocks production sums are the full count's, to the last bit
    full = stocks_by_factory(pop.record(), DAY, 1)
    summed = [STOCKS.index(c) for c in ("headcount", "injured", "g_sum", "phi_sum", "c_sum")]
    assert np.array_equal(stocks[:, summed], full[:, summed])
    assert full[0, STOCKS.index("injured")] > 0 and full[0, 0] == n - dead.sum()
    assert not stocks[:, COUNT_COLUMNS].any()
    # the shops' end-of-day employees: everyone but the dead
    alive = pop.state[:n] == EMPLOYED
    assert np.array_equal(employed, np.bincount(pop.shop[:n][alive], minlength=shops))


def storm_state(output_m, plan_m, doms, dims=30, scenario=None, nf=1, **cal):
    """A state of ``nf`` factories (one shop each) on days of the month ``doms``."""
    S, ref = tiny_state(
        crowd(0), nf=nf, scenario=scenario, days=range(len(doms)), doms=np.array(doms),
        dims=np.full(len(doms), dims), **cal,
    )  # fmt: skip
    S.fac.output_m[:] = output_m
    S.fac.plan_m[:] = plan_m
    return S, ref


def test_storming_only_in_the_last_decade_and_supply_lag_in_the_first():
    p = Production()
    # days 18 and 24 of a 30-day month: 0.6 and 0.8 of it gone
    S, ref = storm_state(40.0, 100.0, doms=(18, 24))
    production_prepare(0, 0, 0, ref)
    assert S.fac.storm[0] == 0.0
    production_prepare(0, 0, 1, ref)
    late = S.fac.storm[0]
    assert late == pytest.approx(min(p.storm_max, p.storm_k * ((1 - 40 / 80) + 0.25 * 0.8)))
    S, ref = storm_state(90.0, 100.0, doms=(24,))
    production_prepare(0, 0, 0, ref)
    assert S.fac.storm[0] < late
    assert supply_factor(5, 0.3) == 0.7 and supply_factor(15, 0.3) == 1.0
    assert WORKER == 0


def test_prepare_and_close_follow_their_definitions():
    p = Production()
    # vydvizhenets cost decays by exp(-1 / vydvizhenets_days) a day: 0.9 here
    sc = Scenario(
        production=Production(disruption_institutions=0.5),
        repression=Repression(vydvizhenets_days=-1.0 / np.log(0.9)),
    )
    S, ref = storm_state([40.0, 90.0], [100.0, 100.0], doms=(24, 1), dims=[30, 31],
                         scenario=sc, nf=2)  # fmt: skip
    target_annual = np.array([3650.0, 730.0])
    S.fac.target_annual[:] = target_annual
    S.fac.vydv_penalty[:] = [0.1, 0.6]
    S.day.inst_share[:] = [0.2, 0.0]
    S.shops.effort_sum[:] = [3.0, 5.0]
    S.shops.effort_n[:] = [2.0, 0.0]
    fa = S.fac
    production_prepare(0, 0, 0, ref)
    # the storming boost from its definition (the shortfall against 0.8 of the plan, capped)
    storm = [
        min(p.storm_max, p.storm_k * (max(0.0, 1 - out / 80) + 0.25 * 0.8)) for out in (40, 90)
    ]
    assert fa.storm == pytest.approx(storm)
    assert fa.disruption[0] == pytest.approx(0.2 * 0.5 + 0.1) and fa.disruption[1] == 0.5  # capped
    assert np.allclose(fa.vydv_penalty, [0.09, 0.54])  # decayed after use
    assert np.array_equal(fa.plan_m, [100.0, 100.0])
    assert not S.shops.effort_sum.any() and not S.shops.effort_n.any()
    production_prepare(0, 0, 1, ref)
    assert np.allclose(fa.plan_m, target_annual * 31 / 365) and not fa.storm.any()  # a new month

    # after the day: one factory of two shops
    sc = Scenario(accidents=Accidents(grievance_shop=0.03))
    S, ref = tiny_state(crowd(0), shops=2, scenario=sc, days=(0, 1, 2))
    S.shops.effort_sum[:] = [3.0, 5.0]
    S.shops.effort_n[:] = [2.0, 0.0]
    S.shops.effort_prev[:] = [0.7, 0.8]
    S.day.today[0, C["absent"]], S.day.today[0, C["scheduled"]] = 3, 40
    S.day.month_acc[:] = [[1.0, 10.0, 0.0]]
    # two accidents in shop 1 (one fatal) and one in shop 0, on day index 2
    S.day.acc_buf[:3] = [[11, 1, 4], [12, 1, -1], [13, 0, 2]]
    S.day.counts[K_ACC] = 3
    S.day.shop_employed[:] = [0.0, 50.0]
    S.day.ints[I_N_LOG] = 5  # accidents already waiting for the event log
    production_close(0, 0, 2, ref)
    assert S.shops.effort_prev.tolist() == [1.5, 0.8]  # a shop nobody worked in keeps its norm
    assert S.day.month_acc.tolist() == [[4.0, 50.0, 0.0]]
    # grievance_shop per accident per 100 employees (a shop of at least one)
    assert S.shops.g_pulse == pytest.approx([0.03 * 100 / 1, 2 * 0.03 * 100 / 50])
    assert S.day.ints[I_N_LOG] == 8
    assert S.day.acc_log[5:8].tolist() == [[2, 11, 1, 4], [2, 12, 1, -1], [2, 13, 0, 2]]
