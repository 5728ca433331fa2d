"""Running a sweep: local processes or a Dask cluster, a resumable store, nothing lost.

The store is a folder: ``OUT/sweep.json`` (the plan) and ``OUT/runs/<id>/`` with the run
contract files, written atomically by the process that ran the run (``run.json`` last, so a
folder with ``run.json`` is complete). A run that raises leaves ``OUT/runs/<id>/error.json``
instead; it does not stop the sweep and is retried by the next invocation. Re-running a sweep
into the same OUT skips complete ids.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .plan import RunSpec


def run_dir(out: Path, spec_id: str) -> Path:
    return out / "runs" / spec_id


def is_complete(out: Path, spec_id: str) -> bool:
    return (run_dir(out, spec_id) / "run.json").is_file()


def execute(spec: dict, out: str) -> dict:
    """Run one planned run and store it; never raises (errors are recorded)."""
    from ..engine import simulate
    from ..scenario.schema import Scenario

    d = run_dir(Path(out), spec["run_id"])
    t0 = time.perf_counter()
    try:
        if spec.get("checkpoint"):
            from ..engine import resume

            res = resume(spec["checkpoint"], sets=list(spec["sets"]))
        else:
            res = simulate(Scenario.model_validate(spec["scenario"]))
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
) -> SweepSummary:
    """Run the specs not yet complete in ``out`` on the chosen backend."""
    out = Path(out)
    todo = [s for s in specs if not is_complete(out, s.run_id)]
    summary = SweepSummary(planned=len(specs), skipped=len(specs) - len(todo))
    t0 = time.perf_counter()

    def record(res: dict) -> None:
        if res["status"] == "complete":
            summary.complete += 1
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
        }
        for s in todo
    ]
    try:
        if not payload:
            pass
        elif backend == "dask":
            _run_dask(payload, out, workers, scheduler, record)
        elif workers <= 1:
            for p in payload:
                record(execute(p, str(out)))
        else:
            _run_pool(payload, out, workers, record)
    except KeyboardInterrupt:
        summary.interrupted = True
    summary.wall = time.perf_counter() - t0
    return summary


def _run_pool(payload, out: Path, workers: int, record) -> None:
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    # spawn, not fork: the parent holds thread pools (Polars) that fork would copy mid-flight
    ex = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"))
    try:
        pending = {ex.submit(execute, p, str(out)) for p in payload}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                record(f.result())
    except KeyboardInterrupt:
        ex.shutdown(wait=False, cancel_futures=True)
        raise
    ex.shutdown(wait=True)


def _run_dask(payload, out: Path, workers: int, scheduler: str | None, record) -> None:
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
            client.submit(execute, p, str(out), pure=False, key=f"run-{p['run_id']}")
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
