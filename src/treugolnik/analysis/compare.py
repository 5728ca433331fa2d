"""The three interpretations side by side: which regime reproduces which pattern.

``compare_regimes`` runs every regime (and its no_institutions twin, for P7) over the same
seeds and evaluates the patterns; ``verdict`` says in plain words what the evidence does and
does not distinguish; ``model_probabilities`` reads pyabc's model-selection result.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..scenario.load import ScenarioError
from ..scenario.schema import REGIMES
from .patterns import PatternResult, evaluate
from .validate import simulate_views


def compare_regimes(
    scenario: str,
    seeds: list[int],
    sets: list[str] | None = None,
    progress: Callable[[], None] | None = None,
) -> dict[str, dict[str, PatternResult]]:
    """``{pattern name: {regime: result}}`` over the given seeds."""
    table: dict[str, dict[str, PatternResult]] = {}
    for regime in REGIMES:
        base, cfs = simulate_views(scenario, regime, seeds, sets, progress)
        for r in evaluate(base, cfs):
            table.setdefault(r.pattern.name, {})[regime] = r
    return table


def verdict(table: dict[str, dict[str, PatternResult]]) -> list[str]:
    """Plain-language reading of the comparison."""
    lines = []
    score = {g: sum(row[g].passed for row in table.values()) for g in REGIMES}
    lines.append(
        "Patterns reproduced: " + ", ".join(f"{g} {score[g]}/{len(table)}" for g in REGIMES) + "."
    )
    discriminating = [n for n, row in table.items() if len({r.passed for r in row.values()}) > 1]
    common = [n for n, row in table.items() if all(r.passed for r in row.values())]
    none = [n for n, row in table.items() if not any(r.passed for r in row.values())]
    if discriminating:
        lines.append(
            "The evidence distinguishes the regimes on: "
            + "; ".join(
                f"{n} (passed by {', '.join(g for g, r in table[n].items() if r.passed) or 'none'})"
                for n in discriminating
            )
            + "."
        )
    if common:
        lines.append(
            "It does not distinguish them on: "
            + "; ".join(common)
            + " (every regime reproduces these: they come from the shared mechanisms "
            "and the timeline, not from how meetings work)."
        )
    if none:
        lines.append("No regime reproduces: " + "; ".join(none) + ".")
    lines.append(
        "A pass is a match in direction, timing or band against one plant's run, not a "
        "likelihood; see docs/VALIDATION.md for the limits."
    )
    return lines


def model_probabilities(db: str | Path) -> dict[str, float]:
    """Posterior model probabilities at the last population of a pyabc model-selection run."""
    try:
        import pyabc
    except ImportError:
        raise ScenarioError(
            ["--db: pyabc is not installed (pip install 'treugolnik[calibrate]')"]
        ) from None
    try:
        h = pyabc.History(f"sqlite:///{Path(db).resolve()}")
        row = h.get_model_probabilities().iloc[-1]  # rows: populations; columns: models
    except Exception as e:  # noqa: BLE001 - an unreadable database is a user error
        raise ScenarioError([f"--db {db}: not a pyabc database ({e.__class__.__name__})"]) from None
    return {REGIMES[int(m)]: float(row[m]) for m in row.index}
