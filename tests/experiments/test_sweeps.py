import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from treugolnik import open_store
from treugolnik.cli import app
from treugolnik.experiments.plan import SweepFile, plan, read_sweep
from treugolnik.scenario import ScenarioError

runner = CliRunner()
DEMO = """
scenario = "kirov-small"
regimes = ["bargaining", "despotism"]
seeds = [1, 2, 3]
[overrides]
"period.end" = 1929-12-31
"""


def write(tmp_path, text, name="s.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_plan_expands_grid_seeds_and_counterfactuals():
    sw = SweepFile.model_validate(
        {
            "scenario": "kirov-small",
            "regimes": ["bargaining", "niche"],
            "replicates": 3,
            "root_seed": 7,
            "counterfactuals": ["baseline", "no_terror"],
            "grid": {"meetings.speakers": [4, 6, 8]},
        }
    )
    specs = plan(sw)
    assert len(specs) == 2 * 3 * 2 * 3
    assert len({s.run_id for s in specs}) == len(specs)
    assert [s.run_id for s in plan(sw)] == [s.run_id for s in specs]  # deterministic ids
    seeds = sorted({s.seed for s in specs})
    assert len(seeds) == 3 and seeds == sorted({s.seed for s in plan(sw)})
    assert {s.scenario["meetings"]["speakers"] for s in specs} == {4, 6, 8}


@pytest.mark.parametrize("method", ["lhs", "sobol"])
def test_samples_fill_their_ranges(method):
    sw = SweepFile.model_validate(
        {
            "seeds": [1],
            "sample": {
                "method": method,
                "n": 16,
                "seed": 3,
                "ranges": {"turnover.q0": [-7.0, -6.0], "meetings.bias": [-1.0, 1.0]},
            },
        }
    )
    specs = plan(sw)
    q0 = sorted(s.params["turnover.q0"] for s in specs)
    assert len(specs) == 16 and q0[0] >= -7.0 and q0[-1] <= -6.0
    # space-filling: every sixteenth of the range holds one point (Latin hypercube property)
    if method == "lhs":
        assert sorted(int((v + 7.0) * 16) for v in q0) == list(range(16))


@pytest.mark.parametrize(
    "text,needle",
    [
        ('scenario = "kirov-small"\nseedz = [1]\n', "seedz"),
        ('scenario = "kirov-small"\n', "seeds"),
        ('scenario = "kirov-small"\nseeds=[1]\nregimes=["tyranny"]\n', "regimes"),
        ('scenario = "kirov-small"\nseeds=[1]\ncounterfactuals=["no_war"]\n', "no_war"),
        ('scenario = "kirov-small"\nseeds=[1]\n[grid]\n"meetings.speakers" = [1]\n', "speakers"),
        ('scenario = "kirov-small"\nseeds=[1]\n[overrides]\n"period.end" = 1950-01-01\n', "period"),
        ("not toml = = 1", "TOML"),
    ],
)
def test_bad_sweep_files_exit_2_with_one_line_each(tmp_path, text, needle):
    p = write(tmp_path, text)
    r = runner.invoke(app, ["sweep", str(p), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2
    with pytest.raises(ScenarioError) as e:
        plan(read_sweep(p), label=str(p))
    assert any(needle in line for line in e.value.problems)
    assert not (tmp_path / "out").exists()


def test_local_sweep_query_and_resume(tmp_path):
    p = write(tmp_path, DEMO)
    out = tmp_path / "out"
    r = runner.invoke(app, ["sweep", str(p), "--out", str(out), "--workers", "2"])
    assert r.exit_code == 0, r.output
    assert "6 run now" in r.output
    r = runner.invoke(app, ["query", str(out), "select count(distinct run_id) from metrics"])
    assert r.exit_code == 0 and "6" in r.output
    r = runner.invoke(app, ["sweep", str(p), "--out", str(out)])
    assert "6 already complete, 0 run now" in r.output
    csv = tmp_path / "q.csv"
    r = runner.invoke(
        app,
        [
            "query",
            str(out),
            "select regime, count(*) n from runs group by 1 order by 1",
            "--csv",
            str(csv),
        ],
    )
    assert csv.read_text().splitlines() == ["regime,n", "bargaining,3", "despotism,3"]
    con = open_store(out)
    assert con.execute("select count(*) from runs where status = 'complete'").fetchone()[0] == 6
    one = next((out / "runs").iterdir())
    r = runner.invoke(app, ["query", str(one), "select count(*) from metrics"])
    assert r.exit_code == 0


@pytest.mark.parametrize(("backend", "workers", "threads"), [("local", 1, None), ("local", 2, 1),
                                                            ("dask", 1, 1)])  # fmt: skip
def test_runs_side_by_side_get_one_thread_each(tmp_path, monkeypatch, backend, workers, threads):
    """With several local workers, or on Dask, each run's passes get one thread; a lone local
    run gets the default (all cores)."""
    from treugolnik.experiments import runner as rn

    seen = []
    monkeypatch.setattr(rn, "_execute", lambda spec, out: seen.append(spec["threads"]) or {
        "run_id": spec["run_id"], "status": "complete", "wall": 0.0})  # fmt: skip
    monkeypatch.setattr(rn, "_run_pool", lambda payload, *a: [rn._execute(p, "") for p in payload])
    monkeypatch.setattr(rn, "_run_dask", lambda payload, *a: [rn._execute(p, "") for p in payload])
    specs = plan(read_sweep(write(tmp_path, DEMO)))
    rn.run_sweep(specs, tmp_path / "out", backend=backend, workers=workers)
    assert seen == [threads] * len(specs) and len(specs) == 6


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path):
    p = write(
        tmp_path,
        DEMO.replace("seeds = [1, 2, 3]", "seeds = [1]")
        + f'[grid]\ntimeline = ["bundled", "{tmp_path / "missing.csv"}"]\n',
    )
    out = tmp_path / "out"
    r = runner.invoke(app, ["sweep", str(p), "--out", str(out)])
    assert r.exit_code == 1
    assert "2 failed" in r.output and "missing.csv" in r.output
    runs = json.loads((out / "sweep.json").read_text())["runs"]
    assert len(runs) == 4
    con = open_store(out)
    status = dict(con.execute("select status, count(*) from runs group by 1").fetchall())
    assert status == {"complete": 2, "failed": 2}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def dask_cluster(tmp_path):
    pytest.importorskip("distributed")
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    bindir = Path(sys.executable).parent
    env = dict(os.environ, DASK_DISTRIBUTED__WORKER__DAEMON="False")
    procs = [
        subprocess.Popen(
            [
                str(bindir / "dask"),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-dashboard",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    ]
    time.sleep(2)
    for k in range(2):
        procs.append(
            subprocess.Popen(
                [
                    str(bindir / "dask"),
                    "worker",
                    addr,
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--local-directory",
                    str(tmp_path / f"w{k}"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
            )
        )
    from dask.distributed import Client

    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with Client(addr, timeout=5) as c:
                if len(c.scheduler_info()["workers"]) == 2:
                    break
        except OSError:
            pass
        time.sleep(1)
    yield addr
    for pr in procs[::-1]:
        pr.terminate()
    for pr in procs:
        try:
            pr.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pr.kill()


def test_dask_cluster_gives_the_same_bytes_as_local(tmp_path, dask_cluster):
    p = write(tmp_path, DEMO)
    local, remote = tmp_path / "local", tmp_path / "dask"
    assert runner.invoke(app, ["sweep", str(p), "--out", str(local)]).exit_code == 0
    r = runner.invoke(
        app,
        ["sweep", str(p), "--out", str(remote), "--backend", "dask", "--scheduler", dask_cluster],
    )
    assert r.exit_code == 0, r.output
    ids = sorted(d.name for d in (local / "runs").iterdir())
    assert ids == sorted(d.name for d in (remote / "runs").iterdir()) and len(ids) == 6
    for i in ids:
        for f in ("metrics.parquet", "monthly.parquet", "events.parquet"):
            assert (local / "runs" / i / f).read_bytes() == (remote / "runs" / i / f).read_bytes()


def test_sigkill_then_resume_loses_nothing(tmp_path):
    p = write(tmp_path, DEMO.replace("1929-12-31", "1931-12-31"))
    out = tmp_path / "out"
    cmd = [str(Path(sys.executable).parent / "treugolnik"), "sweep", str(p), "--out", str(out)]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.time() + 120
    first = None
    while time.time() < deadline and first is None:
        done = list((out / "runs").glob("*/run.json")) if (out / "runs").exists() else []
        if done:
            first = done[0].parent
        time.sleep(0.05)
    assert first is not None, "no run finished"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    before = {f.name: (f.stat().st_mtime_ns, f.read_bytes()) for f in first.iterdir()}
    complete = len(list((out / "runs").glob("*/run.json")))
    assert 1 <= complete < 6
    # nothing half-written: every folder either has all four files or no run.json
    for d in (out / "runs").iterdir():
        if (d / "run.json").exists():
            assert {"metrics.parquet", "monthly.parquet", "events.parquet"} <= {
                f.name for f in d.iterdir()
            }
    r = runner.invoke(app, ["sweep", str(p), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert f"{complete} already complete" in r.output
    assert len(list((out / "runs").glob("*/run.json"))) == 6
    after = {f.name: (f.stat().st_mtime_ns, f.read_bytes()) for f in first.iterdir()}
    assert after == before
    shutil.rmtree(out)
