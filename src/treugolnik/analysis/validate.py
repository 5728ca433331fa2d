"""Validation and regime comparison: runs in, pattern tables out.

>>> from treugolnik.analysis.validate import simulate_views, evaluate, classify  # doctest: +SKIP
>>> base, cf = simulate_views("kirov-small", "bargaining", seeds=[1, 2, 3])
>>> results = evaluate(base, cf)
>>> table = classify(base, cf)      # each pattern's run again under its neutral input

:func:`classify` is the ablation: every pattern's input (``Pattern.ablation``) is made
neutral and the same seeds are run again; a pattern that still passes is *emergent*, one that
fails is *imposed*. Only a pattern that passes and is emergent counts as evidence.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ..engine import simulate
from ..scenario.load import ScenarioError, load_scenario, load_scenario_dict
from .ablation import Neutral, simulate_neutral
from .patterns import (
    PATTERNS,
    PLACEBO_DRAWS,
    PLACEBO_PASS,
    Pattern,
    PatternResult,
    RunView,
    evaluate,
)

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


@dataclass
class Classified:
    """A pattern's result on the runs and under its neutral input."""

    result: PatternResult
    neutral: PatternResult | None

    @property
    def kind(self) -> str:
        """``emergent`` (passes under the neutral input), ``imposed`` (fails under it) or
        ``skipped`` (a column the runs lack).
        """
        if self.result.skipped or self.neutral is None:
            return "skipped"
        return "emergent" if self.neutral.passed else "imposed"

    @property
    def evidence(self) -> bool:
        """Only a pass of an emergent pattern counts as evidence."""
        return self.kind == "emergent" and self.result.passed

    def as_json(self) -> dict:
        out = self.result.as_json()
        out["class"] = self.kind
        out["evidence"] = self.evidence
        out["ablation"] = self.result.pattern.ablation.as_json()
        if self.neutral is not None:
            out["pass_under_neutral"] = bool(self.neutral.passed)
            out["simulated_under_neutral"] = self.neutral.simulated_text()
            out["placebo_percentile_under_neutral"] = self.neutral.placebo
        return out


def _groups(patterns: list[Pattern]) -> dict[tuple, tuple[Neutral, list[Pattern]]]:
    groups: dict[tuple, tuple[Neutral, list[Pattern]]] = {}
    for p in patterns:
        groups.setdefault(p.ablation.key, (p.ablation, []))[1].append(p)
    return groups


def neutral_run_count(
    base: list[RunView], cfs: list[RunView | None], patterns: list[Pattern] | None = None
) -> int:
    """How many runs :func:`classify` makes (for a progress bar)."""
    n = 0
    for _, pats in _groups(patterns or PATTERNS).values():
        n += len(base)
        if any(p.needs_counterfactual for p in pats):
            n += sum(c is not None for c in cfs)
    return n


def _neutral_view(view: RunView, neutral: Neutral) -> RunView:
    s = load_scenario_dict(view.scenario, view.label or "run")
    res = simulate_neutral(s, neutral)
    return RunView(
        res.monthly, res.events, res.scenario.model_dump(mode="json"), f"{view.label} (neutral)"
    )


def classify(
    base: list[RunView],
    cfs: list[RunView | None] | None = None,
    patterns: list[Pattern] | None = None,
    progress: Callable[[], None] | None = None,
) -> list[Classified]:
    """Evaluate the patterns on the runs, then run each run's scenario (same seed) under every
    pattern's neutral input and evaluate the pattern there (see the module's docstring).
    """
    patterns = patterns or PATTERNS
    cfs = cfs or [None] * len(base)
    results = evaluate(base, cfs, patterns)
    judged = [r.pattern for r in results if not r.skipped]
    under: dict[str, PatternResult] = {}
    for neutral, pats in _groups(judged).values():
        need_cf = any(p.needs_counterfactual for p in pats)
        nb: list[RunView] = []
        nc: list[RunView | None] = []
        for v, c in zip(base, cfs, strict=True):
            nb.append(_neutral_view(v, neutral))
            if progress:
                progress()
            if need_cf and c is not None:
                nc.append(_neutral_view(c, neutral))
                if progress:
                    progress()
            else:
                nc.append(None)
        for r in evaluate(nb, nc, pats):
            under[r.pattern.pid] = r
    return [Classified(r, under.get(r.pattern.pid)) for r in results]


def classification_json(classified: list[Classified], title: str) -> dict:
    """The validation's JSON: emergent, imposed and skipped patterns apart, with the counts."""
    kinds = {
        k: [c.as_json() for c in classified if c.kind == k]
        for k in ("emergent", "imposed", "skipped")
    }
    judged = [c for c in classified if c.kind != "skipped"]
    return {
        "title": title,
        "placebo_draws": PLACEBO_DRAWS,
        "placebo_pass_percentile": PLACEBO_PASS,
        "emergent_passes": sum(c.evidence for c in classified),
        "patterns_judged": len(judged),
        "evidence": [c.result.pattern.name for c in classified if c.evidence],
        **kinds,
    }


def classification_tables(classified: list[Classified], title: str) -> list:
    """Rich tables: emergent patterns (their passes are evidence) and imposed ones apart."""
    from rich.table import Table

    tables = []
    for kind, heading in (
        ("emergent", "emergent: pass under the neutral input too (a pass here is evidence)"),
        ("imposed", "imposed: fail once the input is neutral (a pass here is not evidence)"),
    ):
        rows = [c for c in classified if c.kind == kind]
        t = Table(
            "pattern",
            "expected",
            "simulated (median [min, max])",
            "placebo pct",
            "neutral input",
            "pass",
            "neutral",
            title=f"{title}: {heading}",
            show_lines=True,
        )
        for c in rows:
            r, n = c.result, c.neutral
            mark = "[green]pass[/green]" if r.passed else "[red]FAIL[/red]"
            nmark = "pass" if n is not None and n.passed else "fail"
            t.add_row(
                r.pattern.name,
                r.pattern.expected,
                r.simulated_text(),
                r.placebo_text(),
                r.pattern.ablation.neutral,
                mark,
                f"{nmark} (placebo {n.placebo_text()})" if n is not None else "-",
            )
        tables.append(t)
    return tables


def classification_summary(classified: list[Classified]) -> list[str]:
    """The counts, and the patterns skipped for a missing column."""
    judged = [c for c in classified if c.kind != "skipped"]
    emergent = [c for c in judged if c.kind == "emergent"]
    imposed = [c for c in judged if c.kind == "imposed"]
    lines = [
        f"emergent passes: {sum(c.evidence for c in classified)} of {len(judged)} patterns "
        f"judged (emergent: {len(emergent)}; imposed: {len(imposed)}, of which "
        f"{sum(c.result.passed for c in imposed)} pass, not counted as evidence).",
        f"Shape checks: the real statistic must lie above the {PLACEBO_PASS:.0f}th percentile "
        f"of {PLACEBO_DRAWS} random dates or windows (placebo pct).",
    ]
    for c in classified:
        if c.kind == "skipped":
            lines.append(f"{c.result.pattern.name}: {c.result.note}")
    return lines


__all__ = [
    "Classified",
    "classification_json",
    "classification_summary",
    "classification_tables",
    "classify",
    "evaluate",
    "load_run",
    "neutral_run_count",
    "pair_counterfactuals",
    "simulate_views",
    "write_json",
]
