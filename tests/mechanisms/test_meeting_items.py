"""The agenda items run compiled (meetings.run_items): what they write must read as the
meeting's record, whatever kinds of event a scenario leaves out.
"""

import polars as pl
import pytest

from treugolnik import load_scenario, simulate

SKIPPED = ["speech", "directive", "expulsion"]
# the Terror's years under despotism: accusations, expulsions and arrests in the meetings
SETS = ["period.end=1938-06-30"]


@pytest.fixture(scope="module")
def runs():
    full = simulate(load_scenario("kirov-small", sets=SETS), regime="despotism", seed=3)
    part = simulate(
        load_scenario("kirov-small", sets=[*SETS, f"record.skip_events={SKIPPED}"]),
        regime="despotism",
        seed=3,
    )
    return full, part


def test_leaving_kinds_out_of_the_log_changes_nothing_else(runs):
    full, part = runs
    assert full.metrics.equals(part.metrics)
    ev = full.events
    assert ev.filter(pl.col("kind").is_in(SKIPPED)).height > 0  # (the check has something to drop)
    kept = ev.filter(~pl.col("kind").is_in(SKIPPED))
    # the same events in the same order, and each linked to the same parent (ids renumbered)
    cols = [c for c in ev.columns if c not in ("event_id", "parent_id")]
    assert kept.select(cols).equals(part.events.select(cols))
    new_id = dict(zip(kept["event_id"].to_list(), part.events["event_id"].to_list(), strict=True))
    parents = [new_id.get(p, -1) for p in kept["parent_id"].to_list()]
    assert parents == part.events["parent_id"].to_list()


def test_meeting_counters_count_its_events(runs):
    full, _ = runs
    ev, m = full.events, full.metrics
    kinds = ev["kind"]
    assert m["items"].sum() == (kinds == "item").sum() > 0
    res = ev.filter(pl.col("kind") == "resolution")
    assert m["workers_won"].sum() == (res["side"] == "workers").sum()
    assert m["accusations"].sum() == (kinds == "accusation").sum() > 0
    political = ev.filter(pl.col("kind") == "accusation")["charge"].is_in(
        ["political_unreliability", "sabotage"]
    )
    assert m["accusations_political"].sum() == political.sum()
    adopted = ev.filter((pl.col("kind") == "directive") & (pl.col("outcome") == "adopted"))
    assert m["directives_adopted"].sum() == adopted.height


def test_an_arrest_after_an_accusation_comes_before_the_next_item(runs):
    full, _ = runs
    ev = full.events
    kind = dict(zip(ev["event_id"].to_list(), ev["kind"].to_list(), strict=True))
    arrests = ev.filter(pl.col("kind") == "arrest")
    after_meeting = [
        (a, p) for a, p in zip(arrests["event_id"], arrests["parent_id"], strict=True)
        if kind.get(p) == "accusation"
    ]  # fmt: skip
    assert after_meeting  # (the run has arrests from meetings)
    items = ev.filter(pl.col("kind").is_in(["item", "meeting"]))["event_id"].to_list()
    for arrest, accusation in after_meeting:
        assert accusation < arrest
        assert not any(accusation < i < arrest for i in items)


def test_the_fixed_texts_fill_their_places():
    """Every group of fixed texts sits where run_items looks for it; the items' own texts follow."""
    from treugolnik.mechanisms import meetings as mt
    from treugolnik.scenario.schema import Scenario

    texts = mt.fixed_details(Scenario().meetings)
    assert len(texts) == mt.D_ITEMS
    assert texts[mt.D_OFFICE : mt.D_OFFICE + 3] == ["director", "union_chair", "secretary"]
    assert texts[mt.D_NOT_CARRIED] == "resolution recorded; not carried out"
    assert texts[mt.D_AFTER_ACCUSATION] == "after accusation"
    assert texts[mt.D_LOSE + mt.T_PLAN] == "tighten plan discipline; storm the backlog"
