"""Grassroots institutions: production conferences, control commissions, inventors' clubs.

docs/ODD.md, section 7 ("Grassroots institutions"); the essay: "the numerous production
conferences, control commissions, and inventors' clubs that Soviet workers were encouraged to
join had a negative effect on labor discipline and multiplied the opportunities for disruptive
clashes with management".

Monthly, per person and body: join with ``p = sigma(join0 + join_c c + join_party party +
join_participation participation - join_fear phi)`` (commissions are smaller: -1.5 on the
logit), leave with ``leave``. Conference and club members make proposals (``proposal_rate``),
adopted with ``p = sigma(adopt0 + adopt_participation participation - adopt_authority
authority)``; adoption raises the shop's productivity A. Commission members find real
mismanagement (``finding_rate``, more where authority is weak); findings go on the PPO agenda.
Participants clash with foremen (``clash_rate c (1 - phi) (0.5 + participation)``); clashes raise
the shop's clash pressure, which raises absence (labour discipline falls). Participation
trains: ``c += training (leader c - c)+``, the leaders being the body's most conscious
members (Lenin: training "led by the most conscious workers").
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..maths import below_sigmoid, sigmoid
from ..population import CANDIDATE, COMMISSION, CONFERENCE, EMPLOYED, INVENTORS, MEMBER
from ..record import Coded
from ..records import I_RECOUNT, K_INST
from ..rng import uniform2
from ..state import C


@njit(cache=True)
def leader_consciousness(n, state, shop, c, inst, n_shops):
    """Mean c of each shop's most conscious participants (those above the participants' mean)."""
    s1 = np.zeros(n_shops)
    k1 = np.zeros(n_shops)
    for i in range(n):
        if state[i] == EMPLOYED and inst[i] != 0:
            s1[shop[i]] += c[i]
            k1[shop[i]] += 1.0
    mean = s1 / np.maximum(k1, 1.0)
    s2 = np.zeros(n_shops)
    k2 = np.zeros(n_shops)
    for i in range(n):
        if state[i] == EMPLOYED and inst[i] != 0 and c[i] >= mean[shop[i]]:
            s2[shop[i]] += c[i]
            k2[shop[i]] += 1.0
    return s2 / np.maximum(k2, 1.0)


@njit(cache=True)
def institutions_prepare(lo, hi, t, S):
    """Before the month's institutional life: each shop's leaders' consciousness
    (:func:`leader_consciousness`); the month's sums start from zero.
    """
    P, D = S.people, S.day
    D.leader_c[:] = leader_consciousness(P.size[0], P.state, P.shop, P.c, P.inst, S.shops.n)
    D.shop_inst[:] = 0.0
    D.fac_inst[:] = 0.0


@njit(cache=True, nogil=True)
def institutions_rows(lo, hi, t, S):
    """The ``institutions`` step over rows ``lo..hi``: joining and leaving the production
    conference, the control commission and the inventors' club; proposals and their adoption,
    control findings, clashes, training by the shop's leaders. Events (kind 0 proposal,
    1 clash, 2 control finding; id, shop, adopted) go to ``day.inst_buf``, their number to
    ``day.counts[K_INST]``; sums to ``day.shop_inst`` and ``day.fac_inst``.
    """
    P, D, ip = S.people, S.day, S.par.institutions
    pid, factory, shop, party, c = P.pid, P.factory, P.shop, P.party, P.c
    phi, skill, inst, state = P.phi, P.skill, P.inst, P.state
    day = S.cal.days[t]
    participation = S.cal.participation[t]
    enabled = S.par.derived.institutions
    join0, join_c, join_party = ip.join0, ip.join_c, ip.join_party
    join_participation, join_fear, leave = ip.join_participation, ip.join_fear, ip.leave
    proposal_rate, adopt0 = ip.proposal_rate, ip.adopt0
    adopt_participation, adopt_authority = ip.adopt_participation, ip.adopt_authority
    finding_rate, clash_rate, training = ip.finding_rate, ip.clash_rate, ip.training
    fac_authority, leader_c, key = S.fac.authority, D.leader_c, S.keys.institutions
    shop_adopted, shop_clashes = D.shop_inst[:, 0], D.shop_inst[:, 1]
    fac_findings, fac_proposals = D.fac_inst[:, 0], D.fac_inst[:, 1]
    fac_adopted, fac_clashes = D.fac_inst[:, 2], D.fac_inst[:, 3]
    event_buf = D.inst_buf
    k = 0
    cap = event_buf.shape[0]
    for i in range(lo, hi):
        if state[i] != EMPLOYED:
            continue
        p = pid[i]
        f = factory[i]
        s = shop[i]
        if not enabled:
            inst[i] = 0
            continue
        is_party = 1.0 if (party[i] == MEMBER or party[i] == CANDIDATE) else 0.0
        x = (
            join0
            + join_c * c[i]
            + join_party * is_party
            + join_participation * participation
            - join_fear * phi[i]
        )
        bits = inst[i]
        for b in range(3):
            bit = 1 << b
            off = -1.5 if bit == COMMISSION else (-0.5 + skill[i] if bit == INVENTORS else 0.0)
            u = uniform2(key, day, p, 10 + b)
            if bits & bit:
                if u < leave:
                    bits &= ~bit
            elif below_sigmoid(u, x + off):
                bits |= bit
        inst[i] = bits
        if bits == 0:
            continue
        if bits & (CONFERENCE | INVENTORS) and uniform2(key, day, p, 20) < proposal_rate:
            adopted = uniform2(key, day, p, 21) < sigmoid(
                adopt0 + adopt_participation * participation - adopt_authority * fac_authority[f]
            )
            fac_proposals[f] += 1.0
            if adopted:
                shop_adopted[s] += 1.0
                fac_adopted[f] += 1.0
            if k < cap:
                event_buf[k, 0] = 0
                event_buf[k, 1] = p
                event_buf[k, 2] = s
                event_buf[k, 3] = 1 if adopted else 0
            k += 1
        finding = uniform2(key, day, p, 30) < finding_rate * (1.0 - 0.5 * fac_authority[f])
        if bits & COMMISSION and finding:
            fac_findings[f] += 1.0
            if k < cap:
                event_buf[k, 0] = 2
                event_buf[k, 1] = p
                event_buf[k, 2] = s
                event_buf[k, 3] = 0
            k += 1
        if uniform2(key, day, p, 40) < clash_rate * c[i] * (1.0 - phi[i]) * (0.5 + participation):
            shop_clashes[s] += 1.0
            fac_clashes[f] += 1.0
            if k < cap:
                event_buf[k, 0] = 1
                event_buf[k, 1] = p
                event_buf[k, 2] = s
                event_buf[k, 3] = 0
            k += 1
        c[i] += training * max(0.0, leader_c[s] - c[i])
    D.counts[K_INST] = k


@njit(cache=True, nogil=True)
def participants_by_factory(n, state, factory, inst, n_factories):
    """Participants per factory in each body: columns conference, commission, inventors."""
    out = np.zeros((n_factories, 3))
    for i in range(n):
        if state[i] == EMPLOYED and inst[i] != 0:
            for b in range(3):
                if inst[i] & (1 << b):
                    out[factory[i], b] += 1.0
    return out


# an institutional event's outcome by its code (proposal, clash, finding) and success
OUTCOME = (("rejected", "adopted"), ("", ""), ("", ""))
TOPIC = ("", "", "control_finding")
INST_BUF = 1 << 16
KINDS = ("proposal", "clash", "control_finding")  # an event's kind by its code
# an event's outcome by ``2 * code + success`` (to name a month's events at once)
_OUTCOMES = tuple(text for pair in OUTCOME for text in pair)


def month_close(run, t: int) -> None:
    """After the ``institutions`` step's rows: adopted proposals raise their shop's
    productivity, clashes its clash pressure; the month's events enter the event log;
    findings wait for the next meeting; the institutions' share of working time.
    """
    day, date, pol, dim = run.day_of(t)
    run.S.day.ints[I_RECOUNT] = 1
    s, w, D = run.s, run.world, run.S.day
    pop, fac, shops = w.pop, w.fac, w.shops
    ip = s.institutions
    shop_adopted, shop_clashes = D.shop_inst[:, 0], D.shop_inst[:, 1]
    findings, props, adopted, clashes = D.fac_inst.T
    k = int(D.counts[K_INST])
    # each shop's employees, as production counted them at the end of its pass (nothing
    # has changed the workforce since)
    size = np.maximum(run.S.day.shop_employed, 1.0)
    shops.A[:] *= 1.0 + ip.adopt_gain * shop_adopted / size
    shops.clash[:] = shops.clash * (1.0 - ip.clash_decay) + shop_clashes / size
    w.today[:, C["proposals_made"]] += props
    w.today[:, C["proposals_adopted"]] += adopted
    w.today[:, C["clashes"]] += clashes
    kept = [j for j, kind in enumerate(KINDS) if kind not in run.log.skip]
    events = run.S.day.inst_buf[: min(k, INST_BUF)]
    if len(kept) < len(KINDS):
        events = events[np.isin(events[:, 0], kept)]
    S, k = w.shops_per_factory, len(events)
    code, sh = events[:, 0], events[:, 2]
    run.log.add_columns(
        k, date, sh // S, Coded(code, KINDS), -1, events[:, 1], "", -1, "", "",
        Coded(code, TOPIC), "", float("nan"),
        Coded(2 * code + (events[:, 3] != 0), _OUTCOMES), "", Coded(sh % S, run.shop_label),
    )  # fmt: skip
    fac.findings[:] = findings.astype(np.int64)
    parts = run.pass_args(
        participants_by_factory,
        (),
        (),
        (),
        pop.n,
        pop.state,
        pop.factory,
        pop.inst,
        fac.n,
    )
    # share of working time lost to institutional activity (members of several bodies count
    # once per body)
    run.S.day.inst_share[:] = parts.sum(axis=1) / np.maximum(fac.headcount, 1.0) / 3.0
