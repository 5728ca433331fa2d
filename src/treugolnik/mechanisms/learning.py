"""Learning: skill grows with days worked; consciousness grows with party schooling.

docs/ODD.md, section 7 ("Learning"). Monthly: ``skill += (1 - skill) * (1 - (1 - r)^days_worked)``;
members and candidates approach c = 1 at ``party_schooling`` per day (political schooling
in the party circles). Training inside grassroots institutions is in ``institutions``.
"""

from __future__ import annotations

from numba import njit

from ..population import CANDIDATE, EMPLOYED, MEMBER


@njit(cache=True)
def learn_month(n, state, skill, c, party, days_m, skill_rate, party_schooling, days_in_month):
    for i in range(n):
        if state[i] != EMPLOYED:
            continue
        if days_m[i] > 0:
            skill[i] += (1.0 - skill[i]) * (1.0 - (1.0 - skill_rate) ** days_m[i])
        if party[i] == MEMBER or party[i] == CANDIDATE:
            c[i] += (1.0 - c[i]) * (1.0 - (1.0 - party_schooling) ** days_in_month)


def month_step(run, t: int) -> None:
    """The ``learning`` step (month end): :func:`learn_month`."""
    pop, lp = run.world.pop, run.s.learning
    learn_month(
        pop.n, pop.state, pop.skill, pop.c, pop.party, pop.days_m, lp.skill_rate,
        lp.party_schooling, int(run.S.cal.dims[t]),
    )  # fmt: skip
