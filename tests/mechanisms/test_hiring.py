import datetime as dt

import numpy as np
import pytest

from treugolnik.mechanisms.hiring import add_people, expand_hires, hires_today, target_headcount
from treugolnik.population import WORKER, Population
from treugolnik.rng import stream_key
from treugolnik.scenario.schema import Distribution


def test_hires_are_a_share_of_vacancies_stochastically_rounded():
    target = np.array([[1000.0, 50.0, 70.0, 30.0]])
    have = np.array([[900.0, 50.0, 60.0, 40.0]])
    days = [hires_today(target, have, 0.05, 1.5, stream_key(1, "hiring"), d) for d in range(2000)]
    h = np.array(days)[:, 0, :]
    assert set(np.unique(h[:, WORKER])) <= {7, 8}  # 100 x 0.05 x 1.5 = 7.5
    assert abs(h[:, WORKER].mean() - 7.5) < 0.05
    assert set(np.unique(h[:, 2])) <= {0, 1} and abs(h[:, 2].mean() - 0.5) < 0.05
    assert (h[:, 3] == 0).all()  # no vacancies, no hires


def test_newcomers_attributes_are_drawn_by_id():
    def make(order):
        pop = Population(64)
        add_people(
            pop,
            np.zeros(5000, dtype=np.int32),
            np.zeros(5000, dtype=np.int8),
            8,
            stream_key(2, "hiring"),
            100,
            skill=Distribution(alpha=2, beta=4),
            consciousness=Distribution(alpha=1.5, beta=7),
            village_share=0.6,
            e_mean=1,
            e_sd=0.1,
        )
        return pop

    a = make(None)
    assert abs(a.skill[:5000].mean() - 2 / 6) < 0.01
    assert abs(a.village[:5000].mean() - 0.6) < 0.03
    assert set(np.unique(a.shop[:5000])) == set(range(8))
    b = make(None)
    assert np.array_equal(a.skill[:5000], b.skill[:5000])


def test_target_headcount_growth_and_path():
    size0 = np.array([1000.0])
    assert target_headcount(size0, 2.0, 0.1, [], None, 0.0)[0] == pytest.approx(1210.0)
    path = [(dt.date(1930, 1, 1), 1.0), (dt.date(1932, 1, 1), 3.0)]
    assert target_headcount(size0, 0, 0.1, path, dt.date(1931, 1, 1), 0.1)[0] == pytest.approx(
        1000 * (1 + 2 * 365 / 730) * 1.1
    )


def test_flitters_fill_vacancies_in_proportion_and_never_above():
    from treugolnik.mechanisms.hiring import allocate_flitters

    wanted = np.array([100.0, 300.0, 0.0, 5.0])
    got = np.array(
        [allocate_flitters(40.0, wanted, stream_key(1, "flitting"), d) for d in range(3000)]
    )
    assert (got <= np.floor(wanted)).all() and (got[:, 2] == 0).all()
    expected = 40.0 * wanted / wanted.sum()
    assert np.allclose(got.mean(axis=0), expected, atol=0.05)
    assert allocate_flitters(10.0, np.zeros(3), stream_key(1, "f"), 0).sum() == 0


def test_ussr_industry_moves_quitters_between_factories():
    from treugolnik import load_scenario
    from treugolnik.engine import Simulation
    from treugolnik.population import EMPLOYED

    base = ["factories.count=6", "factories.size=300", "period.end=1929-12-31"]

    def village_share(extra):
        sim = Simulation(load_scenario("ussr-industry", sets=[*base, *extra]))
        m = sim.run().metrics
        head = m["headcount"].to_numpy()
        flow = (m["hires"] - m["quits"] - m["dismissals"] - m["arrests"] - m["deaths"]).to_numpy()
        assert (np.diff(head) == flow[1:]).all()  # conserved with flitting too
        pop = sim.world.pop
        emp = pop.state[: pop.n] == EMPLOYED
        return pop.village[: pop.n][emp].mean()

    # quitters re-hired elsewhere are urban workers: fewer village newcomers fill the vacancies
    assert village_share([]) < village_share(["hiring.flit_share=0"])


def test_hires_expand_to_one_row_per_person_by_factory_then_role():
    hires = np.array([[2, 0, 1, 0], [0, 0, 0, 0], [1, 3, 0, 2]])
    fac_of, role_of = expand_hires(hires)
    assert fac_of.tolist() == [0, 0, 0, 2, 2, 2, 2, 2, 2]
    assert role_of.tolist() == [0, 0, 2, 0, 1, 1, 1, 3, 3]
    assert fac_of.dtype == np.int32 and role_of.dtype == np.int8
    empty = expand_hires(np.zeros((3, 4), dtype=np.int64))
    assert empty[0].size == 0 and empty[1].size == 0


def test_hire_rows_fills_reserved_rows_as_add_people_and_counts_them():
    from treugolnik.mechanisms.hiring import hire_rows, hires_by_mix
    from treugolnik.record import stocks_by_factory
    from treugolnik.state import COUNTERS, C

    key, day = stream_key(5, "hiring"), 400
    skill, cons = Distribution(alpha=2, beta=4), Distribution(alpha=1.5, beta=7)
    target, mix = np.array([500.0, 80.0]), np.array([0.8, 0.1, 0.07, 0.03])
    have = np.array([[380.0, 40.0, 20.0, 2.0], [70.0, 8.0, 5.0, 3.0]])
    hires = hires_by_mix(target, mix, have, 0.05, 1.2, key, day)
    # the target by role is the factory's target times the role's share
    assert np.array_equal(hires, hires_today(target[:, None] * mix[None, :], have, 0.05, 1.2,
                                             key, day))  # fmt: skip
    k = int(hires.sum())
    assert k > 0

    # reference: two people already there (e.g. re-hired quitters), then add_people
    ref = Population(8)
    ref.append(2)
    ref.factory[:2] = [1, 0]
    fac_of, role_of = expand_hires(hires)
    rows = add_people(ref, fac_of, role_of, 6, key, day, skill=skill, consciousness=cons,
                      village_share=0.5, e_mean=1.0, e_sd=0.1)  # fmt: skip
    ref.hired[rows] = day
    ref.g[rows] = 0.1

    pop = Population(8)
    pop.append(2)
    pop.factory[:2] = [1, 0]
    r = pop.append(k)
    t = np.zeros((2, len(COUNTERS)))
    st = hire_rows(hires, r.start, 0, pop.pid, pop.factory, pop.shop, pop.role, pop.skill,
                   pop.c, pop.e0, pop.village, pop.hired, pop.g, pop.state, pop.injured_until,
                   pop.phi, pop.party, pop.shock, pop.stakh, pop.inst, t, 6, key, day,
                   skill.alpha, skill.beta, cons.alpha, cons.beta, 0.5, 1.0, 0.1)  # fmt: skip
    for col in ("pid", "factory", "shop", "role", "skill", "c", "e0", "village", "hired", "g"):
        assert np.array_equal(getattr(pop, col)[: pop.n], getattr(ref, col)[: ref.n]), col
    assert np.array_equal(t[:, C["hires"]], hires.sum(axis=1))
    # the stocks of every row added today (from row 0 here), as the stocks kernel counts them
    full = stocks_by_factory(
        pop.n, pop.state, pop.factory, pop.role, pop.injured_until, pop.g, pop.phi, pop.c,
        pop.party, pop.shock, pop.stakh, pop.inst, day, 2,
    )  # fmt: skip
    assert np.array_equal(st, full)
    assert st[:, 0].sum() == k + 2


def test_hire_flitters_fills_rows_as_add_people_and_counts_them_as_workers():
    from treugolnik.mechanisms.hiring import hire_flitters
    from treugolnik.state import COUNTERS, C

    key, day = stream_key(6, "flitting"), 500
    skill, cons = Distribution(alpha=2, beta=4), Distribution(alpha=1.5, beta=7)
    flit = np.array([2, 0, 3])
    ref = Population(8)
    rows = add_people(
        ref, np.repeat(np.arange(3), flit), np.zeros(5, np.int8), 4, key, day, skill=skill,
        consciousness=cons, village_share=0.0, e_mean=1.0, e_sd=0.1,
    )  # fmt: skip
    ref.hired[rows] = day
    ref.g[rows] = 0.1
    pop = Population(8)
    r = pop.append(5)
    by_role, t = np.ones((3, 4)), np.zeros((3, len(COUNTERS)))
    hire_flitters(flit, r.start, pop.pid, pop.factory, pop.shop, pop.role, pop.skill, pop.c,
                  pop.e0, pop.village, pop.hired, pop.g, by_role, t, 4, key, day, skill.alpha,
                  skill.beta, cons.alpha, cons.beta, 1.0, 0.1)  # fmt: skip
    for col in ("pid", "factory", "shop", "role", "skill", "c", "e0", "village", "hired", "g"):
        assert np.array_equal(getattr(pop, col)[:5], getattr(ref, col)[:5]), col
    assert not pop.village[:5].any() and (pop.role[:5] == WORKER).all()
    assert by_role[:, WORKER].tolist() == [3.0, 1.0, 4.0] and (by_role[:, 1:] == 1.0).all()
    assert t[:, C["hires"]].tolist() == [2.0, 0.0, 3.0]
