import datetime as dt

import numpy as np
import pytest

from treugolnik import load_scenario
from treugolnik.engine import Simulation
from treugolnik.mechanisms import repression as rep
from treugolnik.population import ARRESTED, EMPLOYED, MANAGER, SPECIALIST, WORKER
from treugolnik.record import EventLog
from treugolnik.scenario.schema import Meetings


def political_share(vigilance, role=WORKER, prior=0, n=4000):
    p = Meetings()
    rng = np.random.default_rng(0)
    charges = [
        rep.choose_charge("plan", role, prior, vigilance, 0.5, p, *rng.random(2)) for _ in range(n)
    ]
    return np.mean([c in rep.POLITICAL for c in charges]), charges


def test_charge_ladder_escalates_with_vigilance_and_prior_accusations():
    low, charges = political_share(0.25)
    high, _ = political_share(0.95)
    prior, _ = political_share(0.25, prior=3)
    p = Meetings()
    assert low == pytest.approx(1 / (1 + np.exp(-(p.pol0 + p.pol_vigilance * 0.25))), abs=0.02)
    assert high > 0.3 > low
    assert prior > low
    assert set(charges) <= set(rep.CHARGES)
    # ordinary charges follow the topic: a plan shortfall is mostly incompetence
    ordinary = [c for c in charges if c in rep.ORDINARY]
    assert max(set(ordinary), key=ordinary.count) == "incompetence"


@pytest.fixture()
def sim():
    return Simulation(load_scenario("kirov-small", sets=["period.end=1937-12-31"]))


def test_arrest_of_a_manager_promotes_a_vydvizhenets_and_spreads_fear(sim):
    w = sim.world
    w.reset_today()
    pop = w.pop
    n = pop.n
    mgr = int(np.flatnonzero(pop.role[:n] == MANAGER)[0])
    managers = int((pop.role[:n] == MANAGER).sum())
    log = EventLog()
    rep.arrest(w, mgr, 0, 3300, dt.date(1937, 1, 14), sim.s, sim.keys, log, -1, "sabotage")
    assert pop.state[mgr] == ARRESTED
    assert w.today[0, w.C["arrests"]] == 1 and w.today[0, w.C["promotions"]] >= 1
    employed = pop.state[:n] == EMPLOYED
    assert int(((pop.role[:n] == MANAGER) & employed).sum()) == managers  # replaced
    assert w.fac.vydv_penalty[0] > 0
    assert w.shops.fear_pulse[pop.shop[mgr]] == pytest.approx(sim.s.fear.shop_arrest)
    kinds = list(log.frame()["kind"])
    assert kinds[0] == "arrest" and set(kinds[1:]) == {"promotion"}
    assert log.frame()["detail"][0] == "NKVD"  # after 10 July 1934


def test_political_accusation_under_high_vigilance_can_lead_to_arrest(sim):
    w = sim.world
    w.reset_today()
    pop = w.pop
    n = pop.n
    rp = np.array([getattr(sim.s.repression, name) for name in rep.REPRESSION_PARAMS])
    P = (pop.pid, pop.role, pop.party, pop.party_since, pop.accused, pop.last_accused, pop.g,
         pop.phi)  # fmt: skip
    targets = np.flatnonzero((pop.role[:n] == SPECIALIST) & (pop.state[:n] == EMPLOYED))[:30]
    accused = pop.accused[targets].copy()
    arrested = 0
    for r in targets:
        _, a = rep.accuse_core(
            int(r), True, 3400, 0, sim.keys["repression"], P, w.fac.authority, w.today[0],
            w.C["expulsions"], 1.0, 0.0, 1.0, 0.5, 0.06, rp, sim.s.grievance.g_max,
        )  # fmt: skip
        arrested += a
    assert (pop.accused[targets] == accused + 1).all() and (pop.last_accused[targets] == 3400).all()
    # vigilance, quota 1, baiting 0.5, a specialist
    x = (
        sim.s.repression.arrest0
        + sim.s.repression.arrest_vigilance
        + sim.s.repression.arrest_quota
        + sim.s.repression.arrest_manager
        + sim.s.repression.arrest_baiting * 0.5
    )
    p_arrest = 1 / (1 + np.exp(-x))
    assert (
        abs(arrested / len(targets) - p_arrest)
        < 4 * np.sqrt(p_arrest * (1 - p_arrest) / len(targets)) + 0.05
    )


def test_an_accused_communist_is_investigated_by_the_formula(sim):
    """Expelled with sigma(expel0 + expel_vigilance v - expel_appeals appeals) for an ordinary
    charge, else reprimanded or cleared with equal chances; a non-party worker is not
    investigated; nobody is arrested on an ordinary charge.
    """
    from treugolnik.population import MEMBER, NONPARTY

    w = sim.world
    w.reset_today()
    pop = w.pop
    n = pop.n
    rp = sim.s.repression
    params = np.array([getattr(rp, name) for name in rep.REPRESSION_PARAMS])
    P = (pop.pid, pop.role, pop.party, pop.party_since, pop.accused, pop.last_accused, pop.g,
         pop.phi)  # fmt: skip
    members = np.flatnonzero((pop.party[:n] == MEMBER) & (pop.state[:n] == EMPLOYED))
    outcomes = []
    for r in members:
        outcome, arrested = rep.accuse_core(
            int(r), False, 3400, 0, sim.keys["repression"], P, w.fac.authority, w.today[0],
            w.C["expulsions"], 0.5, 0.4, 1.0, 0.5, 0.06, params, sim.s.grievance.g_max,
        )  # fmt: skip
        assert not arrested
        outcomes.append(outcome)
    outcomes = np.array(outcomes)
    p = 1 / (1 + np.exp(-(rp.expel0 + rp.expel_vigilance * 0.5 - rp.expel_appeals * 0.4)))
    m = len(members)
    assert abs((outcomes == 0).mean() - p) < 4 * np.sqrt(p * (1 - p) / m) + 0.01
    rest = outcomes[outcomes > 0]
    assert abs((rest == 1).mean() - 0.5) < 4 * np.sqrt(0.25 / max(rest.size, 1)) + 0.01
    assert (pop.party[members[outcomes == 0]] == rep.EXPELLED).all()
    assert w.today[0, w.C["expulsions"]] == (outcomes == 0).sum()
    worker = int(np.flatnonzero((pop.party[:n] == NONPARTY) & (pop.state[:n] == EMPLOYED))[0])
    outcome, _ = rep.accuse_core(
        worker, False, 3400, 0, sim.keys["repression"], P, w.fac.authority, w.today[0],
        w.C["expulsions"], 0.5, 0.4, 1.0, 0.5, 0.06, params, sim.s.grievance.g_max,
    )  # fmt: skip
    assert outcome == -1 and pop.party[worker] == NONPARTY


def test_a_charge_is_drawn_even_where_the_political_odds_underflow():
    """Parameters at the schema's limits put the political log-odds far below -700, where the
    logistic function is 0 to double precision: the charge is an ordinary one."""
    p = Meetings(pol0=-50.0, pol_prior=-50.0)
    for u1 in (0.0, 0.3, 0.999):
        assert rep.choose_charge("plan", MANAGER, 14, 1.0, 0.0, p, u1, 0.7) in rep.ORDINARY


@pytest.mark.parametrize("g_max", [2.0, 3.0, 5.0])
def test_an_accusation_raises_grievance_up_to_the_scenarios_ceiling(g_max):
    """Grievance stays within [0, g_max] (docs/ODD.md): an accusation adds 0.2 up to the
    scenario's ceiling, not up to a fixed 3 (below a higher ceiling it would have cut
    grievance, above a lower one raised it past the ceiling)."""
    from treugolnik.population import NONPARTY

    n = 4
    g = np.array([0.5, g_max - 0.1, g_max - 0.3, 2.9], np.float32)
    before = g.copy()
    phi = np.zeros(n, np.float32)
    P = (np.arange(n, dtype=np.int64), np.full(n, WORKER, np.int8),
         np.full(n, NONPARTY, np.int8), np.zeros(n, np.int32), np.zeros(n, np.int16),
         np.full(n, -1, np.int32), g, phi)  # fmt: skip
    today = np.zeros(4)
    for r in range(n):
        outcome, arrested = rep.accuse_core(
            r, False, 100, 0, np.uint64(7), P, np.zeros(1), today, 0, 0.5, 0.0, 0.0, 0.0, 0.0,
            np.zeros(len(rep.REPRESSION_PARAMS)), g_max,
        )  # fmt: skip
        assert outcome == -1 and not arrested  # a non-party worker on an ordinary charge
    expected = np.minimum(before + np.float32(0.2), np.float32(g_max))
    assert np.array_equal(g, expected)
    assert (g <= np.float32(g_max)).all()
    assert np.array_equal(phi, np.full(n, 0.1, np.float32))
