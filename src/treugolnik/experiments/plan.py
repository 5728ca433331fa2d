"""Sweep files and the plan of runs they expand to.

A sweep file (TOML, validated like a scenario) names a scenario, regimes, seeds (a list, or
``replicates = N`` spawned from ``root_seed``), overrides applied to every run, and either a
full-factorial ``[grid]`` or a ``[sample]`` (Latin hypercube or Sobol' over ranges), plus the
counterfactual variants to run::

    scenario = "kirov-small"
    regimes = ["bargaining", "despotism"]
    seeds = [1, 2, 3]
    counterfactuals = ["baseline", "no_terror"]
    [overrides]
    "period.end" = 1930-12-31
    [grid]
    "meetings.theta_frame" = [2.0, 4.0]

Each run's id is a hash of its resolved scenario (parameters, regime and seed included), so
the same run always lands in the same folder and a resumed sweep recognises finished work.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..scenario.load import ScenarioError, _describe, load_scenario
from ..scenario.schema import REGIMES, Counterfactual


class Sample(BaseModel):
    """A space-filling sample of parameter values."""

    model_config = ConfigDict(extra="forbid")
    method: Literal["lhs", "sobol"] = "lhs"
    n: int = Field(8, ge=1, le=100_000)
    seed: int = Field(0, ge=0)
    ranges: dict[str, tuple[float, float]]

    @model_validator(mode="after")
    def _bounds(self):
        for k, (lo, hi) in self.ranges.items():
            if not lo < hi:
                raise ValueError(f"sample.ranges.{k}: low must be below high")
        return self


class SweepFile(BaseModel):
    """The schema of a sweep file."""

    model_config = ConfigDict(extra="forbid")
    scenario: str = "kirov-small"
    regimes: list[Literal["bargaining", "despotism", "niche"]] = Field(
        default_factory=lambda: ["bargaining"], min_length=1
    )
    seeds: list[int] | None = None
    replicates: int | None = Field(None, ge=1, le=100_000)
    root_seed: int = Field(0, ge=0)
    counterfactuals: list[str] = Field(default_factory=lambda: ["baseline"], min_length=1)
    overrides: dict[str, Any] = Field(default_factory=dict)
    grid: dict[str, list[Any]] = Field(default_factory=dict)
    sample: Sample | None = None
    checkpoint: str | None = Field(
        None, description="fork every run from this checkpoint folder (its scenario and seed)"
    )

    @model_validator(mode="after")
    def _consistent(self):
        if self.checkpoint is not None:
            if self.seeds is not None or self.replicates is not None:
                raise ValueError("a sweep from a checkpoint takes its seed: give no seeds")
            if "scenario" in self.model_fields_set or "regimes" in self.model_fields_set:
                raise ValueError(
                    "a sweep from a checkpoint takes its scenario and regime: give neither"
                )
        elif (self.seeds is None) == (self.replicates is None):
            raise ValueError("give either seeds = [...] or replicates = N")
        if self.grid and self.sample is not None:
            raise ValueError("give either [grid] or [sample], not both")
        allowed = {"baseline", *Counterfactual.model_fields}
        for c in self.counterfactuals:
            if c not in allowed:
                raise ValueError(
                    f"counterfactuals: {c!r} is not one of {', '.join(sorted(allowed))}"
                )
        for k, v in self.grid.items():
            if not v:
                raise ValueError(f"grid.{k}: needs at least one value")
        return self


@dataclass(frozen=True)
class RunSpec:
    """One planned run."""

    run_id: str
    regime: str
    seed: int
    counterfactual: str
    params: dict
    scenario: dict  # the resolved scenario, as data
    checkpoint: str = ""  # a checkpoint folder the run is forked from
    sets: tuple[str, ...] = ()  # the overrides on top of the checkpoint's scenario

    def as_json(self) -> dict:
        out = {
            "run_id": self.run_id,
            "regime": self.regime,
            "seed": self.seed,
            "counterfactual": self.counterfactual,
            "params": self.params,
        }
        if self.checkpoint:
            out["checkpoint"] = self.checkpoint
        return out


def read_sweep(path: str | Path) -> SweepFile:
    """Read and validate a sweep file; one line per problem."""
    from ..scenario.load import read_toml

    p = Path(path)
    raw = read_toml(p, str(p), "sweep", "no such sweep file")
    try:
        return SweepFile.model_validate(raw)
    except ValidationError as err:
        lines = []
        for e in err.errors():
            if e["type"] == "extra_forbidden":
                lines.append(
                    f"{p}: unknown field '{'.'.join(map(str, e['loc']))}' (allowed: "
                    f"{', '.join(SweepFile.model_fields)})"
                )
            else:
                lines.append(_describe(e, lambda _f: str(p)))
        raise ScenarioError(lines) from None


def _seeds(sw: SweepFile) -> list[int]:
    if sw.seeds is not None:
        return list(sw.seeds)
    children = np.random.SeedSequence(sw.root_seed).spawn(sw.replicates)
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]


def _points(sw: SweepFile) -> list[dict]:
    if sw.grid:
        keys = list(sw.grid)
        return [
            dict(zip(keys, combo, strict=True))
            for combo in itertools.product(*(sw.grid[k] for k in keys))
        ]
    if sw.sample is not None:
        s = sw.sample
        keys = list(s.ranges)
        d = len(keys)
        if s.method == "lhs":
            rng = np.random.default_rng(s.seed)
            u = (np.argsort(rng.random((s.n, d)), axis=0) + rng.random((s.n, d))) / s.n
        else:
            from scipy.stats import qmc

            u = qmc.Sobol(d, scramble=True, seed=s.seed).random(s.n)
        lo = np.array([s.ranges[k][0] for k in keys])
        hi = np.array([s.ranges[k][1] for k in keys])
        x = lo + u * (hi - lo)
        return [{k: float(v) for k, v in zip(keys, row, strict=True)} for row in x]
    return [{}]


def run_id(scenario: dict) -> str:
    """A run's id: the hash of its resolved scenario (regime, seed and parameters included)."""
    text = json.dumps(scenario, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def plan(sw: SweepFile, label: str = "sweep") -> list[RunSpec]:
    """Expand a sweep into runs, validating every resolved scenario before anything runs."""
    if sw.checkpoint is not None:
        return _plan_from_checkpoint(sw, label)
    specs: list[RunSpec] = []
    problems: list[str] = []
    base_sets = [f"{k}={_toml(v)}" for k, v in sw.overrides.items()]
    for regime in sw.regimes:
        for point in _points(sw):
            for cf in sw.counterfactuals:
                for seed in _seeds(sw):
                    sets = base_sets + [f"{k}={_toml(v)}" for k, v in point.items()]
                    if cf != "baseline":
                        sets.append(f"counterfactual.{cf}=true")
                    try:
                        s = load_scenario(sw.scenario, regime=regime, seed=seed, sets=sets)
                    except ScenarioError as e:
                        problems += [f"{label}: {line}" for line in e.problems]
                        continue
                    data = s.model_dump(mode="json")
                    specs.append(RunSpec(run_id(data), regime, seed, cf, point, data))
    if problems:
        raise ScenarioError(sorted(set(problems)))
    return specs


def _plan_from_checkpoint(sw: SweepFile, label: str) -> list[RunSpec]:
    """Runs forked from one checkpoint: its scenario with each point's overrides on top."""
    from ..checkpoint import _check_sets, read_header
    from ..scenario.load import load_scenario_dict

    folder = Path(sw.checkpoint)
    header = read_header(folder)
    digest = header["files"]["people.pid.npy"]
    specs, problems = [], []
    base_sets = [f"{k}={_toml(v)}" for k, v in sw.overrides.items()]
    for point in _points(sw):
        for cf in sw.counterfactuals:
            sets = base_sets + [f"{k}={_toml(v)}" for k, v in point.items()]
            if cf != "baseline":
                sets.append(f"counterfactual.{cf}=true")
            try:
                _check_sets(folder, sets)
                s = load_scenario_dict(header["scenario"], f"checkpoint {folder}", sets=sets)
            except ScenarioError as e:
                problems += [f"{label}: {line}" for line in e.problems]
                continue
            data = s.model_dump(mode="json")
            rid = run_id({"scenario": data, "checkpoint": header["date"], "state": digest})
            specs.append(RunSpec(rid, s.regime, s.seed, cf, point, data, str(folder), tuple(sets)))
    if problems:
        raise ScenarioError(sorted(set(problems)))
    return specs


def _toml(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    return str(v)


__all__ = ["REGIMES", "RunSpec", "SweepFile", "plan", "read_sweep", "run_id"]
