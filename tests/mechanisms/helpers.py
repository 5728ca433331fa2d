import numpy as np

from treugolnik.population import Population
from treugolnik.state import COUNTERS


def crowd(n: int, *, shops: int = 1, day0: int = 0) -> Population:
    """n identical employed workers in factory 0, spread over ``shops`` shops."""
    pop = Population(capacity=n)
    pop.append(n)
    pop.shop[:n] = np.arange(n) % shops
    pop.skill[:n] = 0.5
    pop.e0[:n] = 1.0
    pop.c[:n] = 0.3
    pop.hired[:n] = day0 - 365
    return pop


def today(nf: int = 1) -> np.ndarray:
    return np.zeros((nf, len(COUNTERS)))


def within(share: float, p: float, n: int, z: float = 4.5) -> bool:
    return abs(share - p) <= z * np.sqrt(p * (1 - p) / n) + 1e-12
