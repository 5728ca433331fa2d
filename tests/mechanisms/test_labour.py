import numpy as np
import pytest

from treugolnik.maths import below_sigmoid, sigmoid
from treugolnik.mechanisms.labour import (
    absence_caps,
    absence_logit,
    centre_step,
    is_scheduled,
    labour_close,
    log_tenure,
    quit_caps,
    will_step,
)
from treugolnik.mechanisms.workday import labour_rows
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
from treugolnik.records import K_PROS
from treugolnik.scenario.schema import Absence, Fear, Grievance, Hiring, Scenario, Turnover
from treugolnik.state import C

from .helpers import crowd, tiny_state, within

N = 40_000
DAY = 2000


def labour_scenario(
    *, seed=1, a0=-3.0, a_enforcement=2.0, a_clash=10.0, dismiss_p=0.5, q0=-6.0
) -> Scenario:
    """The parameters these tests use (no grievance or fear drift)."""
    return Scenario(
        seed=seed,
        absence=Absence(
            a0=a0, a_grievance=1.0, a_enforcement=a_enforcement, a_fear=1.0, a_village=0.5,
            a_clash=a_clash, dismiss_p=dismiss_p, prosecute_p=0.5, prosecute_quit_p=0.8,
        ),
        grievance=Grievance(decay=0.0, pay_gap=0.0, g_max=3.0),
        fear=Fear(decay=0.0),
        turnover=Turnover(
            q0=q0, q_grievance=1.0, q_tightness=0.5, q_penalty=2.0, q_tenure=0.8, q_party=1.0,
            q_village=0.6,
        ),
    )  # fmt: skip


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
):
    """One labour step over ``pop`` (factory 0, shop 0); returns the state."""
    n = pop.n
    pop.g[:n] = g
    pop.phi[:n] = phi
    pop.village[:n] = village
    sc = labour_scenario(seed=seed, a0=a0, dismiss_p=dismiss_p, q0=q0)
    S, ref = tiny_state(
        pop, scenario=sc, days=(DAY,), cal_code=cal, common=common,
        absence_penalty=absence_penalty, quit_penalty=quit_penalty, prosecution=prosecution,
    )  # fmt: skip
    S.fac.will[:] = will
    S.day.tight[:] = tight
    S.shops.clash[:] = clash
    labour_rows(0, n, 0, ref)
    return S


def test_absence_rate_matches_its_logit():
    pop = crowd(N)
    t = run_day(pop, g=0.5, phi=0.1, village=1, absence_penalty=0.0).day.today
    x = -3.0 + 1.0 * 0.5 - 0.0 - 1.0 * 0.1 + 0.5 * 1
    assert t[0, C["scheduled"]] == N
    assert within(t[0, C["absent"]] / N, sigmoid(x), N)


def test_enforcement_and_clashes_move_absence():
    low = run_day(crowd(N), absence_penalty=1.0, will=1.0).day.today[0, C["absent"]]
    high = run_day(crowd(N), absence_penalty=0.0).day.today[0, C["absent"]]
    clash = run_day(crowd(N), absence_penalty=0.0, clash=0.05).day.today[0, C["absent"]]
    assert low < high < clash
    assert within(low / N, sigmoid(-3.0 + 0.5 - 2.0 - 0.1), N)


def test_dismissal_only_under_the_decree_and_prosecution_after_1940():
    pop = crowd(N)
    t = run_day(pop, absence_penalty=0.0).day.today
    assert t[0, C["dismissals"]] == 0
    pop = crowd(N)
    S = run_day(pop, absence_penalty=0.7, will=1.0)
    t = S.day.today
    absent = t[0, C["absent"]]
    assert t[0, C["dismissals"]] > 0
    assert within(t[0, C["dismissals"]] / absent, 0.5 * 0.7, int(absent))
    assert np.sum(pop.state[:N] == DISMISSED) == t[0, C["dismissals"]]
    assert S.day.counts[K_PROS] == 0  # no prosecutions before 1940
    pop = crowd(N)
    S = run_day(pop, absence_penalty=1.0, will=1.0, prosecution=1.0, q0=-3.0)
    t = S.day.today
    assert t[0, C["dismissals"]] == 0 and t[0, C["prosecutions_absence"]] > 0
    # quitting is prosecuted at prosecute_quit_p
    q = t[0, C["quits"]]
    assert within(t[0, C["prosecutions_quitting"]] / q, 0.8, int(q))
    # every prosecution is counted for the event log, with its row and kind
    n_pros = t[0, C["prosecutions_absence"]] + t[0, C["prosecutions_quitting"]]
    assert S.day.counts[K_PROS] == n_pros
    k = min(int(n_pros), S.day.pros_buf.shape[0])
    rows, kinds = S.day.pros_buf[:k, 0], S.day.pros_buf[:k, 1]
    assert np.all(pop.prosecuted[rows] > 0)
    assert np.all(pop.state[rows[kinds == 1]] == QUIT)
    assert np.all(pop.state[rows[kinds == 0]] != DISMISSED)  # corrective labour: they stay


def test_quit_rate_matches_its_logit_and_penalty_lowers_it():
    pop = crowd(N, day0=DAY)  # hired a year before DAY: tenure 1 year
    t = run_day(pop, g=1.0, q0=-4.0, tight=1.0, quit_penalty=0.0).day.today
    x = -4.0 + 1.0 * 1.0 + 0.5 * 1.0 - 0 - 0.8 * np.log1p(1.0)
    assert within(t[0, C["quits"]] / N, sigmoid(x), N)
    assert np.sum(pop.state[:N] == QUIT) == t[0, C["quits"]]
    t2 = run_day(crowd(N, day0=DAY), g=1.0, q0=-4.0, quit_penalty=1.0).day.today
    assert t2[0, C["quits"]] < t[0, C["quits"]]


def test_continuous_week_rests_one_day_in_five():
    pop = crowd(N)
    t = run_day(pop, cal=1, common=True).day.today
    assert t[0, C["scheduled"]] == N - np.sum((DAY + pop.pid[:N]) % 5 == 0)
    assert not is_scheduled(1, True, 5, 10) and is_scheduled(1, True, 6, 10)
    assert not is_scheduled(2, False, 6, 10)


def test_storage_order_does_not_change_anyones_outcome():
    pop = crowd(5000)
    pop.g[:5000] = np.linspace(0, 2, 5000)
    perm = np.random.default_rng(1).permutation(5000)
    other = pop.permuted(perm)
    sc = labour_scenario(seed=3, a0=-2.0, a_enforcement=1.0, a_clash=1.0, q0=-4.0)
    for p in (pop, other):
        S, ref = tiny_state(p, scenario=sc, days=(DAY,), absence_penalty=0.7)
        S.fac.will[:] = 0.5
        S.day.tight[:] = 1.0
        labour_rows(0, p.n, 0, ref)
    order = np.argsort(other.pid[:5000])
    assert np.array_equal(pop.absent[:5000], other.absent[:5000][order])
    assert np.array_equal(pop.state[:5000], other.state[:5000][order])


def test_rows_split_into_chunks_do_what_one_pass_does():
    pop = crowd(5000)
    pop.g[:5000] = np.linspace(0, 2, 5000)
    other = pop.permuted(np.arange(5000))
    sc = labour_scenario(seed=3, a0=-2.0, q0=-3.0)
    states = []
    for p, cuts in ((pop, (0, 5000)), (other, (0, 1234, 1235, 4000, 5000))):
        S, ref = tiny_state(p, scenario=sc, days=(DAY,), absence_penalty=0.7)
        S.fac.will[:] = 0.5
        for lo, hi in zip(cuts[:-1], cuts[1:], strict=True):
            labour_rows(lo, hi, 0, ref)
        states.append(S)
    for name in ("absent", "state", "g", "phi"):
        assert np.array_equal(getattr(pop, name)[:5000], getattr(other, name)[:5000]), name
    assert np.array_equal(states[0].day.today, states[1].day.today)


def test_other_mechanisms_parameters_leave_absence_draws_alone():
    a, b = crowd(N), crowd(N)
    run_day(a, q0=-6.0)
    run_day(b, q0=-2.0)  # very different quit parameters
    assert np.array_equal(a.absent[:N], b.absent[:N])
    assert np.sum(a.state[:N] != EMPLOYED) < np.sum(b.state[:N] != EMPLOYED)


def test_pulses_drift_grievance_and_fear_and_are_then_taken_up():
    pop = crowd(4, shops=2)
    pop.g[:4], pop.phi[:4], pop.pay_short[:4] = 1.0, 0.5, [0.0, 0.0, 2.0, 2.0]
    sc = Scenario(
        absence=Absence(a0=-40.0), turnover=Turnover(q0=-40.0),
        grievance=Grievance(decay=0.25, pay_gap=0.1, g_max=3.0), fear=Fear(decay=0.5),
    )  # fmt: skip
    S, ref = tiny_state(pop, shops=2, scenario=sc, days=(DAY,))
    S.shops.g_pulse[:] = [0.5, 2.0]
    S.shops.fear_pulse[:] = [0.125, 0.9]
    S.fac.g_pulse[:] = 0.25
    S.fac.fear_pulse[:] = 0.5
    labour_rows(0, 4, 0, ref)
    # rows alternate shops 0, 1; g (1 - decay) + pay_gap pay_short + pulses, clipped to
    # [0, g_max]; phi (1 - decay) + pulses, clipped to [0, 1]
    g = np.array([1.0 * 0.75 + 0.5 + 0.25, 0.75 + 2.0 + 0.25, 0.75 + 0.2 + 0.5 + 0.25, 3.0])
    assert pop.g[:4] == pytest.approx(g)
    assert pop.phi[:4] == pytest.approx([0.25 + 0.125 + 0.5, 1.0, 0.25 + 0.125 + 0.5, 1.0])
    labour_close(0, 4, 0, ref)
    for pulse in (S.shops.g_pulse, S.shops.fear_pulse, S.fac.g_pulse, S.fac.fear_pulse):
        assert not pulse.any()


def test_centre_step_will_jumps_on_decree_then_decays_with_vacancies():
    p = Absence()
    pop = crowd(0)
    days = 201
    S, ref = tiny_state(
        pop, nf=2, scenario=Scenario(hiring=Hiring(safety_factor=0.0)), days=range(days),
        discipline=0.7, decree=np.arange(days) == 0,
    )  # fmt: skip
    S.fac.size0[:] = 1000.0
    S.fac.headcount[:] = [1000.0, 800.0]  # vacancies 0 and 0.2
    S.fac.will[:] = 0.3
    centre_step(0, 0, 0, ref)
    assert np.all(S.fac.will == 1.0)
    for t in range(1, days):
        centre_step(0, 0, t, ref)
    eq = p.will_base * (0.5 + 0.35) / (1 + p.will_vacancy * np.array([0.0, 0.2]))
    assert np.allclose(S.fac.will, eq, atol=1e-3)
    assert S.fac.will[1] < S.fac.will[0]  # managers short of labour enforce less (P5)


def test_leavers_are_counted_by_role_party_shock_work_and_institution():
    pop = crowd(N)
    rng = np.random.default_rng(4)
    pop.role[:N] = rng.integers(0, 4, N)
    pop.party[:N] = rng.choice([NONPARTY, CANDIDATE, MEMBER, EXPELLED], N)
    pop.shock[:N] = rng.integers(0, 2, N)
    pop.stakh[:N] = rng.integers(0, 2, N)
    pop.inst[:N] = rng.integers(0, 8, N)
    S = run_day(pop, q0=-2.0, absence_penalty=1.0, will=1.0, dismiss_p=0.5)
    t, left = S.day.today, S.day.leavers
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


def test_table_cap_bounds_the_logistic_everywhere():
    from treugolnik.maths import table_cap

    xs = np.concatenate([np.linspace(-45, 45, 9001), [-40.0, 39.9, 40.0, 1e300, -1e300]])
    caps = np.array([table_cap(x) for x in xs])
    assert np.all(caps >= np.array([sigmoid(x) for x in xs]))
    assert np.all(np.diff(caps[:9001]) >= 0)  # increasing with the bound
    assert table_cap(np.inf) == 1.0 and table_cap(np.nan) == 1.0
    assert 0.0 < table_cap(-np.inf) < 1e-17


def test_absence_cap_bounds_every_absence_probability_of_its_factory():
    rng = np.random.default_rng(12)
    nf, per = 3, 4
    for _ in range(200):
        a0, a_g, a_E, a_phi, a_v, a_clash = rng.normal(0, 2, 6)
        a0 = rng.choice([a0, -50.0, 50.0, -39.0, 39.0])  # (the table's ends and beyond)
        g_max, penalty = rng.uniform(0.1, 4), rng.uniform(0, 1)
        will = rng.uniform(0, 1, nf)
        clash = rng.uniform(0, 2, nf * per) * (rng.uniform(size=nf * per) < 0.7)
        cap = absence_caps(will, clash, penalty, g_max, a0, a_g, a_E, a_phi, a_v, a_clash)
        for f in range(nf):
            for s in range(f * per, (f + 1) * per):
                for g in (0.0, float(np.float32(g_max)), float(np.float32(rng.uniform(0, g_max)))):
                    for phi in (0.0, 1.0, float(np.float32(rng.uniform()))):
                        for village in (0, 1):
                            x = absence_logit(
                                a0, a_g, a_E, a_phi, a_v, a_clash, g, penalty * will[f], phi,
                                village, clash[s],
                            )  # fmt: skip
                            assert sigmoid(x) <= cap[f]
                            # a draw at the cap is never an absence
                            assert not below_sigmoid(cap[f], x)


def test_an_absence_cap_above_the_useful_level_is_dropped_and_one_below_kept():
    from treugolnik.maths import table_cap
    from treugolnik.mechanisms.labour import CAP_USEFUL

    will, clash = np.array([0.0, 0.0]), np.zeros(2)
    # only a0 moves the logit: the cap is the table's entry above sigmoid(a0)
    for a0 in (-6.0, -3.0, -2.0, -1.5, 0.0, 3.0):
        cap = absence_caps(will, clash, 0.0, 1.0, a0, 0.0, 0.0, 0.0, 0.0, 0.0)
        tight = table_cap(a0)
        assert tight >= sigmoid(a0)
        expected = tight if tight <= CAP_USEFUL else 1.0
        assert np.all(cap == expected), (a0, cap, tight)
    # both kinds occur among these logits
    assert table_cap(-6.0) <= CAP_USEFUL < table_cap(0.0)
    # and with either kind, deciding against the cap first gives the logit's own decision
    rng = np.random.default_rng(5)
    for _ in range(100):
        a0, a_g, a_E, a_phi, a_v, a_clash = rng.normal(0, 2, 6)
        g_max, penalty = rng.uniform(0.1, 4), rng.uniform(0, 1)
        will, clash = rng.uniform(0, 1, 2), rng.uniform(0, 2, 2)
        cap = absence_caps(will, clash, penalty, g_max, a0, a_g, a_E, a_phi, a_v, a_clash)
        for f in range(2):
            for _ in range(50):
                g = float(np.float32(rng.uniform(0, g_max)))
                phi, village = float(np.float32(rng.uniform())), int(rng.integers(0, 2))
                x = absence_logit(
                    a0, a_g, a_E, a_phi, a_v, a_clash, g, penalty * will[f], phi, village,
                    clash[f],
                )  # fmt: skip
                for u in (rng.uniform(), rng.uniform() * cap[f], float(cap[f])):
                    assert ((u < cap[f]) and below_sigmoid(u, x)) == (u < sigmoid(x))


def test_centre_step_sets_target_vacancies_tightness_and_will_from_their_definitions():
    p = Absence()
    S, ref = tiny_state(
        crowd(0), nf=3, scenario=Scenario(hiring=Hiring(safety_factor=0.1)), days=(0, 1),
        growth=1.5, tempo=0.5, discipline=0.7, decree=np.array([False, True]),
    )  # fmt: skip
    size0 = np.array([1000.0, 400.0, 50.0])
    S.fac.size0[:] = size0
    S.fac.headcount[:] = [1700.0, 300.0, 0.0]
    will0 = np.array([0.2, 0.9, 0.5])
    S.fac.will[:] = will0
    centre_step(0, 0, 0, ref)
    target, vac, tight, will = S.day.target, S.fac.vacancy_rate, S.day.tight, S.fac.will
    assert np.allclose(target, size0 * 1.5 * 1.1)
    # over target: no vacancies; short of it: the missing share
    assert vac[0] == 0.0 and vac[1] == pytest.approx(1 - 300 / 660) and vac[2] == 1.0
    assert np.allclose(tight, np.minimum(3.0, 0.5 / 0.25 + 2 * vac))
    eq = p.will_base * (0.5 + 0.5 * 0.7) / (1 + p.will_vacancy * vac)
    assert np.allclose(will, will0 + p.will_rate * (eq - will0))
    # the same update as the will's step by itself, to the last bit
    w2 = [
        will_step(w, v, 0.7, p.will_base, p.will_vacancy, p.will_rate, False)
        for w, v in zip(will0, vac, strict=True)
    ]
    assert np.array_equal(will, w2)
    centre_step(0, 0, 1, ref)
    assert np.all(will == 1.0)  # a decree day
