"""The three posts of a factory's triangle: the director, the party secretary and the
trade-union chair, filled whenever they fall vacant.

The three are the corners of the triangle (treugol'nik) of management, party and union, so no
one holds two of them at once (data/offices.csv): a post is filled from those who hold neither
of the other two. The director is the most skilled manager, the secretary the most conscious
party member outside management, the union chair the most conscious and least afraid member
among workers and foremen.
"""

from __future__ import annotations

import numpy as np

from ..population import EMPLOYED, FOREMAN, MANAGER, MEMBER

POSTS = ("director", "secretary", "union_chair")  # the order of ``vacant`` and of the rows


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


def mark_roles(pop, fac, f: int, vacant: list[bool], exclude: int = -1) -> None:
    """Choose factory ``f``'s director, PPO secretary and union chair where ``vacant``
    (never the person of id ``exclude``).
    """
    rows_f = pop.factory_rows(f, fac.n)
    here = rows_f[pop.state[rows_f] == EMPLOYED]

    def pick(mask, score):
        rows = here[mask]
        return int(pop.pid[rows[np.argmax(score)]]) if rows.size else -1

    role = pop.role[here]
    member = pop.party[here] == MEMBER
    pid = pop.pid[here]

    def free(post):
        # holds none of the other posts (vacant posts are -1, which no pid equals)
        others = [getattr(fac, name)[f] for name in POSTS]
        others[post] = exclude
        return ~np.isin(pid, others)

    if vacant[0]:
        m = (role == MANAGER) & free(0)
        fac.director[f] = pick(m, pop.skill[here][m])
    if vacant[1]:
        # a party worker, not one of the plant's managers
        m = member & (role != MANAGER) & free(1)
        fac.secretary[f] = pick(m, pop.c[here][m])
    if vacant[2]:
        m = member & (role <= FOREMAN) & free(2)
        fac.union_chair[f] = pick(m, (pop.c[here] * (1 - pop.phi[here]))[m])


OFFICE_NAME = {"secretary": "party secretary", "union_chair": "union chair"}


def elections_step(run, t: int) -> None:
    """The ``elections`` step: on an election day of the timeline (rows of kind ``election``)
    the party secretary (``party_ballot``: the party's members vote) or the union chair
    (``union_ballot``: every employee votes, as a union member) stands for re-election.

    Each voter votes against the holder with ``sigma(vote0 + vote_grievance g + vote_accused
    [the holder was ever accused] - vote_fear phi (1 - secret))``: grievance and an accused
    holder turn votes against, fear keeps them in under an open vote but not under the secret
    ballot of 1937 (data/history_sources.csv, plenum_1937). The holder goes when more than half
    vote against; the post is filled again at once, never by the defeated holder
    (:func:`mark_roles`). Counted as
    ``elections`` and ``officers_replaced``; each election enters the event log.
    """
    from ..maths import sigmoid
    from ..population import ROLES
    from ..rng import uniforms2
    from ..state import C

    day, date, _, _ = run.day_of(t)
    pop, fac, s = run.world.pop, run.world.fac, run.s
    e = s.elections
    key = run.keys["elections"]
    for k, office, secret in run.policy.elections:
        if k != t:
            continue
        post = getattr(fac, office)
        holders = pop.employed_rows(post)
        for f in range(fac.n):
            h = int(holders[f])
            if h < 0:
                continue
            rows_f = pop.factory_rows(f, fac.n)
            voters = rows_f[pop.state[rows_f] == EMPLOYED]
            if office == "secretary":
                voters = voters[pop.party[voters] == MEMBER]
            voters = voters[voters != h]
            if voters.size == 0:
                continue
            x = (
                e.vote0
                + e.vote_grievance * pop.g[voters]
                + e.vote_accused * (pop.accused[h] > 0)
                - e.vote_fear * pop.phi[voters] * (1.0 - secret)
            )
            u = uniforms2(key, day, pop.pid[voters], 1 + (office == "union_chair"))
            against = float(np.mean(u < sigmoid(x)))
            replaced = against > 0.5
            run.world.today[f, C["elections"]] += 1
            ev = run.log.add(
                "election",
                date,
                f,
                target=int(pop.pid[h]),
                target_role=ROLES[pop.role[h]],
                topic=office,
                outcome="not re-elected" if replaced else "re-elected",
                detail=f"{OFFICE_NAME[office]}, {'secret ballot' if secret else 'open vote'}: "
                f"{against:.0%} against",
            )
            if replaced:
                run.world.today[f, C["officers_replaced"]] += 1
                post[f] = -1
                vacant = [name == office for name in POSTS]
                # the defeated holder does not stand again
                mark_roles(pop, fac, f, vacant, exclude=int(pop.pid[h]))
                new = pop.employed_rows(post[f : f + 1])[0]
                if new >= 0:
                    run.log.add(
                        "election",
                        date,
                        f,
                        parent=ev,
                        target=int(pop.pid[new]),
                        target_role=ROLES[pop.role[new]],
                        topic=office,
                        outcome="elected",
                        detail=OFFICE_NAME[office],
                    )
