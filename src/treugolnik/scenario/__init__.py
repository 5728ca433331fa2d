"""Scenario files: schema, bundled scenarios, regime presets and loading."""

from .load import ScenarioError, bundled_names, load_scenario, parse_set
from .regimes import PRESETS
from .schema import REGIMES, Scenario

__all__ = [
    "PRESETS",
    "REGIMES",
    "Scenario",
    "ScenarioError",
    "bundled_names",
    "load_scenario",
    "parse_set",
]
