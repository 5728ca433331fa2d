"""Running a sweep: local processes or a Dask cluster, a resumable store, nothing lost.

The store is a folder: ``OUT/sweep.json`` (the plan) and ``OUT/runs/<id>/`` with the run
contract files, written atomically by the process that ran the run (``run.json`` last, with
every file's size and SHA-256). A run is complete when its ``run.json`` parses and the files'
sizes match it (and, with ``verify``, their hashes); a damaged run is run again, and said so.
A run that raises leaves ``OUT/runs/<id>/error.json`` instead; it does not stop the sweep and
is retried by the next invocation. Re-running a sweep into the same OUT skips complete ids.

Sweeps may share a store: a process runs a run only while it holds the run's claim, a lock
(``fcntl.flock``) on ``OUT/.claims/<id>.lock`` that the kernel releases when the process ends,
however it ends, so no claim outlives its holder; the file names the holder's pid. A run
finished by another process meanwhile is not run again. The workers of a local sweep end when
the sweep's process does (Linux: ``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..integrity import check_run
from .plan import RunSpec


def run_dir(out: Path, spec_id: str) -> Path:
    return out / "runs" / spec_id


def run_problems(out: Path, spec_id: str, *, deep: bool = False) -> list[str] | None:
    """None if the run has not finished (no ``run.json``), else its problems (empty: sound)."""
    d = run_dir(out, spec_id)
    if not (d / "run.json").exists():
        return None
    return check_run(d, deep=deep)


def is_complete(out: Path, spec_id: str, *, deep: bool = False) -> bool:
    return run_problems(out, spec_id, deep=deep) == []


@contextmanager
def claim(out: Path, spec_id: str) -> Iterator[bool]:
    """Hold run ``spec_id`` of store ``out`` for this process: True if it is ours, False if a
    live process holds it. The lock ends with the block or with the process.
    """
    import fcntl

    folder = Path(out) / ".claims"
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / f"{spec_id}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield True
    finally:
        os.close(fd)  # (closing releases the lock)


def die_with_parent(parent: int) -> None:
    """A pool worker's initializer: end this process when ``parent`` ends (Linux: the kernel
    sends SIGTERM; elsewhere nothing is done). If the parent is gone already, end now.
    """
    import signal
    import sys

    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def execute(spec: dict, out: str, deep: bool = False) -> dict:
    """Run one planned run and store it, under its claim; never raises (errors are recorded).
    Returns its status: ``complete``, ``failed`` or ``elsewhere`` (held or finished by another
    process).
    """
    with claim(Path(out), spec["run_id"]) as mine:
        if not mine or is_complete(Path(out), spec["run_id"], deep=deep):
            return {"run_id": spec["run_id"], "status": "elsewhere", "wall": 0.0}
        return _execute(spec, out)


def _execute(spec: dict, out: str) -> dict:
    from ..engine import simulate
    from ..scenario.schema import Scenario

    d = run_dir(Path(out), spec["run_id"])
    t0 = time.perf_counter()
    try:
        if spec.get("checkpoint"):
            from ..engine import resume

            res = resume(spec["checkpoint"], sets=list(spec["sets"]), threads=spec.get("threads"))
        else:
            res = simulate(Scenario.model_validate(spec["scenario"]), threads=spec.get("threads"))
        res.manifest.update(
            {
                "run_id": spec["run_id"],
                "params": spec["params"],
                "counterfactual_variant": spec["counterfactual"],
            }
        )
        res.save(d)
        err = d / "error.json"
        if err.exists():
            err.unlink()
        return {"run_id": spec["run_id"], "status": "complete", "wall": time.perf_counter() - t0}
    except Exception as e:  # noqa: BLE001 - a failing run is recorded, the sweep goes on
        d.mkdir(parents=True, exist_ok=True)
        msg = f"{e.__class__.__name__}: {e}"
        tmp = d / f".error.json.{os.getpid()}.tmp"
        tmp.write_text(
            json.dumps(
                {"run_id": spec["run_id"], "error": msg, "traceback": traceback.format_exc()},
                indent=1,
            )
        )
        os.replace(tmp, d / "error.json")
        return {
            "run_id": spec["run_id"],
            "status": "failed",
            "error": msg,
            "wall": time.perf_counter() - t0,
        }


@dataclass
class SweepSummary:
    """What a sweep invocation did."""

    planned: int
    skipped: int = 0
    complete: int = 0
    elsewhere: int = 0
    damaged: dict[str, list[str]] = field(default_factory=dict)
    failed: list[dict] = field(default_factory=list)
    interrupted: bool = False
    wall: float = 0.0


def write_plan(out: Path, specs: list[RunSpec], meta: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".sweep.json.{os.getpid()}.tmp"
    tmp.write_text(
        json.dumps({**meta, "runs": [s.as_json() for s in specs]}, indent=1, default=str)
    )
    os.replace(tmp, out / "sweep.json")


def run_sweep(
    specs: list[RunSpec],
    out: str | Path,
    *,
    backend: str = "local",
    workers: int = 1,
    scheduler: str | None = None,
    progress: Callable[[dict], None] | None = None,
    verify: bool = False,
    damaged: Callable[[str, list[str]], None] | None = None,
) -> SweepSummary:
    """Run the specs not yet complete in ``out`` on the chosen backend. A finished run whose
    files do not match its ``run.json`` (sizes; with ``verify`` also SHA-256) is run again:
    ``damaged(run_id, problems)`` is told first.
    """
    out = Path(out)
    todo = []
    bad: dict[str, list[str]] = {}
    for s in specs:
        problems = run_problems(out, s.run_id, deep=verify)
        if problems:
            bad[s.run_id] = problems
            if damaged:
                damaged(s.run_id, problems)
        if problems is None or problems:
            todo.append(s)
    summary = SweepSummary(planned=len(specs), skipped=len(specs) - len(todo), damaged=bad)
    t0 = time.perf_counter()

    def record(res: dict) -> None:
        if res["status"] == "complete":
            summary.complete += 1
        elif res["status"] == "elsewhere":
            summary.elsewhere += 1
        else:
            summary.failed.append(res)
        if progress:
            progress(res)

    payload = [
        {
            "run_id": s.run_id,
            "scenario": s.scenario,
            "params": s.params,
            "counterfactual": s.counterfactual,
            "checkpoint": s.checkpoint,
            "sets": list(s.sets),
            # several runs at once: one thread each for their passes (threads do not change
            # results; more threads than cores slow every run)
            "threads": 1 if backend == "dask" or workers > 1 else None,
        }
        for s in todo
    ]
    try:
        if not payload:
            pass
        elif backend == "dask":
            _run_dask(payload, out, workers, scheduler, record, verify)
        elif workers <= 1:
            for p in payload:
                record(execute(p, str(out), verify))
        else:
            _run_pool(payload, out, workers, record, verify)
    except KeyboardInterrupt:
        summary.interrupted = True
    summary.wall = time.perf_counter() - t0
    return summary


def _run_pool(payload, out: Path, workers: int, record, verify: bool) -> None:
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    # spawn, not fork: the parent holds thread pools (Polars) that fork would copy mid-flight;
    # (the workers are started from this thread, which lives as long as the sweep's process)
    ex = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=mp.get_context("spawn"),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )
    try:
        pending = {ex.submit(execute, p, str(out), verify) for p in payload}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                record(f.result())
    except KeyboardInterrupt:
        ex.shutdown(wait=False, cancel_futures=True)
        raise
    ex.shutdown(wait=True)


def _run_dask(payload, out: Path, workers: int, scheduler: str | None, record, verify) -> None:
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=max(workers, 1),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        )
        client = Client(cluster)
    try:
        futures = [
            client.submit(execute, p, str(out), verify, pure=False, key=f"run-{p['run_id']}")
            for p in payload
        ]
        try:
            for f in as_completed(futures):
                record(f.result())
        except KeyboardInterrupt:
            client.cancel(futures)
            raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
