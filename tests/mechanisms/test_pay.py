import numpy as np
import pytest

from treugolnik.mechanisms.learning import learn_month
from treugolnik.mechanisms.pay import month_end_pay, ratchet, revise_norms
from treugolnik.population import MEMBER
from treugolnik.rng import stream_key
from treugolnik.scenario.schema import Norms
from treugolnik.state import Shops

from .helpers import crowd


def test_ratchet_plans_from_the_achieved_level():
    t = ratchet(np.array([100.0, 100.0]), np.array([120.0, 80.0]), 0.2, 0.8)
    assert t[0] == pytest.approx(120 * 1.2)  # over-fulfilled: from output
    assert t[1] == pytest.approx((0.2 * 100 + 0.8 * 80) * 1.2)  # mostly from output, some target


def shops(n=3):
    s = Shops.empty(n, np.zeros(n, dtype=np.int64))
    s.norm[:] = 1.0
    s.out_q[:] = [130.0, 100.0, 150.0]
    s.normhours_q[:] = 100.0
    return s


def test_norm_revision_formula_and_concession_pause():
    p = Norms()
    s = shops()
    s.norm_pause[2] = 1
    rise, blocked = revise_norms(s, np.zeros(3), 0.6, 0.4, 0.0, p, 0.0, stream_key(1, "n"), 10)
    expect0 = p.nu * (1.3 - p.min_overfulfilment) * 1.0 + p.wage_fund_push * 0.3
    assert rise[0] == pytest.approx(expect0)
    assert rise[1] == 0.0  # at the norm: no rise
    assert rise[2] == 0.0 and blocked[2]  # meeting concession held
    assert s.norm[0] == pytest.approx(1 + expect0)
    assert s.norm_pause.sum() == 0 and s.out_q.sum() == 0


def test_foreman_deals_block_revisions():
    p = Norms()
    s = shops()
    rise, blocked = revise_norms(s, np.zeros(3), 0.6, 0.4, 0.0, p, 1.0, stream_key(1, "n"), 10)
    assert blocked.all() and (rise == 0).all()


def test_real_pay_shortfall_and_reset():
    pop = crowd(2)
    pop.pay_m[:2] = [50.0, 300.0]
    pop.days_m[:2] = 25
    month_end_pay(
        2,
        pop.state,
        pop.role,
        pop.pay_m,
        pop.out_m,
        pop.days_m,
        pop.pay_short,
        4.0,
        2.4,
        np.array([1.0, 1.4, 1.9, 2.2]),
        1.0,
    )
    assert pop.pay_short[0] == pytest.approx(1 - (50 / 25 / 4.0) / 2.4)
    assert pop.pay_short[1] == 0.0  # above the reference
    assert pop.pay_m[:2].sum() == 0 and pop.days_m[:2].sum() == 0


def test_learning():
    pop = crowd(2)
    pop.days_m[:2] = [20, 0]
    pop.party[1] = MEMBER
    learn_month(2, pop.state, pop.skill, pop.c, pop.party, pop.days_m, 0.01, 0.001, 30)
    assert pop.skill[0] == pytest.approx(0.5 + 0.5 * (1 - 0.99**20), rel=1e-5)
    assert pop.skill[1] == pytest.approx(0.5)
    assert pop.c[0] == pytest.approx(0.3) and pop.c[1] == pytest.approx(
        0.3 + 0.7 * (1 - 0.999**30), rel=1e-5
    )
