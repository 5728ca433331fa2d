"""The PPO general meeting: Bolshevik bargaining over how to carry out party policy.

MODEL.md section 7 ("PPO meeting"); the essay: "the PPO was the triangle, being the institutional
space were workers and trade unionists engaged in a peculiar style of bargaining through a
contest over the best way to implement party policy".

Monthly per factory. The agenda comes from the state of the plant: a plan shortfall, norms and
pay (after a norm rise or when pay falls short), safety (after accidents), discipline (when
absence is high or the line demands it), each directive issued since the last meeting, each
control-commission finding. For every item, speakers are drawn from the members present with
weight ``c (1 - phi) stake (1 + 0.5 rank)`` (workers outnumber managers, so most speakers are
workers); the secretary speaks for the party line on every item, the union chair on norms, pay
and safety. Each speaker argues in the frame of its side that best fits today's policy vector;
its strength is ``c * fit * (1 + rho rank) * (1 - phi)``. Workers win with
``p = sigma(theta_frame (S_w - S_m) / (S_w + S_m) + theta_rank (rank_w - rank_m) + bias)``;
the regime sets theta, bias and whether resolutions bind. A binding workers' win gives a
concession, a management win discipline measures and a reprimand for the critic. Then the
winning side may accuse (``repression.accuse``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..population import CANDIDATE, EMPLOYED, FOREMAN, MANAGER, MEMBER, ROLES, SPECIALIST, WORKER
from ..rng import uniform, uniform2, uniforms, uniforms2
from .labour import sigmoid
from .repression import accuse, choose_charge

RANK = np.array([0.0, 1.0, 1.5, 2.0])  # worker, foreman, specialist, manager

# Frames each side can argue in, and their fit with the policy vector (0..~1.2).
FRAMES = {
    "management": {
        "plan_discipline": lambda pol: 0.5 * pol["discipline"] + pol["tempo"],
        "one_man_management": lambda pol: pol["discipline"],
        "vigilance_against_wreckers": lambda pol: pol["vigilance"] * 0.8,
    },
    "workers": {
        "self_criticism": lambda pol: pol["participation"],
        "against_bureaucratism": lambda pol: 0.5 * pol["participation"] + 0.6 * pol["vigilance"],
        "socialist_competition": lambda pol: 0.8 * pol["campaign"],
        "care_for_workers": lambda pol: 0.4 + 0.2 * pol["participation"] - 0.2 * pol["discipline"],
    },
}

# Stake of each role in each topic (worker, foreman, specialist, manager).
STAKE = {
    "plan": (0.6, 1.0, 1.0, 1.5),
    "norms_pay": (1.5, 1.0, 0.6, 0.8),
    "safety": (1.5, 1.0, 0.8, 0.8),
    "discipline": (1.0, 1.0, 0.8, 1.2),
    "directive": (1.0, 1.0, 1.0, 1.0),
    "control_finding": (1.2, 0.8, 0.8, 1.2),
}
TOPIC_HEAT = {
    "plan": 0.3,
    "norms_pay": 0.3,
    "safety": 0.4,
    "discipline": 0.2,
    "directive": 0.1,
    "control_finding": 0.6,
}
MANAGEMENT_VARIABLES = {
    "discipline",
    "tempo",
    "norm_drive",
    "absence_penalty",
    "quit_penalty",
    "prosecution",
}


def agenda(world, f: int, state: dict, pol: dict, findings: int, directives: list) -> list:
    """The agenda of factory ``f``'s meeting: list of (topic, detail)."""
    items = []
    if state["fulfilment"] < 0.97:
        items.append(("plan", f"plan fulfilled {state['fulfilment']:.0%} last month"))
    if state["norm_rose"] > 0.005 or state["pay_short"] > 0.35:
        items.append(
            (
                "norms_pay",
                f"norms raised {state['norm_rose']:.1%}; real pay short "
                f"{state['pay_short']:.0%} of expectations",
            )
        )
    if state["accidents"] >= max(2.0, state["accidents_expected"]):
        items.append(
            (
                "safety",
                f"{int(state['accidents'])} accidents, {int(state['deaths'])} deaths this month",
            )
        )
    if state["absence_rate"] > 0.05 or pol["discipline"] >= 0.75:
        items.append(("discipline", f"absence {state['absence_rate']:.1%} of scheduled days"))
    for _day, event, desc, _src, orient in directives:
        items.append(("directive", f"{event}: {desc}|{orient}"))
    for j in range(min(findings, 3)):
        items.append(("control_finding", f"control commission finding {j + 1} of {findings}"))
    return items


def frame_fits(pol: dict) -> dict[str, list[tuple[str, float]]]:
    """Each side's frames with their fit to today's policy vector (computed once a meeting)."""
    return {
        side: [(name, fn(pol)) for name, fn in frames.items()] for side, frames in FRAMES.items()
    }


def _best_frame(side: str, fits: dict, u: float):
    """The side's best-fitting frame, ties broken by a little speaker-specific noise (the
    first of equal scores wins).
    """
    options = fits[side]
    n = len(options)
    c = 0.15 * (u - 0.5)
    best, top = options[0], options[0][1] + c / n
    for i in range(1, n):
        score = options[i][1] + c * (i + 1) / n
        if score > top:
            best, top = options[i], score
    return best[0], max(float(best[1]), 0.0)


@njit(cache=True)
def pay_short_by_factory(n, state, factory, pay_short, n_factories):
    """Each factory's sum of its employees' pay shortfall, added in row order (a factory's run
    of rows is summed in a local, as a weighted count would add them).
    """
    pay_sum = np.zeros(n_factories)
    cur = -1
    run = 0.0
    for i in range(n):
        if state[i] == EMPLOYED:
            f = factory[i]
            if f != cur:
                if cur >= 0:
                    pay_sum[cur] = run
                cur = f
                run = pay_sum[f]
            run += np.float64(pay_short[i])
    if cur >= 0:
        pay_sum[cur] = run
    return pay_sum


def hold_meeting(
    world,
    f: int,
    day: int,
    date,
    pol: dict,
    prm,
    keys,
    log,
    members: np.ndarray,
    state: dict,
    directives: list,
    findings: int,
) -> dict:
    """Hold factory ``f``'s general meeting; returns counts (items, workers_won, concessions)."""
    pop = world.pop
    mp = prm.meetings
    key = keys["meetings"]
    pids = pop.pid[members]
    att_u = uniforms(key, day, pids.astype(np.int64))
    present = members[
        att_u < mp.attendance * (1.0 - 0.5 * pop.phi[members]) * (0.6 + 0.4 * pop.c[members])
    ]
    present_pids = pop.pid[present].astype(np.int64)
    n_mem = int(np.sum(pop.party[present] == MEMBER))
    n_cand = int(np.sum(pop.party[present] == CANDIDATE))
    roles_present = pop.role[present]
    n_mgr = int(np.count_nonzero((roles_present == MANAGER) | (roles_present == SPECIALIST)))
    meeting_id = log.add(
        "meeting",
        date,
        f,
        detail=f"present: {n_mem} members, {n_cand} candidates, {n_mgr} managers and specialists",
    )
    world.today[f, world.C["meetings"]] += 1
    out = {"items": 0, "workers_won": 0, "concessions": 0}
    items = agenda(world, f, state, pol, findings, directives)
    fits = frame_fits(pol)
    secretary = _marked_row(world, world.fac.secretary, f)
    chair = _marked_row(world, world.fac.union_chair, f)
    for j, (topic, detail) in enumerate(items):
        orient = ""
        if topic == "directive":
            detail, orient = detail.rsplit("|", 1)
        item_id = log.add("item", date, f, parent=meeting_id, topic=topic, detail=detail)
        world.today[f, world.C["items"]] += 1
        out["items"] += 1
        salt = 1000 * (j + 1)
        speakers = _draw_speakers(pop, present, present_pids, topic, key, day, salt, mp.speakers)
        extra = [
            r
            for r in (secretary, chair if topic in ("norms_pay", "safety") else -1)
            if r >= 0 and r not in speakers
        ]
        S = {"workers": 0.0, "management": 0.0}
        ranks = {"workers": [], "management": []}
        lead = {"workers": (-1, -1.0), "management": (-1, -1.0)}
        voices = list(speakers) + extra
        voice_pids = pop.pid[np.array(voices, dtype=np.int64)].astype(np.int64)
        u_sides = uniforms2(key, day, voice_pids, salt + 1).tolist()
        u_frames = uniforms2(key, day, voice_pids, salt + 2).tolist()
        for r, p_id, u_side, u_frame in zip(
            voices, voice_pids.tolist(), u_sides, u_frames, strict=True
        ):
            role = int(pop.role[r])
            if r == secretary:
                side = "party_line"
            elif r == chair:
                side = "workers" if u_side < mp.union_stance else "management"
            elif role == WORKER:
                side = "workers"
            elif role == FOREMAN:
                side = "workers" if u_side < 0.5 else "management"
            else:
                side = "management"
            if side == "party_line":
                fw, fitw = _best_frame("workers", fits, u_frame)
                fm, fitm = _best_frame("management", fits, u_frame)
                arg_side, frame, fit = (
                    ("workers", fw, fitw) if fitw > fitm else ("management", fm, fitm)
                )
            else:
                arg_side = side
                frame, fit = _best_frame(side, fits, u_frame)
            # the secretary and the union chair speak with the authority of their office
            rank = max(RANK[role], 1.5) if r in (secretary, chair) else RANK[role]
            office = "PPO secretary" if r == secretary else ("union chair" if r == chair else "")
            strength = float(pop.c[r] * fit * (1.0 + mp.rho * rank) * (1.0 - pop.phi[r]))
            S[arg_side] += strength
            ranks[arg_side].append(rank)
            if strength > lead[arg_side][1] and r != secretary:
                lead[arg_side] = (r, strength)
            log.add(
                "speech",
                date,
                f,
                parent=item_id,
                person=p_id,
                role=ROLES[role],
                side=side,
                topic=topic,
                frame=frame,
                strength=strength,
                detail=office,
            )
        # (ranks are multiples of 0.5, so these sums are exact in any order)
        rw, rm = ranks["workers"], ranks["management"]
        rank_gap = (sum(rw) / len(rw) if rw else 0.0) - (sum(rm) / len(rm) if rm else 0.0)
        # the balance of argument, -1 (all management) .. +1 (all workers)
        balance = (S["workers"] - S["management"]) / (S["workers"] + S["management"] + 1e-9)
        x = mp.theta_frame * balance + mp.theta_rank * rank_gap + mp.bias
        u_out = uniform(key, day, 7_000_000 + f * 1000 + j)
        workers_win = u_out < sigmoid(x)
        binding = uniform2(key, day, 7_000_000 + f * 1000 + j, 3) < mp.binding
        winner = "workers" if workers_win else "management"
        loser = "management" if workers_win else "workers"
        result = _resolve(world, f, topic, workers_win, binding, state, prm, lead, day)
        if workers_win:
            world.today[f, world.C["workers_won"]] += 1
            out["workers_won"] += 1
        if result["concession"]:
            world.today[f, world.C["concessions"]] += 1
            out["concessions"] += 1
        res_id = log.add(
            "resolution",
            date,
            f,
            parent=item_id,
            side=winner,
            topic=topic,
            outcome=winner + (" (binding)" if binding else " (not carried out)"),
            strength=float(S["workers"] - S["management"]),
            detail=result["text"],
        )
        if topic == "directive":
            total = S["workers"] + S["management"]
            supports = orient == winner
            # formally adopted when the winners support it or party discipline carries it
            adopted = supports or (
                uniform2(key, day, 7_000_000 + f * 1000 + j, 5) < 0.5 + 0.5 * pol["vigilance"]
            )
            gap = (S[loser] / total if total > 0 else 0.5) * (0.5 if supports else 1.0)
            if not binding:
                gap = 1.0
            world.today[f, world.C["directives_adopted"]] += adopted
            log.add(
                "directive",
                date,
                f,
                parent=res_id,
                topic=topic,
                side=orient,
                outcome="adopted" if adopted else "resisted",
                strength=float(gap),
                detail=detail.split(":", 1)[0],
            )
        # accusations: the winners accuse the losers' lead speaker or the one answerable
        total = S["workers"] + S["management"] + 1e-9
        heat = abs(S["workers"] - S["management"]) / total + TOPIC_HEAT[topic]
        if topic == "safety" and state["deaths"] > 0:
            heat += 1.0
        xa = mp.acc0 + mp.acc_heat * heat + mp.acc_vigilance * pol["vigilance"] + mp.acc_loss
        if uniform2(key, day, 7_000_000 + f * 1000 + j, 7) < sigmoid(xa):
            target = lead[loser][0]
            if workers_win and (target < 0 or topic in ("safety", "plan", "control_finding")):
                target = _answerable(world, f, topic, state, key, day, j)
            accuser = lead[winner][0]
            if target >= 0 and pop.state[target] == EMPLOYED:
                u1 = uniform2(key, day, 7_000_000 + f * 1000 + j, 8)
                u2 = uniform2(key, day, 7_000_000 + f * 1000 + j, 9)
                charge = choose_charge(
                    topic,
                    int(pop.role[target]),
                    int(pop.accused[target]),
                    pol["vigilance"],
                    pol["specialist_baiting"],
                    mp,
                    u1,
                    u2,
                )
                accuse(
                    world, target, charge, accuser, f, day, date, pol, prm, keys, log, res_id, topic
                )
    return out


def _marked_row(world, pids: np.ndarray, f: int) -> int:
    p = int(pids[f])
    if p < 0:
        return -1
    pop = world.pop
    r = int(np.searchsorted(pop.pid[: pop.n], p))
    if r < pop.n and pop.pid[r] == p and pop.state[r] == EMPLOYED:
        return r
    return -1


def _draw_speakers(
    pop, present: np.ndarray, pids: np.ndarray, topic: str, key, day: int, salt: int, k: int
):
    """Weighted draw without replacement (Efraimidis and Spirakis 2006), keyed by id.

    ``pids`` are the ids of ``present`` (int64), drawn once per meeting by the caller.
    """
    if present.size == 0:
        return []
    role = pop.role[present]
    stake = np.asarray(STAKE[topic])[role]
    w = (pop.c[present] * (1.0 - pop.phi[present]) * stake * (1.0 + 0.5 * RANK[role])).astype(
        np.float64
    ) + 1e-9
    u = uniforms2(key, day, pids, salt)
    neg = -(np.log(np.maximum(u, 1e-300)) / w)
    if neg.size > k:
        # the k highest scores, in order (ties, which continuous scores do not produce, by row)
        top = np.argpartition(neg, k - 1)[:k]
        order = top[np.lexsort((top, neg[top]))]
    else:
        order = np.argsort(neg, kind="stable")
    return [int(present[i]) for i in order]


def _answerable(world, f: int, topic: str, state: dict, key, day: int, j: int) -> int:
    """The foreman of the worst shop (safety) or a manager of the factory (other topics)."""
    pop = world.pop
    want = FOREMAN if topic == "safety" else MANAGER
    here = pop.factory_rows(f, world.fac.n)
    rows = here[(pop.state[here] == EMPLOYED) & (pop.role[here] == want)]
    if topic == "safety" and state.get("worst_shop", -1) >= 0:
        in_shop = rows[pop.shop[rows] == state["worst_shop"]]
        if in_shop.size:
            rows = in_shop
    if rows.size == 0:
        return -1
    u = uniform(key, day, 9_000_000 + f * 1000 + j)
    return int(rows[int(u * rows.size)])


def _resolve(
    world,
    f: int,
    topic: str,
    workers_win: bool,
    binding: bool,
    state: dict,
    prm,
    lead: dict,
    day: int,
) -> dict:
    """Apply what the resolution says, if it binds. Returns {concession, text}."""
    mp = prm.meetings
    gp = prm.grievance
    fac, shops, pop = world.fac, world.shops, world.pop
    S = world.shops_per_factory
    shop_ids = np.arange(f * S, (f + 1) * S)
    if not binding:
        return {"concession": False, "text": "resolution recorded; not carried out"}
    if workers_win:
        fac.g_pulse[f] -= 0.5 * gp.concession
        if topic == "norms_pay":
            shops.norm_pause[shop_ids] = 1
            shops.norm[shop_ids] *= 1.0 - mp.norm_rollback
            fac.pay_mult[f] *= 1.0 + mp.pay_correction
            text = (
                f"norm revision paused, norms cut {mp.norm_rollback:.0%}, pay corrected "
                f"+{mp.pay_correction:.0%}"
            )
        elif topic == "safety":
            worst = state.get("worst_shop", -1)
            target = [worst] if worst >= 0 else list(shop_ids)
            shops.safety[target] += mp.safety_gain * (1.0 - shops.safety[target])
            where = worst % world.shops_per_factory + 1 if worst >= 0 else "all"
            text = f"safety spending in shop {where}"
        elif topic == "discipline":
            fac.will[f] *= 1.0 - 0.5 * mp.will_gain
            text = "leniency: penalties to be applied with care for cadres"
        elif topic == "directive":
            text = "directive to be implemented with the workers' amendments"
        else:  # plan shortfall or control finding: management answerable
            fac.pay_mult[f] *= 1.0 + (0.5 * mp.pay_correction if topic == "control_finding" else 0)
            text = "management reprimanded for mismanagement"
        fac.authority[f] = max(0.0, fac.authority[f] - mp.authority_loss)
        return {"concession": True, "text": text}
    fac.authority[f] += mp.authority_gain * (1.0 - fac.authority[f])
    fac.will[f] += mp.will_gain * (1.0 - fac.will[f])
    fac.g_pulse[f] += 0.2 * gp.defeat
    critic = lead["workers"][0]
    if critic >= 0:
        pop.g[critic] = min(pop.g[critic] + gp.defeat, gp.g_max)
        pop.phi[critic] = min(1.0, pop.phi[critic] + 0.05)
    texts = {
        "plan": "tighten plan discipline; storm the backlog",
        "norms_pay": "norms stand; the critic reprimanded for levelling attitudes",
        "safety": "workers to observe safety rules; the critic reprimanded",
        "discipline": "strict application of the discipline decrees",
        "directive": "directive to be implemented as issued",
        "control_finding": "finding dismissed as slander; the critic reprimanded",
    }
    return {"concession": False, "text": texts[topic]}
