"""Meetings and their minutes on whole kirov-small runs (docs/ODD.md section 7, "PPO meeting").

Who is heard on an item is listed once whatever posts the people hold; the minutes name the
body and the offices of the period (a cell before the rules of the XVII Congress, a primary
party organisation after them; a partkom where the organisation is large) and print no
internal ids.
"""

import datetime as dt

import polars as pl
import pytest

from treugolnik.mechanisms.meetings import rules_dates
from treugolnik.protocols import render_protocols
from treugolnik.timeline import read_timeline


@pytest.fixture(scope="module")
def runs(run_small):
    return {
        1: run_small(),
        2: run_small(("period.end=1939-06-30",), seed=2),
        3: run_small(("period.end=1939-06-30",), seed=3),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_nobody_speaks_twice_on_one_item(runs, seed):
    sp = runs[seed].events.filter(pl.col("kind") == "speech")
    assert sp.height > 1000
    twice = sp.group_by("parent_id", "person").len().filter(pl.col("len") > 1)
    assert twice.height == 0


def test_agenda_mix(runs):
    """Every kind of item is heard; the control commission's reports are a minority."""
    items = pl.concat([r.events.filter(pl.col("kind") == "item") for r in runs.values()])
    share = dict(items.group_by("topic").len().iter_rows())
    total = sum(share.values())
    assert {"admissions", "personal_case", "campaign", "control_finding", "plan"} <= set(share)
    assert share["control_finding"] / total < 0.3


def test_the_large_organisation_meets_as_a_partkom(runs):
    ev = runs[1].events
    m = ev.filter(pl.col("kind") == "meeting")
    assert set(m["outcome"].unique()) == {"cell", "ppo"}
    rules = rules_dates()["1934"]
    assert (m.filter(pl.col("outcome") == "cell")["date"] < rules).all()
    assert (m.filter(pl.col("outcome") == "ppo")["date"] >= rules).all()
    # a partkom only where the communists reach the threshold (300 by default)
    pk = m.filter(pl.col("topic") == "partkom")
    assert pk.height > 0 and (pk["strength"] >= 300).all()
    assert (m.filter(pl.col("topic") == "general")["strength"] < 300).all()
    # the director speaks in the partkom on the plan and the control commission's report
    items = ev.filter(pl.col("kind") == "item")
    pk_items = items.filter(
        pl.col("parent_id").is_in(pk["event_id"].implode())
        & pl.col("topic").is_in(["plan", "control_finding"])
    )
    sp = ev.filter((pl.col("kind") == "speech") & (pl.col("detail") == "director"))
    assert pk_items.height > 0
    assert pk_items["event_id"].is_in(sp["parent_id"].implode()).all()


def test_minutes_of_1930_and_1937_read_as_the_periods(runs):
    ev = runs[1].events
    y1930 = render_protocols(ev, date_from=dt.date(1930, 1, 1), date_to=dt.date(1930, 12, 31))
    y1937 = render_protocols(ev, date_from=dt.date(1937, 1, 1), date_to=dt.date(1937, 12, 31))
    assert "general meeting of the party cell (yacheika)" in y1930
    assert "secretary of the cell bureau" in y1930 and "primary party" not in y1930
    assert "primary party organisation" in y1937 and "cell" not in y1937
    rules = rules_dates()["1934"]
    assert f"under the party rules of {rules.day} {rules:%B %Y}" in y1937
    assert "chair of the factory committee (fabzavkom)" in y1930 + y1937
    assert "union chair" not in y1930 + y1937 and "PPO secretary" not in y1930 + y1937
    # no internal ids: no event id and no directive's id from the timeline
    everything = render_protocols(ev)
    rows = read_timeline()
    said = " ".join(r.description for r in rows)  # (an id may be a word of a description)
    events = {r.event for r in rows if r.kind == "directive" and r.event not in said}
    assert "fyp1_start" in events and not [e for e in events if e in everything]
    assert "(event " not in everything
    # a contested outcome as the minutes put it: adopted, the loser's proposal an amendment
    assert "   Adopted." in y1937 and "was put and not adopted." in y1937
    pk = render_protocols(ev, date_from=dt.date(1938, 1, 1))
    assert "session of the party committee (partkom)" in pk and "(director)" in pk


def test_elections_since_the_last_meeting_head_the_minutes():
    """An election between two meetings is printed in the next meeting's minutes with its
    outcome and the vote against, and the successor when the holder lost."""
    import datetime as dt

    from treugolnik.protocols import render_protocols
    from treugolnik.record import EventLog

    log = EventLog()
    d1, d2, d3 = dt.date(1937, 3, 25), dt.date(1937, 4, 20), dt.date(1937, 4, 25)
    log.add("meeting", d1, 0, person=5, topic="general", outcome="ppo", detail="present: 9")
    lost = "party secretary, secret ballot: 62% against"
    e = log.add("election", d2, 0, target=5, target_role="worker", topic="secretary",
                outcome="not re-elected", detail=lost)  # fmt: skip
    log.add("election", d2, 0, parent=e, target=8, target_role="foreman", topic="secretary",
            outcome="elected", detail="party secretary")  # fmt: skip
    log.add("meeting", d3, 0, person=8, topic="general", outcome="ppo", detail="present: 9")
    text = render_protocols(log.frame())
    first, second = text.split("PROTOCOL No. 2")
    assert "ELECTION" not in first
    line = next(x for x in second.splitlines() if x.startswith("ELECTION"))
    assert "secret ballot, 20 April 1937" in line and "not re-elected, 62% against" in line
    assert "Elected: foreman" in line
