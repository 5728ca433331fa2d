import json
import os
import subprocess
import sys

import polars as pl
import pytest
from typer.testing import CliRunner

from treugolnik.cli import app

runner = CliRunner()
SHORT = ["--set", "period.end=1929-03-31"]


def test_run_writes_the_four_files_and_is_byte_identical(tmp_path):
    outs = []
    for k in range(2):
        out = tmp_path / f"r{k}"
        r = runner.invoke(
            app, ["run", "kirov-small", "--seed", "11", "--out", str(out), "-q", *SHORT]
        )
        assert r.exit_code == 0, r.output
        assert sorted(p.name for p in out.iterdir()) == [
            "events.parquet",
            "metrics.parquet",
            "monthly.parquet",
            "run.json",
        ]
        outs.append(out)
    assert (outs[0] / "metrics.parquet").read_bytes() == (outs[1] / "metrics.parquet").read_bytes()
    assert (outs[0] / "events.parquet").read_bytes() == (outs[1] / "events.parquet").read_bytes()
    man = json.loads((outs[0] / "run.json").read_text())
    assert man["seed"] == 11 and man["regime"] == "bargaining" and len(man["scenario_sha256"]) == 64
    assert man["scenario"]["period"]["end"] == "1929-03-31"


def test_default_output_folder_and_summary(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, ["run", "kirov-small", *SHORT])
    assert r.exit_code == 0
    assert (tmp_path / "runs" / "kirov-small-bargaining-1" / "metrics.parquet").exists()
    assert "employees" in r.output and "worker-days" in r.output


def test_bad_key_one_line_exit_2_nothing_written(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[factories]\nshopz = 3\n")
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "treugolnik.cli", "run", str(bad), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "factories.shopz" in lines[0] and str(bad) in lines[0]
    assert "Traceback" not in proc.stderr and not out.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["run", "kirov-small", "--regime", "nonsense"],
        ["run", "kirov-small", "--set", "period.end=1930-13-01"],
        ["run", "kirov-small", "--set", "nokey"],
        ["run", "no-such-scenario"],
        ["run", "kirov-small", "--seed", "-3"],
        ["run", "kirov-small", "--threads", "0"],
        ["protocols", "/nonexistent/run"],
    ],
)
def test_user_errors_exit_2(args):
    r = runner.invoke(app, args)
    assert r.exit_code == 2


def test_plan_prints_the_daily_order():
    r = runner.invoke(app, ["run", "--plan"])
    assert r.exit_code == 0 and "labour" in r.output and "meetings" in r.output


def test_protocols_print_minutes(tmp_path):
    out = tmp_path / "r"
    assert (
        runner.invoke(
            app, ["run", "kirov-small", "--out", str(out), "-q", "--set", "period.end=1930-06-30"]
        ).exit_code
        == 0
    )
    r = runner.invoke(app, ["protocols", str(out), "--limit", "2", "--from", "1929-01-01"])
    assert r.exit_code == 0
    text = r.output
    assert text.count("PROTOCOL") == 2 and "HEARD:" in text and "RESOLVED:" in text
    assert "SPOKE:" in text and "Present:" in text
    ev = pl.read_parquet(out / "events.parquet")
    first = ev.filter((pl.col("kind") == "meeting") & (pl.col("date") >= pl.date(1929, 1, 1)))
    n_items = ev.filter(
        (pl.col("kind") == "item") & (pl.col("parent_id") == first["event_id"][0])
    ).height
    first_block = text.split("PROTOCOL")[1]
    assert first_block.count("HEARD:") == n_items  # faithful to the log
    r = runner.invoke(app, ["protocols", str(out), "--from", "1941-01-01"])
    assert "No meetings" in r.output
    assert runner.invoke(app, ["protocols", str(out), "--from", "1941-13-01"]).exit_code == 2


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    from treugolnik import load_scenario, simulate

    res = simulate(load_scenario("kirov-small", sets=["period.end=1928-10-31"]))
    calls = {"n": 0}
    real = pl.DataFrame.write_parquet

    def flaky(self, path, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real(self, path, **kw)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", flaky)
    with pytest.raises(OSError):
        res.save(tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_ctrl_c_stops_cleanly_and_leaves_no_files(tmp_path):
    import signal
    import time
    from pathlib import Path

    out = tmp_path / "r"
    exe = Path(sys.executable).parent / "treugolnik"
    # (forty factories of ussr-industry, 1928-1941, day by day as --profile runs it: about
    # 30 times kirov's worker-days, so still going after four seconds however fast the engine
    # becomes; no kernel is left to compile after the tests before, so the signal finds the run)
    cmd = ["run", "ussr-industry", "--set", "factories.count=40", "--profile"]
    cmd += ["--out", str(out), "-q"]
    proc = subprocess.Popen(
        [str(exe), *cmd],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(4)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert "interrupted" in err and "Traceback" not in err
    assert not out.exists() or list(out.iterdir()) == []


def test_scenario_timeline_is_read_next_to_the_scenario_file(tmp_path, monkeypatch):
    import shutil

    from treugolnik.timeline import data_dir

    d = tmp_path / "study"
    d.mkdir()
    rows = (data_dir() / "timeline.csv").read_text().splitlines()
    # a counterfactual timeline of one's own: no decree of 26 June 1940
    (d / "my-timeline.csv").write_text("\n".join(r for r in rows if ",decree_1940," not in r))
    (d / "s.toml").write_text(
        'timeline = "my-timeline.csv"\n[period]\nend = 1940-12-31\n[factories]\nsize = 200\n'
    )
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "o"
    r = runner.invoke(app, ["run", str(d / "s.toml"), "--out", str(out), "-q"])
    assert r.exit_code == 0, r.output
    m = pl.read_parquet(out / "metrics.parquet")
    assert m["prosecutions_absence"].sum() == 0  # the decree is gone
    (d / "my-timeline.csv").unlink()
    r = runner.invoke(app, ["run", str(d / "s.toml"), "--out", str(tmp_path / "p"), "-q"])
    assert r.exit_code == 2 and "timeline file not found" in r.output
    shutil.rmtree(d)


@pytest.mark.parametrize("value", ["two", "0"])
def test_bad_thread_count_one_line_exit_2(tmp_path, value):
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "treugolnik.cli", "run", "kirov-small", "--out", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "TREUGOLNIK_THREADS": value},
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "TREUGOLNIK_THREADS" in lines[0] and ">= 1" in lines[0]
    assert not out.exists()


def test_threads_option_is_accepted_and_changes_nothing(tmp_path, monkeypatch):
    import treugolnik.passes

    monkeypatch.setattr(treugolnik.passes, "CHUNK_PEOPLE", 300)  # so kirov-small is split
    runs = []
    for k in ("1", "2"):
        out = tmp_path / k
        args = ["run", "kirov-small", "--set", "period.end=1929-01-31", "--out", str(out), "-q"]
        r = runner.invoke(app, [*args, "--threads", k])
        assert r.exit_code == 0, r.output
        runs.append(pl.read_parquet(out / "events.parquet"))
    assert runs[0].equals(runs[1])
