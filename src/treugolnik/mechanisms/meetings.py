"""The party organisation's meeting: Bolshevik bargaining over how to carry out party policy.

docs/ODD.md, section 7 ("PPO meeting"); the essay: "the PPO was the triangle, being the
institutional space were workers and trade unionists engaged in a peculiar style of bargaining
through a contest over the best way to implement party policy".

Monthly per factory. Who meets (data/history_sources.csv, topics party_organisation and
party_rules): a plant whose communists (members and candidates) number fewer than
``partkom_threshold`` holds a general meeting of all of them; a larger one works through its
party committee (partkom), whose monthly session is attended by the secretary, the director,
the union chair, ``partkom_elected`` elected members and one delegate of each shop organisation,
and holds a general meeting of all communists every ``general_every`` months. The threshold of
300 is the one an archive's note gives for the 1939 rules as applied in 1941-45; the 1934
threshold, the partkom's size and the interval of general meetings were not found (stated
assumptions). Before the rules of the XVII Congress (the date is read from
data/history_sources.csv) the organisation was a cell (yacheika), after them a primary party
organisation; the event log records which.

The agenda comes from the state of the plant: a plan shortfall, norms and pay (after a norm rise
or when pay falls short), safety (after accidents), discipline (when absence is high or the line
demands it), each directive issued since the last meeting, a campaign item (socialist
competition, the Stakhanov movement, the 1937 party elections), the control commission's report
(``findings_items``, one item for the month's findings), personal cases of communists accused
since the last meeting (``personal_cases``) and the month's admissions. No source giving the
share of each kind of item in the minutes was found; the rules are stated assumptions
(docs/ODD.md).

For every item, speakers are drawn from those present with weight
``c (1 - phi) stake (1 + 0.5 rank)``; the secretary speaks for the party line on every item, the
union chair on norms, pay and safety, and in a partkom session the director on the plan and the
control commission's report; nobody is listed twice on one item. Each speaker draws a frame of
its side with probability ``softmax(fit / frame_temperature)`` over the frames' fits with
today's policy vector (the secretary over the frames of both sides; temperature 0: the best
fit); its strength is ``c * fit * (1 + rho rank) * (1 - phi)``. Workers win with
``p = sigma(theta_frame (S_w - S_m) / (S_w + S_m) + theta_rank (rank_w - rank_m) + bias)``;
the regime sets theta, bias and whether resolutions bind. A binding workers' win gives a
concession, a management win discipline measures and a reprimand for the critic (admissions
and personal cases move neither). Then the winning side may accuse (``repression.charge_code``,
``repression.accuse_core``; an arrest: ``repression.arrest``). The items run compiled
(:func:`run_items`), their events written column by column.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from typing import NamedTuple

import numpy as np
from numba import njit

from ..maths import sigmoid
from ..population import (
    CANDIDATE,
    EMPLOYED,
    EXPELLED,
    FOREMAN,
    MANAGER,
    MEMBER,
    ROLES,
    SPECIALIST,
    WORKER,
    group_by_factory,
)
from ..record import Coded
from ..records import I_RECOUNT
from ..rng import ITEMS_PER_MEETING, uniform, uniform2
from ..timeline import data_dir
from .party import STAKHANOVITE_CAMPAIGN
from .posts import fill_posts
from .repression import (
    CHARGES,
    N_ORDINARY,
    ORDINARY_TOPICS,
    OUTCOMES_INVESTIGATION,
    REPRESSION_PARAMS,
    SABOTAGE_TOPICS,
    accuse_core,
    arrest,
    charge_code,
)

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
    # (assumptions, docs/ODD.md: a campaign is the workers' obligation; an admission or a
    # personal case is everyone's business)
    "campaign": (1.2, 1.0, 0.8, 1.0),
    "personal_case": (1.0, 1.0, 1.0, 1.0),
    "admissions": (1.0, 1.0, 1.0, 1.0),
}
TOPIC_HEAT = {
    "plan": 0.3,
    "norms_pay": 0.3,
    "safety": 0.4,
    "discipline": 0.2,
    "directive": 0.1,
    "control_finding": 0.6,
    "campaign": 0.2,
    "personal_case": 0.5,
    "admissions": 0.1,
}
# Party business: the resolution moves no factory state (no concession, no reprimand)
PARTY_BUSINESS = ("personal_case", "admissions")
# The charge an accusation after a new kind of item is chosen as for this topic
# (the older topics have their own weights: repression.ORDINARY_WEIGHTS)
CHARGE_TOPIC = {"campaign": "plan", "personal_case": "discipline", "admissions": "directive"}
# The 1937 party elections (secret ballot, by May 1937; data/history_sources.csv, plenum_1937):
# the campaign item of April and May 1937
ELECTIONS_1937 = (dt.date(1937, 4, 1), dt.date(1937, 5, 31))


@functools.cache
def rules_dates() -> dict[str, dt.date]:
    """The dates of the party rules the meeting follows, from data/history_sources.csv (topic
    ``party_rules``, the row's ``value`` naming the rules: ``1934`` or ``1939``).
    """
    out = {}
    with open(data_dir() / "history_sources.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["topic"] == "party_rules" and row["status"] != "not_found":
                out[row["value"].strip()] = dt.date.fromisoformat(row["date"].strip())
    return out


def organisation(date: dt.date) -> str:
    """``cell`` before the rules of the XVII Congress, ``ppo`` from them on."""
    return "cell" if date < rules_dates()["1934"] else "ppo"


def general_month(date: dt.date, every: int) -> bool:
    """Whether a plant with a partkom holds its general meeting this month (every ``every``
    months: the months divisible by it).
    """
    return date.month % every == 0


MANAGEMENT_VARIABLES = {
    "discipline",
    "tempo",
    "norm_drive",
    "absence_penalty",
    "quit_penalty",
    "prosecution",
}


def agenda(state: dict, pol: dict, findings: int, directives: list, business: dict, mp) -> list:
    """The agenda of a factory's meeting: list of (topic, detail, payload); ``payload`` is a
    directive's (orientation, event), a personal case's row, else None. ``directives``: (date
    issued, event, description, source, orientation).

    ``business``: ``campaign`` (the campaign item's title or ""), ``cases`` (rows of
    communists accused since the last meeting), ``recruited`` and ``confirmed`` (the month's
    new candidates and candidates made members).
    """
    items = []
    if state["fulfilment"] < 0.97:
        items.append(("plan", f"plan fulfilled {state['fulfilment']:.0%} last month", None))
    if state["norm_rose"] > 0.005 or state["pay_short"] > 0.35:
        items.append(
            (
                "norms_pay",
                f"norms raised {state['norm_rose']:.1%}; real pay short "
                f"{state['pay_short']:.0%} of expectations",
                None,
            )
        )
    if state["accidents"] >= max(2.0, state["accidents_expected"]):
        items.append(
            (
                "safety",
                f"{int(state['accidents'])} accidents, {int(state['deaths'])} deaths this month",
                None,
            )
        )
    if state["absence_rate"] > 0.05 or pol["discipline"] >= 0.75:
        items.append(("discipline", f"absence {state['absence_rate']:.1%} of scheduled days", None))
    for issued, event, desc, _src, orient in directives:
        items.append(("directive", f"{desc} ({issued.day} {issued:%B %Y})", (orient, event)))
    if business["campaign"]:
        items.append(("campaign", business["campaign"], None))
    if findings > 0 and mp.findings_items > 0:
        k = min(findings, mp.findings_items)
        for j in range(k):
            items.append(
                ("control_finding", f"{findings} findings since the last meeting"
                 + (f" ({j + 1} of {k})" if k > 1 else ""), None)
            )  # fmt: skip
    for r in business["cases"][: mp.personal_cases]:
        items.append(("personal_case", "", int(r)))
    if business["recruited"] or business["confirmed"]:
        items.append(
            (
                "admissions",
                f"{business['recruited']} admitted as candidates, {business['confirmed']} "
                f"candidates made members",
                None,
            )
        )
    return items


def campaign_title(date: dt.date, pol: dict, u: float, weight: float) -> str:
    """The campaign item of a meeting, or "": the 1937 party elections in their months,
    otherwise with probability ``min(1, weight * campaign)`` the Stakhanov movement (once the
    campaign is past the Stakhanovite level) or socialist competition.
    """
    if ELECTIONS_1937[0] <= date <= ELECTIONS_1937[1]:
        return "elections of the party organs by secret ballot"
    if u >= min(1.0, weight * pol["campaign"]):
        return ""
    if pol["campaign"] > STAKHANOVITE_CAMPAIGN:
        return "the Stakhanov movement"
    return "socialist competition and shock work"


def frame_fits(pol: dict, side: str) -> np.ndarray:
    """The fit of each of the side's frames (in FRAMES order) to today's policy vector."""
    return np.array([fn(pol) for fn in FRAMES[side].values()])


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


TOPICS = tuple(STAKE)
TOPIC_CODE = {topic: i for i, topic in enumerate(TOPICS)}
STAKE_TABLE = np.array([STAKE[t] for t in TOPICS], dtype=np.float64)
FRAME_NAMES = {side: tuple(frames) for side, frames in FRAMES.items()}
SIDES = ("workers", "management", "party_line")
WORKERS_SIDE, MANAGEMENT_SIDE, PARTY_LINE = 0, 1, 2


@njit(cache=True, inline="always")
def _best_frame(fits, u):
    """Index and fit of the best-fitting frame among ``fits``; ties broken by a little
    speaker-specific noise (the first of equal scores wins).
    """
    n = fits.shape[0]
    c = 0.15 * (u - 0.5)
    best, top = 0, fits[0] + c / n
    for i in range(1, n):
        score = fits[i] + c * (i + 1) / n
        if score > top:
            best, top = i, score
    return best, max(fits[best], 0.0)


@njit(cache=True, inline="always")
def _frame_choice(fits, u, tau):
    """Index and fit of the frame a speaker argues in: drawn with probability
    ``exp(fit / tau) / sum exp(fit / tau)`` over ``fits`` by the uniform ``u`` (the first
    frame whose cumulative weight passes ``u``); ``tau`` 0: the best fit.
    """
    if tau <= 0.0:
        return _best_frame(fits, u)
    n = fits.shape[0]
    top = fits[0]
    for i in range(1, n):
        top = max(top, fits[i])
    total = 0.0
    for i in range(n):
        total += np.exp((fits[i] - top) / tau)
    bar = u * total
    acc = 0.0
    for i in range(n):
        acc += np.exp((fits[i] - top) / tau)
        if bar < acc:
            return i, max(fits[i], 0.0)
    return n - 1, max(fits[n - 1], 0.0)


@njit(cache=True, inline="always")
def _line_choice(fits_w, fits_m, u, tau):
    """The secretary's frame: over the frames of both sides (the workers' first), the side
    following the frame. Returns (argued side, frame index, fit); ``tau`` 0: the best frame of
    each side, the better of the two.
    """
    if tau <= 0.0:
        fw, fitw = _best_frame(fits_w, u)
        fm, fitm = _best_frame(fits_m, u)
        if fitw > fitm:
            return WORKERS_SIDE, fw, fitw
        return MANAGEMENT_SIDE, fm, fitm
    nw = fits_w.shape[0]
    both = np.empty(nw + fits_m.shape[0])
    both[:nw] = fits_w
    both[nw:] = fits_m
    i, fit = _frame_choice(both, u, tau)
    if i < nw:
        return WORKERS_SIDE, i, fit
    return MANAGEMENT_SIDE, i - nw, fit


@njit(cache=True)
def attendance(members, pid, party, role, c, phi, key, day, p_attend):
    """Who of ``members`` attends today's meeting: the rows present, and the numbers of
    members, candidates, and managers and specialists among them.
    """
    m = members.shape[0]
    present = np.empty(m, dtype=np.int64)
    n_p = 0
    n_mem = 0
    n_cand = 0
    n_mgr = 0
    for j in range(m):
        r = members[j]
        # attendance falls with fear and rises with consciousness (in the columns' float32)
        bar = (
            np.float32(p_attend)
            * (np.float32(1.0) - np.float32(0.5) * phi[r])
            * (np.float32(0.6) + np.float32(0.4) * c[r])
        )
        if uniform(key, day, np.int64(pid[r])) < bar:
            present[n_p] = r
            n_p += 1
            if party[r] == MEMBER:
                n_mem += 1
            elif party[r] == CANDIDATE:
                n_cand += 1
            if role[r] == MANAGER or role[r] == SPECIALIST:
                n_mgr += 1
    return present[:n_p], n_mem, n_cand, n_mgr


@njit(cache=True)
def voices(
    present,
    pid,
    role,
    c,
    phi,
    key,
    day,
    salt,
    stake,
    k,
    officers,
    speaks,
    union_stance,
    rho,
    fits,
    tau,
):
    """Who speaks on one agenda item, on which side, in which frame and with what strength.

    ``pid``, ``role``, ``c`` and ``phi`` are the person table's columns, ``officers`` the
    rows of the secretary, the union chair and the director (-1: none), ``speaks`` whether the
    chair and the director speak on this item, ``fits`` the frames' fit for the workers' and
    the management's side, ``tau`` the frame choice's temperature (:func:`_frame_choice`).

    Speakers are a weighted draw without replacement (Efraimidis and Spirakis 2006): the
    ``k`` smallest ``-log(u) / w`` in order, ties by position, with ``stake`` the topic's
    stake by role. The secretary, if not drawn, speaks on every item, the union chair and the
    director on the items where they speak; nobody is listed twice (one person holding two
    offices speaks once, in the first office). Returns the voices' rows, ids, sides (SIDES), argued
    sides, frame indices and strengths, each side's summed strength, the rank gap and each
    side's lead speaker (the secretary excluded).
    """
    secretary, chair, director = officers
    chair_speaks, director_speaks = speaks
    fits_w, fits_m = fits
    n_p = present.shape[0]
    cap = min(k, n_p) + 3
    v_row = np.empty(cap, dtype=np.int64)
    best_neg = np.empty(max(k, 1))
    nb = 0
    for q in range(n_p if k > 0 else 0):
        r = present[q]
        ro = role[r]
        w = np.float64(c[r] * (np.float32(1.0) - phi[r])) * stake[ro] * (1.0 + 0.5 * RANK[ro])
        w += 1e-9
        u = uniform2(key, day, np.int64(pid[r]), salt)
        # -log(u) >= 1 - u: once k are drawn, most keys are known to be too large without
        # the logarithm (the factor keeps the bound below the computed key)
        if nb == k and (1.0 - u) / w * (1.0 - 1e-12) >= best_neg[nb - 1]:
            continue
        neg = -(np.log(max(u, 1e-300)) / w)
        if nb == k and neg >= best_neg[nb - 1]:
            continue
        at = nb if nb < k else k - 1
        while at > 0 and best_neg[at - 1] > neg:
            best_neg[at] = best_neg[at - 1]
            v_row[at] = v_row[at - 1]
            at -= 1
        best_neg[at] = neg
        v_row[at] = r
        if nb < k:
            nb += 1
    v = nb
    if secretary >= 0 and not _among(v_row, v, secretary):
        v_row[v] = secretary
        v += 1
    if chair_speaks and chair >= 0 and not _among(v_row, v, chair):
        v_row[v] = chair
        v += 1
    if director_speaks and director >= 0 and not _among(v_row, v, director):
        v_row[v] = director
        v += 1
    v_row = v_row[:v]
    v_pid = np.empty(v, dtype=np.int64)
    v_side = np.empty(v, dtype=np.int64)
    v_arg = np.empty(v, dtype=np.int64)
    v_frame = np.empty(v, dtype=np.int64)
    v_strength = np.empty(v)
    sw, sm, rw, rm = 0.0, 0.0, 0.0, 0.0
    nw, nm = 0, 0
    lw, lws, lm, lms = -1, -1.0, -1, -1.0
    for q in range(v):
        r = v_row[q]
        p = np.int64(pid[r])
        v_pid[q] = p
        u_side = uniform2(key, day, p, salt + 1)
        u_frame = uniform2(key, day, p, salt + 2)
        ro = role[r]
        if r == secretary:
            side = PARTY_LINE
        elif r == chair:
            side = WORKERS_SIDE if u_side < union_stance else MANAGEMENT_SIDE
        elif ro == WORKER:
            side = WORKERS_SIDE
        elif ro == FOREMAN:
            side = WORKERS_SIDE if u_side < 0.5 else MANAGEMENT_SIDE
        else:
            side = MANAGEMENT_SIDE
        if side == PARTY_LINE:
            arg, frame, fit = _line_choice(fits_w, fits_m, u_frame, tau)
        elif side == WORKERS_SIDE:
            arg = side
            frame, fit = _frame_choice(fits_w, u_frame, tau)
        else:
            arg = side
            frame, fit = _frame_choice(fits_m, u_frame, tau)
        # the secretary and the union chair speak with the authority of their office (rank
        # at least 1.5, which keeps the product in single precision, as the columns are)
        cf = c[r] * np.float32(fit)
        rank = RANK[ro]
        if (r == secretary or r == chair) and rank < 1.5:  # noqa: SIM109 (compiled)
            rank = 1.5
            strength = np.float64(cf * np.float32(1.0 + rho * rank) * (np.float32(1.0) - phi[r]))
        else:
            strength = np.float64(cf) * (1.0 + rho * rank) * np.float64(np.float32(1.0) - phi[r])
        v_side[q] = side
        v_arg[q] = arg
        v_frame[q] = frame
        v_strength[q] = strength
        if arg == WORKERS_SIDE:
            sw += strength
            rw += rank
            nw += 1
            if strength > lws and r != secretary:
                lw, lws = r, strength
        else:
            sm += strength
            rm += rank
            nm += 1
            if strength > lms and r != secretary:
                lm, lms = r, strength
    # (ranks are multiples of 0.5, so these sums are exact in any order)
    rank_gap = (rw / nw if nw else 0.0) - (rm / nm if nm else 0.0)
    return v_row, v_pid, v_side, v_arg, v_frame, v_strength, sw, sm, rank_gap, lw, lm


@njit(cache=True, inline="always")
def _among(rows, n, r):
    for q in range(n):  # noqa: SIM110 (compiled)
        if rows[q] == r:
            return True
    return False


def partkom(pop, members: np.ndarray, officers: tuple, n_elected: int) -> np.ndarray:
    """The rows on the party committee: the officers (secretary, union chair, director;
    -1 skipped), ``n_elected`` elected full members and, for each shop, the delegate of its
    organisation, in that order.

    The elected seats go to the roles in proportion to the organisation's full members
    (largest remainders, ties to the lower rank), each to the most conscious of the role (ties
    by id); a shop's delegate is its most conscious remaining full member at the bench (worker
    or foreman), or of any role where the shop has none. (Assumption: the committee mirrors its
    organisation; its composition was not found in the sources. Elected by consciousness
    alone, it would be the plant's engineers and managers.)
    """
    return partkom_rows(
        members, np.asarray(officers, dtype=np.int64), pop.party, pop.c, pop.pid, pop.role,
        pop.shop, n_elected,
    )  # fmt: skip


@njit(cache=True)
def partkom_rows(members, officers, party, c, pid, role, shop, n_elected):
    """:func:`partkom` on the person table's columns."""
    body = np.empty(members.shape[0] + 3, dtype=np.int64)
    nb = 0
    for r in officers:
        if r >= 0 and not _among(body, nb, r):
            body[nb] = r
            nb += 1
    n_off = nb
    full = np.empty(members.shape[0], dtype=np.int64)
    m = 0
    for r in members:
        if party[r] == MEMBER and not _among(body, n_off, r):
            full[m] = r
            m += 1
    full = full[:m]
    # by consciousness, highest first, ties by id (ids are unique: the order is total)
    by_id = full[np.argsort(pid[full], kind="mergesort")]
    neg_c = np.empty(m)
    for i in range(m):
        neg_c[i] = -np.float64(c[by_id[i]])
    ranked = by_id[np.argsort(neg_c, kind="mergesort")]
    counts = np.zeros(4)
    for r in ranked:
        counts[role[r]] += 1.0
    quota = n_elected * counts / max(counts.sum(), 1.0)
    seats = np.floor(quota).astype(np.int64)
    short = min(n_elected, m) - seats.sum()
    order = np.argsort(-(quota - seats), kind="mergesort")
    for i in range(min(max(short, 0), 4)):
        seats[order[i]] += 1
    chosen = np.zeros(m, dtype=np.bool_)
    taken = np.zeros(4, dtype=np.int64)
    for i in range(m):
        ro = role[ranked[i]]
        if taken[ro] < seats[ro]:
            taken[ro] += 1
            chosen[i] = True
            body[nb] = ranked[i]
            nb += 1
    # each shop's delegate: its first remaining member at the bench in ranked order, else its
    # first remaining member of any role
    delegate = np.zeros(m, dtype=np.bool_)
    seen = dict()
    seen[np.int64(-1)] = np.int64(-1)
    for bench in (True, False):
        for i in range(m):
            r = ranked[i]
            if not chosen[i] and (role[r] <= FOREMAN) == bench:
                sh = np.int64(shop[r])
                if sh not in seen:
                    seen[sh] = i
                    delegate[i] = True
    for i in range(m):
        if delegate[i]:
            body[nb] = ranked[i]
            nb += 1
    return body[:nb]


@njit(cache=True)
def business_of(members, here, party, party_since, state, last_accused, first, since, day):
    """The party business of a factory's meeting: its new candidates and new members (their
    ``party_since`` on or after ``first``, the month's first day: the ``party`` step's) among
    ``members``, and the rows of ``here`` employed, communists or expelled, last accused on or
    after ``since`` (the last meeting's day) and before ``day``, in row order.
    """
    recruited, confirmed = 0, 0
    for r in members:
        if party_since[r] >= first:
            recruited += party[r] == CANDIDATE
            confirmed += party[r] == MEMBER
    cases = np.empty(here.shape[0], dtype=np.int64)
    k = 0
    for r in here:
        if state[r] == EMPLOYED and since <= last_accused[r] < day:
            p = party[r]
            if p == MEMBER or p == CANDIDATE or p == EXPELLED:  # noqa: SIM109 (compiled)
                cases[k] = r
                k += 1
    return recruited, confirmed, cases[:k]


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
    officers: tuple,
    business: dict,
    ctx: ItemsContext | None = None,
) -> dict:
    """Hold factory ``f``'s meeting; returns counts (items, workers_won, concessions).

    ``ctx``: what every factory's meeting of the day shares (:func:`items_context`; made here
    if not given).

    ``officers`` are the rows of the secretary, the union chair and the director (-1 if the
    post is vacant); ``state`` the factory's month as :func:`agenda` reads it, with
    ``worst_shop`` (-1: none) and ``deaths``; ``business`` the agenda's party business
    (:func:`agenda`); a directive's orientation is ``workers`` or ``management``. Where the
    factory's communists reach ``partkom_threshold`` the meeting is the partkom's session,
    except in the months of a general meeting (:func:`general_month`).
    """
    pop = world.pop
    mp = prm.meetings
    key = keys["meetings"]
    key_item = keys["meetings", "item"]
    secretary, chair, director = officers
    f = int(f)
    form = organisation(date)
    large = members.shape[0] >= mp.partkom_threshold
    body = "general" if not large else "general_with_partkom"
    if large and not general_month(date, mp.general_every):
        body = "partkom"
    attending = members
    if body == "partkom":
        attending = partkom(pop, members, officers, mp.partkom_elected)
    # the campaign item's draw: the first item's key with its own salt (rng.STREAMS)
    u_campaign = uniform2(key_item, day, f * ITEMS_PER_MEETING, 13)
    business = dict(business, campaign=campaign_title(date, pol, u_campaign, mp.campaign_item))
    items = agenda(state, pol, findings, directives, business, mp)
    present, n_mem, n_cand, n_mgr = attendance(
        attending, pop.pid, pop.party, pop.role, pop.c, pop.phi, key, day, mp.attendance
    )
    if body == "partkom":
        detail = (
            f"present: {present.shape[0]} of the party committee's {attending.shape[0]} "
            f"members; {members.shape[0]} communists in the organisation"
        )
    else:
        detail = f"present: {n_mem} members, {n_cand} candidates, {n_mgr} managers and specialists"
    pid_of = lambda r: int(pop.pid[r]) if r >= 0 else -1  # noqa: E731
    meeting_id = log.add(
        "meeting", date, f, person=pid_of(secretary), target=pid_of(director),
        topic=body, outcome=form, strength=float(members.shape[0]), detail=detail,
    )  # fmt: skip
    world.today[f, world.C["meetings"]] += 1
    if ctx is None:
        ctx = items_context(world, pol, prm, log)
    items = items[:ITEMS_PER_MEETING]  # (an item's draws are keyed by its place: rng.STREAMS)
    n_items = len(items)
    topics = np.array([TOPIC_CODE[t] for t, _, _ in items], dtype=np.int64)
    cases = np.array([p if t == "personal_case" else -1 for t, _, p in items], dtype=np.int64)
    orients = np.array([SIDE_CODE[p[0]] if t == "directive" else 0 for t, _, p in items],
                       dtype=np.int64)  # fmt: skip
    details = np.array(
        [
            *ctx.texts[:D_SAFETY],
            safety_text(state["worst_shop"], world.shops_per_factory),
            *ctx.texts[D_SAFETY + 1 :],
        ]
        + [d for _, d, _ in items]
        + [p[1] if t == "directive" else "" for t, _, p in items],
        dtype=object,
    )
    fac, shops = world.fac, world.shops
    F = (fac.g_pulse, fac.pay_mult, fac.authority, fac.will, shops.norm_pause, shops.norm,
         shops.safety)  # fmt: skip
    out = {"items": n_items, "workers_won": 0, "concessions": 0}
    j = 0
    while j < n_items:
        # (compiled item by item until an accusation ends in an arrest, which is carried out
        # here before the next item: it may promote people, with events of its own)
        P = (pop.pid, pop.role, pop.c, pop.phi, pop.g, pop.party, pop.party_since, pop.accused,
             pop.last_accused, pop.state, pop.shop)  # fmt: skip
        j, ib, fb, won, conceded, arrest_row, acc_id, charge = run_items(
            j, topics, cases, orients, present, P, F, pop.factory_rows(f, fac.n), officers,
            body == "partkom", (key, key_item, keys["repression"]), day, f,
            world.shops_per_factory, int(state["worst_shop"]), state["deaths"] > 0, ctx.prm,
            ctx.fits, mp.frame_temperature, mp.speakers, ctx.skip, log.n, meeting_id,
            world.today[f], ctx.cols,
        )  # fmt: skip
        out["workers_won"] += won
        out["concessions"] += conceded
        log_items(log, date, f, ib, fb, details)
        if arrest_row >= 0:
            arrest(world, arrest_row, f, day, date, prm, keys, log, acc_id, CHARGES[charge])
    return out


# The events of an agenda item, by code, and the columns :func:`run_items` writes for them: the
# event log's columns but the date, the factory, the strength (a float column of its own, NaN
# where not applicable: the log keeps null) and the detail (an index in the meeting's list of
# texts: :func:`fixed_details`, the items' own texts, their directives' names). A text column
# holds an index in its names, 0 for "".
ITEM_EVENTS = ("item", "speech", "resolution", "directive", "accusation", "investigation",
               "expulsion")  # fmt: skip
EV_ITEM, EV_SPEECH, EV_RESOLUTION, EV_DIRECTIVE, EV_ACCUSATION, EV_INVESTIGATION, EV_EXPULSION = (
    range(7)
)
KIND, PARENT, PERSON, ROLE, TARGET, TROLE, SIDE, TOPIC, FRAME, OUTCOME, CHARGE, DETAIL = range(12)
N_COLUMNS = 12


def _names(*names) -> np.ndarray:
    return np.array(names, dtype=object)


ROLE_NAMES = _names("", *ROLES)
SIDE_NAMES = _names("", *SIDES)  # a side's code is its place in SIDES plus one
SIDE_CODE = {side: i + 1 for i, side in enumerate(SIDES)}
FRAME_NAMES_ALL = _names("", *FRAME_NAMES["workers"], *FRAME_NAMES["management"])
OUTCOME_NAMES = _names(
    "", "workers (binding)", "workers (not carried out)", "management (binding)",
    "management (not carried out)", "adopted", "resisted", *OUTCOMES_INVESTIGATION,
)  # fmt: skip
O_ADOPTED, O_INVESTIGATION = OUTCOME_NAMES.tolist().index("adopted"), len(OUTCOME_NAMES) - 3
# the meeting's texts: fixed_details, then the items' own texts, then their directives' names
# (the groups of fixed_details' texts and their sizes: each group's first place)
_GROUPS = (("none", 1), ("office", 3), ("not_carried", 1), ("party", 4), ("win", 6),
           ("lose", 7), ("after_accusation", 1))  # fmt: skip
_FIRST = dict(zip((g for g, _ in _GROUPS), np.cumsum([0] + [k for _, k in _GROUPS]).tolist(),
                  strict=False))  # fmt: skip
D_OFFICE, D_NOT_CARRIED, D_PARTY, D_WIN, D_LOSE, D_AFTER_ACCUSATION = (
    _FIRST[g] for g in ("office", "not_carried", "party", "win", "lose", "after_accusation")
)
D_ITEMS = sum(k for _, k in _GROUPS)  # fmt: skip
D_SAFETY = D_WIN + 1
# the texts of a binding workers' win, by topic (TOPICS order), as places after D_WIN
WIN_TEXT = np.array([5, 0, 1, 2, 3, 5, 4], dtype=np.int64)
T_PLAN, T_NORMS_PAY, T_SAFETY, T_DISCIPLINE, T_DIRECTIVE, T_CONTROL, T_CAMPAIGN = (
    TOPIC_CODE[t] for t in ("plan", "norms_pay", "safety", "discipline", "directive",
                            "control_finding", "campaign"))  # fmt: skip
T_PERSONAL_CASE = TOPIC_CODE["personal_case"]  # (party business from here: PARTY_BUSINESS)
TOPIC_HEAT_TABLE = np.array([TOPIC_HEAT[t] for t in TOPICS])
# the row of repression.ORDINARY_WEIGHTS an accusation after each topic draws its charge from
CHARGE_ROW = np.array(
    [ORDINARY_TOPICS.index(CHARGE_TOPIC.get(t, t)) for t in TOPICS], dtype=np.int64
)
SABOTAGE_ROW = np.array([CHARGE_TOPIC.get(t, t) in SABOTAGE_TOPICS for t in TOPICS])
# the parameters run_items reads, in the order of its ``prm`` array (P_*: their places)
MEETING_PARAMS = ("rho", "theta_frame", "theta_rank", "bias", "binding", "acc0", "acc_heat",
                  "acc_vigilance", "acc_loss", "norm_rollback", "pay_correction", "safety_gain",
                  "will_gain", "authority_loss", "authority_gain", "pol0", "pol_vigilance",
                  "pol_prior", "pol_specialist")  # fmt: skip
GRIEVANCE_PARAMS = ("concession", "defeat", "g_max")
POLICY_READ = ("vigilance", "specialist_baiting", "appeals", "arrest_quota")
_PLACE = {name: i for i, name in enumerate(
    MEETING_PARAMS + GRIEVANCE_PARAMS + ("stance",) + REPRESSION_PARAMS + POLICY_READ)}  # fmt: skip
(P_RHO, P_THETA_FRAME, P_THETA_RANK, P_BIAS, P_BINDING, P_ACC0, P_ACC_HEAT, P_ACC_VIGILANCE,
 P_ACC_LOSS, P_ROLLBACK, P_PAY_CORRECTION, P_SAFETY_GAIN, P_WILL_GAIN, P_AUTHORITY_LOSS,
 P_AUTHORITY_GAIN, P_POL0, P_POL_VIGILANCE, P_POL_PRIOR, P_POL_SPECIALIST) = (
    _PLACE[name] for name in MEETING_PARAMS)  # fmt: skip
P_CONCESSION, P_DEFEAT, P_G_MAX = (_PLACE[name] for name in GRIEVANCE_PARAMS)
P_STANCE = _PLACE["stance"]
P_REPRESSION = _PLACE[REPRESSION_PARAMS[0]]  # REPRESSION_PARAMS from here, in their order
P_VIGILANCE, P_BAITING, P_APPEALS, P_ARREST_QUOTA = (_PLACE[name] for name in POLICY_READ)


def item_params(prm, pol: dict) -> np.ndarray:
    """run_items' ``prm``: the scenario's parameters and today's policy values it reads."""
    mp = prm.meetings
    stance = mp.union_stance * (1.0 - mp.union_turn * pol["union_production"])
    return np.array(
        [getattr(mp, name) for name in MEETING_PARAMS]
        + [getattr(prm.grievance, name) for name in GRIEVANCE_PARAMS]
        + [stance]
        + [getattr(prm.repression, name) for name in REPRESSION_PARAMS]
        + [pol[name] for name in POLICY_READ],
        dtype=np.float64,
    )


ITEM_COUNTERS = ("items", "workers_won", "concessions", "directives_adopted", "accusations",
                 "accusations_political", "expulsions")  # fmt: skip


# each column's names (None: a number), in the order of ITEM_EVENTS' columns
COLUMN_NAMES = (
    _names(*ITEM_EVENTS), None, None, ROLE_NAMES, None, ROLE_NAMES, SIDE_NAMES,
    _names("", *TOPICS), FRAME_NAMES_ALL, OUTCOME_NAMES, _names("", *CHARGES),
)  # fmt: skip


# the log's columns that run_items' integer columns fill (all but the detail), with their names
ITEM_LAYOUT = tuple(
    zip(("kind", "parent_id", "person", "role", "target", "target_role", "side", "topic", "frame",
         "outcome", "charge"),
        (None if names is None else tuple(names) for names in COLUMN_NAMES), strict=True)
)  # fmt: skip


def log_items(log, date, f: int, ib: np.ndarray, fb: np.ndarray, details: np.ndarray) -> None:
    """Add the events run_items wrote (``ib``, ``fb``) to the event log, their texts from the
    names of each column and the meeting's ``details``.
    """
    if ib.shape[0]:
        log.add_rows(
            ib[:, :DETAIL], ITEM_LAYOUT, date=date, factory=f, strength=fb,
            detail=Coded(ib[:, DETAIL], details),
        )  # fmt: skip


class ItemsContext(NamedTuple):
    """What the day's meetings share: the frames' fits (workers', management's), run_items'
    ``prm`` (:func:`item_params`), the kinds of ITEM_EVENTS left out of the log, the places of
    ITEM_COUNTERS among the day's counters and the fixed texts (:func:`fixed_details`).
    """

    fits: tuple
    prm: np.ndarray
    skip: np.ndarray
    cols: np.ndarray
    texts: list


def items_context(world, pol: dict, prm, log) -> ItemsContext:
    return ItemsContext(
        (frame_fits(pol, "workers"), frame_fits(pol, "management")),
        item_params(prm, pol),
        np.array([kind in log.skip for kind in ITEM_EVENTS], dtype=np.bool_),
        np.array([world.C[name] for name in ITEM_COUNTERS], dtype=np.int64),
        fixed_details(prm.meetings),
    )


def safety_text(worst_shop: int, per_factory: int) -> str:
    """A binding workers' win on safety: the worst shop's safety spending (every shop's if none
    is worst).
    """
    where = worst_shop % per_factory + 1 if worst_shop >= 0 else "all"
    return f"safety spending in shop {where}"


def fixed_details(mp) -> list[str]:
    """The texts of a meeting's events that do not come from its agenda: the offices (from
    D_OFFICE), a resolution not carried out (D_NOT_CARRIED), the resolutions of party business
    (D_PARTY: a personal case won and lost, admissions won and lost), of a binding workers' win
    (D_WIN, places in WIN_TEXT; the safety text, D_SAFETY, is the meeting's:
    :func:`safety_text`) and of a management win (D_LOSE, by topic), an expulsion's.
    """
    return [
        "", "director", "union_chair", "secretary",
        "resolution recorded; not carried out",
        "the charge not confirmed; the case closed",
        "the charge upheld; the decision stands",
        "admitted as proposed",
        "admitted; recommenders to answer for vigilance in admissions",
        f"norm revision paused, norms cut {mp.norm_rollback:.0%}, pay corrected "
        f"+{mp.pay_correction:.0%}",
        "",  # (D_SAFETY)
        "leniency: penalties to be applied with care for cadres",
        "directive to be implemented with the workers' amendments",
        "obligations to be met without storming or unpaid overtime",
        "management reprimanded for mismanagement",
        "tighten plan discipline; storm the backlog",
        "norms stand; the critic reprimanded for levelling attitudes",
        "workers to observe safety rules; the critic reprimanded",
        "strict application of the discipline decrees",
        "directive to be implemented as issued",
        "finding dismissed as slander; the critic reprimanded",
        "obligations raised; laggards to be named at the next meeting",
        "after accusation",
    ]  # fmt: skip


@njit(cache=True, inline="always")
def _emit(ib, fb, n, skip, eid0, kind, parent, person, role, target, trole, side, topic, frame,
          strength, outcome, charge, detail):  # fmt: skip
    """Write one event at ``n`` unless its kind is skipped; returns its id (-1: skipped) and
    the events written.
    """
    if skip[kind]:
        return -1, n
    row = ib[n]
    row[KIND], row[PARENT], row[PERSON], row[ROLE] = kind, parent, person, role
    row[TARGET], row[TROLE], row[SIDE], row[TOPIC] = target, trole, side, topic
    row[FRAME], row[OUTCOME], row[CHARGE], row[DETAIL] = frame, outcome, charge, detail
    fb[n] = strength
    return eid0 + n, n + 1


@njit(cache=True)
def resolve(f, S, topic, workers_win, binding, worst_shop, critic, F, g, phi, prm):
    """Apply what a resolution says, if it binds; returns whether it is a concession and its
    text (an index in the meeting's texts).

    A binding workers' win: grievance in the factory falls (``concession``), management
    authority too, and by topic norms are paused and cut and pay corrected (norms and pay),
    the worst shop's safety raised (every shop's with no worst), discipline eased, pay
    corrected for a control finding. A management win: authority and the will to enforce rise,
    grievance in the factory rises a little (``defeat``), the workers' lead speaker is
    reprimanded (more grievance and fear). Party business moves no factory state.
    """
    g_pulse, pay_mult, authority, will, norm_pause, norm, safety = F
    if not binding:
        return False, D_NOT_CARRIED
    if topic >= T_PERSONAL_CASE:
        return False, D_PARTY + 2 * (topic - T_PERSONAL_CASE) + (0 if workers_win else 1)
    if workers_win:
        g_pulse[f] -= 0.5 * prm[P_CONCESSION]
        if topic == T_NORMS_PAY:
            cut = 1.0 - prm[P_ROLLBACK]
            for s in range(f * S, (f + 1) * S):
                norm_pause[s] = 1
                norm[s] *= cut
            pay_mult[f] *= 1.0 + prm[P_PAY_CORRECTION]
        elif topic == T_SAFETY:
            lo, hi = (worst_shop, worst_shop + 1) if worst_shop >= 0 else (f * S, (f + 1) * S)
            for s in range(lo, hi):
                safety[s] += prm[P_SAFETY_GAIN] * (1.0 - safety[s])
        elif topic == T_DISCIPLINE:
            will[f] *= 1.0 - 0.5 * prm[P_WILL_GAIN]
        elif topic == T_PLAN or topic == T_CONTROL:  # noqa: SIM109 (compiled)
            # plan shortfall or control finding: management answerable
            pay_mult[f] *= 1.0 + (0.5 * prm[P_PAY_CORRECTION] if topic == T_CONTROL else 0.0)
        authority[f] = max(0.0, authority[f] - prm[P_AUTHORITY_LOSS])
        return True, D_WIN + WIN_TEXT[topic]
    authority[f] += prm[P_AUTHORITY_GAIN] * (1.0 - authority[f])
    will[f] += prm[P_WILL_GAIN] * (1.0 - will[f])
    g_pulse[f] += 0.2 * prm[P_DEFEAT]
    if critic >= 0:
        g[critic] = min(g[critic] + np.float32(prm[P_DEFEAT]), np.float32(prm[P_G_MAX]))
        phi[critic] = min(np.float32(1.0), phi[critic] + np.float32(0.05))
    return False, D_LOSE + topic


@njit(cache=True)
def run_items(j0, topics, cases, orients, present, P, F, here, officers, partkom_session, keys,
              day, f, S, worst_shop, deaths, prm, fits, tau, k, skip, eid0, meeting_id, today,
              cols):  # fmt: skip
    """The agenda's items from ``j0`` on, in order: for each the item's event, its speeches
    (:func:`voices`), the resolution (drawn from the balance of argument and the rank gap,
    :func:`resolve`), a directive's adoption, and the accusation the winners may bring
    (``repression.charge_code``, ``repression.accuse_core``).

    ``P`` is the person table's (pid, role, c, phi, g, party, party_since, accused,
    last_accused, state, shop), ``F`` the factory's and shops' (g_pulse, pay_mult, authority,
    will, norm_pause, norm, safety), ``prm`` the parameters (MEETING_PARAMS and the rest, P_*),
    ``today`` the factory's counters of the day (``cols``: ITEM_COUNTERS). Events are written
    column by column (:data:`ITEM_EVENTS`), their ids counted from ``eid0``.

    Returns the next item (the number of items when done), the events' columns and strengths,
    the workers' wins and the concessions, and, when an accusation ends in an arrest, the row
    arrested (-1: none), the accusation's id and the charge: the caller carries out the arrest
    and goes on from the next item.
    """
    pid, role, c, phi, g, party, party_since, accused, last_accused, state, shop = P
    authority = F[2]
    key, key_item, key_rep = keys
    secretary, chair, director = officers
    n_items = topics.shape[0]
    cap = (n_items - j0) * (k + 10)
    ib = np.zeros((cap, N_COLUMNS), dtype=np.int64)
    fb = np.full(cap, np.nan)
    n = 0
    won, conceded = 0, 0
    n_w = fits[0].shape[0]
    vig = prm[P_VIGILANCE]
    rp = prm[P_REPRESSION : P_REPRESSION + 9]
    for j in range(j0, n_items):
        topic = topics[j]
        case = cases[j]
        item_id, n = _emit(
            ib, fb, n, skip, eid0, EV_ITEM, meeting_id, -1, 0,
            np.int64(pid[case]) if case >= 0 else -1, role[case] + 1 if case >= 0 else 0,
            0, topic + 1, 0, np.nan, 0, 0, D_ITEMS + j,
        )  # fmt: skip
        today[cols[0]] += 1
        # (drawn item by item: a resolution or an accusation changes fear and roles)
        chair_speaks = topic == T_NORMS_PAY or topic == T_SAFETY  # noqa: SIM109 (compiled)
        director_speaks = topic == T_PLAN or topic == T_CONTROL  # noqa: SIM109 (compiled)
        speaks = (chair_speaks, partkom_session and director_speaks)
        v_row, v_pid, v_side, v_arg, v_frame, v_strength, sw, sm, rank_gap, lw, lm = voices(
            present, pid, role, c, phi, key, day, 1000 * (j + 1), STAKE_TABLE[topic], k,
            officers, speaks, prm[P_STANCE], prm[P_RHO], fits, tau,
        )  # fmt: skip
        for q in range(v_row.shape[0]):
            r = v_row[q]
            office = 3 if r == secretary else (2 if r == chair else (1 if r == director else 0))
            frame = 1 + (0 if v_arg[q] == WORKERS_SIDE else n_w) + v_frame[q]
            _, n = _emit(
                ib, fb, n, skip, eid0, EV_SPEECH, item_id, v_pid[q], role[r] + 1, -1, 0,
                v_side[q] + 1, topic + 1, frame, v_strength[q], 0, 0, D_OFFICE - 1 + office,
            )  # fmt: skip
        # the balance of argument, -1 (all management) .. +1 (all workers)
        balance = (sw - sm) / (sw + sm + 1e-9)
        x = prm[P_THETA_FRAME] * balance + prm[P_THETA_RANK] * rank_gap + prm[P_BIAS]
        item = f * ITEMS_PER_MEETING + j  # the item's id among items (rng.STREAMS)
        workers_win = uniform(key_item, day, item) < sigmoid(x)
        binding = uniform2(key_item, day, item, 3) < prm[P_BINDING]
        concession, text = resolve(f, S, topic, workers_win, binding, worst_shop, lw, F, g, phi,
                                   prm)  # fmt: skip
        if workers_win:
            today[cols[1]] += 1
            won += 1
        if concession:
            today[cols[2]] += 1
            conceded += 1
        winner = 1 if workers_win else 2  # (SIDE_NAMES)
        res_id, n = _emit(
            ib, fb, n, skip, eid0, EV_RESOLUTION, item_id, -1, 0, -1, 0, winner, topic + 1, 0,
            sw - sm, (1 if workers_win else 3) + (0 if binding else 1), 0, text,
        )  # fmt: skip
        s_loser = sm if workers_win else sw
        if topic == T_DIRECTIVE:
            total = sw + sm
            supports = orients[j] == winner
            # formally adopted when the winners support it or party discipline carries it
            adopted = supports or (uniform2(key_item, day, item, 5) < 0.5 + 0.5 * vig)
            gap = (s_loser / total if total > 0 else 0.5) * (0.5 if supports else 1.0)
            if not binding:
                gap = 1.0
            today[cols[3]] += adopted
            _, n = _emit(
                ib, fb, n, skip, eid0, EV_DIRECTIVE, res_id, -1, 0, -1, 0, orients[j],
                topic + 1, 0, gap, O_ADOPTED + (0 if adopted else 1), 0,
                D_ITEMS + n_items + j,
            )  # fmt: skip
        # accusations: the winners accuse the losers' lead speaker or the one answerable
        total = sw + sm + 1e-9
        heat = abs(sw - sm) / total + TOPIC_HEAT_TABLE[topic]
        if topic == T_SAFETY and deaths:
            heat += 1.0
        xa = prm[P_ACC0] + prm[P_ACC_HEAT] * heat + prm[P_ACC_VIGILANCE] * vig + prm[P_ACC_LOSS]
        if uniform2(key_item, day, item, 7) >= sigmoid(xa):
            continue
        target = lm if workers_win else lw
        answerable = topic == T_SAFETY or topic == T_PLAN or topic == T_CONTROL  # noqa: SIM109
        if workers_win and (target < 0 or answerable):
            # the foreman of the worst shop (safety) or a manager of the factory
            target = _pick_answerable(
                here, state, role, shop, FOREMAN if topic == T_SAFETY else MANAGER,
                worst_shop if topic == T_SAFETY else -1, uniform2(key_item, day, item, 11),
            )  # fmt: skip
        accuser = lw if workers_win else lm
        if target < 0 or state[target] != EMPLOYED:
            continue
        charge = charge_code(
            CHARGE_ROW[topic], SABOTAGE_ROW[topic], role[target], np.int64(accused[target]),
            vig, prm[P_BAITING], prm[P_POL0], prm[P_POL_VIGILANCE], prm[P_POL_PRIOR],
            prm[P_POL_SPECIALIST], uniform2(key_item, day, item, 8),
            uniform2(key_item, day, item, 9),
        )  # fmt: skip
        political = charge >= N_ORDINARY
        trole = role[target] + 1
        tpid = np.int64(pid[target])
        acc_id, n = _emit(
            ib, fb, n, skip, eid0, EV_ACCUSATION, res_id,
            np.int64(pid[accuser]) if accuser >= 0 else -1,
            role[accuser] + 1 if accuser >= 0 else 0, tpid, trole, 0, topic + 1, 0, np.nan, 0,
            charge + 1, 0,
        )  # fmt: skip
        today[cols[4]] += 1
        if political:
            today[cols[5]] += 1
        outcome, arrested = accuse_core(
            target, political, day, f, key_rep,
            (pid, role, party, party_since, accused, last_accused, g, phi), authority, today,
            cols[6], vig, prm[P_APPEALS], prm[P_ARREST_QUOTA], prm[P_BAITING],
            prm[P_AUTHORITY_LOSS], rp, prm[P_G_MAX],
        )  # fmt: skip
        if outcome >= 0:
            inv, n = _emit(
                ib, fb, n, skip, eid0, EV_INVESTIGATION, acc_id, -1, 0, tpid, trole, 0, 0, 0,
                np.nan, O_INVESTIGATION + outcome, charge + 1, 0,
            )  # fmt: skip
            if outcome == 0:
                _, n = _emit(
                    ib, fb, n, skip, eid0, EV_EXPULSION, inv, -1, 0, tpid, trole, 0, 0, 0,
                    np.nan, 0, charge + 1, D_AFTER_ACCUSATION,
                )  # fmt: skip
        if arrested:
            return j + 1, ib[:n], fb[:n], won, conceded, target, acc_id, charge
    return n_items, ib[:n], fb[:n], won, conceded, -1, -1, -1


@njit(cache=True)
def _pick_answerable(here, state, role, shop, want, worst_shop, u):
    """The ``int(u * n)``-th of the ``n`` employed rows of role ``want`` among ``here``, in
    row order; only those in ``worst_shop`` if it is given and has any. -1 if none.
    """
    n_all = 0
    n_shop = 0
    for r in here:
        if state[r] == EMPLOYED and role[r] == want:
            n_all += 1
            if shop[r] == worst_shop:
                n_shop += 1
    in_shop = worst_shop >= 0 and n_shop > 0
    n = n_shop if in_shop else n_all
    if n == 0:
        return -1
    target = int(u * n)
    for r in here:
        if state[r] == EMPLOYED and role[r] == want and (not in_shop or shop[r] == worst_shop):
            if target == 0:
                return r
            target -= 1
    return -1


def month_step(run, t: int) -> None:
    """The ``meetings`` step (monthly, on the 25th): every factory's party meeting."""
    day, date, pol, dim = run.day_of(t)
    run.S.day.ints[I_RECOUNT] = 1
    s, w = run.s, run.world
    pop, fac, shops = w.pop, w.fac, w.shops
    rows, bounds = group_by_factory(0, pop.n, pop.factory, pop.state, pop.party, True, fac.n)
    pay_sum = pay_short_by_factory(pop.n, pop.state, pop.factory, pop.pay_short, fac.n)
    pay_short = pay_sum / np.maximum(fac.headcount, 1)
    # (a meeting changes only its own factory's people, so the posts of all factories can
    # be filled first)
    posts = fill_posts(pop, fac)
    director, secretary, chair = (p.tolist() for p in posts)
    S = w.shops_per_factory
    acc = shops.accidents_m.reshape(fac.n, S)
    acc_sum = acc.sum(axis=1)
    states = zip(
        fac.fulfilment_last.tolist(),
        shops.norm_rose.reshape(fac.n, S).max(axis=1).tolist(),
        pay_short.tolist(),
        acc_sum.tolist(),
        shops.deaths_m.reshape(fac.n, S).sum(axis=1).tolist(),
        (fac.headcount * s.accidents.p0 * 25 * 1.5).tolist(),
        (run.S.day.month_acc[:, 0] / np.maximum(run.S.day.month_acc[:, 1], 1.0)).tolist(),
        np.where(acc_sum > 0, np.arange(fac.n) * S + np.argmax(acc, axis=1), -1).tolist(),
        strict=True,
    )
    names = ("fulfilment", "norm_rose", "pay_short", "accidents", "deaths",
             "accidents_expected", "absence_rate", "worst_shop")  # fmt: skip
    first = day - date.day + 1  # the month's first day (the party step's admissions)
    prev = (date.replace(day=1) - dt.timedelta(days=1)).replace(day=date.day)
    since = day - (date - prev).days  # the day of the last meeting
    ctx = items_context(w, pol, s, run.log)
    for f, values in enumerate(states):
        state = dict(zip(names, values, strict=True))
        sh = slice(f * S, (f + 1) * S)
        members = rows[bounds[f] : bounds[f + 1]]
        recruited, confirmed, cases = business_of(
            members, pop.factory_rows(f, fac.n), pop.party, pop.party_since, pop.state,
            pop.last_accused, first, since, day,
        )  # fmt: skip
        business = {"recruited": recruited, "confirmed": confirmed, "cases": cases.tolist()}
        hold_meeting(
            w,
            f,
            day,
            date,
            pol,
            s,
            run.keys,
            run.log,
            members,
            state,
            [(run.dates[d[0]], *d[1:]) for d in run.pending[f]],
            int(fac.findings[f]),
            (secretary[f], chair[f], director[f]),
            business,
            ctx,
        )
        run.pending[f] = []
        fac.findings[f] = 0
        shops.norm_rose[sh] = 0.0
