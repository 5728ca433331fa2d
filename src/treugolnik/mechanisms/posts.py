"""The three posts of a factory's triangle: the director, the party secretary and the
trade-union chair, filled whenever they fall vacant.
"""

from __future__ import annotations

import numpy as np

from ..population import EMPLOYED, FOREMAN, MANAGER, MEMBER


def fill_posts(pop, fac) -> np.ndarray:
    """Choose the director, PPO secretary and union chair of each factory whose post is
    vacant (its holder has left or none was chosen); returns the rows of the three posts'
    holders (3 x factories; -1 where a post stays vacant).
    """
    holders = np.concatenate((fac.director, fac.secretary, fac.union_chair))
    rows = pop.employed_rows(holders).reshape(3, fac.n)
    vacant = rows < 0
    fill = np.flatnonzero(vacant.any(axis=0)).tolist()
    for f in fill:
        mark_roles(pop, fac, f, vacant[:, f].tolist())
    if fill:
        holders = np.concatenate((fac.director, fac.secretary, fac.union_chair))
        rows = pop.employed_rows(holders).reshape(3, fac.n)
    return rows


def mark_roles(pop, fac, f: int, vacant: list[bool]) -> None:
    """Choose factory ``f``'s director, PPO secretary and union chair where ``vacant``."""
    rows_f = pop.factory_rows(f, fac.n)
    here = rows_f[pop.state[rows_f] == EMPLOYED]

    def pick(mask, score):
        rows = here[mask]
        return int(pop.pid[rows[np.argmax(score)]]) if rows.size else -1

    role = pop.role[here]
    member = pop.party[here] == MEMBER
    if vacant[0]:
        m = role == MANAGER
        fac.director[f] = pick(m, pop.skill[here][m])
    if vacant[1]:
        # a party worker, not one of the plant's managers
        m = member & (role != MANAGER)
        fac.secretary[f] = pick(m, pop.c[here][m])
    if vacant[2]:
        m = member & (role <= FOREMAN)
        fac.union_chair[f] = pick(m, (pop.c[here] * (1 - pop.phi[here]))[m])
