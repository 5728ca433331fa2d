import numpy as np
import pytest

from treugolnik.population import CANDIDATE, MEMBER, QUIT, Population
from treugolnik.record import (
    COUNT_COLUMNS,
    PAIRWISE_MAX,
    STOCKS,
    pairwise_sum,
    stocks_by_factory,
)


@pytest.mark.parametrize("n", [1, 7, 8, 9, 10, 16, 17, 24, 63, 100, PAIRWISE_MAX])
def test_pairwise_sum_is_numpys_sum(n):
    a = np.random.default_rng(n).lognormal(0, 3, n)
    assert pairwise_sum(a, 0, n) == np.sum(a)
    b = np.concatenate([[1e300], a])
    assert pairwise_sum(b, 1, n) == np.sum(a)


@pytest.mark.parametrize("n", [129, 136, 255, 256, 1000, 1001, 4099])
def test_numpy_order_sum_is_numpys_sum_for_longer_arrays(n):
    from treugolnik.record import numpy_sum

    a = np.random.default_rng(n).lognormal(0, 3, n)
    assert numpy_sum(a, 0, n) == np.sum(a)
    assert numpy_sum(a, 0, 100) == np.sum(a[:100])


def test_stocks_are_per_factory_sums_of_the_employed():
    rng = np.random.default_rng(3)
    n, nf = 5000, 7
    pop = Population(capacity=n)
    pop.append(n)
    # factories in runs of varying length, as hiring leaves them
    pop.factory[:n] = np.repeat(rng.integers(0, nf, 400), 13)[:n]
    pop.role[:n] = rng.integers(0, 4, n)
    pop.party[:n] = rng.choice([0, CANDIDATE, MEMBER, 3], n)
    pop.state[:n] = np.where(rng.random(n) < 0.1, QUIT, 0)
    pop.injured_until[:n] = rng.integers(95, 105, n)
    pop.g[:n] = rng.random(n)
    pop.phi[:n] = rng.random(n)
    pop.c[:n] = rng.random(n)
    pop.shock[:n] = rng.integers(0, 2, n)
    pop.stakh[:n] = rng.integers(0, 2, n)
    pop.inst[:n] = rng.integers(0, 8, n)
    st = stocks_by_factory(pop.record(), 100, nf)
    on = pop.state[:n] == 0
    f = pop.factory[:n][on]

    def per(x):
        return np.bincount(f, weights=np.asarray(x, float)[on], minlength=nf)

    want = {
        "headcount": per(np.ones(n)),
        "workers": per(pop.role[:n] == 0),
        "managers": per(pop.role[:n] == 3),
        "injured": per(pop.injured_until[:n] > 100),
        "g_sum": per(pop.g[:n]),
        "party_members": per(pop.party[:n] == MEMBER),
        "party_candidates": per(pop.party[:n] == CANDIDATE),
        "stakhanovites": per(pop.stakh[:n]),
        "participants_commission": per(pop.inst[:n] & 2 > 0),
    }
    for name, value in want.items():
        assert np.allclose(st[:, STOCKS.index(name)], value, rtol=1e-12), name
    # the counted columns and those production sums every day cover the table once
    summed = [STOCKS.index(c) for c in ("headcount", "injured", "g_sum", "phi_sum", "c_sum")]
    assert sorted([*summed, *COUNT_COLUMNS]) == list(range(len(STOCKS)))


def test_event_log_in_chunks_is_the_log_in_one_piece(monkeypatch):
    import datetime as dt

    from treugolnik.record import EventLog

    def fill(log):
        log.ids = [
            log.add("speech" if i % 3 else "meeting", dt.date(1930, 1, 1 + i), i % 4,
                    parent=i - 1, strength=i / 7, detail=f"d{i}")
            for i in range(25)
        ]  # fmt: skip
        return log

    whole = fill(EventLog()).frame()
    monkeypatch.setattr(EventLog, "chunk", 4)
    chunked = fill(EventLog())
    assert len(chunked) == 25 and chunked.frame().equals(whole)
    assert whole["event_id"].to_list() == list(range(25))
    assert chunked.ids == list(range(25))
    skipped = fill(EventLog({"speech"}))
    assert skipped.ids == [0 if i == 0 else -1 if i % 3 else i // 3 for i in range(25)]
    assert skipped.frame()["kind"].to_list() == ["meeting"] * 9


def test_a_log_written_in_chunks_is_the_same_file_as_in_one_piece(monkeypatch, tmp_path):
    # a checkpoint writes its log without joining the chunks first (joining holds the log
    # twice); the file must not depend on the chunking, nor on how many row groups it needs
    import datetime as dt

    import polars as pl

    from treugolnik.record import EventLog

    def fill(log):
        for i in range(25):
            log.add("speech" if i % 3 else "meeting", dt.date(1930, 1, 1 + i), i % 4,
                    parent=i - 1, strength=i / 7 if i % 2 else None, detail=f"d{i}")  # fmt: skip
        return log

    monkeypatch.setattr(EventLog, "row_group", 10)  # (three row groups for 25 events)
    files = []
    for chunk in (100_000, 4, 7):
        monkeypatch.setattr(EventLog, "chunk", chunk)
        log = fill(EventLog())
        files.append(tmp_path / f"log-{chunk}.parquet")
        log.write_parquet(files[-1])
        assert len(log.frames) == (1 if chunk > 25 else -(-25 // chunk))  # not joined
        assert pl.read_parquet(files[-1]).equals(log.frame())
    assert files[0].read_bytes() == files[1].read_bytes() == files[2].read_bytes()
    import duckdb

    groups = duckdb.sql(
        f"select count(distinct row_group_id) from parquet_metadata('{files[1]}')"
    ).fetchall()[0][0]
    assert groups == 3  # the fixed row groups, not the chunks (7) nor one group
    EventLog().write_parquet(tmp_path / "empty.parquet")  # an empty log too
    assert pl.read_parquet(tmp_path / "empty.parquet").schema == fill(EventLog()).frame().schema


def test_events_added_by_column_are_those_added_one_by_one():
    import datetime as dt

    from treugolnik.record import EventLog

    day = dt.date(1933, 3, 15)
    one, by_col, small = EventLog(), EventLog(), EventLog()
    small.chunk = 2  # frames made every two events: ids and columns run on across them
    for log in (one, by_col, small):
        log.add("meeting", day, 2, detail="before")
    factory, person, ok = [0, 3, 3], [11, 12, 13], [True, False, True]
    for f, p, o in zip(factory, person, ok, strict=True):
        one.add("proposal", day, f, person=p, outcome="adopted" if o else "rejected")
    # the same events given column by column (all columns but the id)
    cols = ("date", "factory", "kind", "parent", "person", "role", "target", "target_role",
            "side", "topic", "frame", "strength", "outcome", "charge", "detail")  # fmt: skip
    defaults = dict(parent=-1, person=-1, role="", target=-1, target_role="", side="", topic="",
                    frame="", strength=None, outcome="", charge="", detail="")  # fmt: skip
    given = [dict(defaults, date=day, factory=f, kind="proposal", person=p,
                  outcome="adopted" if o else "rejected")
             for f, p, o in zip(factory, person, ok, strict=True)]  # fmt: skip
    assert by_col.add_columns(3, *([e[c] for e in given] for c in cols)) == 1
    assert small.add_columns(3, *([e[c] for e in given] for c in cols)) == 1
    for log in (one, by_col, small):
        log.add("clash", day, 1, person=7)
    assert len(by_col) == len(one) == 5 and by_col.frame().equals(one.frame())
    assert len(small.frames) == 1 and small.frame().equals(one.frame())  # one made mid-way
    with pytest.raises(ValueError):
        by_col.add_columns(2, *([e[c] for e in given] for c in cols))  # three values, not two
    assert len(by_col) == 5 and by_col.frame().equals(one.frame())  # nothing added


def test_events_given_as_codes_arrays_and_single_values_are_the_same_events():
    # add_columns takes one value for every event, arrays (copied: the engine's buffers are
    # reused) and texts as codes into names; the log's words start afresh with each frame
    import datetime as dt

    from treugolnik.record import Coded, EventLog

    day = dt.date(1937, 8, 5)
    kinds = ("proposal", "clash", "control_finding")
    code = np.array([0, 2, 1, 0, 0], dtype=np.int32)
    person = np.array([5, 6, 7, 8, 9])
    outcome = np.array([1, 0, 0, 0, 1])
    strength = np.array([0.5, np.nan, 2.0, np.nan, -1.0])
    names = ("rejected", "adopted")
    for chunk in (100_000, 2, 3):
        one, coded = EventLog(), EventLog()
        one.chunk = coded.chunk = chunk
        for j in range(5):
            one.add(kinds[code[j]], day, 4, person=int(person[j]), topic="safety",
                    strength=None if np.isnan(strength[j]) else float(strength[j]),
                    outcome=names[outcome[j]] if code[j] == 0 else "",
                    detail=f"shop {j % 2 + 1}")  # fmt: skip
        buf = person.copy()
        first = coded.add_columns(
            5, day, 4, Coded(code, kinds), -1, buf, "", -1, "", "", "safety", "", strength,
            Coded(np.where(code == 0, outcome + 1, 0), ("", *names)), "",
            Coded(np.arange(5) % 2, ("shop 1", "shop 2", "shop 3")),
        )  # fmt: skip
        buf[:] = -7  # the log holds its own copy
        assert first == 0 and len(coded) == len(one) == 5
        assert coded.frame().equals(one.frame()), chunk
        got = coded.frame()
        assert got["strength"].null_count() == 2  # NaN given: null kept
        assert got["kind"].to_list() == [kinds[c] for c in code]
        assert got["person"].to_list() == person.tolist()
    with pytest.raises(ValueError, match="person"):
        EventLog().add_columns(
            5, day, 4, "clash", -1, person[:4], "", -1, "", "", "", "", None, "", "", ""
        )


def test_events_given_as_a_table_of_codes_are_the_events_added_one_by_one():
    # add_rows: a compiled step's integer table, a column per entry of the layout (texts as
    # codes into their names); the other columns given or left at add's defaults
    import datetime as dt

    from treugolnik.record import Coded, EventLog

    day = dt.date(1936, 2, 25)
    kinds, roles = ("item", "speech", "resolution"), ("", "worker", "foreman")
    layout = (("kind", kinds), ("person", None), ("role", roles), ("parent_id", None))
    table = np.array([[0, 7, 0, -1], [1, 8, 1, 0], [1, 9, 2, 0], [2, -1, 0, 0]])
    texts = np.array(["agenda", "for", "against"], dtype=object)
    for chunk in (100_000, 3):
        one, rows = EventLog(), EventLog()
        one.chunk = rows.chunk = chunk
        for log in (one, rows):
            log.add("meeting", day, 5, detail="opened")
        for (kind, person, role, parent), d in zip(table, (0, 1, 2, 0), strict=True):
            one.add(kinds[kind], day, 5, person=int(person), role=roles[role],
                    parent=int(parent), strength=1.5, detail=texts[d])  # fmt: skip
        first = rows.add_rows(table, layout, date=day, factory=5, strength=1.5,
                              detail=Coded(np.array([0, 1, 2, 0]), texts))  # fmt: skip
        assert first == 1 and len(rows) == len(one) == 5
        assert rows.frame().equals(one.frame()), chunk
    with pytest.raises(ValueError, match="colour"):
        EventLog().add_rows(table, layout, date=day, factory=5, colour="red")
    with pytest.raises(ValueError, match="date"):
        EventLog().add_rows(table, layout, factory=5)
    with pytest.raises(ValueError, match="strength"):
        EventLog().add_rows(table, layout, date=day, factory=5, strength=np.ones(3))


def test_the_log_refuses_values_of_the_wrong_kind_and_adds_nothing():
    import datetime as dt

    from treugolnik.record import EventLog

    day = dt.date(1938, 4, 1)

    def columns(**change):
        given = dict(date=day, factory=4, kind="clash", parent=-1, person=-1, role="", target=-1,
                     target_role="", side="", topic="", frame="", strength=None, outcome="",
                     charge="", detail="")  # fmt: skip
        return list({**given, **change}.values())

    log = EventLog()
    log.add("meeting", day, 4)
    before = log.frame()
    wrong = {
        "kind": 1,  # a number for a text
        "factory": 2.7,  # a fraction for a whole number
        "person": np.array([1.5, 2.0]),
        "date": np.array(["1938-04-01", "NaT"], dtype="datetime64[D]"),  # an event without a date
        "role": [3, 4],
    }
    for name, value in wrong.items():
        with pytest.raises(ValueError, match=name):
            log.add_columns(2, *columns(**{name: value}))
    with pytest.raises(ValueError):
        log.add_columns(-1, *columns())
    layout = (("role", ("", "worker")), ("person", None))
    for table, given in (
        (np.array([[2, 5]]), {}),  # a code past its names
        (np.array([[-1, 5]]), {}),
        (np.array([[1, 5]]), {"person": 6}),  # a column both in the layout and given
    ):
        with pytest.raises(ValueError):
            log.add_rows(table, layout, date=day, factory=4, **given)
    assert len(log) == 1 and log.frame().equals(before)
    assert log.add_rows(np.array([[1, 5]]), layout, date=day, factory=4) == 1
    assert log.frame()["role"].to_list() == ["", "worker"]


def test_a_quiet_days_stocks_and_the_days_totals():
    from treugolnik.record import carried_stocks, carry_counts, close_day
    from treugolnik.state import COUNTERS, C

    rng = np.random.default_rng(3)
    day_sums, prev = rng.random((3, 16)), rng.integers(0, 50, (3, 16)).astype(float)
    leavers, hired = rng.integers(0, 3, (3, 16)).astype(float), rng.integers(0, 3, (3, 16)) * 1.0
    out = np.full((3, 16), np.nan)
    carried_stocks(out, day_sums, prev, leavers, hired)
    expect = day_sums.copy()
    carry_counts(expect, prev, leavers, hired)
    assert np.array_equal(out, expect)
    assert np.array_equal(out[:, COUNT_COLUMNS], (prev - leavers + hired)[:, COUNT_COLUMNS])
    summed = [c for c in range(16) if c not in COUNT_COLUMNS]
    assert np.array_equal(out[:, summed], day_sums[:, summed])

    today = np.zeros((3, len(COUNTERS)))
    today[:, C["output"]] = [1.5, 2.0, 0.25]
    today[:, C["quits"]] = [2, 0, 5]
    output_y = np.array([10.0, 0.0, 1.0])
    assert close_day(today, output_y) == 7.0
    assert output_y.tolist() == [11.5, 2.0, 1.25]
