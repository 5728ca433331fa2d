"""Accusations and their consequences: investigation, reprimand, expulsion, referral, arrest,
replacement of arrested managers by promoted workers (vydvizhentsy), fear.

docs/ODD.md, section 7 ("PPO meeting", "Accusations and consequences"); the essay: "party
meetings often involving accusations of negligence, incompetence and, in the darker
mid-1930s, accusations of political unreliability and sabotage".

* Charge ladder: ``negligence``, ``incompetence``, ``bureaucratism``, ``self_seeking`` in
  ordinary times; ``political_unreliability`` and ``sabotage`` with
  ``p = sigma(pol0 + pol_vigilance vigilance + pol_prior accusations so far + pol_specialist
  specialist_baiting [target is a specialist or manager])`` (escalation with vigilance and
  against the already accused; Estevez et al. on denunciation cascades).
* A party member or candidate accused is investigated: expelled with ``sigma(expel0 +
  expel_political [political] + expel_vigilance vigilance - expel_appeals appeals)``, else
  reprimanded or cleared (from the January 1938 plenum appeals restrain expulsion).
* A political charge is referred to the political police (the OGPU until 10 July 1934, then
  the NKVD): arrest with ``sigma(arrest0 + arrest_vigilance vigilance + arrest_quota quota +
  [manager or specialist] (arrest_manager + arrest_baiting specialist_baiting))`` (Gregory,
  Schroder and Sonin 2011 on quotas). There is no threshold: the specialist-baiting of
  1928-31 (Shakhty, the Industrial Party, the Putilov arrests of June 1930) arrests too.
* The OGPU's "wrecking" cases against specialists and managers, outside any meeting: each
  month a specialist or manager is arrested with ``1 - exp(-ogpu_rate specialist_baiting
  days w)``, ``w = 1 + 3 [accused before]`` (the ``repression.ogpu`` step).
* Order 00447 background arrests: each day at full quota a person is arrested with
  ``quota_rate * (1 + 3 [accused before] + [village origin])`` (the quotas targeted former
  kulaks and "anti-Soviet elements").
* An arrest raises fear in the shop (``shop_arrest``) and factory (``factory_arrest`` per 1 %
  arrested). An arrested manager or specialist is replaced by the most conscious party worker
  by promotion one rank up, and so on down to the bench (:func:`promote_vydvizhenets`), which
  costs productivity for ``vydvizhenets_days``.
"""

from __future__ import annotations

import datetime as _dt
import math

import numpy as np
from numba import njit

from ..maths import sigmoid
from ..population import (
    ARRESTED,
    CANDIDATE,
    EMPLOYED,
    EXPELLED,
    MANAGER,
    MEMBER,
    ROLES,
    SPECIALIST,
    WORKER,
)
from ..records import K_ARREST
from ..rng import uniform, uniform2
from ..state import C_ARRESTS, C_MANAGER_ARRESTS
from ..state import C as _C
from ..stocks import count_leaver, count_promotion
from .sums import IN, LEAVE, OUT, person_hook_state

C_MANAGEMENT_TURNOVER = _C["management_turnover"]

# the NKVD of the USSR took over the OGPU on 10 July 1934 (data/history_sources.csv)
NKVD_FROM = _dt.date(1934, 7, 10)


def police(date) -> str:
    """The political police on ``date``: the OGPU, from 10 July 1934 the NKVD."""
    return "NKVD" if date >= NKVD_FROM else "OGPU"


ORDINARY = ("negligence", "incompetence", "bureaucratism", "self_seeking")
POLITICAL = ("political_unreliability", "sabotage")
N_ORDINARY = len(ORDINARY)  # a charge's index in CHARGES: political from here
CHARGES = ORDINARY + POLITICAL

# Which ordinary charge fits which agenda topic (weights over ORDINARY).
_ORDINARY_BY_TOPIC = {
    "plan": (0.3, 0.5, 0.1, 0.1),
    "norms_pay": (0.2, 0.2, 0.3, 0.3),
    "safety": (0.7, 0.2, 0.1, 0.0),
    "discipline": (0.6, 0.1, 0.1, 0.2),
    "directive": (0.2, 0.3, 0.4, 0.1),
    "control_finding": (0.2, 0.1, 0.4, 0.3),
}


# (the same weights as an array, rows in the order of _ORDINARY_BY_TOPIC's topics, for the
# compiled accusation; a topic without weights draws the four charges alike)
ORDINARY_TOPICS = tuple(_ORDINARY_BY_TOPIC)
ORDINARY_WEIGHTS = np.array(
    [_ORDINARY_BY_TOPIC[t] for t in ORDINARY_TOPICS] + [(0.25, 0.25, 0.25, 0.25)]
)
SABOTAGE_TOPICS = ("plan", "safety", "control_finding")


def choose_charge(
    topic: str,
    target_role: int,
    prior: int,
    vigilance: float,
    baiting: float,
    p,
    u1: float,
    u2: float,
) -> str:
    """The charge an accuser brings (two uniforms decide: political or not, which one)."""
    t = ORDINARY_TOPICS.index(topic) if topic in _ORDINARY_BY_TOPIC else len(ORDINARY_TOPICS)
    return CHARGES[
        charge_code(
            t, topic in SABOTAGE_TOPICS, int(target_role), int(prior), float(vigilance),
            float(baiting), p.pol0, p.pol_vigilance, p.pol_prior, p.pol_specialist, u1, u2,
        )
    ]  # fmt: skip


@njit(cache=True)
def charge_code(topic, sabotage_topic, target_role, prior, vigilance, baiting, pol0,
                pol_vigilance, pol_prior, pol_specialist, u1, u2):  # fmt: skip
    """:func:`choose_charge` on codes: the index in CHARGES of the charge, for ``topic`` (a row
    of ORDINARY_WEIGHTS) and ``sabotage_topic`` (whether the topic is one of SABOTAGE_TOPICS).
    """
    elite = target_role == MANAGER or target_role == SPECIALIST  # noqa: SIM109 (compiled)
    x = pol0 + pol_vigilance * vigilance + pol_prior * prior + pol_specialist * baiting * elite
    if u1 < 1.0 / (1.0 + math.exp(-x)):
        # sabotage ("wrecking") is the charge for those answerable for output and safety
        saboteur = elite or target_role == 1
        sab = 0.6 if (saboteur and sabotage_topic) else 0.25
        return N_ORDINARY + (1 if u2 < sab else 0)
    # the ordinary charge with the topic's weights: the first whose cumulative weight
    # exceeds u2 times the total
    w = ORDINARY_WEIGHTS[topic]
    cum = np.empty(4)
    acc = 0.0
    for i in range(4):
        acc += w[i]
        cum[i] = acc
    t = u2 * cum[3]
    k = 0
    for i in range(4):
        k += cum[i] <= t
    return min(k, 3)


# an investigation's outcomes, by code (meetings.OUTCOME_NAMES ends with them)
OUTCOMES_INVESTIGATION = ("expelled", "reprimanded", "cleared")


@njit(cache=True)
def accuse_core(row, political, day, f, key, P, fac_authority, today, c_expulsions,
                vigilance, appeals, arrest_quota, baiting, authority_loss, rp, g_max):  # fmt: skip
    """An accusation's consequences for ``row``: the person's count of accusations and day of
    the last, grievance (up to the scenario's ceiling ``g_max``) and fear; for a party member or
    candidate the investigation (expelled, reprimanded or cleared; an expulsion counted in
    ``today[c_expulsions]``), for a political charge the draw of the referral's arrest. The
    day's counts of accusations are the caller's.

    ``P`` is (pid, role, party, party_since, accused, last_accused, g, phi); ``rp`` the
    repression parameters (expel0, expel_political, expel_vigilance, expel_appeals, arrest0,
    arrest_vigilance, arrest_quota, arrest_manager, arrest_baiting). Returns the investigation's
    outcome (an index in OUTCOMES_INVESTIGATION, -1: none) and whether the person is arrested
    (which :func:`arrest` then carries out).
    """
    pid, role, party, party_since, accused, last_accused, g, phi = P
    accused[row] += 1
    last_accused[row] = day
    g[row] = min(g[row] + np.float32(0.2), np.float32(g_max))
    phi[row] = min(np.float32(1.0), phi[row] + np.float32(0.1))
    target_pid = np.int64(pid[row])
    outcome = -1
    if party[row] == MEMBER or party[row] == CANDIDATE:
        x = rp[0] + rp[1] * political + rp[2] * vigilance - rp[3] * appeals
        u = uniform2(key, day, target_pid, 1 + np.int64(accused[row]))
        if u < sigmoid(x):
            outcome = 0
        elif u < sigmoid(x) + 0.5 * (1 - sigmoid(x)):
            outcome = 1
        else:
            outcome = 2
        if outcome == 0:
            party[row] = EXPELLED
            party_since[row] = day  # the day of the last change of party status
            today[c_expulsions] += 1
        elif outcome == 1 and role[row] == MANAGER:
            fac_authority[f] = max(0.0, fac_authority[f] - 0.5 * authority_loss)
    arrested = False
    if political:
        elite = role[row] == MANAGER or role[row] == SPECIALIST  # noqa: SIM109 (compiled)
        x = rp[4] + rp[5] * vigilance + rp[6] * arrest_quota + elite * (rp[7] + rp[8] * baiting)
        arrested = uniform2(key, day, target_pid, 50 + np.int64(accused[row])) < sigmoid(x)
    return outcome, arrested


REPRESSION_PARAMS = (
    "expel0", "expel_political", "expel_vigilance", "expel_appeals", "arrest0",
    "arrest_vigilance", "arrest_quota", "arrest_manager", "arrest_baiting",
)  # fmt: skip


def arrest(
    world, row: int, f: int, day: int, date, prm, keys, log, parent: int, charge: str
) -> None:
    """Arrest a person: leaves employment; fear rises; a manager is replaced."""
    pop = world.pop
    if pop.state[row] != EMPLOYED:
        return
    if world.person_hook is not None:  # (the shops' sums, with the clocks)
        world.person_hook(LEAVE, row, day)
    pop.state[row] = ARRESTED
    pop.left[row] = day
    world.today[f, C_ARRESTS] += 1
    role = int(pop.role[row])
    log.add(
        "arrest",
        date,
        f,
        parent=parent,
        target=int(pop.pid[row]),
        target_role=ROLES[role],
        charge=charge,
        detail=police(date),
    )
    spread_fear(world, int(pop.shop[row]), f, 1, prm)
    if role in (MANAGER, SPECIALIST):
        world.today[f, C_MANAGER_ARRESTS] += role == MANAGER
        world.today[f, world.C["management_turnover"]] += 1
        promote_vydvizhenets(world, f, role, day, date, prm, log, parent)


def spread_fear(world, shop: int, f: int, arrests: int, prm) -> None:
    fp = prm.fear
    world.shops.fear_pulse[shop] += fp.shop_arrest * arrests
    head = max(world.fac.headcount[f], 1.0)
    world.fac.fear_pulse[f] += fp.factory_arrest * arrests / head


def promote_vydvizhenets(
    world, f: int, role: int, day: int, date, prm, log, parent: int, leavers=None
) -> int:
    """Fill a post of ``role`` vacated in factory ``f`` by promotion one rank up, and the
    post so vacated in turn, down to the bench (a chain of promotions).

    A manager's post goes to a specialist (party members first, then the most skilled: at the
    Kirov works the chief engineer became director in 1938), a specialist's to the most
    skilled foreman, a foreman's to the most conscious party worker (the vydvizhenets), or the
    most skilled worker where the factory has no party worker. No one jumps from the bench to
    management in a day: it took Zaltsman five years, foreman to director (data/
    history_sources.csv, vydvizhentsy_directors). ``leavers`` (the day's stock corrections)
    gets each move when given. Returns the row promoted into ``role``, -1 if none.
    """
    pop = world.pop
    here = pop.factory_rows(f, world.fac.n)
    here = here[pop.state[here] == EMPLOYED]
    first = -1
    vacated = role
    while vacated > WORKER:
        src = vacated - 1
        pool = here[pop.role[here] == src]
        if pool.size == 0:
            break
        members = pool[pop.party[pool] == MEMBER]
        if vacated == MANAGER or src == WORKER:
            pool = members if members.size else pool
        if src == WORKER and members.size:
            score = pop.c[pool] + 1e-6 * pop.skill[pool]
        else:
            score = pop.skill[pool] + 1e-6 * pop.c[pool]
        row = int(pool[np.argmax(score)])
        if world.person_hook is not None:  # (the shops' sums, with the clocks)
            world.person_hook(OUT, row, day)
        pop.role[row] = vacated
        if world.person_hook is not None:
            world.person_hook(IN, row, day)
        world.today[f, world.C["promotions"]] += 1
        if leavers is not None:
            count_promotion(leavers, f, src, vacated)
        log.add(
            "promotion",
            date,
            f,
            parent=parent,
            person=int(pop.pid[row]),
            role=ROLES[src],
            target=int(pop.pid[row]),
            target_role=ROLES[vacated],
            detail="vydvizhenets" if src == WORKER else "promoted",
        )
        if first < 0:
            first = row
        vacated = src
    if first >= 0:
        rp = prm.repression
        world.fac.vydv_penalty[f] += rp.vydvizhenets_penalty / max(
            world.fac.headcount[f] * 0.03, 1.0
        )
    return first


@njit(cache=True, inline="always")
def _take(S, i, k, day):
    """Arrest row ``i`` today: it leaves employment, is counted as an arrest and a leaver of
    its factory, and goes to ``day.arrest_buf[k]`` (while there is room); returns ``k + 1``.
    """
    P, D = S.people, S.day
    f = P.factory[i]
    person_hook_state(S, LEAVE, i, day)  # (the shops' sums, with the clocks)
    P.state[i] = ARRESTED
    P.left[i] = day
    D.today[f, C_ARRESTS] += 1.0
    count_leaver(D.leavers, f, P.role[i], P.party[i], P.shock[i], P.stakh[i], P.inst[i])
    if k < D.arrest_buf.shape[0]:
        D.arrest_buf[k] = i
    return k + 1


@njit(cache=True, nogil=True)
def quota_rows(lo, hi, t, S):
    """The ``repression.quota`` step over rows ``lo..hi``: Order 00447's background arrests
    of the day (``repression.quota_rate`` times the day's ``arrest_quota``, three times more
    for the accused, more for village newcomers); arrested rows go to ``day.arrest_buf``,
    their number to ``day.counts[K_ARREST]``. The arrested are counted in
    ``day.leavers[factory]`` (``record.count_leaver``).
    """
    P = S.people
    pid, village, accused, state = P.pid, P.village, P.accused, P.state
    day = S.cal.days[t]
    rate = S.par.repression.quota_rate * S.cal.arrest_quota[t]
    key = S.keys.quota
    k = 0
    for i in range(lo, hi):
        if state[i] != EMPLOYED:
            continue
        w = 1.0 + (3.0 if accused[i] > 0 else 0.0) + village[i]
        if uniform(key, day, pid[i]) < rate * w:
            k = _take(S, i, k, day)
    S.day.counts[K_ARREST] = k


@njit(cache=True, nogil=True)
def ogpu_rows(lo, hi, t, S):
    """The ``repression.ogpu`` step over rows ``lo..hi``: the month's "wrecking" arrests of
    specialists and managers while they are baited (``ogpu_rate * specialist_baiting`` a
    day, three times more for the accused). Arrested rows go to ``day.arrest_buf``, their
    number to ``day.counts[K_ARREST]``; they are counted in ``day.leavers[factory]``.
    """
    P = S.people
    pid, role, accused, state = P.pid, P.role, P.accused, P.state
    day = S.cal.days[t]
    h = S.par.repression.ogpu_rate * S.cal.specialist_baiting[t] * S.cal.dims[t]
    key = S.keys.ogpu
    k = 0
    for i in range(lo, hi):
        if state[i] != EMPLOYED or role[i] < SPECIALIST:
            continue
        w = 1.0 + (3.0 if accused[i] > 0 else 0.0)
        if uniform(key, day, pid[i]) < 1.0 - math.exp(-h * w):
            k = _take(S, i, k, day)
    S.day.counts[K_ARREST] = k


def ogpu_consequences(run, t: int) -> None:
    """After the ``repression.ogpu`` step: the arrests enter the event log as the political
    police's cases; fear; promotions into the vacated posts.
    """
    _consequences(run, t, f"{police(run.dates[t])}: wrecking case")


def quota_consequences(run, t: int) -> None:
    """After the ``repression.quota`` step: each arrest enters the event log and frightens
    its shop and factory; an arrested manager or specialist is replaced by promotion
    (:func:`promote_vydvizhenets`).
    """
    _consequences(run, t, "mass operation (Order 00447)")


def _consequences(run, t: int, detail: str) -> None:
    s, w, D = run.s, run.world, run.S.day
    pop = w.pop
    day, date = run.days[t], run.dates[t]
    k = int(D.counts[K_ARREST])
    for r in D.arrest_buf[: min(k, D.arrest_buf.shape[0])]:
        f = int(pop.factory[r])
        run.log.add(
            "arrest",
            date,
            f,
            target=int(pop.pid[r]),
            target_role=ROLES[pop.role[r]],
            detail=detail,
        )
        spread_fear(w, int(pop.shop[r]), f, 1, s)
        if pop.role[r] in (MANAGER, SPECIALIST):
            w.today[f, C_MANAGER_ARRESTS] += pop.role[r] == MANAGER
            w.today[f, C_MANAGEMENT_TURNOVER] += 1
            role = int(pop.role[r])
            promote_vydvizhenets(w, f, role, day, date, s, run.log, -1, D.leavers)
