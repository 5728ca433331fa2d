"""Validation and regime comparison: runs in, pattern tables out.

>>> from treugolnik.analysis.validate import simulate_views, evaluate   # doctest: +SKIP
>>> base, cf = simulate_views("kirov-small", "bargaining", seeds=[1, 2, 3])
>>> results = evaluate(base, cf)
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import polars as pl

from ..engine import simulate
from ..scenario.load import ScenarioError, load_scenario
from .patterns import RunView, evaluate

NO_INSTITUTIONS = "counterfactual.no_institutions=true"


def load_run(run_dir: str | Path) -> RunView:
    """Read a run folder (``run.json``, ``monthly.parquet``, ``events.parquet``)."""
    d = Path(run_dir)
    needed = [d / "run.json", d / "monthly.parquet"]
    for p in needed:
        if not p.is_file():
            raise ScenarioError([f"{d}: not a run folder (missing {p.name})"])
    man = json.loads((d / "run.json").read_text())
    events = pl.read_parquet(d / "events.parquet") if (d / "events.parquet").is_file() else None
    return RunView(pl.read_parquet(d / "monthly.parquet"), events, man["scenario"], str(d))


def pair_counterfactuals(views: list[RunView]) -> tuple[list[RunView], list[RunView | None]]:
    """Split loaded runs into baselines and their no_institutions twins (same scenario and seed)."""

    def key(v: RunView) -> str:
        s = json.loads(json.dumps(v.scenario))
        s["counterfactual"]["no_institutions"] = False
        return json.dumps(s, sort_keys=True)

    base = [v for v in views if not v.scenario["counterfactual"]["no_institutions"]]
    twins = {key(v): v for v in views if v.scenario["counterfactual"]["no_institutions"]}
    return base, [twins.get(key(v)) for v in base]


def simulate_views(
    scenario: str,
    regime: str,
    seeds: list[int],
    sets: list[str] | None = None,
    progress: Callable[[], None] | None = None,
) -> tuple[list[RunView], list[RunView]]:
    """Run the scenario and its no_institutions twin for every seed (common random numbers)."""
    base, cfs = [], []
    for seed in seeds:
        for target, extra in ((base, []), (cfs, [NO_INSTITUTIONS])):
            s = load_scenario(scenario, regime=regime, seed=seed, sets=list(sets or []) + extra)
            res = simulate(s)
            target.append(
                RunView(res.monthly, res.events, s.model_dump(mode="json"), f"{regime}/{seed}")
            )
            if progress:
                progress()
    return base, cfs


def write_json(path: str | Path, payload) -> None:
    """Write JSON atomically (temp file, then rename)."""
    p = Path(path)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(payload, indent=2, default=str))
    os.replace(tmp, p)


__all__ = ["evaluate", "load_run", "pair_counterfactuals", "simulate_views", "write_json"]
