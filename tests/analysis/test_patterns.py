import datetime as dt
import json

import polars as pl
import pytest
from typer.testing import CliRunner

from treugolnik.analysis.patterns import PATTERNS, RunView, evaluate
from treugolnik.cli import app
from treugolnik.data import read_series, series_value

runner = CliRunner()


@pytest.fixture(scope="module")
def views(run_small):
    base = run_small()
    cf = run_small(("counterfactual.no_institutions=true",))

    def view(res):
        return RunView(res.monthly, res.events, res.scenario.model_dump(mode="json"))

    return view(base), view(cf)


def by_id(results):
    return {r.pattern.pid: r for r in results}


def test_every_pattern_has_expected_source_and_tolerance():
    assert [p.pid for p in PATTERNS] == [f"P{i}" for i in range(1, 9)]
    for p in PATTERNS:
        assert p.expected and p.tolerance


def test_series_are_loaded_with_sources():
    rows = read_series()
    assert all(r["source"] for r in rows)
    assert series_value("real_wage_index", "1932") == pytest.approx((0.43 + 0.50) / 2)
    with pytest.raises(KeyError):
        series_value("real_wage_index", "1999")


def test_default_run_passes_patterns(views):
    base, cf = views
    res = by_id(evaluate([base], [cf]))
    assert sum(r.passed for r in res.values()) >= 7


def test_checks_fail_when_history_is_contradicted(views):
    base, cf = views
    m = base.monthly
    # turnover never above 0.5 a year: P3 must fail
    flat = RunView(m.with_columns(pl.lit(0.5).alias("turnover_rate")), base.events, base.scenario)
    assert not by_id(evaluate([flat], [cf]))["P3"].passed
    # accusations never political: P6 must fail
    calm = RunView(
        m.with_columns(pl.lit(0).alias("accusations_political")), base.events, base.scenario
    )
    assert not by_id(evaluate([calm], [cf]))["P6"].passed
    # no counterfactual: P7 cannot be judged, so it does not pass
    assert not by_id(evaluate([base], [None]))["P7"].passed
    # output spread evenly over the month: P4 fails
    even = RunView(
        m.with_columns(pl.lit(0.33).alias("last_decade_share")), base.events, base.scenario
    )
    assert not by_id(evaluate([even], [cf]))["P4"].passed


def test_p8_scales_with_the_scenario_size(views):
    base, cf = views
    r = by_id(evaluate([base], [cf]))["P8"]
    expected = 30_000 * 800 / 12_000
    assert r.median["employees at the end / 30,000 scaled"] == pytest.approx(
        base.monthly["headcount"][-1] / expected
    )


def test_validate_cli_writes_json(tmp_path):
    out = tmp_path / "v.json"
    r = runner.invoke(
        app, ["validate", "--scenario", "kirov-small", "--runs", "1", "--json", str(out)]
    )
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text())
    assert [d["pattern"][:2] for d in data] == [f"P{i}" for i in range(1, 9)]
    assert all(set(d) >= {"pattern", "expected", "simulated", "pass"} for d in data)
    assert "patterns pass" in r.output


def test_validate_run_folders_pairs_counterfactuals(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    sets = ["--set", "period.end=1933-06-30", "-q"]
    assert runner.invoke(app, ["run", "kirov-small", "--out", str(a), *sets]).exit_code == 0
    assert (
        runner.invoke(
            app,
            [
                "run",
                "kirov-small",
                "--out",
                str(b),
                *sets,
                "--set",
                "counterfactual.no_institutions=true",
            ],
        ).exit_code
        == 0
    )
    out = tmp_path / "v.json"
    r = runner.invoke(app, ["validate", str(a), str(b), "--json", str(out)])
    assert r.exit_code == 0, r.output
    p7 = json.loads(out.read_text())[6]
    assert "absence ratio" in p7["simulated"]  # the twin was found


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["validate", "/no/such/run"],
        ["validate", "--scenario", "kirov-small", "--runs", "0"],
        ["validate", "--scenario", "kirov-small", "--regime", "x"],
    ],
)
def test_validate_user_errors(args):
    assert runner.invoke(app, args).exit_code == 2


def test_compare_prints_regimes_and_verdict(tmp_path):
    out = tmp_path / "c.json"
    r = runner.invoke(
        app,
        [
            "compare",
            "kirov-small",
            "--runs",
            "1",
            "--json",
            str(out),
            "--set",
            "period.end=1938-12-31",
        ],
    )
    assert r.exit_code == 0, r.output
    for word in (
        "bargaining",
        "despotism",
        "niche",
        "Patterns reproduced",
        "Posterior model probabilities",
    ):
        assert word in r.output
    data = json.loads(out.read_text())
    assert set(data["patterns"]["P3 labour turnover"]) == {"bargaining", "despotism", "niche"}
    assert dt.date(1938, 12, 31)
