"""Exceptions shared across the package.

This module imports nothing from treugolnik, so any module (scenario loading, regime presets,
timelines, data, analysis, reports) can import from it without creating an import cycle.
"""

from __future__ import annotations

__all__ = ["ScenarioError"]


class ScenarioError(ValueError):
    """A user error in a scenario, a parameter or an override: one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))
