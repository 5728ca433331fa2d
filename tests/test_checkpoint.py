"""Checkpoints: a run resumed from one writes the same files as the run from its start; a
counterfactual forked from one equals the counterfactual run from the start; a damaged or
foreign checkpoint, and changes that would rewrite the past, are refused."""

import datetime as dt
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from treugolnik.checkpoint import FORMAT, read_header
from treugolnik.checkpoint import resume as resume_sim
from treugolnik.engine import resume, simulate
from treugolnik.errors import ScenarioError
from treugolnik.scenario.load import load_scenario

SETS = ["period.start=1936-09-01", "period.end=1937-09-30", "factories.size=400"]
DATE = dt.date(1937, 1, 10)


@pytest.fixture(scope="module")
def checkpointed(tmp_path_factory):
    root = tmp_path_factory.mktemp("ck")
    res = simulate(load_scenario("kirov-small", sets=SETS), checkpoint_at=[DATE],
                   checkpoint_dir=str(root))  # fmt: skip
    res.save(root / "whole")
    return root, res


def _same_files(a, b):
    for name in ("metrics.parquet", "monthly.parquet", "events.parquet"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_a_resumed_run_writes_the_same_files(checkpointed):
    root, _ = checkpointed
    folder = root / f"checkpoint-{DATE}"
    sim = resume_sim(folder)
    seen = []
    sim.on_step = lambda name, t, when: seen.append(t)
    res = sim.run()
    res.save(root / "resumed")
    _same_files(root / "whole", root / "resumed")
    assert res.manifest["first_day_simulated"] == DATE.isoformat()
    assert res.manifest["resumed"]["first_day"] == DATE.isoformat()
    # no day before the checkpoint's was simulated
    assert min(seen, default=sim.start) >= sim.start == (DATE - dt.date(1936, 9, 1)).days


def test_a_counterfactual_forked_after_the_checkpoint_equals_it_run_from_the_start(
    checkpointed, tmp_path
):
    root, _ = checkpointed
    cf = ["counterfactual.no_terror=true"]
    simulate(load_scenario("kirov-small", sets=[*SETS, *cf])).save(tmp_path / "whole")
    forked = resume(str(root / f"checkpoint-{DATE}"), sets=cf)
    forked.save(tmp_path / "forked")
    _same_files(tmp_path / "whole", tmp_path / "forked")
    base = (root / "whole" / "events.parquet").read_bytes()
    assert (tmp_path / "forked" / "events.parquet").read_bytes() != base  # it did act


def test_changes_that_rewrite_the_past_or_the_population_are_refused(checkpointed):
    root, _ = checkpointed
    folder = root / f"checkpoint-{DATE}"
    with pytest.raises(ScenarioError, match="factories.size cannot change"):
        resume_sim(folder, ["factories.size=500"])
    with pytest.raises(ScenarioError, match="seed cannot change"):
        resume_sim(folder, ["seed=4"])
    # the recruitment freeze was lifted before the checkpoint: lifting it again rewrites 1936
    with pytest.raises(ScenarioError, match="changes the timeline before"):
        resume_sim(folder, ["counterfactual.no_recruitment_freeze=true"])


def test_a_damaged_or_foreign_checkpoint_is_refused(checkpointed, tmp_path):
    import shutil

    root, _ = checkpointed
    src = root / f"checkpoint-{DATE}"
    bad = tmp_path / "bad"
    shutil.copytree(src, bad)
    arr = bad / "people.g.npy"
    data = bytearray(arr.read_bytes())
    data[-3] ^= 0xFF
    arr.write_bytes(bytes(data))
    with pytest.raises(ScenarioError, match="people.g.npy is missing or damaged"):
        read_header(bad)
    other = tmp_path / "other"
    shutil.copytree(src, other)
    head = json.loads((other / "header.json").read_text())
    head["format"] = 99
    (other / "header.json").write_text(json.dumps(head))
    with pytest.raises(ScenarioError, match=f"format 99, this version reads format {FORMAT}"):
        read_header(other)
    # arrays are plain .npy, read without pickles
    assert np.load(src / "people.pid.npy", allow_pickle=False).dtype == np.int64


def test_a_change_of_the_arrays_needs_a_new_format():
    """A checkpoint of an older layout must be refused by its format: the arrays' layout of
    each format is recorded, so a change of layout without a new format fails here."""
    from treugolnik.checkpoint import LAYOUTS, layout
    from treugolnik.engine import Simulation

    assert max(LAYOUTS) == FORMAT
    assert len(set(LAYOUTS.values())) == len(LAYOUTS)  # no two formats share a layout
    got = layout(Simulation(load_scenario("kirov-small")).S)
    assert got == LAYOUTS[FORMAT], (
        f"the checkpoint's arrays changed (layout {got}): raise FORMAT and record its layout"
    )


def test_cli_checkpoint_and_resume(tmp_path):
    exe = [sys.executable, "-m", "treugolnik.cli"]
    sets = [x for s in SETS for x in ("--set", s)]
    a, b = tmp_path / "a", tmp_path / "b"
    run = subprocess.run(
        [*exe, "run", "kirov-small", *sets, "-q", "--out", str(a), "--checkpoint-at", "1937-03-01"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    again = subprocess.run(
        [*exe, "run", "-q", "--from-checkpoint", str(a / "checkpoint-1937-03-01"), "--out", str(b)],
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr
    _same_files(a, b)
    refused = subprocess.run(
        [
            *exe,
            "run",
            "-q",
            "--from-checkpoint",
            str(a / "checkpoint-1937-03-01"),
            "--set",
            "factories.count=2",
            "--out",
            str(tmp_path / "c"),
        ],
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "factories.count" in refused.stderr
    assert not (tmp_path / "c").exists()


def test_a_sweep_forks_its_runs_from_a_checkpoint(checkpointed, tmp_path):
    from treugolnik.experiments.plan import plan, read_sweep
    from treugolnik.experiments.runner import run_dir, run_sweep

    root, _ = checkpointed
    sweep = tmp_path / "fork.toml"
    sweep.write_text(
        f'checkpoint = "{root / f"checkpoint-{DATE}"}"\n'
        'counterfactuals = ["baseline", "no_terror"]\n'
        '[grid]\n"meetings.speakers" = [6, 8]\n'
    )
    specs = plan(read_sweep(sweep))
    assert len(specs) == 4 and len({s.run_id for s in specs}) == 4
    summary = run_sweep(specs, tmp_path / "store")
    assert summary.complete == 4 and not summary.failed
    base = next(s for s in specs if s.counterfactual == "baseline" and s.params == {
        "meetings.speakers": 6})  # fmt: skip
    _same_files(root / "whole", run_dir(tmp_path / "store", base.run_id))
    bad = tmp_path / "bad.toml"
    bad.write_text(f'checkpoint = "{root / f"checkpoint-{DATE}"}"\nseeds = [1]\n')
    with pytest.raises(ScenarioError, match="takes its seed"):
        read_sweep(bad)


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_resuming_leaves_the_free_rows_of_a_large_table_untouched(checkpointed, tmp_path):
    # a table's capacity runs far ahead of its rows in use (ussr-industry: 47.5 million rows
    # of capacity for 12 million); its free rows are zero pages the system maps only when
    # they are written. Clearing them on resuming made the whole capacity resident (3.9 GB).
    import shutil

    root, _ = checkpointed
    big = tmp_path / "big"
    shutil.copytree(root / f"checkpoint-{DATE}", big)
    head = json.loads((big / "header.json").read_text())
    head["capacity"] = 1 << 24  # 16.8 million rows at least (doubled: 26.2 million, 2.1 GB)
    (big / "header.json").write_text(json.dumps(head))
    before = _rss_mb()
    sim = resume_sim(big)
    grew = _rss_mb() - before
    pop = sim.world.pop
    assert pop.capacity >= 1 << 24
    assert grew < 300, f"resuming made {grew:.0f} MB resident"
    # and the rows past those in use are zero, as a fresh table's are
    n = pop.n
    from treugolnik.population import COLUMNS

    for name in COLUMNS:
        assert not getattr(pop, name)[n : n + 100_000].any(), name


def test_rows_past_those_in_use_are_cleared_when_the_fresh_run_used_more(checkpointed):
    # the fresh simulation's own first population may occupy more rows than the checkpoint's
    # table: those rows must not keep the fresh people
    from treugolnik.checkpoint import _restore
    from treugolnik.engine import Simulation
    from treugolnik.population import COLUMNS

    root, _ = checkpointed
    folder = root / f"checkpoint-{DATE}"
    header = read_header(folder)
    sim = Simulation(load_scenario("kirov-small", sets=[*SETS[:2], "factories.size=4000"]))
    used, cap = sim.world.pop.n, sim.world.pop.capacity
    _restore(sim, folder, header)
    n = sim.world.pop.n
    # (the table did not grow: its rows past n are the fresh run's, not new zeros)
    assert used > n and sim.world.pop.capacity == cap
    for name in COLUMNS:
        assert not getattr(sim.world.pop, name)[n:used].any(), name
