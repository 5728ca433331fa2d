"""treugolnik: an agent-based simulator of Bolshevik bargaining in Soviet industry, 1928-1941.

>>> from treugolnik import load_scenario, simulate
>>> result = simulate(load_scenario("kirov-small"), seed=3)      # doctest: +SKIP
>>> result.monthly.select("month", "headcount", "turnover_rate")   # doctest: +SKIP
"""

from .engine import PLAN, Result, resume, simulate
from .experiments.store import open_store
from .scenario import REGIMES, Scenario, ScenarioError, bundled_names, load_scenario

__version__ = "0.1.0"

__all__ = [
    "PLAN",
    "REGIMES",
    "Result",
    "Scenario",
    "ScenarioError",
    "__version__",
    "bundled_names",
    "load_scenario",
    "open_store",
    "resume",
    "simulate",
]
