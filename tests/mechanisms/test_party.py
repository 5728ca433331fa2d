import numpy as np
import pytest

from treugolnik import records
from treugolnik.mechanisms.party import party_rows, purge_hazards, purge_weights
from treugolnik.population import CANDIDATE, EXPELLED, MEMBER, NONPARTY
from treugolnik.scenario.schema import Party, Scenario

from .helpers import crowd, tiny_state, within

N = 40_000
DAY = 5000


def month(pop, day, *, recruitment=0.0, hazard=0.0, days=30, campaign=0.0, mean_w=1.0):
    """One month of the ``party`` step's rows over ``pop`` (one factory)."""
    n = pop.n
    pp = Party(
        recruit_rate=0.01, recruit_c=3.0, recruit_shock=1.0, recruit_stakhanovite=1.5,
        candidacy_days=365, purge_passive=1.5, purge_accused=2.0, purge_recent=1.0,
        shock0=-6.0, shock_campaign=5.0, shock_c=2.0, stakh0=-12.0, stakh_campaign=4.0,
        stakh_skill=3.0,
    )  # fmt: skip
    S, _ = tiny_state(
        pop, scenario=Scenario(party=pp), days=(day,), dims=days, recruitment=recruitment,
        purge_h=hazard, campaign=campaign,
    )  # fmt: skip
    S = records.replace(S, "day", expel_buf=np.zeros(n, dtype=np.int64))
    S.day.floats[records.F_PURGE_W] = mean_w
    party_rows(0, n, 0, records.compiled(S))
    D = S.day
    return int(D.counts[records.K_EXPEL]), D.fac_party[0, 0], D.fac_party[0, 1]


def test_purge_expels_its_target_share_over_its_window():
    purge = np.r_[np.zeros(10), np.full(120, 0.2), np.zeros(10)]
    h = purge_hazards(purge)
    assert h[:10].sum() == 0 and h[-10:].sum() == 0
    assert h.sum() == pytest.approx(-np.log(0.8))
    pop = crowd(N)
    pop.party[:N] = MEMBER
    pop.c[:N] = 0.5
    pop.party_since[:N] = DAY - 3000
    total = 0
    for m in range(4):
        _, _, e = month(pop, DAY + 30 * m, hazard=h[10], days=30)
        total += e
    assert abs(total / N - 0.2) < 0.01
    assert (pop.party[:N] == EXPELLED).sum() == total


def test_purge_hits_the_passive_accused_and_recent_first():
    pop = crowd(N)
    pop.party[:N] = MEMBER
    pop.party_since[:N] = DAY - 3000
    pop.c[:N] = 0.6
    pop.c[: N // 2] = 0.2  # passive half
    mw = purge_weights(
        N, pop.state, pop.party, pop.c, pop.accused, pop.party_since, DAY, 1.5, 2.0, 1.0
    )
    assert mw == pytest.approx((2.5 + 1.0) / 2)
    month(pop, DAY, hazard=0.01, mean_w=mw)
    passive = (pop.party[: N // 2] == EXPELLED).mean()
    active = (pop.party[N // 2 : N] == EXPELLED).mean()
    # each screened with the hazard times its weight over the mean weight, for 30 days
    assert within(passive, 1.0 - np.exp(-0.01 * 30 * 2.5 / mw), N // 2)
    assert within(active, 1.0 - np.exp(-0.01 * 30 * 1.0 / mw), N // 2)
    assert passive > 2.0 * active


def test_recruitment_only_while_admissions_open_and_candidacy():
    pop = crowd(N)
    _, rec, _ = month(pop, DAY, recruitment=0.0)
    assert rec == 0 and (pop.party[:N] == NONPARTY).all()
    _, rec, _ = month(pop, DAY, recruitment=1.0)
    assert rec > 0 and (pop.party[:N] == CANDIDATE).sum() == rec
    expect = 0.01 * np.exp(3.0 * (0.3 - 0.3))
    assert abs(rec / N - expect) < 4.5 * np.sqrt(expect / N)
    cand = pop.party[:N] == CANDIDATE
    month(pop, DAY + 200, recruitment=1.0)
    assert (pop.party[:N][cand] == CANDIDATE).all()  # candidacy not yet over
    month(pop, DAY + 400, recruitment=0.0)
    assert (pop.party[:N][cand] == CANDIDATE).all()  # frozen while admissions are closed
    month(pop, DAY + 400, recruitment=0.5)
    assert (pop.party[:N][cand] == MEMBER).all()


def test_stakhanovites_only_in_the_campaign_and_shock_work_spreads():
    pop = crowd(N)
    month(pop, DAY, campaign=0.5)
    assert pop.stakh[:N].sum() == 0 and pop.shock[:N].sum() > 0
    month(pop, DAY + 30, campaign=0.9)
    assert pop.stakh[:N].sum() > 0
