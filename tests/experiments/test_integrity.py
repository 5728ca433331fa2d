"""Stores say what they hold: run.json records every file's size and SHA-256; `verify` finds a
damaged run, a resumed sweep reruns it; sweeps sharing a store compute each run once; workers
end with their sweep."""

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from typer.testing import CliRunner

from treugolnik.cli import app

runner = CliRunner()
SMALL = """
scenario = "kirov-small"
regimes = ["bargaining"]
seeds = [1, 2]
[overrides]
"period.end" = 1929-02-28
"factories.size" = 100
"""


def _sweep(tmp_path, text=SMALL, *extra):
    p = tmp_path / "s.toml"
    p.write_text(text)
    out = tmp_path / "store"
    return runner.invoke(app, ["sweep", str(p), "--out", str(out), *extra]), out


def test_a_damaged_store_is_found_and_a_resumed_sweep_repairs_it(tmp_path):
    r, out = _sweep(tmp_path)
    assert r.exit_code == 0, r.output
    a, b = sorted((out / "runs").iterdir())
    files = json.loads((a / "run.json").read_text())["files"]
    assert set(files) == {"metrics.parquet", "monthly.parquet", "events.parquet"}
    assert files["metrics.parquet"]["bytes"] == (a / "metrics.parquet").stat().st_size
    assert runner.invoke(app, ["verify", str(out)]).exit_code == 0
    assert runner.invoke(app, ["verify", str(a)]).exit_code == 0

    data = (a / "metrics.parquet").read_bytes()
    (a / "metrics.parquet").write_bytes(data[: len(data) // 2])  # truncated
    ev = bytearray((b / "events.parquet").read_bytes())
    ev[len(ev) // 2] ^= 0xFF  # same size, other contents
    (b / "events.parquet").write_bytes(bytes(ev))
    r = runner.invoke(app, ["verify", str(out)])
    lines = [x for x in r.output.splitlines() if x.strip()]
    assert r.exit_code == 2 and len(lines) == 2, r.output
    assert "metrics.parquet has" in lines[0] and "SHA-256" in lines[1]

    r, _ = _sweep(tmp_path)  # sizes only: the truncated run is rerun, said so
    assert r.exit_code == 0 and f"damaged run {a.name}" in r.output and "1 run now" in r.output
    r = runner.invoke(app, ["verify", str(out)])
    assert r.exit_code == 2 and b.name in r.output and a.name not in r.output
    r, _ = _sweep(tmp_path, SMALL, "--verify")  # hashes: the altered run too
    assert f"damaged run {b.name}" in r.output and "1 run now" in r.output
    assert runner.invoke(app, ["verify", str(out)]).exit_code == 0

    (a / "run.json").write_text((a / "run.json").read_text()[:100])  # truncated manifest
    r = runner.invoke(app, ["verify", str(out)])
    assert r.exit_code == 2 and "not valid JSON" in r.output
    r, _ = _sweep(tmp_path)
    assert f"damaged run {a.name}" in r.output and "1 run now" in r.output


def test_verify_refuses_what_is_not_a_run(tmp_path):
    r = runner.invoke(app, ["verify", str(tmp_path)])
    assert r.exit_code == 2 and "neither a run folder" in r.output


def test_two_sweeps_into_one_store_compute_every_run_once(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text(SMALL.replace("seeds = [1, 2]", "seeds = [1, 2, 3, 4, 5, 6]"))
    out = tmp_path / "store"
    cmd = [sys.executable, "-c", "from treugolnik.cli import main; main()", "sweep", str(p)]
    procs = [
        subprocess.Popen([*cmd, "--out", str(out)], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [pr.communicate(timeout=120)[0] for pr in procs]
    assert all(pr.returncode == 0 for pr in procs), outputs
    ran = [int(re.search(r"(\d+) run now", o).group(1)) for o in outputs]
    assert sum(ran) == 6, outputs
    assert runner.invoke(app, ["verify", str(out)]).exit_code == 0
    assert len(list((out / "runs").glob("*/run.json"))) == 6


def test_a_writer_keeps_a_live_process_temporary_files(tmp_path):
    import polars as pl

    from treugolnik.record import write_run

    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        folder = tmp_path / "run"
        folder.mkdir()
        mine = folder / f".metrics.parquet.{live.pid}.tmp"
        stale = folder / f".metrics.parquet.{dead.pid}.tmp"
        mine.write_text("x")
        stale.write_text("x")
        df = pl.DataFrame({"a": [1]})
        write_run(folder, {}, df, df, df)
        assert mine.exists() and not stale.exists()
    finally:
        live.kill()
        live.wait()


def test_pool_workers_end_when_their_sweep_is_killed(tmp_path):
    pids = tmp_path / "pids"
    script = tmp_path / "parent.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import os, time, multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor
            from treugolnik.experiments.runner import die_with_parent

            def work(_):
                with open({str(pids)!r}, "a") as fh:
                    fh.write(f"{{os.getpid()}}\\n")
                time.sleep(60)

            if __name__ == "__main__":
                ex = ProcessPoolExecutor(2, mp_context=mp.get_context("spawn"),
                                         initializer=die_with_parent, initargs=(os.getpid(),))
                list(ex.map(work, range(2)))
            """
        )
    )
    parent = subprocess.Popen([sys.executable, str(script)])
    deadline = time.time() + 30
    while time.time() < deadline and len(_pids(pids)) < 2:
        time.sleep(0.1)
    workers = _pids(pids)
    assert len(workers) == 2
    parent.kill()
    parent.wait()
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers)


def _pids(path: Path) -> list[int]:
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (ended, not yet reaped by init) counts as ended
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] != "Z"
    except OSError:
        return False
