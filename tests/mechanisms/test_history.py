"""The history a specialist would correct: offices, promotions, arrests before 1935, appeals,
elections. Expected values come from the mechanisms' definitions (docs/ODD.md, section 7),
never from a run's output.
"""

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from treugolnik import load_scenario, records
from treugolnik.engine import Simulation
from treugolnik.maths import sigmoid
from treugolnik.mechanisms import posts
from treugolnik.mechanisms import repression as rep
from treugolnik.mechanisms.party import party_rows
from treugolnik.population import (
    ARRESTED,
    EMPLOYED,
    EXPELLED,
    FOREMAN,
    MANAGER,
    MEMBER,
    SPECIALIST,
    WORKER,
)
from treugolnik.record import EventLog
from treugolnik.scenario.schema import Party, Repression, Scenario

from .helpers import crowd, tiny_state, within

DATA = Path(__file__).resolve().parents[2] / "data"


def offices_rule() -> dict[str, set[str]]:
    with open(DATA / "offices.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {r["office"]: set(r["may_not_combine_with"].split(";")) for r in rows}


def test_offices_file_lists_the_three_posts_and_a_symmetric_rule():
    rule = offices_rule()
    assert set(rule) == {"director", "secretary", "union_chair"}
    for a, others in rule.items():
        assert a not in others
        for b in others:
            assert a in rule[b], f"{a} may not be combined with {b}, but not the reverse"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_one_holds_two_offices_on_any_day(seed):
    """Every day of a kirov-small run (day by day), the holders of offices that
    data/offices.csv says may not be combined are different people."""
    rule = offices_rule()
    sim = Simulation(load_scenario("kirov-small", seed=seed), step_by_step=True)
    run_day = sim.run_day
    days = {"n": 0, "filled": 0}

    def checked(t, j=0):
        run_day(t, j)
        fac = sim.world.fac
        for f in range(fac.n):
            held = {o: int(getattr(fac, o)[f]) for o in rule}
            for a, others in rule.items():
                for b in others:
                    if held[a] >= 0 and held[b] >= 0:
                        assert held[a] != held[b], (sim.dates[t], a, b, held[a])
            days["filled"] += all(v >= 0 for v in held.values())
        days["n"] += 1

    sim.run_day = checked
    res = sim.run()
    assert days["n"] == sim.policy.n_days
    assert days["filled"] > 0.9 * days["n"]  # the posts are filled, not left empty
    # elections took place (1937) and their outcomes are in the log
    ev = res.events.filter(res.events["kind"] == "election")
    assert ev.height >= 2


@pytest.fixture(scope="module")
def kirov():
    return Simulation(load_scenario("kirov", sets=["period.end=1929-12-31"]))


def test_an_arrested_manager_is_replaced_one_rank_up_down_to_the_bench(kirov):
    sim = kirov
    w = sim.world
    w.reset_today()
    pop = w.pop
    n = pop.n
    employed = pop.state[:n] == EMPLOYED
    before = np.bincount(pop.role[:n][employed], minlength=4)
    roles_before = pop.role[:n].copy()
    mgr = int(np.flatnonzero((pop.role[:n] == MANAGER) & employed)[0])
    log = EventLog()
    rep.arrest(w, mgr, 0, 700, dt.date(1929, 12, 1), sim.s, sim.keys, log, -1, "sabotage")
    assert pop.state[mgr] == ARRESTED
    after = np.bincount(pop.role[:n][pop.state[:n] == EMPLOYED], minlength=4)
    # manager, specialist and foreman posts are all filled again; the bench is one short
    assert list(after[1:]) == list(before[1:])
    assert after[WORKER] == before[WORKER] - 1
    moved = np.flatnonzero(pop.role[:n] != roles_before)
    moved = moved[moved != mgr]
    # each person moved exactly one rank up: nobody jumps from the bench to management
    assert sorted((roles_before[moved] + 1).tolist()) == sorted(pop.role[:n][moved].tolist())
    assert sorted(pop.role[:n][moved].tolist()) == [FOREMAN, SPECIALIST, MANAGER]
    assert w.today[0, w.C["promotions"]] == 3
    frame = log.frame()
    assert frame["kind"].to_list() == ["arrest"] + ["promotion"] * 3
    # the new manager was the most skilled specialist among the party members
    new_mgr = int(moved[pop.role[:n][moved] == MANAGER][0])
    spec = np.flatnonzero(
        (roles_before == SPECIALIST) & (pop.state[:n] == EMPLOYED) & (pop.party[:n] == MEMBER)
    )
    assert pop.skill[new_mgr] == pop.skill[spec].max()


def test_political_referrals_need_no_threshold_and_follow_the_formula(kirov):
    """At vigilance 0.35 (1930) a political charge is referred; arrest with
    sigma(arrest0 + arrest_vigilance v + [elite] (arrest_manager + arrest_baiting baiting))."""
    sim = kirov
    w = sim.world
    pop = w.pop
    n = pop.n
    rp = sim.s.repression
    for role, elite in ((SPECIALIST, 1), (WORKER, 0)):
        w.reset_today()
        targets = np.flatnonzero(
            (pop.role[:n] == role) & (pop.state[:n] == EMPLOYED) & (pop.accused[:n] == 0)
        )[:800]
        P = (pop.pid, pop.role, pop.party, pop.party_since, pop.accused, pop.last_accused,
             pop.g, pop.phi)  # fmt: skip
        params = np.array([getattr(rp, name) for name in rep.REPRESSION_PARAMS])
        arrests = 0
        for r in targets:
            _, arrested = rep.accuse_core(
                int(r), True, 800, 0, sim.keys["repression"], P, w.fac.authority, w.today[0],
                w.C["expulsions"], 0.35, 0.0, 0.0, 0.8, 0.06, params, sim.s.grievance.g_max,
            )  # fmt: skip
            arrests += arrested
        x = (
            rp.arrest0
            + rp.arrest_vigilance * 0.35
            + elite * (rp.arrest_manager + rp.arrest_baiting * 0.8)
        )
        p = float(sigmoid(x))
        assert within(arrests / targets.size, p, targets.size), (role, arrests)
        assert arrests > 0


def _ogpu_month(pop, baiting, rate=1e-3, dims=30, day=1000):
    S, ref = tiny_state(
        pop, scenario=Scenario(repression=Repression(ogpu_rate=rate)), days=(day,),
        dims=dims, specialist_baiting=baiting,
    )  # fmt: skip
    rep.ogpu_rows(0, pop.n, 0, ref)
    return S


def test_ogpu_arrests_take_only_specialists_and_managers_at_the_baiting_rate():
    n = 40_000
    pop = crowd(n)
    pop.role[:n] = np.arange(n) % 4
    pop.accused[:n] = (np.arange(n) // 4) % 2  # half of each role accused before
    S = _ogpu_month(pop, 0.0)
    assert int(S.day.counts[records.K_ARREST]) == 0
    S = _ogpu_month(pop, 0.5)
    arrested = pop.state[:n] == ARRESTED
    assert not arrested[pop.role[:n] < SPECIALIST].any()
    assert int(S.day.counts[records.K_ARREST]) == int(arrested.sum())
    h = 1e-3 * 0.5 * 30
    for acc, w in ((0, 1.0), (1, 4.0)):
        grp = (pop.role[:n] >= SPECIALIST) & (pop.accused[:n] == acc)
        assert within(arrested[grp].mean(), 1 - np.exp(-h * w), int(grp.sum()))


def test_appeals_reinstate_the_recently_expelled_only():
    n = 40_000
    pop = crowd(n)
    day = 4000
    pop.party[:n] = EXPELLED
    pop.party_since[: n // 2] = day - 100  # expelled recently
    pop.party_since[n // 2 : n] = day - 3000  # expelled long ago
    pp = Party(reinstate_rate=0.005, appeal_window_days=730)
    S, ref = tiny_state(pop, scenario=Scenario(party=pp), days=(day,), dims=30, appeals=1.0)
    S = records.replace(S, "day", expel_buf=np.zeros(n, dtype=np.int64))
    party_rows(0, n, 0, records.compiled(S))
    back = pop.party[:n] == MEMBER
    assert not back[n // 2 :].any()
    assert within(back[: n // 2].mean(), 1 - np.exp(-0.005 * 30), n // 2)
    assert S.day.fac_party[0, 2] == back.sum()
    # no appeals, no reinstatement
    pop.party[:n] = EXPELLED
    S, ref = tiny_state(pop, scenario=Scenario(party=pp), days=(day,), dims=30, appeals=0.0)
    S = records.replace(S, "day", expel_buf=np.zeros(n, dtype=np.int64))
    party_rows(0, n, 0, records.compiled(S))
    assert (pop.party[:n] == EXPELLED).all()


def _election(sim, office, secret, grievance, fear, accused):
    pop, fac = sim.world.pop, sim.world.fac
    n = pop.n
    from treugolnik.mechanisms.posts import fill_posts

    fill_posts(pop, fac)
    sim.world.reset_today()
    holder = int(getattr(fac, office)[0])
    row = int(pop.rows_of(np.array([holder]))[0])
    pop.g[:n] = grievance
    pop.phi[:n] = fear
    pop.accused[row] = accused
    sim.policy.elections[:] = [(5, office, secret)]
    posts.elections_step(sim, 5)
    return holder, int(getattr(fac, office)[0])


@pytest.mark.parametrize("office", ["secretary", "union_chair"])
def test_elections_follow_the_vote(office):
    """Votes against: sigma(vote0 + vote_grievance g + vote_accused [accused] - vote_fear phi
    (1 - secret)); the holder goes when more than half vote against."""
    sim = Simulation(load_scenario("kirov-small", sets=["period.end=1929-12-31"]))
    e = sim.s.elections
    # content voters, holder never accused: p against = sigma(vote0) < 1/2: re-elected
    assert sigmoid(e.vote0) < 0.5
    old, new = _election(sim, office, 1.0, 0.0, 0.0, 0)
    assert old == new
    # aggrieved voters, accused holder, secret ballot: p against > 1/2: replaced
    g = 1.0
    assert sigmoid(e.vote0 + e.vote_grievance * g + e.vote_accused) > 0.5
    old, new = _election(sim, office, 1.0, g, 0.9, 1)
    assert new != old and new >= 0
    fac = sim.world.fac
    assert len({int(fac.director[0]), int(fac.secretary[0]), int(fac.union_chair[0])}) == 3
    # the same voters, afraid, in an open vote: p against < 1/2: re-elected
    assert sigmoid(e.vote0 + e.vote_grievance * g + e.vote_accused - e.vote_fear * 1.0) < 0.45
    old, new = _election(sim, office, 0.0, g, 1.0, 1)
    assert old == new
    assert sim.world.today[0, sim.world.C["officers_replaced"]] == 0
