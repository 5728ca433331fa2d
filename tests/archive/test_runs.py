"""A simulated run as an archive: exported and read back it gives the statistics computed
from its events; the statistics count what the event log holds; the observation model is the
identity at rate 1 without confusion, reproducible, and honours its rates.
"""

import json
import math

import polars as pl
import pytest
from typer.testing import CliRunner

from treugolnik.archive import (
    Observation,
    archive_stats,
    from_events,
    observe,
    parse_periods,
    read_archive,
)
from treugolnik.cli import app

SETS = ("period.end=1933-12-31",)


@pytest.fixture(scope="module")
def run(run_small):
    return run_small(SETS)


@pytest.fixture(scope="module")
def arc(run):
    return from_events(run.events, "test")


def _drop_source(stats):
    return {k: v for k, v in stats.items() if k != "source"}


def test_export_read_back_equals_stats_from_events(run, arc, tmp_path):
    run.save(tmp_path / "run")
    r = CliRunner().invoke(app, ["archive", "export", str(tmp_path / "run"), "--out",
                                 str(tmp_path / "arc")])  # fmt: skip
    assert r.exit_code == 0, r.output
    back, problems = read_archive(tmp_path / "arc")
    assert problems == []
    spans = parse_periods("1928-1930,1931-1933")
    for periods in (None, spans):
        assert _drop_source(archive_stats(back, periods)) == _drop_source(
            archive_stats(arc, periods)
        )
    # the command reads a run folder and an archive folder alike
    r = CliRunner().invoke(app, ["archive", "stats", str(tmp_path / "run"),
                                 str(tmp_path / "arc"), "--json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    a, b = json.loads(r.output)
    assert _drop_source(a) == _drop_source(b)
    # nothing is left but the archive's files; a second export into it is refused
    assert sorted(p.name for p in tmp_path.iterdir()) == ["arc", "run"]
    r = CliRunner().invoke(app, ["archive", "export", str(tmp_path / "run"), "--out",
                                 str(tmp_path / "arc")])  # fmt: skip
    assert r.exit_code == 2


def test_the_statistics_count_the_event_log(run, arc):
    ev = run.events.with_columns(pl.col("date").dt.year().cast(pl.Utf8).alias("year"))
    stats = archive_stats(arc)["periods"]
    items = ev.filter(pl.col("kind") == "item")
    for year, topic, n in items.group_by("year", "topic").len().iter_rows():
        assert stats[year]["topics"][topic] == n
    res = ev.filter(pl.col("kind") == "resolution")
    for year, side, n in res.group_by("year", "side").len().iter_rows():
        assert stats[year]["carried"][side] == n
    sp = ev.filter(pl.col("kind") == "speech")
    for year, role, side, n in sp.group_by("year", "role", "side").len().iter_rows():
        assert stats[year]["speakers"][role][side] == n
    acc = ev.filter(pl.col("kind") == "accusation")
    for year, charge, n in acc.group_by("year", "charge").len().iter_rows():
        assert stats[year]["charges"][charge] == n
    inv = ev.filter(pl.col("kind") == "investigation")
    for year, outcome, n in inv.group_by("year", "outcome").len().iter_rows():
        assert stats[year]["investigations"][outcome] == n
    assert (
        sum(s["meetings"] for s in stats.values()) == ev.filter(pl.col("kind") == "meeting").height
    )


def test_observation_at_rate_one_is_the_identity(arc):
    same = observe(arc, Observation(seed=7))
    for name, df in arc.frames.items():
        assert same[name].equals(df), name


def test_observation_is_seeded(arc):
    obs = Observation(meeting_rate=0.6, speech_rate=0.5, confusion=0.2, seed=3)
    a, b = observe(arc, obs), observe(arc, obs)
    c = observe(arc, Observation(meeting_rate=0.6, speech_rate=0.5, confusion=0.2, seed=4))
    assert all(a[n].equals(b[n]) for n in arc.frames)
    assert not a["speeches"].equals(c["speeches"])


def _within(k: int, n: int, p: float) -> bool:
    """k successes of n within four standard errors of the rate p."""
    return abs(k - n * p) <= 4 * math.sqrt(n * p * (1 - p)) + 1


def test_observation_honours_its_rates(arc):
    obs = observe(arc, Observation(meeting_rate=0.5, speech_rate=0.3, confusion=0.25, seed=11))
    n_m = arc["meetings"].height
    assert _within(obs["meetings"].height, n_m, 0.5)
    kept_items = arc["items"].filter(
        pl.col("meeting_id").is_in(obs["meetings"]["meeting_id"].implode())
    )
    assert obs["items"].height == kept_items.height
    eligible = arc["speeches"].filter(pl.col("item_id").is_in(kept_items["item_id"].implode()))
    assert _within(obs["speeches"].height, eligible.height, 0.3)
    both = obs["speeches"].join(arc["speeches"], on="speech_id", suffix="_true")
    n = both.height
    assert n > 100
    assert _within(both.filter(pl.col("side") != pl.col("side_true")).height, n, 0.25)
    assert _within(both.filter(pl.col("frame") != pl.col("frame_true")).height, n, 0.25)


def test_who_carried_is_misread_and_fulfilment_shown_at_their_rates(arc):
    true = arc["resolutions"]
    obs = observe(arc, Observation(confusion=0.25, outcome_rate=0.4, seed=5))
    both = obs["resolutions"].join(true, on="resolution_id", suffix="_true")
    sided = both.filter(pl.col("carried_true").is_in(["workers", "management"]))
    assert sided.height > 100
    flipped = sided.filter(pl.col("carried") != pl.col("carried_true"))
    assert _within(flipped.height, sided.height, 0.25)
    # a personal case's outcome is misread with who carried, and only then
    cases = both.filter(pl.col("charge_upheld_true").is_in(["yes", "no"]))
    assert cases.height > 10
    moved = cases["charge_upheld"] != cases["charge_upheld_true"]
    assert (moved == (cases["carried"] != cases["carried_true"])).all()
    # fulfilment: shown (as it was) or unknown
    shown = both.filter(pl.col("binding") != "unknown")
    assert (shown["binding"] == shown["binding_true"]).all()
    assert _within(shown.height, both.height, 0.4)
    assert Observation(outcome_rate=1.5).problems()


def test_surviving_bodies_and_years(arc):
    obs = observe(arc, Observation(bodies=("general",), years=(1930, 1931)))
    m = obs["meetings"]
    assert m.height > 0 and set(m["body"]) == {"general"}
    assert set(m["date"].str.slice(0, 4)) == {"1930", "1931"}


def test_export_observe_options(run, tmp_path):
    run.save(tmp_path / "run")
    base = ["archive", "export", str(tmp_path / "run")]
    r = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "a"), "--speech-rate", "0.5"])
    assert r.exit_code == 2 and not (tmp_path / "a").exists()
    r = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "a"), "--observe",
                                 "--speech-rate", "1.5"])  # fmt: skip
    assert r.exit_code == 2 and not (tmp_path / "a").exists()
    observe = ["--observe", "--speech-rate", "0.5", "--years", "1930-1931", "--seed", "2"]
    r = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "a"), *observe])
    assert r.exit_code == 0, r.output
    about = json.loads((tmp_path / "a" / "source.json").read_text())
    assert about["observation"]["speech_rate"] == 0.5 and about["observation"]["years"] == [
        1930,
        1931,
    ]
    assert read_archive(tmp_path / "a")[1] == []
