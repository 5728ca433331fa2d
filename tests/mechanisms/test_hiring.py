import datetime as dt

import numpy as np
import pytest

from treugolnik.mechanisms.hiring import (
    add_people,
    expand_hires,
    flitters_by_factory,
    growth_multipliers,
    hires_by_mix,
)
from treugolnik.population import WORKER, Population
from treugolnik.rng import stream_key
from treugolnik.scenario.schema import Distribution


def dist(d):
    """A scenario distribution as compiled code takes it."""
    from treugolnik.records import param_record

    return param_record(d, "distribution")


def test_hires_are_a_share_of_vacancies_stochastically_rounded():
    # targets by role 1000 x (1, 0.05, 0.07, 0.03) = (1000, 50, 70, 30)
    target, mix = np.array([1000.0]), np.array([1.0, 0.05, 0.07, 0.03])
    have = np.array([[900.0, 50.0, 60.0, 40.0]])
    key = stream_key(1, "hiring")
    days = [hires_by_mix(target, mix, have, 0.05, 1.5, key, d) for d in range(2000)]
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
    from treugolnik.mechanisms.labour import centre_step
    from treugolnik.scenario.schema import Hiring, Scenario

    from .helpers import crowd, tiny_state

    start = dt.date(1930, 1, 1)
    # compound growth: four years of 365.25 days from the start
    assert growth_multipliers([dt.date(1934, 1, 1)], start, 0.1, []) == pytest.approx([1.1**4])
    path = [(dt.date(1930, 1, 1), 1.0), (dt.date(1932, 1, 1), 3.0)]
    mult = growth_multipliers([dt.date(1931, 1, 1)], start, 0.1, path)
    assert mult == pytest.approx([1 + 2 * 365 / 730])  # the path overrides the growth rate
    # the centre's target: initial size x growth multiple x (1 + safety factor)
    for m, safety, want in ((1.1**4, 0.0, 1464.1), (mult[0], 0.1, 1000 * 2.0 * 1.1)):
        S, ref = tiny_state(crowd(1), scenario=Scenario(hiring=Hiring(safety_factor=safety)),
                            growth=m)  # fmt: skip
        S.fac.size0[:] = 1000.0
        centre_step(0, 1, 0, ref)
        assert S.day.target[0] == pytest.approx(want)


def test_flitters_fill_vacancies_in_proportion_and_never_above():
    wanted = np.array([100.0, 300.0, 0.0, 5.0])
    got = np.array(
        [
            flitters_by_factory(40.0, wanted, stream_key(1, "flitting", "factory"), d)
            for d in range(3000)
        ]
    )
    assert (got <= np.floor(wanted)).all() and (got[:, 2] == 0).all()
    expected = 40.0 * wanted / wanted.sum()
    assert np.allclose(got.mean(axis=0), expected, atol=0.05)
    assert flitters_by_factory(10.0, np.zeros(3), stream_key(1, "f"), 0).sum() == 0


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
    from treugolnik.mechanisms.hiring import hire_rows
    from treugolnik.record import stocks_by_factory
    from treugolnik.rng import uniform
    from treugolnik.state import COUNTERS, C

    key, day = stream_key(5, "hiring", "slot"), 400
    skill, cons = Distribution(alpha=2, beta=4), Distribution(alpha=1.5, beta=7)
    target, mix = np.array([500.0, 80.0]), np.array([0.8, 0.1, 0.07, 0.03])
    have = np.array([[380.0, 40.0, 20.0, 2.0], [70.0, 8.0, 5.0, 3.0]])
    hires = hires_by_mix(target, mix, have, 0.05, 1.2, key, day)
    # the target by role is the factory's target times the role's share; workers' fill rate
    # is multiplied by the village's supply; rounding draws keyed by the (factory, role) slot,
    # id factory * 4 + role, on the hiring stream's own key for slots
    vac = np.maximum(target[:, None] * mix[None, :] - have, 0.0)
    rate = np.array([0.05 * 1.2, 0.05, 0.05, 0.05])
    u = np.array([[uniform(key, day, f * 4 + r) for r in range(4)]
                  for f in range(2)])  # fmt: skip
    assert np.array_equal(hires, np.floor(vac * rate[None, :] + u).astype(np.int64))
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
    st = hire_rows(pop.record(), hires, r.start, 0, t, 6, key, day, (dist(skill), dist(cons)),
                   0.5, (1.0, 0.1))  # fmt: skip
    for col in ("pid", "factory", "shop", "role", "skill", "c", "e0", "village", "hired", "g"):
        assert np.array_equal(getattr(pop, col)[: pop.n], getattr(ref, col)[: ref.n]), col
    assert np.array_equal(t[:, C["hires"]], hires.sum(axis=1))
    # the stocks of every row added today (from row 0 here), as the stocks kernel counts them
    full = stocks_by_factory(pop.record(), day, 2)
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
    hire_flitters(pop.record(), flit, r.start, by_role, t, 4, key, day,
                  (dist(skill), dist(cons)), (1.0, 0.1))  # fmt: skip
    for col in ("pid", "factory", "shop", "role", "skill", "c", "e0", "village", "hired", "g"):
        assert np.array_equal(getattr(pop, col)[:5], getattr(ref, col)[:5]), col
    assert not pop.village[:5].any() and (pop.role[:5] == WORKER).all()
    assert by_role[:, WORKER].tolist() == [3.0, 1.0, 4.0] and (by_role[:, 1:] == 1.0).all()
    assert t[:, C["hires"]].tolist() == [2.0, 0.0, 3.0]


@pytest.mark.parametrize("quits_y", [0.0, 30.0])
def test_hiring_step_fills_vacancies_as_the_parts_define_it(quits_y):
    """The compiled step: yesterday's quitters re-hired (flitting), then a share of each role's
    vacancies filled, into fresh rows, as add_people draws them, within room_needed.
    """
    from treugolnik.mechanisms.hiring import count_by_role, hiring_step, room_needed
    from treugolnik.population import FOREMAN
    from treugolnik.record import stocks_by_factory
    from treugolnik.records import F_QUITS_Y
    from treugolnik.scenario.schema import Hiring, Scenario
    from treugolnik.state import C

    from .helpers import crowd, tiny_state

    sc = Scenario(hiring=Hiring(flit_share=0.5, fill_rate=0.1))
    hp, fs, pr = sc.hiring, sc.factories, sc.production
    day, supply, per = 300, 0.8, 3

    def base():
        pop = crowd(240, shops=per)
        pop.factory[:240] = np.repeat([0, 1], 120)
        pop.shop[:240] = pop.factory[:240] * per + np.arange(240) % per
        pop.role[[5, 130, 131]] = FOREMAN
        pop.state[[7, 8, 200]] = 1  # left: not counted
        return pop

    pop = base()
    pop.reserve(1000)
    S, ref = tiny_state(pop, nf=2, shops=per, scenario=sc, days=(day,), village_supply=supply)
    S.fac.size0[:] = [150.0, 180.0]
    S.day.target[:] = [150.0, 180.0]
    S.day.floats[F_QUITS_Y] = quits_y
    need = room_needed(0, ref)
    hiring_step(0, 240, 0, ref)

    # the same by the parts: employees by role, flitters, hires by the mix
    ref_pop = base()
    have = count_by_role(0, 240, ref_pop.state, ref_pop.factory, ref_pop.role, 2)
    assert have[:, 0].tolist() == [117.0, 117.0] and have[:, 1].tolist() == [1.0, 2.0]
    target, mix = np.array([150.0, 180.0]), S.day.mix
    wanted = np.maximum(target * mix[0] - have[:, 0], 0.0)
    flit = flitters_by_factory(hp.flit_share * quits_y, wanted, S.keys.flitting_factory, day)
    assert (flit > 0).any() == (quits_y > 0)
    rows = add_people(ref_pop, np.repeat([0, 1], flit), np.zeros(flit.sum(), np.int8), per,
                      S.keys.flitting, day, skill=fs.skill, consciousness=fs.consciousness,
                      village_share=0.0, e_mean=pr.e0, e_sd=pr.e_sd)  # fmt: skip
    ref_pop.hired[rows], ref_pop.g[rows] = day, 0.1
    have[:, 0] += flit
    hires = hires_by_mix(target, mix, have, hp.fill_rate, supply, S.keys.hiring_slot, day)
    assert hires.sum() > 0
    fac_of, role_of = expand_hires(hires)
    rows = add_people(ref_pop, fac_of, role_of, per, S.keys.hiring, day,
                      skill=hp.newcomer_skill, consciousness=hp.newcomer_consciousness,
                      village_share=hp.village_share * supply, e_mean=pr.e0,
                      e_sd=pr.e_sd)  # fmt: skip
    ref_pop.hired[rows], ref_pop.g[rows] = day, 0.1

    k = int(flit.sum() + hires.sum())
    assert pop.n == ref_pop.n == 240 + k and pop.next_pid == 240 + k and k <= need
    for col in ("pid", "factory", "shop", "role", "skill", "c", "e0", "village", "hired", "g",
                "last_accused", "state"):  # fmt: skip
        assert np.array_equal(getattr(pop, col)[: pop.n], getattr(ref_pop, col)[: pop.n]), col
    assert np.array_equal(S.day.today[:, C["hires"]], flit + hires.sum(axis=1))
    # the stocks of the day's newcomers (rows from 240 on)
    new = crowd(0)
    new.reserve(k)
    new.append(k)
    for col in ("factory", "role", "injured_until", "g", "phi", "c", "state", "party", "shock",
                "stakh", "inst"):  # fmt: skip
        getattr(new, col)[:k] = getattr(pop, col)[240 : pop.n]
    assert np.array_equal(S.day.hired_stocks, stocks_by_factory(new.record(), day, 2))
