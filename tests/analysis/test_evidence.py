"""The evidence machinery: meeting samples, archive features (hand-counted on the synthetic
archive), reference tables (draws inside each reading's prior, the same whatever the number of
processes), the random forests (they recover the reading that generated held-out draws when
every meeting is coded), the combined distance, and the commands' errors.
"""

import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from treugolnik.analysis import evidence as ev
from treugolnik.analysis.calibrate import CombinedDistance, archive_distance, distance
from treugolnik.archive import Observation, from_events, observe, read_archive
from treugolnik.cli import app
from treugolnik.scenario.load import load_scenario
from treugolnik.scenario.regimes import PRESETS, READING_PRIORS
from treugolnik.scenario.schema import REGIMES

pytest.importorskip("sklearn")

SYNTHETIC = Path(__file__).resolve().parents[2] / "data" / "archive" / "synthetic"
SHORT = ["period.end=1931-12-31"]


@pytest.fixture(scope="module")
def synthetic():
    arc, problems = read_archive(SYNTHETIC)
    assert problems == []
    return arc


def test_reading_priors_hold_their_presets():
    for g in REGIMES:
        for key, value in PRESETS[g].items():
            lo, hi = READING_PRIORS[g][key]
            assert lo <= value <= hi, (g, key)


def test_meeting_sample_has_the_size_asked(run_small):
    arc = from_events(run_small(["period.end=1932-12-31"]).events, "t")
    total = arc["meetings"].height
    a = observe(arc, Observation(meetings=7, seed=3))
    b = observe(arc, Observation(meetings=7, seed=3))
    c = observe(arc, Observation(meetings=7, seed=4))
    assert a["meetings"].height == 7 and a["meetings"].equals(b["meetings"])
    assert set(a["meetings"]["meeting_id"]) != set(c["meetings"]["meeting_id"])
    assert set(a["items"]["meeting_id"]) <= set(a["meetings"]["meeting_id"])
    assert observe(arc, Observation(meetings=total + 50))["meetings"].height == total
    assert Observation(meetings=0).problems()


def test_features_count_the_synthetic_minutes(synthetic):
    f = ev.archive_features(synthetic)
    # 1928-1932: M1, M2; items I1-I3; resolutions R1 workers, R2 workers, R3 management
    assert f["items.1928-1932.items_per_meeting"] == pytest.approx(3 / 2)
    assert f["resolutions.1928-1932.carried_workers"] == pytest.approx(2 / 3)
    # unanimity: no, unknown, yes -> 1 of the 2 read
    assert f["resolutions.1928-1932.unanimous"] == pytest.approx(1 / 2)
    # the one personal case (I2) not upheld
    assert f["resolutions.1928-1932.case_not_upheld"] == pytest.approx(1.0)
    # 1933-1936: R4 binding unknown, R5 not binding -> 0 of 1; no personal case
    assert f["resolutions.1933-1936.binding"] == pytest.approx(0.0)
    assert f["resolutions.1933-1936.case_not_upheld"] == ev.MISSING
    # no meeting after 1938: every feature of 1939-1941 is missing
    late = [v for k, v in f.items() if ".1939-1941." in k]
    assert late and all(v == ev.MISSING for v in late)


def test_feature_columns_follow_the_field_sets():
    cols = ["n10/low|items.1928-1932.x", "n10/low|speeches.1928-1932.y",
            "n10/low|accusations.1937-1938.z", "n30/low|items.1928-1932.x", "agg.w"]  # fmt: skip
    assert ev.feature_columns(cols, "n10/low", "resolutions") == ["n10/low|items.1928-1932.x"]
    assert len(ev.feature_columns(cols, "n10/low", "all")) == 3
    assert "n10/low|speeches.1928-1932.y" not in ev.feature_columns(cols, "n10/low", "accusations")


def test_draws_lie_in_their_readings_priors():
    specs = ev.draw_specs("kirov-small", 5, 11)
    assert [s["model"] for s in specs[:3]] == list(REGIMES)
    for s in specs:
        for key, (lo, hi) in READING_PRIORS[s["model"]].items():
            assert lo <= s["params"][key] <= hi
    again = ev.draw_specs("kirov-small", 5, 11)
    assert again == specs
    assert ev.draw_specs("kirov-small", 5, 12)[0]["params"] != specs[0]["params"]


def test_table_is_the_same_in_one_process_or_two():
    obs = ev.power_observations([5])
    # nine draws: three chunks of three, so two processes split them and finish out of order
    one = ev.reference_table("kirov-small", 3, 7, obs, sets=SHORT, workers=1)
    two = ev.reference_table("kirov-small", 3, 7, obs, sets=SHORT, workers=2)
    assert one.equals(two)
    assert one["model"].to_list() == list(REGIMES) * 3


def test_a_saved_table_is_extended_by_the_draws_it_lacks(tmp_path):
    path = tmp_path / "table.parquet"
    small = ev.build_table("kirov-small", 1, 7, [5], path, sets=SHORT)
    assert small.height == len(REGIMES)
    big = ev.build_table("kirov-small", 2, 7, [5], path, sets=SHORT)
    fresh = ev.reference_table("kirov-small", 2, 7, ev.power_observations([5]), sets=SHORT)
    assert big.equals(fresh)
    assert ev.load_table(path)[1]["per_model"] == 2
    # asked for fewer draws, the saved table's first ones, the table on disk kept whole
    assert ev.build_table("kirov-small", 1, 7, [5], path, sets=SHORT).equals(small)
    assert ev.load_table(path)[1]["per_model"] == 2
    # another seed is another table: rebuilt, not extended
    other = ev.build_table("kirov-small", 2, 8, [5], path, sets=SHORT)
    assert not other.equals(big) and other.height == 2 * len(REGIMES)


@pytest.fixture(scope="module")
def table():
    # every meeting coded (no sample), little noise: the readings should be told apart
    obs = {"all/low": {"speech_rate": 0.8, "confusion": 0.05}}
    return ev.reference_table("kirov-small", 12, 5, obs, sets=["period.end=1933-12-31"])


def test_forests_recover_the_generating_reading(table):
    res = ev.power_study(table, ["all/low"], fields=("all",), folds=3, trees=100, seed=1)
    r = res["all/low"]["all"]
    # three readings: chance is 1/3; the lower end of the 95 % interval must be well above it
    assert r["ci95"][0] > 0.6
    assert sum(sum(row.values()) for row in r["confusion"].values()) == table.height
    for pair in r["pairs"].values():
        assert pair["accuracy"] > 0.7


def test_abc_rf_chooses_the_reading_of_a_held_out_draw(table):
    cols = ev.feature_columns(table.columns, "all/low", "all")
    for g in REGIMES:
        held = table.filter(pl.col("model") == g).row(0, named=True)
        rest = table.filter(pl.col("draw") != held["draw"])
        res = ev.abc_rf(rest, cols, {c: held[c] for c in cols}, trees=100, seed=2)
        assert res["reading"] == g
        # the held-out draw is far from the other readings' draws: the regression forest
        # expects little error there
        assert res["probability"] > 0.5
        assert res["votes"][g] == max(res["votes"].values())
        assert res["draws"][g] == 11


def test_abc_rf_leaves_out_what_the_observation_does_not_give(table):
    cols = ev.feature_columns(table.columns, "all/low", "all")
    held = table.row(0, named=True)
    observed = {c: held[c] for c in cols}
    gone = [c for c in cols if "resolutions" in c]
    for c in gone:
        observed[c] = ev.MISSING
    res = ev.abc_rf(table, cols, observed, trees=20, seed=2)
    assert res["statistics"] == len([c for c in cols if c not in gone and held[c] != ev.MISSING])
    assert not any(name in gone for name, _ in res["informative"])


def test_combined_distance_weighs_its_parts():
    x0 = {"a": 2.0, "archive|f": 0.5, "archive|g": ev.MISSING, "archive|h": 0.4,
          "archive|i.items_per_meeting": 4.0}  # fmt: skip
    x = {"a": 3.0, "archive|f": 0.2, "archive|g": 0.9, "archive|h": ev.MISSING,
         "archive|i.items_per_meeting": 5.0}  # fmt: skip
    assert distance(x, x0) == pytest.approx(0.5)
    # f: |0.2 - 0.5|; g: not in the archive, left out; h: in the archive, not in the run -> 1;
    # the rate per meeting relative to the archive's: 1 / 4
    assert archive_distance(x, x0) == pytest.approx((0.3 + 1.0 + 0.25) / 3)
    arc = archive_distance(x, x0)
    assert CombinedDistance(0.0)(x, x0) == pytest.approx(0.5)
    assert CombinedDistance(1.0)(x, x0) == pytest.approx(arc)
    assert CombinedDistance(0.25)(x, x0) == pytest.approx(0.75 * 0.5 + 0.25 * arc)
    # no archive feature given at all: NaN, and the combined distance counts it as 1
    assert math.isnan(archive_distance({"a": 1.0}, {"a": 1.0}))
    assert CombinedDistance(0.5)({"a": 1.0}, {"a": 2.0}) == pytest.approx(0.5 * 0.5 + 0.5)


def test_the_calibrations_runs_are_observed_as_the_archive_was_coded():
    from treugolnik.analysis.calibrate import _Model
    from treugolnik.engine import simulate

    archive, problems = read_archive(Path(__file__).parents[2] / "data/archive/sample")
    assert not problems
    obs = ev.matched_observation(archive, 0.8, 0.05, 0.5)
    # the sample codes six meetings of 1928, 1930 and 1941: a run to 1941 is sampled so
    assert obs["meetings"] == 6 and obs["years"] == (1928, 1930, 1941)
    sets = ["period.end=1930-12-31"]
    np.random.seed(4)  # (the model draws its run's seed from NumPy, as pyabc seeds it)
    x = _Model("kirov-small", "bargaining", sets, obs)({})
    np.random.seed(4)
    seed = int(np.random.randint(0, 2**31 - 1))
    res = simulate(load_scenario("kirov-small", regime="bargaining", seed=seed, sets=sets))
    coded = observe(from_events(res.events), Observation(seed=seed, **obs))
    assert 1 <= coded["meetings"].height <= 6
    assert set(coded["meetings"]["date"].str.slice(0, 4).to_list()) <= {"1928", "1930"}
    want = {f"archive|{k}": v for k, v in ev.archive_features(coded).items()}
    assert {k: v for k, v in x.items() if k.startswith("archive|")} == want
    # compared with the sample's features: the combined distance has both parts
    x0 = ev.observed_statistics(archive)
    x0 = {k.removeprefix("agg."): v for k, v in x0.items()}
    arc = archive_distance(x, x0)
    assert 0.0 < arc <= 1.0
    assert CombinedDistance(0.3)(x, x0) == pytest.approx(0.7 * distance(x, x0) + 0.3 * arc)


def test_power_command_writes_its_results(tmp_path):
    runner = CliRunner()
    out = tmp_path / "pw"
    r = runner.invoke(app, ["power", "--meetings", "3,20", "--per-model", "4", "--folds", "2",
                            "--trees", "10", "--set", SHORT[0], "--out", str(out)])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "accuracy" in r.output and "confusion" in r.output
    res = json.loads((out / "power.json").read_text())
    assert set(res["result"]) == {"n3/low", "n20/low", "n3/high", "n20/high"}
    assert res["draws"] == 12 and (out / "power.png").stat().st_size > 0
    # the saved table is reused, and a meeting count it lacks is refused
    r = runner.invoke(
        app,
        [
            "power",
            "--table",
            str(out / "reference.parquet"),
            "--meetings",
            "3",
            "--folds",
            "2",
            "--trees",
            "5",
            "--out",
            str(tmp_path / "again"),
        ],
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["power", "--table", str(out / "reference.parquet"), "--meetings", "50"])
    assert r.exit_code == 2 and "50" in r.output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--meetings", "ten"], "--meetings"),
        (["--meetings", "0,10"], "--meetings"),
        (["--fields", "speeches,bogus"], "bogus"),
        (["--folds", "1"], "--folds"),
        (["--table", "no/such.parquet"], "no such file"),
    ],
)
def test_power_refuses_bad_input(args, needle, tmp_path):
    r = CliRunner().invoke(app, ["power", *args, "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert needle in r.output
    assert not (tmp_path / "o").exists()


def test_calibrate_refuses_bad_archive_options(tmp_path):
    r = CliRunner().invoke(app, ["calibrate", "--quick", "--archive", str(tmp_path / "none")])
    assert r.exit_code == 2 and "--archive" in r.output
    r = CliRunner().invoke(app, ["calibrate", "--quick", "--archive", str(SYNTHETIC),
                                 "--archive-weight", "1.5"])  # fmt: skip
    assert r.exit_code == 2 and "archive-weight" in r.output
    r = CliRunner().invoke(app, ["calibrate", "--quick", "--archive-weight", "0.3"])
    assert r.exit_code == 2 and "--archive" in r.output


def test_compare_refuses_a_bad_archive(tmp_path):
    bad = tmp_path / "arc"
    bad.mkdir()
    (bad / "meetings.csv").write_text((SYNTHETIC / "meetings.csv").read_text()
                                      .replace("1935-06-02", "1925-06-02"))  # fmt: skip
    r = CliRunner().invoke(app, ["compare", "kirov-small", "--archive", str(bad)])
    assert r.exit_code == 2 and "1925" in r.output
    r = CliRunner().invoke(app, ["compare", "kirov-small", "--archive", str(bad / "meetings.csv")])
    assert r.exit_code == 2 and "not a folder" in r.output
    r = CliRunner().invoke(app, ["compare", "kirov-small", "--archive", str(SYNTHETIC),
                                 "--confusion", "2"])  # fmt: skip
    assert r.exit_code == 2 and "confusion" in r.output


def test_choice_with_an_archive_reports_both(synthetic):
    res = ev.choose_with_archive("kirov-small", synthetic, per_model=4, trees=20,
                                 sets=["period.end=1938-12-31"])  # fmt: skip
    assert res["observation"]["meetings"] == synthetic["meetings"].height
    assert res["observation"]["years"] == [1929, 1932, 1935, 1937, 1938]
    for key in ("without_archive", "with_archive"):
        assert res[key]["reading"] in REGIMES
    # the archive's features that the synthetic minutes give (not unknown, not an empty period)
    given = [k for k, v in ev.archive_features(synthetic).items()
             if v != ev.MISSING and k.split(".")[0] in res["groups"]]  # fmt: skip
    assert res["with_archive"]["statistics"] == res["without_archive"]["statistics"] + len(given)
