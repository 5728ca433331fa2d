"""The compiled parts of the PPO meeting against their definitions (docs/ODD.md, section 7)."""

import numpy as np
import pytest

from treugolnik.mechanisms import meetings as mt
from treugolnik.population import EMPLOYED, FOREMAN, MANAGER, MEMBER, QUIT, SPECIALIST, WORKER
from treugolnik.rng import stream_key, uniforms, uniforms2

KEY = stream_key(7, "meetings")
DAY = 400


def people(n=60, seed=3):
    rng = np.random.default_rng(seed)
    pid = np.arange(100, 100 + n, dtype=np.int64)
    role = rng.choice([WORKER, WORKER, WORKER, FOREMAN, SPECIALIST, MANAGER], n).astype(np.int8)
    c = rng.uniform(0.05, 1.0, n).astype(np.float32)
    phi = rng.uniform(0.0, 0.9, n).astype(np.float32)
    party = np.full(n, MEMBER, dtype=np.int8)
    return pid, role, c, phi, party


def test_attendance_follows_fear_and_consciousness():
    pid, role, c, phi, party = people(400)
    members = np.arange(0, 400, 2, dtype=np.int64)
    present, n_mem, _, n_mgr = mt.attendance(members, pid, party, role, c, phi, KEY, DAY, 0.75)
    # the definition, in the columns' single precision
    bar = (
        np.float32(0.75)
        * (np.float32(1) - np.float32(0.5) * phi[members])
        * (np.float32(0.6) + np.float32(0.4) * c[members])
    )
    expected = members[uniforms(KEY, DAY, pid[members]) < bar]
    assert present.tolist() == expected.tolist()
    assert n_mem == expected.size
    assert n_mgr == np.isin(role[expected], (MANAGER, SPECIALIST)).sum()
    assert 0 < present.size < members.size


def voices(present, pid, role, c, phi, stake, k=6, secretary=-1, chair=-1, chair_speaks=False,
           director=-1, director_speaks=False, tau=0.0, union_stance=0.6, salt=2000):  # fmt: skip
    fits_w = np.array([0.3, 0.9, 0.2, 0.5])
    fits_m = np.array([0.7, 0.4, 0.1])
    return mt.voices(
        present, pid, role, c, phi, KEY, DAY, salt, stake, k,
        (secretary, chair, director), (chair_speaks, director_speaks), union_stance, 0.5,
        (fits_w, fits_m), tau,
    )  # fmt: skip


@pytest.mark.parametrize("topic", ["plan", "norms_pay", "safety"])
def test_speakers_are_the_k_smallest_exponential_keys(topic):
    pid, role, c, phi, _ = people()
    present = np.arange(3, 60, dtype=np.int64)
    stake = mt.STAKE_TABLE[mt.TOPIC_CODE[topic]]
    rows = voices(present, pid, role, c, phi, stake)[0]
    # Efraimidis-Spirakis: the k largest u^(1/w), i.e. the k smallest -log(u)/w
    w = c[present].astype(float) * (1 - phi[present]) * stake[role[present]]
    w = w * (1 + 0.5 * mt.RANK[role[present]]) + 1e-9
    keys = -np.log(uniforms2(KEY, DAY, pid[present], 2000)) / w
    assert rows.tolist() == present[np.argsort(keys)[:6]].tolist()


def test_speaker_draw_favours_weight():
    """Over many days a person with four times the weight speaks far more often."""
    n = 40
    pid = np.arange(n, dtype=np.int64)
    role = np.zeros(n, dtype=np.int8)
    c = np.full(n, 0.2, dtype=np.float32)
    c[:5] = 0.8
    phi = np.zeros(n, dtype=np.float32)
    stake = mt.STAKE_TABLE[0]
    heavy = light = 0
    for day in range(300):
        rows = mt.voices(
            np.arange(n, dtype=np.int64), pid, role, c, phi, KEY, day, 1000, stake, 4,
            (-1, -1, -1), (False, False), 0.6, 0.5, (np.array([0.5]), np.array([0.5])), 0.0,
        )[0]  # fmt: skip
        heavy += int((rows < 5).sum())
        light += int((rows >= 5).sum())
    assert heavy / 5 > 2.5 * light / 35


def test_secretary_and_chair_join_and_strengths_follow_the_formula():
    pid, role, c, phi, _ = people()
    present = np.arange(10, 40, dtype=np.int64)
    sec, chair = 2, 5  # not among the present, so never drawn
    role[sec] = WORKER
    role[chair] = WORKER
    stake = mt.STAKE_TABLE[mt.TOPIC_CODE["safety"]]
    out = voices(present, pid, role, c, phi, stake, k=4, secretary=sec, chair=chair)
    rows, _, side, arg, frame, strength, sw, sm, gap, lw, lm = out
    assert rows.tolist()[-1] == sec and len(rows) == 5  # no chair when the topic is not theirs
    out = voices(
        present, pid, role, c, phi, stake, k=4, secretary=sec, chair=chair, chair_speaks=True
    )
    rows, _, side, arg, frame, strength, sw, sm, gap, lw, lm = out
    assert rows.tolist()[-2:] == [sec, chair]
    assert side[-2] == mt.PARTY_LINE and arg[-2] in (mt.WORKERS_SIDE, mt.MANAGEMENT_SIDE)
    fits = {mt.WORKERS_SIDE: [0.3, 0.9, 0.2, 0.5], mt.MANAGEMENT_SIDE: [0.7, 0.4, 0.1]}
    rank = np.array([max(mt.RANK[role[r]], 1.5) if r in (sec, chair) else mt.RANK[role[r]]
                     for r in rows])  # fmt: skip
    for q, r in enumerate(rows):
        if r not in (sec, chair):
            want = {WORKER: mt.WORKERS_SIDE, MANAGER: mt.MANAGEMENT_SIDE}.get(role[r], side[q])
            assert side[q] == want
        fit = fits[arg[q]][frame[q]]
        assert strength[q] == pytest.approx(c[r] * fit * (1 + 0.5 * rank[q]) * (1 - phi[r]), 1e-6)
    on_w = arg == mt.WORKERS_SIDE
    assert sw == pytest.approx(strength[on_w].sum()) and sm == pytest.approx(strength[~on_w].sum())
    mean = lambda x: x.mean() if x.size else 0.0  # noqa: E731
    assert gap == mean(rank[on_w]) - mean(rank[~on_w])
    # the lead speaker of a side is its strongest voice other than the secretary
    for lead, mask in ((lw, on_w), (lm, ~on_w)):
        mask = mask & (rows != sec)
        assert lead == (rows[mask][np.argmax(strength[mask])] if mask.any() else -1)


def test_answerable_is_drawn_among_the_right_role_and_shop():
    n = 30
    state = np.full(n, EMPLOYED, dtype=np.int8)
    role = np.full(n, WORKER, dtype=np.int8)
    shop = np.arange(n, dtype=np.int32) % 3
    role[[4, 7, 9, 12]] = FOREMAN
    state[9] = QUIT
    here = np.arange(n, dtype=np.int64)
    # foremen employed: 4 (shop 1), 7 (shop 1), 12 (shop 0)
    assert mt._pick_answerable(here, state, role, shop, FOREMAN, 1, 0.99) == 7
    assert mt._pick_answerable(here, state, role, shop, FOREMAN, 1, 0.2) == 4
    assert mt._pick_answerable(here, state, role, shop, FOREMAN, 0, 0.5) == 12
    # a shop without a foreman: any of the factory's
    assert mt._pick_answerable(here, state, role, shop, FOREMAN, 2, 0.5) == 7
    assert mt._pick_answerable(here, state, role, shop, FOREMAN, -1, 0.0) == 4
    assert mt._pick_answerable(here, state, role, shop, MANAGER, -1, 0.5) == -1


def test_nobody_speaks_twice_whatever_the_offices():
    """One person as secretary, union chair and director, and drawn as well: listed once."""
    pid, role, c, phi, _ = people()
    present = np.arange(0, 60, dtype=np.int64)
    stake = mt.STAKE_TABLE[mt.TOPIC_CODE["norms_pay"]]
    drawn = voices(present, pid, role, c, phi, stake, k=6)[0]
    for who in (int(drawn[0]), 59):  # drawn, or (probably) not
        rows = voices(present, pid, role, c, phi, stake, k=6, secretary=who, chair=who,
                      chair_speaks=True, director=who, director_speaks=True)[0]  # fmt: skip
        assert len(rows) == len(set(rows.tolist()))
        assert who in rows.tolist()
    # two offices in two persons: both speak once each
    rows = voices(present, pid, role, c, phi, stake, k=6, secretary=58, chair=59,
                  chair_speaks=True, director=58, director_speaks=True)[0]  # fmt: skip
    assert len(rows) == len(set(rows.tolist())) and {58, 59} <= set(rows.tolist())


def test_frame_choice_follows_the_softmax_of_fits():
    fits = np.array([0.3, 0.9, 0.2, 0.5])
    tau = 0.2
    p = np.exp(fits / tau) / np.exp(fits / tau).sum()
    us = (np.arange(20_000) + 0.5) / 20_000  # an even grid of uniforms
    picks = np.array([mt._frame_choice(fits, u, tau)[0] for u in us])
    share = np.bincount(picks, minlength=4) / us.size
    assert np.allclose(share, p, atol=1e-3)
    # the fit returned is the chosen frame's
    assert all(mt._frame_choice(fits, u, tau)[1] == fits[mt._frame_choice(fits, u, tau)[0]]
               for u in (0.01, 0.5, 0.99))  # fmt: skip
    # temperature 0: the best fit, whatever the uniform
    assert {mt._frame_choice(fits, u, 0.0)[0] for u in (0.0, 0.3, 0.99)} == {1}


def test_the_secretary_draws_over_both_sides_frames():
    fits_w, fits_m = np.array([0.3, 0.9]), np.array([0.7, 0.1, 0.4])
    tau = 0.3
    both = np.concatenate((fits_w, fits_m))
    p = np.exp(both / tau) / np.exp(both / tau).sum()
    us = (np.arange(10_000) + 0.5) / 10_000
    got = [mt._line_choice(fits_w, fits_m, u, tau) for u in us]
    idx = np.array([f if a == mt.WORKERS_SIDE else 2 + f for a, f, _ in got])
    assert np.allclose(np.bincount(idx, minlength=5) / us.size, p, atol=1e-3)
    assert mt._line_choice(fits_w, fits_m, 0.5, 0.0)[:2] == (mt.WORKERS_SIDE, 1)


def test_cell_before_the_1934_rules_and_general_meetings_every_few_months():
    import datetime as dt

    rules = mt.rules_dates()["1934"]
    assert rules.year == 1934 and mt.rules_dates()["1939"].year == 1939
    assert mt.organisation(rules - dt.timedelta(days=1)) == "cell"
    assert mt.organisation(rules) == "ppo"
    months = [m for m in range(1, 13) if mt.general_month(dt.date(1937, m, 25), 3)]
    assert months == [3, 6, 9, 12]


def test_partkom_is_the_officers_the_elected_and_a_delegate_per_shop():
    from types import SimpleNamespace

    n = 40
    rng = np.random.default_rng(5)
    pop = SimpleNamespace(
        pid=np.arange(1000, 1000 + n, dtype=np.int64),
        party=np.full(n, MEMBER, dtype=np.int8),
        c=rng.uniform(0, 1, n).astype(np.float32),
        shop=(np.arange(n) % 4).astype(np.int32),
        role=np.where(np.arange(n) < 10, MANAGER, WORKER).astype(np.int8),
    )
    pop.c[:10] += 1.0  # the managers are the most conscious: elected by c alone, all five
    pop.party[::5] = 1  # candidates are neither elected nor delegates
    members = np.arange(n, dtype=np.int64)
    body = mt.partkom(pop, members, (3, 3, 7), 5)
    assert body[:2].tolist() == [3, 7]  # the officers once each
    full = [r for r in range(n) if pop.party[r] == MEMBER and r not in (3, 7)]
    ranked = sorted(full, key=lambda r: -pop.c[r])
    # seats in proportion to the roles of the full members (largest remainders)
    n_mgr = sum(pop.role[r] == MANAGER for r in full)
    quota = 5 * n_mgr / len(full)
    seats_mgr = int(np.floor(quota)) + (quota - np.floor(quota) > (5 - quota) - np.floor(5 - quota))
    elected = body[2:7].tolist()
    assert sum(pop.role[r] == MANAGER for r in elected) == seats_mgr
    for role in (MANAGER, WORKER):  # the most conscious of each role
        of_role = [r for r in ranked if pop.role[r] == role]
        got = [r for r in elected if pop.role[r] == role]
        assert sorted(got) == sorted(of_role[: len(got)])
    delegates = body[7:].tolist()
    assert sorted(pop.shop[delegates].tolist()) == [0, 1, 2, 3]
    left = [q for q in ranked if q not in elected]
    for r in delegates:  # the most conscious of its shop at the bench among those left
        bench = [q for q in left if pop.shop[q] == pop.shop[r] and pop.role[q] <= FOREMAN]
        assert r == bench[0]
    assert len(set(body.tolist())) == body.size


def test_agenda_hears_one_report_one_case_and_the_admissions():
    from treugolnik.scenario.schema import Scenario

    mp = Scenario().meetings
    state = {"fulfilment": 1.0, "norm_rose": 0.0, "pay_short": 0.0, "accidents": 0,
             "deaths": 0, "accidents_expected": 5.0, "absence_rate": 0.0}  # fmt: skip
    pol = {"discipline": 0.2, "campaign": 0.5}
    business = {"campaign": "", "cases": [11, 12, 13], "recruited": 4, "confirmed": 0}
    items = mt.agenda(state, pol, 5, [], business, mp)
    assert [t for t, _, _ in items] == ["control_finding", "personal_case", "admissions"]
    assert items[1][2] == 11
    business = dict(business, cases=[], recruited=0, campaign="the Stakhanov movement")
    assert [t for t, _, _ in mt.agenda(state, pol, 0, [], business, mp)] == ["campaign"]
    # the campaign item: the 1937 elections in their months, else with chance min(1, w campaign)
    import datetime as dt

    assert "elections" in mt.campaign_title(dt.date(1937, 4, 25), pol, 0.99, 1.0)
    assert mt.campaign_title(dt.date(1936, 4, 25), pol, 0.49, 1.0) != ""
    assert mt.campaign_title(dt.date(1936, 4, 25), pol, 0.51, 1.0) == ""
    assert "Stakhanov" in mt.campaign_title(dt.date(1936, 4, 25), {"campaign": 0.8}, 0.1, 1.0)


def test_union_turn_lowers_the_chairs_siding_with_workers():
    """The chair sides with workers with probability union_stance (1 - union_turn
    union_production): drawn over many items, the share follows the formula."""
    pid, role, c, phi, _ = people()
    present = np.arange(10, 40, dtype=np.int64)
    chair = 5
    role[chair] = WORKER
    stake = mt.STAKE_TABLE[mt.TOPIC_CODE["safety"]]
    for stance in (0.6, 0.6 * (1 - 0.5)):
        sides = []
        for salt in range(1, 1200):
            out = voices(present, pid, role, c, phi, stake, k=2, secretary=-1, chair=chair,
                         chair_speaks=True, union_stance=stance, salt=salt)  # fmt: skip
            rows, _, side, arg = out[:4]
            sides.append(arg[list(rows).index(chair)] == mt.WORKERS_SIDE)
        share = float(np.mean(sides))
        assert abs(share - stance) < 4.5 * np.sqrt(stance * (1 - stance) / len(sides))
