import json
import math

import pytest
from typer.testing import CliRunner

from treugolnik.analysis.calibrate import distance, summary_statistics, targets
from treugolnik.cli import app

pyabc = pytest.importorskip("pyabc")
pytest.importorskip("SALib")
runner = CliRunner()


def test_targets_come_from_the_series():
    t = targets()
    assert t["turnover_1930_32"][0] == 1.0
    assert t["real_pay_1932"][0] == pytest.approx(0.465)
    # USSR party: 3,555,338 in 1933 against 887,233 + 348,957 in Dec 1927
    assert t["party_1927_1933"][0] == pytest.approx(3555338 / (887233 + 348957))


def test_distance_is_mean_relative_error_over_shared_stats():
    assert distance({"a": 1.1, "b": math.nan}, {"a": 1.0, "b": 2.0}) == pytest.approx(0.1)
    assert distance({"a": 2.0, "b": 1.0}, {"a": 1.0, "b": 2.0}) == pytest.approx(0.75)


def test_summary_statistics_of_a_short_run(run_small):
    res = run_small(("period.end=1933-12-31",))
    s = summary_statistics(res.monthly, 800.0)
    assert math.isfinite(s["turnover_1930_32"]) and math.isfinite(s["real_pay_1932"])
    assert math.isnan(s["real_pay_1940"]) and math.isnan(s["workforce_1941"])


def test_quick_calibration_writes_posterior_and_resumes(tmp_path):
    db, out = tmp_path / "c.db", tmp_path / "out"
    args = [
        "calibrate",
        "--quick",
        "--db",
        str(db),
        "--out",
        str(out),
        "--populations",
        "1",
        "--particles",
        "4",
    ]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    post = json.loads((out / "posterior.json").read_text())
    assert post["populations_done"] == 1
    for k, v in post["posterior"]["bargaining"].items():
        lo, hi = v["prior"]
        assert lo <= v["q05"] <= v["q50"] <= v["q95"] <= hi, k
    assert (out / "posterior.png").stat().st_size > 0
    r = runner.invoke(app, args)  # resume: one more population in the same database
    assert r.exit_code == 0, r.output
    assert json.loads((out / "posterior.json").read_text())["populations_done"] == 2


def test_calibrate_rejects_bad_input(tmp_path):
    bad = tmp_path / "x.db"
    bad.write_text("not a database")
    assert (
        runner.invoke(
            app, ["calibrate", "--quick", "--db", str(bad), "--out", str(tmp_path / "o")]
        ).exit_code
        == 2
    )
    assert runner.invoke(app, ["calibrate", "--sampler", "mpi"]).exit_code == 2


def test_sensitivity_morris_small(tmp_path):
    out = tmp_path / "s"
    r = runner.invoke(
        app,
        [
            "sensitivity",
            "kirov-small",
            "--n",
            "2",
            "--out",
            str(out),
            "--param",
            "turnover.q0=-7.5:-5.8",
            "--param",
            "meetings.theta_frame=0.5:6",
            "--set",
            "period.end=1932-12-31",
        ],
    )
    assert r.exit_code == 0, r.output
    res = json.loads((out / "sensitivity.json").read_text())
    assert res["samples"] == 2 * (2 + 1)
    # turnover is set by q0, not by how meetings are decided (before any political season)
    mu = res["indices"]["turnover"]
    assert mu["turnover.q0"]["mu_star"] > mu["meetings.theta_frame"]["mu_star"]
    assert (out / "sensitivity.png").stat().st_size > 0
    assert runner.invoke(app, ["sensitivity", "--param", "nonsense"]).exit_code == 2
    assert runner.invoke(app, ["sensitivity", "--param", "foo.bar=0:1"]).exit_code == 2
