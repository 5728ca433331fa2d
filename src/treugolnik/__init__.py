"""treugolnik: an agent-based simulator of Bolshevik bargaining in Soviet industry, 1928-1941.

>>> from treugolnik import load_scenario, simulate
>>> result = simulate(load_scenario("kirov-small"), seed=3)      # doctest: +SKIP
>>> result.monthly.select("month", "headcount", "turnover_rate")   # doctest: +SKIP
"""

from .jitcache import guard as _guard_compiled_cache

_guard_compiled_cache()  # before any compiled function is loaded (treugolnik.jitcache)

from .engine import PLAN, Result, resume, simulate  # noqa: E402
from .experiments.store import open_store  # noqa: E402
from .scenario import REGIMES, Scenario, ScenarioError, bundled_names, load_scenario  # noqa: E402

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
