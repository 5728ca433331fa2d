import numpy as np
import pytest

from treugolnik.mechanisms.labour import (
    below_sigmoid,
    enforcement_will,
    is_scheduled,
    labour_day,
    log_tenure,
    sigmoid,
)
from treugolnik.population import (
    CANDIDATE,
    CONFERENCE,
    DISMISSED,
    EMPLOYED,
    EXPELLED,
    INVENTORS,
    MANAGER,
    MEMBER,
    NONPARTY,
    QUIT,
    WORKER,
)
from treugolnik.record import STOCKS
from treugolnik.rng import stream_key
from treugolnik.scenario.schema import Absence
from treugolnik.state import C

from .helpers import crowd, today, within

N = 40_000
DAY = 2000


def run_day(
    pop,
    *,
    absence_penalty=0.0,
    quit_penalty=0.0,
    prosecution=0.0,
    g=0.5,
    phi=0.1,
    village=0,
    will=0.8,
    tight=1.0,
    a0=-3.0,
    q0=-6.0,
    cal=0,
    common=True,
    seed=1,
    dismiss_p=0.5,
    clash=0.0,
    left=None,
):
    n = pop.n
    pop.g[:n] = g
    pop.phi[:n] = phi
    pop.village[:n] = village
    t = today()
    zeros = np.zeros(4)
    labour_day(
        n,
        pop.pid,
        pop.factory,
        pop.shop,
        pop.hired,
        pop.village,
        pop.party,
        pop.g,
        pop.phi,
        pop.state,
        pop.left,
        pop.injured_until,
        pop.absent,
        pop.pay_short,
        pop.prosecuted,
        DAY,
        cal,
        common,
        zeros,
        zeros,
        np.full(4, clash),
        zeros[:1],
        zeros[:1],
        np.array([will]),
        np.array([tight]),
        absence_penalty,
        quit_penalty,
        prosecution,
        a0,
        1.0,
        2.0,
        1.0,
        0.5,
        10.0,
        dismiss_p,
        0.5,
        0.0,
        0.0,
        3.0,
        0.0,  # no grievance/fear drift in this test
        q0,
        1.0,
        0.5,
        2.0,
        0.8,
        1.0,
        0.6,
        stream_key(seed, "absence"),
        stream_key(seed, "quit"),
        t,
        0.8,
        np.zeros((N, 2), dtype=np.int64),
        pop.role,
        pop.shock,
        pop.stakh,
        pop.inst,
        np.zeros((1, 16)) if left is None else left,
    )
    return t


def test_absence_rate_matches_its_logit():
    pop = crowd(N)
    t = run_day(pop, g=0.5, phi=0.1, village=1, absence_penalty=0.0)
    x = -3.0 + 1.0 * 0.5 - 0.0 - 1.0 * 0.1 + 0.5 * 1
    assert t[0, C["scheduled"]] == N
    assert within(t[0, C["absent"]] / N, sigmoid(x), N)


def test_enforcement_and_clashes_move_absence():
    low = run_day(crowd(N), absence_penalty=1.0, will=1.0)[0, C["absent"]]
    high = run_day(crowd(N), absence_penalty=0.0)[0, C["absent"]]
    clash = run_day(crowd(N), absence_penalty=0.0, clash=0.05)[0, C["absent"]]
    assert low < high < clash
    assert within(low / N, sigmoid(-3.0 + 0.5 - 2.0 - 0.1), N)


def test_dismissal_only_under_the_decree_and_prosecution_after_1940():
    pop = crowd(N)
    t = run_day(pop, absence_penalty=0.0)
    assert t[0, C["dismissals"]] == 0
    pop = crowd(N)
    t = run_day(pop, absence_penalty=0.7, will=1.0)
    absent = t[0, C["absent"]]
    assert t[0, C["dismissals"]] > 0
    assert within(t[0, C["dismissals"]] / absent, 0.5 * 0.7, int(absent))
    assert np.sum(pop.state[:N] == DISMISSED) == t[0, C["dismissals"]]
    pop = crowd(N)
    t = run_day(pop, absence_penalty=1.0, will=1.0, prosecution=1.0, q0=-3.0)
    assert t[0, C["dismissals"]] == 0 and t[0, C["prosecutions_absence"]] > 0
    # quitting is prosecuted at prosecute_quit_p
    q = t[0, C["quits"]]
    assert within(t[0, C["prosecutions_quitting"]] / q, 0.8, int(q))


def test_quit_rate_matches_its_logit_and_penalty_lowers_it():
    pop = crowd(N, day0=DAY)  # hired a year before DAY: tenure 1 year
    t = run_day(pop, g=1.0, q0=-4.0, tight=1.0, quit_penalty=0.0)
    x = -4.0 + 1.0 * 1.0 + 0.5 * 1.0 - 0 - 0.8 * np.log1p(1.0)
    assert within(t[0, C["quits"]] / N, sigmoid(x), N)
    assert np.sum(pop.state[:N] == QUIT) == t[0, C["quits"]]
    t2 = run_day(crowd(N, day0=DAY), g=1.0, q0=-4.0, quit_penalty=1.0)
    assert t2[0, C["quits"]] < t[0, C["quits"]]


def test_continuous_week_rests_one_day_in_five():
    pop = crowd(N)
    t = run_day(pop, cal=1, common=True)
    assert t[0, C["scheduled"]] == N - np.sum((DAY + pop.pid[:N]) % 5 == 0)
    assert not is_scheduled(1, True, 5, 10) and is_scheduled(1, True, 6, 10)
    assert not is_scheduled(2, False, 6, 10)


def test_storage_order_does_not_change_anyones_outcome():
    pop = crowd(5000)
    pop.g[:5000] = np.linspace(0, 2, 5000)
    perm = np.random.default_rng(1).permutation(5000)
    other = pop.permuted(perm)
    a, b = crowd(0), crowd(0)
    for p, _ in ((pop, a), (other, b)):
        n = p.n
        labour_day(
            n,
            p.pid,
            p.factory,
            p.shop,
            p.hired,
            p.village,
            p.party,
            p.g,
            p.phi,
            p.state,
            p.left,
            p.injured_until,
            p.absent,
            p.pay_short,
            p.prosecuted,
            DAY,
            0,
            True,
            np.zeros(1),
            np.zeros(1),
            np.zeros(1),
            np.zeros(1),
            np.zeros(1),
            np.array([0.5]),
            np.array([1.0]),
            0.7,
            0.0,
            0.0,
            -2.0,
            1.0,
            1.0,
            1.0,
            0.5,
            1.0,
            0.5,
            0.5,
            0.0,
            0.0,
            3.0,
            0.0,
            -4.0,
            1.0,
            0.5,
            2.0,
            0.8,
            1.0,
            0.6,
            stream_key(3, "absence"),
            stream_key(3, "quit"),
            today(),
            0.8,
            np.zeros((10, 2), dtype=np.int64),
            p.role,
            p.shock,
            p.stakh,
            p.inst,
            np.zeros((1, 16)),
        )
    order = np.argsort(other.pid[:5000])
    assert np.array_equal(pop.absent[:5000], other.absent[:5000][order])
    assert np.array_equal(pop.state[:5000], other.state[:5000][order])


def test_other_mechanisms_parameters_leave_absence_draws_alone():
    a, b = crowd(N), crowd(N)
    run_day(a, q0=-6.0)
    run_day(b, q0=-2.0)  # very different quit parameters
    assert np.array_equal(a.absent[:N], b.absent[:N])
    assert np.sum(a.state[:N] != EMPLOYED) < np.sum(b.state[:N] != EMPLOYED)


def test_enforcement_will_jumps_on_decree_then_decays_with_vacancies():
    p = Absence()
    w = np.array([0.3, 0.3])
    enforcement_will(w, np.array([0.0, 0.2]), 0.7, p, decree_today=True)
    assert np.all(w == 1.0)
    for _ in range(200):
        enforcement_will(w, np.array([0.0, 0.2]), 0.7, p, decree_today=False)
    eq = p.will_base * (0.5 + 0.35) / (1 + p.will_vacancy * np.array([0.0, 0.2]))
    assert np.allclose(w, eq, atol=1e-3)
    assert w[1] < w[0]  # managers short of labour enforce less (P5)


def test_leavers_are_counted_by_role_party_shock_work_and_institution():
    pop = crowd(N)
    rng = np.random.default_rng(4)
    pop.role[:N] = rng.integers(0, 4, N)
    pop.party[:N] = rng.choice([NONPARTY, CANDIDATE, MEMBER, EXPELLED], N)
    pop.shock[:N] = rng.integers(0, 2, N)
    pop.stakh[:N] = rng.integers(0, 2, N)
    pop.inst[:N] = rng.integers(0, 8, N)
    left = np.zeros((1, 16))
    t = run_day(pop, q0=-2.0, absence_penalty=1.0, will=1.0, dismiss_p=0.5, left=left)
    gone = pop.state[:N] != EMPLOYED
    assert gone.sum() == t[0, C["quits"]] + t[0, C["dismissals"]] > 0
    want = {
        "workers": pop.role[:N] == WORKER,
        "managers": pop.role[:N] == MANAGER,
        "party_members": pop.party[:N] == MEMBER,
        "party_candidates": pop.party[:N] == CANDIDATE,
        "shock_workers": pop.shock[:N] == 1,
        "stakhanovites": pop.stakh[:N] == 1,
        "participants_conference": (pop.inst[:N] & CONFERENCE) > 0,
        "participants_inventors": (pop.inst[:N] & INVENTORS) > 0,
    }
    for name, who in want.items():
        assert left[0, STOCKS.index(name)] == np.sum(who & gone), name


def test_bracketed_sigmoid_test_decides_exactly_as_the_exact_one():
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.uniform(-45, 45, 20_000), [-40.0, -39.97, 0.0, 39.9, 40.0, 44.0]])
    for xi in x:
        p = sigmoid(xi)
        for u in (rng.uniform(), p, np.nextafter(p, 0.0), np.nextafter(p, 1.0), 0.0):
            assert below_sigmoid(u, xi) == (u < p)


def test_log_tenure_is_log1p_of_years():
    for d in (-5, 0, 1, 200, 365, 3650, 60 * 366 - 1, 60 * 366, 80_000):
        assert log_tenure(d) == pytest.approx(np.log1p(max(d, 0) / 365.0), rel=1e-15, abs=0)


def test_quit_cap_bounds_every_quit_probability():
    from treugolnik.mechanisms.labour import quit_caps

    rng = np.random.default_rng(11)
    for _ in range(200):
        q0, q_g, q_m, q_L, q_t, q_p, q_v = rng.normal(0, 2, 7)
        q_t = abs(q_t)
        g_max, tight, penalty = rng.uniform(0.1, 4), rng.uniform(0, 3, 3), rng.uniform(0, 1)
        cap = quit_caps(tight, penalty, g_max, q0, q_g, q_m, q_L, q_t, q_p, q_v)
        for f in range(3):
            for g in (0.0, float(np.float32(g_max)), rng.uniform(0, g_max)):
                for party in (0.0, 1.0):
                    for village in (0, 1):
                        for days in (0, 30, 5000):
                            x = (
                                q0
                                + q_g * g
                                + q_m * tight[f]
                                - q_L * penalty
                                - q_t * log_tenure(days)
                                - q_p * party
                                + q_v * village
                            )
                            assert sigmoid(x) <= cap[f]


def test_centre_day_sets_target_vacancies_tightness_and_will_from_their_definitions():
    from treugolnik.mechanisms.labour import centre_day

    p = Absence()
    size0 = np.array([1000.0, 400.0, 50.0])
    headcount = np.array([1700.0, 300.0, 0.0])
    target, vac, tight = np.zeros(3), np.zeros(3), np.zeros(3)
    will = np.array([0.2, 0.9, 0.5])
    will0 = will.copy()
    centre_day(size0, 1.5, 0.1, headcount, 0.5, 0.7, p.will_base, p.will_vacancy, p.will_rate,
               False, target, vac, tight, will)  # fmt: skip
    assert np.allclose(target, size0 * 1.5 * 1.1)
    # over target: no vacancies; short of it: the missing share
    assert vac[0] == 0.0 and vac[1] == pytest.approx(1 - 300 / 660) and vac[2] == 1.0
    assert np.allclose(tight, np.minimum(3.0, 0.5 / 0.25 + 2 * vac))
    eq = p.will_base * (0.5 + 0.5 * 0.7) / (1 + p.will_vacancy * vac)
    assert np.allclose(will, will0 + p.will_rate * (eq - will0))
    # the same update as the step by itself, to the last bit
    w2 = will0.copy()
    enforcement_will(w2, vac, 0.7, p, decree_today=False)
    assert np.array_equal(will, w2)
    centre_day(size0, 1.5, 0.1, headcount, 0.5, 0.7, p.will_base, p.will_vacancy, p.will_rate,
               True, target, vac, tight, will)  # fmt: skip
    assert np.all(will == 1.0)  # a decree day
