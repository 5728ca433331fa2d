import numpy as np

from treugolnik.population import (
    CANDIDATE,
    COLUMNS,
    DISMISSED,
    EMPLOYED,
    MEMBER,
    QUIT,
    Population,
    column_groups,
    group_by_factory,
)


def test_append_gives_fresh_sorted_ids_and_grows():
    pop = Population(capacity=16)
    pop.append(10)
    pop.append(30)
    assert pop.n == 40 and pop.capacity >= 40
    assert np.array_equal(pop.pid[:40], np.arange(40))


def test_compact_drops_leavers_and_keeps_order():
    pop = Population(capacity=16)
    pop.append(20)
    pop.skill[:20] = np.arange(20, dtype=np.float32)
    pop.state[[3, 7, 8]] = (QUIT, DISMISSED, QUIT)
    pop.compact()
    assert pop.n == 17
    assert np.all(pop.state[:17] == EMPLOYED)
    assert np.all(np.diff(pop.pid[:17]) > 0)
    assert 3 not in pop.pid[:17] and 7 not in pop.pid[:17]
    # attributes travel with their person
    assert np.array_equal(pop.skill[:17], pop.pid[:17].astype(np.float32))
    new = pop.append(2)
    assert pop.pid[new].tolist() == [20, 21]  # ids never reused
    assert np.array_equal(pop.rows_of(np.array([0, 9, 21])), [0, 6, 18])


def test_compact_on_threads_moves_every_column_as_one_thread_does():
    """Columns moved in groups on a thread pool: every column, each row with its person, the
    freed rows cleared; the groups cover the columns once and weigh about the same."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(5)
    tables = []
    for parts in (1, 2, 3):
        pop = Population(capacity=16)
        pop.append(500)
        for j, (name, dtype) in enumerate(COLUMNS.items()):
            if name not in ("pid", "state"):  # each column its own values
                getattr(pop, name)[:500] = (np.random.default_rng(j).random(500) * 90).astype(dtype)
        pop.state[:500] = np.where(rng.random(500) < 0.8, EMPLOYED, QUIT)
        rng = np.random.default_rng(5)  # the same leavers in every table
        with ThreadPoolExecutor(2) as pool:
            pop.compact(pool, parts)
        tables.append(pop)
    kept = tables[0].n
    assert 300 < kept < 500
    # each person's attributes travel with them (the columns' values are set by row, not id)
    rows = tables[0].pid[:kept]
    assert np.array_equal(
        tables[0].skill[:kept],
        (np.random.default_rng(list(COLUMNS).index("skill")).random(500) * 90).astype(
            COLUMNS["skill"]
        )[rows],
    )
    for pop in tables[1:]:
        assert pop.n == kept
        for name in COLUMNS:
            col, ref = getattr(pop, name), getattr(tables[0], name)
            assert np.array_equal(col[:500], ref[:500]), name
            assert not col[kept:500].any(), name
    for parts in (2, 3):
        groups = column_groups(parts)
        assert sorted(c for g in groups for c in g) == sorted(COLUMNS)
        weight = [sum(np.dtype(COLUMNS[c]).itemsize for c in g) for g in groups]
        assert max(weight) - min(weight) <= max(np.dtype(t).itemsize for t in COLUMNS.values())


def test_rows_appended_after_compact_start_from_zero():
    pop = Population(capacity=16)
    pop.append(12)
    pop.g[:12] = 2.5
    pop.party[:12] = 2
    pop.state[:6] = QUIT
    pop.compact()
    new = pop.append(4)
    # the freed rows were cleared, so newcomers carry nothing over from the leavers
    assert np.all(pop.g[new] == 0) and np.all(pop.party[new] == 0)
    assert np.all(pop.last_accused[new] == -1)


def test_factory_rows_lists_employed_rows_of_each_factory_in_order():
    pop = Population(capacity=16)
    pop.append(12)
    pop.factory[:12] = [2, 0, 1, 2, 0, 0, 1, 2, 2, 1, 0, 2]
    pop.state[[4, 8]] = QUIT
    for f in range(3):
        want = [i for i in range(12) if pop.factory[i] == f and pop.state[i] == EMPLOYED]
        assert pop.factory_rows(f, 3).tolist() == want
    # rebuilt when rows are added
    pop.append(1)
    pop.factory[12] = 1
    assert pop.factory_rows(1, 3).tolist() == [2, 6, 9, 12]


def test_factory_rows_stay_right_through_appends_and_compaction():
    rng = np.random.default_rng(4)
    pop = Population(capacity=16)

    def check():
        for f in range(3):
            want = np.flatnonzero((pop.factory[: pop.n] == f) & (pop.state[: pop.n] == EMPLOYED))
            got = pop.factory_rows(f, 3)
            assert np.array_equal(got[pop.state[got] == EMPLOYED], want)

    for step in range(30):
        new = pop.append(int(rng.integers(1, 12)))
        pop.factory[new] = rng.integers(0, 3, new.stop - new.start)
        pop.state[rng.integers(0, pop.n, 2)] = QUIT
        check()
        if step % 7 == 6:
            pop.compact()
            check()


def test_members_grouped_by_factory_are_the_employed_members_and_candidates_in_row_order():
    rng = np.random.default_rng(5)
    n, nf = 3000, 6
    factory = rng.integers(0, nf, n).astype(np.int32)
    state = np.where(rng.random(n) < 0.1, QUIT, EMPLOYED).astype(np.int8)
    party = rng.integers(0, 4, n).astype(np.int8)  # nonparty, candidate, member, expelled
    rows, bounds = group_by_factory(0, n, factory, state, party, True, nf)
    for f in range(nf):
        want = np.flatnonzero(
            (factory == f) & (state == EMPLOYED) & ((party == MEMBER) | (party == CANDIDATE))
        )
        assert rows[bounds[f] : bounds[f + 1]].tolist() == want.tolist()
    everyone, _ = group_by_factory(0, n, factory, state, party, False, nf)
    assert everyone.size == np.sum(state == EMPLOYED)


def test_initial_party_share_by_role():
    """Members among specialists and managers are the scenario's role shares; workers and
    foremen hold the rest of ``party_share`` and all candidates."""
    from treugolnik import load_scenario
    from treugolnik.engine import Simulation
    from treugolnik.population import FOREMAN, MANAGER, SPECIALIST

    s = load_scenario("kirov", sets=["factories.manager_party_share=0.6", "period.end=1928-10-02"])
    pop = Simulation(s).world.pop
    n = pop.n
    role, party = pop.role[:n], pop.party[:n]
    fs = s.factories
    for r, share in ((SPECIALIST, fs.specialist_party_share), (MANAGER, fs.manager_party_share)):
        k = int((role == r).sum())
        assert int(((role == r) & (party == MEMBER)).sum()) == round(share * k)
    assert int((party == MEMBER).sum()) == round(fs.party_share * n)
    assert int((party == CANDIDATE).sum()) == round(fs.candidate_share * n)
    assert (role[party == CANDIDATE] <= FOREMAN).all()


def test_the_run_lets_go_of_a_growing_tables_old_arrays():
    # the engine's state holds the table's arrays; when the table must grow it lets go of
    # them first, so that nothing keeps an old column alive once it is copied (the table
    # then grows column by column, never held twice)
    import gc
    import weakref

    from treugolnik import load_scenario
    from treugolnik.engine import Simulation

    sim = Simulation(load_scenario("kirov-small", sets=["period.end=1928-10-31"]))
    sim.S, sim.ref  # noqa: B018 (the state and its compiled view hold the arrays)
    pop = sim.world.pop
    n, cap = pop.n, pop.capacity
    g_before = pop.g[:n].copy()
    old = [weakref.ref(getattr(pop, name)) for name in COLUMNS]
    sim.reserve_rows(cap)
    gc.collect()
    assert pop.capacity >= n + cap
    assert all(ref() is None for ref in old)
    assert np.array_equal(pop.g[:n], g_before)
    assert sim.S.people.g is pop.g  # the state takes up the new arrays
    sim.run()  # and the run goes on


def test_a_finished_run_lets_go_of_its_table_before_its_result_tables():
    # simulate() (and resume, and the command line) drop the person table when the run is
    # over, so that the result tables are not made beside it; the results are those of a
    # run that keeps it
    import gc
    import weakref

    from treugolnik import load_scenario
    from treugolnik.engine import Simulation

    s = load_scenario("kirov-small", sets=["period.end=1928-12-31"])
    kept = Simulation(s).run()
    sim = Simulation(s)
    sim.release_at_end = True
    pop = sim.world.pop
    old, seen = [], []

    def release(_release=pop.release):
        # the columns as the run left them (the table may have grown during it)
        old.extend(weakref.ref(getattr(pop, name)) for name in COLUMNS)
        _release()

    def spy(started, wall, _result=sim._result):
        gc.collect()
        seen.append([ref() is None for ref in old])
        return _result(started, wall)

    pop.release, sim._result = release, spy
    res = sim.run()
    assert seen == [[True] * len(COLUMNS)]
    assert res.metrics.equals(kept.metrics)
    assert res.events.equals(kept.events)
    assert res.monthly.equals(kept.monthly)


def test_a_released_table_is_empty_and_can_grow_again():
    import signal

    pop = Population(capacity=64)
    pop.append(10)
    pop.release()
    assert pop.n == 0 and all(getattr(pop, name).size == 0 for name in COLUMNS)

    def hung(*_):
        raise AssertionError("growing a released table does not end")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(5)
    try:
        rows = pop.append(3)  # (from no capacity: the doubling starts from its floor)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert (rows.start, rows.stop) == (0, 3) and pop.capacity >= 3
    assert pop.pid[:3].tolist() == [10, 11, 12]  # ids go on from those already given


def test_simulate_lets_go_of_the_table(monkeypatch):
    # simulate() sets the switch (as resume and the command line do); a Simulation made
    # directly keeps its table
    from treugolnik import load_scenario
    from treugolnik.engine import Simulation, simulate

    seen = []
    run = Simulation.run

    def spy(self, progress=None):
        seen.append(self.release_at_end)
        return run(self, progress)

    monkeypatch.setattr(Simulation, "run", spy)
    simulate(load_scenario("kirov-small", sets=["period.end=1928-10-31"]))
    assert seen == [True]
    assert Simulation(load_scenario("kirov-small")).release_at_end is False


def test_a_count_that_is_not_finite_is_refused_not_written():
    import datetime as dt

    import pytest

    from treugolnik import load_scenario
    from treugolnik.engine import Simulation

    sim = Simulation(load_scenario("kirov-small", sets=["period.end=1928-10-31"]))
    sim.run()
    sim._S.rec.rows[3, sim.col["quits"]] = np.nan
    with pytest.raises(ValueError, match="metric 'quits': a count that is not finite"):
        sim._result(dt.datetime.now(dt.UTC), 1.0)
