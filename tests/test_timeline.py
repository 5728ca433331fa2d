import datetime as dt

import numpy as np
import pytest

from treugolnik import load_scenario
from treugolnik.scenario import ScenarioError
from treugolnik.timeline import build_policy, read_timeline, working_calendar


@pytest.fixture(scope="module")
def policy():
    return build_policy(load_scenario("kirov-small"))


def test_every_row_has_a_source_and_known_variable():
    rows = read_timeline()
    assert len(rows) > 40
    assert all(r.source for r in rows)


def test_levels_follow_the_dated_events(policy):
    # decree of 15 Nov 1932 sets absence_penalty 0.7 that day; 1940 decree sets it to 1
    assert policy.value("absence_penalty", "1932-11-14") == pytest.approx(0.2)
    assert policy.value("absence_penalty", "1932-11-15") == pytest.approx(0.7)
    assert policy.value("absence_penalty", "1940-06-26") == pytest.approx(1.0)
    assert policy.value("recruitment", "1934-06-01") == 0.0  # admissions closed 1933-36
    assert policy.value("prosecution", "1940-06-25") == 0.0
    assert policy.value("prosecution", "1940-06-26") == 1.0


def test_ramps_are_linear(policy):
    # socialist competition: campaign 0.1 -> 0.5 over 180 days from 20 Jan 1929
    start = dt.date(1929, 1, 20)
    v = [policy.value("campaign", start + dt.timedelta(days=k)) for k in (0, 90, 180, 200)]
    assert v[0] == pytest.approx(0.1)
    assert v[1] == pytest.approx(0.3)
    assert v[2] == pytest.approx(0.5)
    assert v[3] == pytest.approx(0.5)


def test_counterfactual_drops_only_its_rows():
    base = build_policy(load_scenario("kirov-small"))
    cf = build_policy(load_scenario("kirov-small", sets=["counterfactual.no_terror=true"]))
    cut = (dt.date(1937, 1, 23) - base.dates[0]).days
    for var in base.values:
        assert np.array_equal(base.values[var][:cut], cf.values[var][:cut]), var
    assert cf.value("arrest_quota", "1937-09-01") == 0.0
    assert base.value("arrest_quota", "1937-09-01") == 1.0
    assert cf.value("vigilance", "1937-09-01") == pytest.approx(0.55)


def test_no_recruitment_freeze_keeps_admissions_open():
    cf = build_policy(
        load_scenario("kirov-small", sets=["counterfactual.no_recruitment_freeze=true"])
    )
    assert cf.value("recruitment", "1934-06-01") > 0


def test_calendar_regimes(policy):
    code, common = working_calendar(policy)
    idx = {d: i for i, d in enumerate(policy.dates)}
    # continuous week: every day is a plant working day
    assert code[idx[dt.date(1930, 6, 1)]] == 1 and common[idx[dt.date(1930, 6, 1)]]
    # six-day week: rest on the 6th, 12th, 18th, 24th, 30th
    for day in (6, 12, 18, 24, 30):
        assert not common[idx[dt.date(1935, 4, day)]]
    assert common[idx[dt.date(1935, 4, 7)]]
    # from 26 June 1940: Sunday rest, 8-hour day
    assert not common[idx[dt.date(1940, 6, 30)]]  # a Sunday
    assert policy.value("hours", "1940-06-26") == 8 and policy.value("hours", "1940-06-25") == 7


def test_price_index_reproduces_the_real_wage_assumption(policy):
    # real wage = nominal index / price: 0.465 at mid-1932, 0.55 at mid-1940 (data/README.md)
    i32 = (dt.date(1932, 7, 1) - policy.dates[0]).days
    i40 = (dt.date(1940, 7, 1) - policy.dates[0]).days
    assert policy.wage_index[i32] / policy.price[i32] == pytest.approx(0.465, abs=1e-3)
    assert policy.wage_index[i40] / policy.price[i40] == pytest.approx(0.55, abs=1e-3)


def test_bad_timeline_rows_are_reported(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text(
        "date,event,kind,variable,value,ramp_days,description,source\n"
        "1930-02-30,x,directive,discipline,1,0,d,s\n"
        "1930-03-01,x,directive,nonsense,1,0,d,s\n"
        "1930-03-01,x,directive,discipline,1,0,d,\n"
    )
    with pytest.raises(ScenarioError) as e:
        read_timeline(p)
    lines = e.value.problems
    assert len(lines) == 3
    assert "t.csv:2: date" in lines[0] and "variable" in lines[1] and "source" in lines[2]


def test_a_timeline_file_is_read_again_when_it_changes(tmp_path):
    """Runs of an ensemble share one parse of the file; an edit between runs is seen."""
    import os

    p = tmp_path / "t.csv"
    head = "date,event,kind,variable,value,ramp_days,description,source\n"
    p.write_text(head + "1930-03-01,x,directive,discipline,1,0,d,s\n")
    first = read_timeline(p)
    assert [r.value for r in first] == [1.0]
    first.clear()  # a caller's list is its own
    assert [r.value for r in read_timeline(p)] == [1.0]
    p.write_text(head + "1930-03-01,x,directive,discipline,2,0,d,s\n")
    st = p.stat()
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert [r.value for r in read_timeline(p)] == [2.0]
    p.write_text(head + "1930-03-01,x,directive,discipline,2,0,d,\n")  # no source
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    for _ in range(2):  # a file with problems raises on every read
        with pytest.raises(ScenarioError):
            read_timeline(p)


def test_derived_quota_levels_reproduce_the_national_ratio(policy):
    """The 1938 quota levels (data/README.md) were derived so that arrests proportional to
    the quota give 1938 about two thirds of 1937: NKVD arrests 936,750 in 1937 and 629,695 in
    1938 (data/history_sources.csv, nkvd_1937_38)."""
    q = policy.values["arrest_quota"]
    years = np.array([d.year for d in policy.dates])
    ratio = q[years == 1938].sum() / q[years == 1937].sum()
    assert ratio == pytest.approx(629_695 / 936_750, abs=0.05)
    # the quota is never raised after the first day of Order 00447
    start = policy.dates.index(dt.date(1937, 7, 30))
    assert (np.diff(q[start:]) <= 1e-12).all()


def test_elections_are_read_from_the_timeline(tmp_path):
    """Rows of kind ``election`` become the policy's elections: the office from the variable,
    the ballot from the value."""
    import csv

    from treugolnik.timeline import COLUMNS, data_dir

    with open(data_dir() / "timeline.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows = [r for r in rows if r["kind"] != "election"]
    rows.append(dict(date="1930-03-01", event="e1", kind="election", variable="union_ballot",
                     value="0", ramp_days="0", description="d", source="s"))  # fmt: skip
    rows.append(dict(date="1931-03-01", event="e2", kind="election", variable="party_ballot",
                     value="1", ramp_days="0", description="d", source="s"))  # fmt: skip
    path = tmp_path / "tl.csv"
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    pol = build_policy(load_scenario("kirov-small", sets=[f'timeline="{path}"']))
    days = [(pol.dates[k], office, secret) for k, office, secret in pol.elections]
    assert days == [
        (dt.date(1930, 3, 1), "union_chair", 0.0),
        (dt.date(1931, 3, 1), "secretary", 1.0),
    ]
