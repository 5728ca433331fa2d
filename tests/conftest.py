import functools

import pytest

from treugolnik import load_scenario, simulate


@functools.cache
def _run(sets: tuple, regime: str = "bargaining", seed: int = 1):
    return simulate(load_scenario("kirov-small", regime=regime, seed=seed, sets=list(sets)))


@pytest.fixture(scope="session")
def run_small():
    """Cached kirov-small runs: run_small(sets=(...), regime=..., seed=...)."""

    def get(sets=(), regime="bargaining", seed=1):
        return _run(tuple(sets), regime, seed)

    return get
