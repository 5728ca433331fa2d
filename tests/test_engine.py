import datetime as dt

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from treugolnik import load_scenario, simulate
from treugolnik.passes import CHUNK_PEOPLE, MAX_CHUNKS, chunk_bounds
from treugolnik.record import METRIC_COLUMNS

SHORT = ("period.end=1929-06-30",)


def conservation_holds(m: pl.DataFrame) -> bool:
    head = m["headcount"].to_numpy()
    flow = (m["hires"] - m["quits"] - m["dismissals"] - m["arrests"] - m["deaths"]).to_numpy()
    return bool(np.array_equal(np.diff(head), flow[1:]))


def test_record_contract_columns(run_small):
    res = run_small(SHORT)
    assert set(METRIC_COLUMNS) <= set(res.metrics.columns)
    assert res.metrics["date"][0] == dt.date(1928, 10, 1)
    assert res.metrics.height == (dt.date(1929, 6, 30) - dt.date(1928, 10, 1)).days + 1
    for col in ("month", "fulfilment", "last_decade_share", "turnover_rate", "absence_rate"):
        assert col in res.monthly.columns
    for col in (
        "event_id",
        "date",
        "factory",
        "kind",
        "parent_id",
        "person",
        "role",
        "target",
        "target_role",
        "side",
        "topic",
        "frame",
        "strength",
        "outcome",
        "charge",
        "detail",
    ):
        assert col in res.events.columns


def test_headcount_is_conserved_every_day(run_small):
    assert conservation_holds(run_small(SHORT).metrics)


def test_same_seed_same_run_other_seed_other_run(run_small):
    a = run_small(SHORT, seed=5)
    b = simulate(load_scenario("kirov-small", seed=5, sets=list(SHORT)))
    assert a.metrics.equals(b.metrics) and a.events.equals(b.events)
    c = run_small(SHORT, seed=6)
    assert not a.metrics.equals(c.metrics)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    size=st.integers(60, 400),
    growth=st.floats(-0.2, 0.6),
    seed=st.integers(0, 10**6),
    shops=st.integers(1, 6),
    count=st.integers(1, 3),
    end=st.sampled_from(["1929-02-28", "1933-03-31", "1937-11-30", "1940-09-30"]),
    start=st.sampled_from(["1928-10-01", "1932-10-01", "1937-06-01"]),
)
def test_invariants_hold_for_any_scenario(size, growth, seed, shops, count, end, start):
    if start >= end:
        start = "1928-10-01"
    s = load_scenario(
        "kirov-small",
        seed=seed,
        sets=[
            f"factories.size={size}",
            f"factories.growth={growth}",
            f"factories.shops={shops}",
            f"factories.count={count}",
            f"period.start={start}",
            f"period.end={end}",
        ],
    )
    from treugolnik.engine import Simulation
    from treugolnik.population import EMPLOYED

    sim = Simulation(s)
    res = sim.run()
    m = res.metrics
    assert conservation_holds(m)
    for col in (
        "output",
        "pay_nominal",
        "pay_real",
        "norm_index",
        "headcount",
        "absent",
        "hires",
        "quits",
        "arrests",
        "grievance",
        "fear",
    ):
        assert (m[col].to_numpy() >= 0).all(), col
    pop = sim.world.pop
    # nobody both employed and removed: leavers keep their leaving day, the employed none
    employed = pop.state[: pop.n] == EMPLOYED
    assert (pop.left[: pop.n][employed] == 0).all()
    assert int(employed.sum()) == m["headcount"][-1]
    assert (sim.world.shops.norm > 0).all()


def test_counterfactual_is_identical_until_its_first_change(run_small):
    base = run_small(("period.end=1937-12-31",))
    cf = run_small(("period.end=1937-12-31", "counterfactual.no_terror=true"))
    before = pl.col("date") < dt.date(1937, 1, 23)
    assert base.metrics.filter(before).equals(cf.metrics.filter(before))
    assert not base.metrics.equals(cf.metrics)
    inst = run_small(("period.end=1929-06-30", "counterfactual.no_institutions=true"))
    base2 = run_small(SHORT)
    # the first production conferences meet on 15 Oct 1928
    first = pl.col("date") < dt.date(1928, 10, 15)
    assert base2.metrics.filter(first).equals(inst.metrics.filter(first))
    assert inst.metrics["participants_conference"].sum() == 0


def test_by_factory_rows_add_up():
    s = load_scenario(
        "kirov-small", sets=["factories.count=3", "factories.size=150", "period.end=1929-01-31"]
    )
    res = simulate(s, by_factory=True)
    bf = res.by_factory
    assert bf.height == 3 * res.metrics.height
    total = bf.group_by("date", maintain_order=True).agg(
        pl.col("headcount").sum(), pl.col("quits").sum()
    )
    assert total["headcount"].to_list() == res.metrics["headcount"].to_list()
    assert total["quits"].to_list() == res.metrics["quits"].to_list()


def test_regime_argument_applies_its_preset():
    s = load_scenario("kirov-small", sets=list(SHORT))
    res = simulate(s, regime="niche", seed=2)
    assert res.scenario.regime == "niche" and res.scenario.meetings.binding == 0.0
    assert res.scenario.seed == 2


@pytest.mark.parametrize(
    "period",
    [("1928-10-01", "1929-03-31"), ("1937-08-01", "1937-09-30")],  # the second: mass arrests
)
def test_chunked_daily_passes_give_the_same_run_on_any_number_of_threads(period):
    from treugolnik.engine import Simulation
    from treugolnik.passes import Passes

    s = load_scenario(
        "kirov-small",
        sets=[
            "factories.count=4",
            "factories.size=400",
            f"period.start={period[0]}",
            f"period.end={period[1]}",
        ],
    )
    whole = Simulation(s).run()
    runs = [Simulation(s, passes=Passes(threads=k, chunk=300)).run() for k in (1, 2, 3)]
    for r in runs[1:]:
        assert r.metrics.equals(runs[0].metrics) and r.events.equals(runs[0].events)
    if period[0].startswith("1937"):
        assert runs[0].metrics["arrests"].sum() > 0
    # chunks only change the order in which floating-point sums are added
    a, b = whole.metrics, runs[0].metrics
    assert a["headcount"].to_list() == b["headcount"].to_list()
    # events come from counts and per-person draws, merged from the chunks' buffers in row
    # order (buffers are reused between days: stale entries would show here); over these few
    # months the last-digit differences in sums flip no decision
    assert whole.events.equals(runs[0].events)
    assert np.allclose(a["output"].to_numpy(), b["output"].to_numpy(), rtol=1e-9)


@pytest.mark.parametrize(
    ("period", "chunk", "extra"),
    [
        (("1928-10-01", "1929-04-30"), None, []),
        # mass arrests (at a rate that also takes managers), promotions, chunked passes
        (("1937-07-01", "1937-10-31"), 300, ["repression.quota_rate=0.0005"]),
        (("1940-05-01", "1940-08-31"), None, []),  # the decree of 26 June 1940
    ],
)
def test_quiet_day_stocks_equal_a_full_recount(period, chunk, extra):
    """On days without monthly steps the counts by role, party, shock work and institution
    are carried from yesterday less leavers (quota arrests among them) plus hires, with
    promotions moving a count between roles, and production sums the rest; every such day is
    checked against the full end-of-day count (the engine raises on the first difference).
    """
    from treugolnik import engine
    from treugolnik.passes import Passes

    s = load_scenario(
        "kirov-small",
        sets=[
            "factories.count=3",
            "factories.size=500",
            "factories.growth=0.3",
            f"period.start={period[0]}",
            f"period.end={period[1]}",
            *extra,
        ],
    )
    passes = Passes(threads=2, chunk=chunk) if chunk else None
    sim = engine.Simulation(s, passes=passes)
    sim.check_stocks = True
    res = sim.run()
    # quiet: no monthly step
    assert sim.quiet_days >= 20
    if extra:  # managers taken in the mass operation and replaced from the bench
        ev = res.events
        quota = ev.filter(pl.col("detail") == "mass operation (Order 00447)")
        assert quota.height > 20
        assert ev.filter((pl.col("kind") == "promotion") & (pl.col("parent_id") < 0)).height > 0
    assert res.metrics["quits"].sum() > 0 and res.metrics["hires"].sum() > 0
    assert res.metrics["deaths"].sum() > 0 or res.metrics["dismissals"].sum() > 0


@pytest.mark.parametrize(
    ("sets", "chunk"),
    [
        (("period.end=1929-12-31",), None),
        # three factories; the decree of 15 November 1932 and its campaign
        (("factories.count=3", "factories.size=400", "period.start=1932-09-01",
          "period.end=1933-01-31"), None),
        # into the mass operation (August 1937) and the decree of 26 June 1940
        (("period.start=1937-06-01", "period.end=1937-09-30", "repression.quota_rate=0.0005"),
         None),
        (("period.start=1940-05-01", "period.end=1940-08-31"), None),
        # fast growth: the person table must grow between runs of quiet days
        (("factories.growth=1.0", "period.end=1930-06-30"), None),
        # a table that may be split into chunks as it grows (those days go day by day)
        (("factories.growth=1.0", "period.end=1930-06-30"), 1000),
        # many factories, workers flitting between them, speeches and accidents not kept
        (("ussr-industry", "factories.count=12", "factories.size=150",
          "period.end=1929-12-31"), None),
    ],
)  # fmt: skip
def test_compiled_quiet_days_give_the_step_by_step_results(sets, chunk):
    """Compiled runs of days (plan.run_days) call the same steps in the same order as the
    day-by-day path, so every output is identical to the last bit; and labour and production
    as one pass (mechanisms.workday, off when each step is timed) give what the two passes
    give."""
    from treugolnik import engine
    from treugolnik.passes import Passes

    name = sets[0] if not sets[0].count("=") else "kirov-small"
    s = load_scenario(name, sets=[x for x in sets if "=" in x])
    runs = {}
    for step_by_step in (True, False):
        passes = Passes(threads=2, chunk=chunk) if chunk else None
        sim = engine.Simulation(s, passes=passes, step_by_step=step_by_step)
        runs[step_by_step] = (sim, sim.run())
    (a_sim, a), (b_sim, b) = runs[True], runs[False]
    assert b_sim.compiled_days > 0 and a_sim.compiled_days == 0  # both paths were taken
    assert b_sim.partial_days > 0 and a_sim.partial_days == 0
    assert b_sim.fused_days > 0 and a_sim.fused_days == 0
    assert "compiled runs of days" not in a.profile
    assert a_sim.quiet_days == b_sim.quiet_days > 0
    assert a.metrics.equals(b.metrics)
    assert a.monthly.equals(b.monthly)
    assert a.events.equals(b.events)
    assert a.events.filter(pl.col("kind").is_in(["accident", "meeting"])).height > 0
    assert a_sim.world.pop.n == b_sim.world.pop.n


@pytest.mark.parametrize("chunk", [None, 300])
def test_one_pass_with_deaths_and_hires_gives_the_two_passes(chunk):
    """The day's deaths in the one pass (mechanisms.workday) wait until hiring has counted the
    day's leavers (day.leavers_late): with fatal accidents and hires on most days, labour and
    production in one pass give what the two passes give, bit for bit, chunked or not."""
    from treugolnik import engine
    from treugolnik.passes import Passes

    s = load_scenario(
        "kirov-small",
        sets=[
            "factories.count=3",
            "factories.size=400",
            "accidents.p0=0.003",
            "accidents.death_share=0.5",
            "period.end=1929-03-31",
        ],
    )
    runs = []
    for fuse in (True, False):
        passes = Passes(threads=2, chunk=chunk) if chunk else None
        sim = engine.Simulation(s, passes=passes)
        if not fuse:
            sim.S.cal.fuse[:] = False
        runs.append((sim, sim.run()))
    (a_sim, a), (b_sim, b) = runs
    assert a_sim.fused_days > 100 and b_sim.fused_days == 0
    deaths = a.metrics["deaths"].to_numpy()
    assert (deaths > 0).sum() > 50 and a.metrics["hires"].sum() > 0
    assert a.metrics.equals(b.metrics)
    assert a.monthly.equals(b.monthly)
    assert a.events.equals(b.events)


@pytest.mark.parametrize(
    "sets",
    [
        # fatal accidents and hires on most days (production's deaths held back)
        ["factories.count=3", "factories.size=400", "accidents.p0=0.003",
         "accidents.death_share=0.5", "period.end=1929-03-31"],
        # the decree of 26 June 1940 (labour's prosecutions buffer), arrests (unfused days)
        ["factories.count=2", "factories.size=700", "period.start=1940-05-01",
         "period.end=1940-08-31", "repression.quota_rate=0.0005"],
    ],
)  # fmt: skip
def test_pipelined_pass_gives_the_one_pass(sets):
    """Labour ahead on one thread, production behind on another (workday.workday_pipelined)
    gives the one pass's results to the last bit, in compiled runs of days and step by step;
    and on one Numba thread, where the parallel loop runs labour and then production, it
    ends and gives them too."""
    import numba

    from treugolnik import passes as passes_mod
    from treugolnik.engine import Simulation
    from treugolnik.passes import Passes

    if not passes_mod.pipe_capable():
        pytest.skip("Numba here has one thread or no OpenMP/TBB layer: no pipelined pass")
    s = load_scenario("kirov-small", sets=sets)
    # compiled runs of days, and day by day (per-factory rows turn the compiled runs off)
    for by_factory in (False, True):
        plain = Simulation(s, passes=Passes(threads=1), by_factory=by_factory)
        a = plain.run()
        assert plain.passes.pipelined_days == 0 and plain.fused_days > 50
        assert (plain.compiled_days > 0) != by_factory
        sim = Simulation(s, passes=Passes(threads=2, pipe_people=1), by_factory=by_factory)
        b = sim.run()
        # every one pass was pipelined, or ran alone while resting (workday.one_pass)
        piped = sim.passes.pipelined_days
        assert piped + sim.passes.solo_days == plain.fused_days and piped > 0
        assert a.metrics.equals(b.metrics) and a.monthly.equals(b.monthly)
        assert a.events.equals(b.events)
    if "1940" in sets[2]:
        assert a.metrics["prosecutions_absence"].sum() > 0 and a.metrics["arrests"].sum() > 0
    else:  # deaths on days of the one pass, hires on most days
        assert a.metrics["deaths"].sum() > 20 and (a.metrics["hires"] > 0).mean() > 0.5
    before = numba.get_num_threads()
    capable = passes_mod.pipe_capable
    try:
        numba.set_num_threads(1)
        passes_mod.pipe_capable = lambda: True
        sim = Simulation(s, passes=Passes(threads=2, pipe_people=1))
        c = sim.run()
    finally:
        numba.set_num_threads(before)
        passes_mod.pipe_capable = capable
    # (on one thread the pipelined form costs more than the one pass, so it soon rests)
    assert sim.passes.pipelined_days >= 1 and a.metrics.equals(c.metrics)
    assert a.events.equals(c.events)


def test_the_one_pass_chooses_its_form_as_the_pipe_says():
    """workday.one_pass: below the pipe's smallest table the one pass runs alone; otherwise
    alone while it rests, else pipelined, and a pipelined day that took more than STRIKE_RATIO
    times labour's own time after a pipelined day, or WAKE_RATIO times after others (a strike),
    starts a rest that doubles with each strike in a row.
    The state after each day is the same whichever form ran."""
    from treugolnik.engine import Simulation
    from treugolnik.mechanisms import workday as w
    from treugolnik.mechanisms.production import production_prepare
    from treugolnik.passes import Passes

    s = load_scenario("kirov-small", sets=["period.end=1929-01-31"])
    states = []
    for pipe_from, resting, strikes in ((-1, 0, 0), (1, 2, 3), (10**9, 0, 0)):
        sim = Simulation(s, passes=Passes(threads=2))
        sim.run_day(0)
        pipe = w.new_pipe(pipe_from)
        pipe[[w.RESTING, w.STRIKES]] = resting, strikes
        n = sim.world.pop.n
        for t in (1, 2, 3, 4):
            was = pipe.copy()
            production_prepare(0, n, t, sim.ref)
            w.one_pass(n, t, sim.ref, pipe)
            if pipe_from != 1:
                assert np.array_equal(pipe, was)
            elif was[w.RESTING] > 0:  # days 1 and 2
                assert pipe[w.SOLO] == was[w.SOLO] + 1 and pipe[w.PIPED] == was[w.PIPED]
                assert pipe[w.RESTING] == was[w.RESTING] - 1
            else:  # day 3 (no pipelined day before it: judged leniently) and day 4
                assert pipe[w.PIPED] == was[w.PIPED] + 1 and pipe[w.PASS_CYCLES] > 0
                assert pipe[w.PROGRESS] == n and pipe[w.LABOUR_CYCLES] > 0
                assert pipe[w.LAST_T] == t
                awake = was[w.LAST_T] == t - 1
                assert awake == (t == 4)
                if w.is_slow(pipe, w.STRIKE_RATIO if awake else w.WAKE_RATIO):
                    assert pipe[w.STRIKES] == was[w.STRIKES] + 1
                    assert pipe[w.RESTING] == w.REST_DAYS << min(was[w.STRIKES], 7)
                else:
                    assert pipe[w.STRIKES] == (0 if awake else was[w.STRIKES])
                    assert pipe[w.RESTING] == 0
        states.append({c: getattr(sim.world.pop, c)[:n].copy() for c in ("g", "effort", "out_m")})
        states[-1]["today"] = sim.S.day.today.copy()
    for other in states[1:]:
        assert all(np.array_equal(states[0][k], other[k]) for k in states[0])


def test_pipelined_pass_on_a_big_table_writes_what_the_one_pass_writes():
    """On a table of 20,000 rows, where both threads are busy for the whole pass, the pipelined
    pass leaves every array of the state (people, shops, factories, the day) as the one pass
    leaves it, on each of several days and repeats."""
    import numba

    from treugolnik.engine import Simulation
    from treugolnik.mechanisms import workday
    from treugolnik.mechanisms.production import production_prepare
    from treugolnik.passes import Passes
    from treugolnik.state import C_ABSENT

    s = load_scenario(
        "ussr-industry",
        sets=["factories.count=2", "factories.size=10000", "factories.size_sigma=0",
              "period.start=1936-01-01", "period.end=1936-01-31"],
    )  # fmt: skip
    sim = Simulation(s, passes=Passes(threads=2))
    groups = [sim.S.people, sim.S.shops, sim.S.fac, sim.S.day]

    def arrays():
        return {
            (i, f): getattr(g, f).copy()
            for i, g in enumerate(groups)
            for f in g._fields
            if isinstance(getattr(g, f), np.ndarray)
        }

    def restore(saved):
        for (i, f), v in saved.items():
            getattr(groups[i], f)[...] = v

    pipe = workday.new_pipe(1)
    for t in range(6):
        sim.run_day(t)
        groups = [sim.S.people, sim.S.shops, sim.S.fac, sim.S.day]
        n = sim.world.pop.n
        assert n >= 20_000
        start = arrays()
        for _ in range(3):
            restore(start)
            production_prepare(0, n, t + 1, sim.ref)
            workday.workday_rows(0, n, t + 1, sim.ref)
            one = arrays()
            restore(start)
            production_prepare(0, n, t + 1, sim.ref)
            workday.workday_pipelined(n, t + 1, sim.ref, pipe)
            two = arrays()
            assert pipe[workday.PROGRESS] == n  # labour published every row
            differ = [k for k in one if not np.array_equal(one[k], two[k], equal_nan=True)]
            assert not differ
        # on one Numba thread the parallel loop runs labour, then production
        before = numba.get_num_threads()
        try:
            numba.set_num_threads(1)
            restore(start)
            production_prepare(0, n, t + 1, sim.ref)
            workday.workday_pipelined(n, t + 1, sim.ref, pipe)
        finally:
            numba.set_num_threads(before)
        assert all(np.array_equal(one[k], v, equal_nan=True) for k, v in arrays().items())
        assert one[(3, "today")][:, C_ABSENT].sum() > 0 and one[(0, "out_m")].sum() > 0
        restore(start)


def test_release_and_acquire_hand_rows_from_one_thread_to_another():
    """The hand-over the pipelined pass uses (treugolnik.sync): a consumer that waits for each
    row to be published sees every value the producer wrote before publishing it."""
    from numba import njit, prange

    from treugolnik.sync import load_acquire, store_release

    @njit(parallel=True)
    def hand_over(data, pipe):
        store_release(pipe, 0, 0)
        seen = 0
        for side in prange(2):
            if side == 0:
                for i in range(data.shape[0]):
                    data[i] = i + 1
                    if i % 64 == 63:
                        store_release(pipe, 0, i + 1)
                store_release(pipe, 0, data.shape[0])
            else:
                ready = 0
                for i in range(data.shape[0]):
                    while ready <= i:
                        ready = load_acquire(pipe, 0)
                    seen += data[i] == i + 1
        return seen

    n = 2_000_000
    for _ in range(3):
        assert hand_over(np.zeros(n, dtype=np.int64), np.zeros(1, dtype=np.int64)) == n


def test_chunk_states_are_kept_and_follow_the_table_when_it_grows():
    """A split pass's chunk states are made once and reused while the run's state is the same;
    when the person table grows they are let go and made anew around the new arrays (a kept
    state would have the kernels write into the old table)."""
    from treugolnik.engine import Simulation
    from treugolnik.mechanisms import workday
    from treugolnik.passes import Passes

    sim = Simulation(load_scenario("kirov-small"), passes=Passes(threads=1, chunk=300))
    fields = [("day", "today"), ("day", "counts")]
    first = sim.passes.chunk_states(workday.labour_rows, sim.S, fields, 2)
    assert sim.passes.chunk_states(workday.labour_rows, sim.S, fields, 2) is first
    assert first[0][0].day.today is not sim.S.day.today  # the chunk's own counters
    assert first[0][0].people.g is sim.world.pop.g
    sim.reserve_rows(sim.world.pop.capacity)  # the table must grow
    assert not sim.passes._states
    again = sim.passes.chunk_states(workday.labour_rows, sim.S, fields, 2)
    assert again is not first and again[1][0].people.g is sim.world.pop.g
    assert first[0][0].people.g is not sim.world.pop.g


@given(st.integers(min_value=0, max_value=50_000_000))
@settings(max_examples=200, deadline=None)
def test_chunks_cover_the_table_in_order_and_are_few(n):
    """Chunk bounds: from 0 to n without gaps, each chunk at least CHUNK_PEOPLE rows when the
    table is split, and never more than MAX_CHUNKS of them (a chunk's fixed cost a day does
    not shrink with its rows)."""
    bounds = chunk_bounds(n)
    assert bounds[0] == 0 and bounds[-1] == n
    sizes = np.diff(bounds)
    assert (sizes >= 0).all()
    assert 1 <= sizes.size <= MAX_CHUNKS
    if sizes.size > 1:
        assert sizes.min() >= CHUNK_PEOPLE
