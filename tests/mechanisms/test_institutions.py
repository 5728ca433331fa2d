import numpy as np
import pytest

from treugolnik import records
from treugolnik.maths import sigmoid
from treugolnik.mechanisms.institutions import institutions_rows, leader_consciousness
from treugolnik.population import COMMISSION, CONFERENCE, INVENTORS
from treugolnik.scenario.schema import Institutions, Scenario

from .helpers import crowd, tiny_state, within

N = 30_000


def month(
    pop,
    *,
    enabled=True,
    participation=0.6,
    leader=0.0,
    training=0.0,
    authority=0.5,
    clash_rate=0.05,
    proposal_rate=0.1,
    finding_rate=0.05,
):
    """One month of the ``institutions`` step's rows over ``pop`` (one factory)."""
    n = pop.n
    shops = int(pop.shop[:n].max()) + 1
    ip = Institutions(
        enabled=enabled, join0=-3.0, join_c=3.0, join_party=1.0, join_participation=2.0,
        join_fear=2.0, leave=0.1, proposal_rate=proposal_rate, adopt0=-0.3,
        adopt_participation=1.5, adopt_authority=1.5, finding_rate=finding_rate,
        clash_rate=clash_rate, training=training,
    )  # fmt: skip
    S, _ = tiny_state(
        pop, shops=shops, scenario=Scenario(institutions=ip), days=(4000,),
        participation=participation,
    )  # fmt: skip
    S = records.replace(S, "day", inst_buf=np.zeros((4 * n, 4), dtype=np.int64))
    S.fac.authority[:] = authority
    S.day.leader_c[:] = leader
    institutions_rows(0, n, 0, records.compiled(S))
    D = S.day
    out = {"adopted": D.shop_inst[:, 0], "clashes": D.shop_inst[:, 1]}
    fac = dict(zip(("findings", "props", "adopted", "clashes"), D.fac_inst.T, strict=True))
    return int(D.counts[records.K_INST]), out, fac, D.inst_buf


def test_joining_follows_its_logit():
    pop = crowd(N)
    pop.phi[:N] = 0.2
    month(pop, participation=0.6)
    x = -3.0 + 3.0 * 0.3 + 0 + 2.0 * 0.6 - 2.0 * 0.2
    assert within(np.mean(pop.inst[:N] & CONFERENCE > 0), sigmoid(x), N)
    assert within(np.mean(pop.inst[:N] & COMMISSION > 0), sigmoid(x - 1.5), N)
    assert within(np.mean(pop.inst[:N] & INVENTORS > 0), sigmoid(x - 0.5 + 0.5), N)


def test_participation_raises_joining_and_disabled_means_nobody():
    low, high = crowd(N), crowd(N)
    month(low, participation=0.1)
    month(high, participation=0.9)
    assert (high.inst[:N] > 0).sum() > (low.inst[:N] > 0).sum()
    off = crowd(N)
    off.inst[:N] = CONFERENCE
    k, out, fac, _ = month(off, enabled=False)
    assert k == 0 and (off.inst[:N] == 0).all() and fac["props"][0] == 0


def test_proposals_clashes_findings_come_from_participants():
    pop = crowd(N)
    pop.inst[:N] = CONFERENCE | COMMISSION
    k, out, fac, buf = month(pop, participation=0.6, authority=0.5)
    members = int((pop.inst[:N] & (CONFERENCE | INVENTORS) > 0).sum())
    assert fac["props"][0] > 0 and fac["adopted"][0] <= fac["props"][0]
    assert within(fac["props"][0] / members, 0.1, members)
    assert within(
        fac["adopted"][0] / fac["props"][0],
        sigmoid(-0.3 + 1.5 * 0.6 - 1.5 * 0.5),
        int(fac["props"][0]),
    )
    assert fac["clashes"][0] > 0 and fac["findings"][0] > 0
    assert k == fac["props"][0] + fac["clashes"][0] + fac["findings"][0]


def test_training_led_by_the_most_conscious():
    pop = crowd(100)
    pop.inst[:100] = CONFERENCE
    pop.c[:100] = np.linspace(0.1, 0.9, 100)
    lead = leader_consciousness(100, pop.state, pop.shop, pop.c, pop.inst, 1)
    above = pop.c[:100][pop.c[:100] >= pop.c[:100].mean()]
    assert lead[0] == pytest.approx(above.mean(), rel=1e-5)
    c0 = pop.c[:100].copy()
    pop2 = crowd(100)
    pop2.c[:100] = c0
    month(pop2, leader=0.8, training=0.1, clash_rate=0.0)
    stayed = pop2.inst[:100] > 0
    expect = c0 + 0.1 * np.maximum(0.0, 0.8 - c0)
    assert np.allclose(pop2.c[:100][stayed], expect[stayed], atol=1e-6)
