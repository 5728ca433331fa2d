"""Party life: recruitment, candidacy, purges, shock work and Stakhanovism.

docs/ODD.md, section 7 ("Party life"). Monthly, per person:

* Recruitment while admissions are open: ``p = recruit_rate * recruitment * exp(recruit_c (c -
  0.3) + recruit_shock shock + recruit_stakhanovite stakh)`` (capped at 0.5); the conscious,
  shock workers and Stakhanovites first (Lenin levy practice; 18th Congress, 1939).
* Candidates become members after ``candidacy_days`` while admissions are open (the 1933-36
  freeze held candidates too).
* Purges (timeline events 1929, 1933-34, 1935, 1936) screen members and candidates; the
  monthly expulsion probability is ``1 - exp(-h * days * w / mean w)`` where ``h`` makes the
  purge expel its target share over its window and ``w = 1 + purge_passive [c < 0.35] +
  purge_accused [accused] + purge_recent [in the party < 1 year]``: the passive, the accused
  and recent recruits first (Szymanski 1984; Getty 1985).
* Appeals (from the January 1938 plenum, timeline variable ``appeals``): a person expelled
  within ``appeal_window_days`` and still at work is reinstated as a member with the daily
  hazard ``reinstate_rate * appeals`` (190 of 321 expelled were reinstated in six months in
  one Moscow district in 1938; the plenum's regional figures show about 40-70 % of appeals
  upheld: data/history_sources.csv, plenum_jan_1938).
* Shock work spreads with the campaign (from Jan 1929); Stakhanovism once the campaign is
  above 0.6 (only after 31 Aug 1935 in the bundled timeline) with skill and shock status.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..maths import below_sigmoid
from ..population import CANDIDATE, EMPLOYED, EXPELLED, MEMBER, NONPARTY, ROLES, WORKER
from ..records import F_PURGE_W, I_RECOUNT, K_EXPEL
from ..rng import uniform2
from ..state import C
from .sums import IN, OUT, person_hook, shift_hook

INST_BUF = 1 << 16

STAKHANOVITE_CAMPAIGN = 0.6


@njit(cache=True)
def purge_weights(n, state, party, c, accused, party_since, day, passive, acc_w, recent_w):
    tot = 0.0
    k = 0.0
    for i in range(n):
        if state[i] == EMPLOYED and (party[i] == MEMBER or party[i] == CANDIDATE):
            w = 1.0
            if c[i] < 0.35:
                w += passive
            if accused[i] > 0:
                w += acc_w
            if day - party_since[i] < 365:
                w += recent_w
            tot += w
            k += 1.0
    return tot / k if k > 0 else 1.0


@njit(cache=True)
def party_prepare(lo, hi, t, S):
    """Before the month's party life: while a purge runs, the mean purge weight of members
    and candidates (:func:`purge_weights`); the month's sums start from zero.
    """
    P, D, pp = S.people, S.day, S.par.party
    D.floats[F_PURGE_W] = 1.0
    if S.cal.purge_h[t] > 0:
        D.floats[F_PURGE_W] = purge_weights(
            P.size[0], P.state, P.party, P.c, P.accused, P.party_since, S.cal.days[t],
            pp.purge_passive, pp.purge_accused, pp.purge_recent,
        )  # fmt: skip
    D.fac_party[:] = 0.0


@njit(cache=True, nogil=True)
def party_rows(lo, hi, t, S):
    """The ``party`` step over rows ``lo..hi``: recruitment of candidates, candidates made
    members, purge screenings (the screened expelled with a hazard weighted by passivity,
    accusations and recent admission), shock work and Stakhanovism. Expelled ids go to
    ``day.expel_buf``, their number to ``day.counts[K_EXPEL]``; recruited and expelled a
    factory to ``day.fac_party``.
    """
    P, D, pp, cal = S.people, S.day, S.par.party, S.cal
    pid, factory, role, state, party = P.pid, P.factory, P.role, P.state, P.party
    party_since, c, skill, shock, stakh, accused = (
        P.party_since,
        P.c,
        P.skill,
        P.shock,
        P.stakh,
        P.accused,
    )
    day, days = cal.days[t], cal.dims[t]
    recruitment, purge_hazard, campaign = cal.recruitment[t], cal.purge_h[t], cal.campaign[t]
    appeal_h = pp.reinstate_rate * cal.appeals[t] * days
    window = pp.appeal_window_days
    recruit_rate, recruit_c = pp.recruit_rate, pp.recruit_c
    recruit_shock, recruit_stakh = pp.recruit_shock, pp.recruit_stakhanovite
    candidacy_days = pp.candidacy_days
    passive, acc_w, recent_w = pp.purge_passive, pp.purge_accused, pp.purge_recent
    mean_w = D.floats[F_PURGE_W]
    shock0, shock_campaign, shock_c = pp.shock0, pp.shock_campaign, pp.shock_c
    stakh0, stakh_campaign, stakh_skill = pp.stakh0, pp.stakh_campaign, pp.stakh_skill
    key = S.keys.party
    fac_recruited, fac_expelled, fac_back = D.fac_party[:, 0], D.fac_party[:, 1], D.fac_party[:, 2]
    expel_buf = D.expel_buf
    k = 0
    clocks = S.par.derived.clocks
    P, sh, role_mult, par, keys = S.people, S.shops, D.role_mult, S.par, S.keys
    h_shop = P.shop
    h_pid = P.pid
    h_pay_short = P.pay_short
    h_e0 = P.e0
    h_shock = P.shock
    h_stakh = P.stakh
    h_role = P.role
    h_skill = P.skill
    h_c = P.c
    h_gx = P.gx
    h_fx = P.fx
    h_injured_until = P.injured_until
    h_absent = P.absent
    h_t_bank = P.t_bank
    h_out_m = P.out_m
    h_pay_m = P.pay_m
    h_days_m = P.days_m
    h_party = P.party
    h_village = P.village
    h_hired = P.hired
    h_t_abs = P.t_abs
    h_t_quit = P.t_quit
    h_w_abs = P.w_abs
    h_w_quit = P.w_quit
    hs_basis = sh.basis
    hs_series = sh.series
    hs_dsum = sh.dsum
    hs_xsum = sh.xsum
    hs_ext = sh.ext
    hs_base_g = sh.base_g
    hs_base_phi = sh.base_phi
    hs_level_g = sh.level_g
    hs_level_phi = sh.level_phi
    hs_clock_abs = sh.clock_abs
    hs_clock_quit = sh.clock_quit
    for i in range(lo, hi):
        if state[i] != EMPLOYED:
            continue
        p = pid[i]
        f = factory[i]
        st = party[i]
        was_shock, was_stakh = shock[i], stakh[i]
        if st == NONPARTY and recruitment > 0.0:
            x = recruit_c * (c[i] - 0.3) + recruit_shock * shock[i] + recruit_stakh * stakh[i]
            pr = min(0.5, recruit_rate * recruitment * np.exp(x))
            if uniform2(key, day, p, 1) < pr:
                party[i] = CANDIDATE
                party_since[i] = day
                fac_recruited[f] += 1.0
        elif st == CANDIDATE and recruitment > 0.0 and day - party_since[i] >= candidacy_days:
            party[i] = MEMBER
            party_since[i] = day
        elif (
            st == EXPELLED
            and appeal_h > 0.0
            and day - party_since[i] <= window
            and uniform2(key, day, p, 6) < 1.0 - np.exp(-appeal_h)
        ):
            party[i] = MEMBER
            party_since[i] = day
            fac_back[f] += 1.0
        if purge_hazard > 0.0 and (party[i] == MEMBER or party[i] == CANDIDATE):
            w = 1.0
            if c[i] < 0.35:
                w += passive
            if accused[i] > 0:
                w += acc_w
            if day - party_since[i] < 365:
                w += recent_w
            if uniform2(key, day, p, 2) < 1.0 - np.exp(-purge_hazard * days * w / mean_w):
                party[i] = EXPELLED
                party_since[i] = day  # the day of the last change of party status
                fac_expelled[f] += 1.0
                if k < expel_buf.shape[0]:
                    expel_buf[k] = p
                k += 1
        if role[i] == WORKER:
            if shock[i] == 0:
                if below_sigmoid(
                    uniform2(key, day, p, 3), shock0 + shock_campaign * campaign + shock_c * c[i]
                ):
                    shock[i] = 1
            elif uniform2(key, day, p, 4) < 0.04 + 0.06 * (1.0 - campaign):
                shock[i] = 0
            if campaign > STAKHANOVITE_CAMPAIGN and stakh[i] == 0:
                x = stakh0 + stakh_campaign * campaign + stakh_skill * skill[i] + 2.0 * shock[i]
                if below_sigmoid(uniform2(key, day, p, 5), x):
                    stakh[i] = 1
        if clocks and party[i] == st and (shock[i] != was_shock or stakh[i] != was_stakh):
            # (the shops' sums moved by the change of the worker's terms)
            shift_hook(
                i, day, np.float64(shock[i] - was_shock), np.float64(stakh[i] - was_stakh),
                h_shop, h_pid, h_pay_short, h_e0, h_shock, h_stakh, h_role, h_skill, h_c,
                h_gx, h_fx, h_injured_until, h_t_bank, h_out_m, h_pay_m, h_days_m, hs_basis,
                hs_series, hs_dsum, hs_ext, hs_base_g, hs_base_phi, role_mult, par,
            )  # fmt: skip
        elif clocks and party[i] != st:
            # (the shops' sums: out with the old terms, in with the new; the quit clock's
            # bound anew)
            now = (party[i], shock[i], stakh[i])
            party[i], shock[i], stakh[i] = st, was_shock, was_stakh
            person_hook(
                OUT,
                i,
                day,
                h_shop,
                h_pid,
                h_pay_short,
                h_e0,
                h_shock,
                h_stakh,
                h_role,
                h_skill,
                h_c,
                h_gx,
                h_fx,
                h_injured_until,
                h_absent,
                h_t_bank,
                h_out_m,
                h_pay_m,
                h_days_m,
                h_party,
                h_village,
                h_hired,
                h_t_abs,
                h_t_quit,
                h_w_abs,
                h_w_quit,
                hs_basis,
                hs_series,
                hs_dsum,
                hs_xsum,
                hs_ext,
                hs_base_g,
                hs_base_phi,
                hs_level_g,
                hs_level_phi,
                hs_clock_abs,
                hs_clock_quit,
                role_mult,
                par,
                keys,
            )
            party[i], shock[i], stakh[i] = now
            person_hook(
                IN,
                i,
                day,
                h_shop,
                h_pid,
                h_pay_short,
                h_e0,
                h_shock,
                h_stakh,
                h_role,
                h_skill,
                h_c,
                h_gx,
                h_fx,
                h_injured_until,
                h_absent,
                h_t_bank,
                h_out_m,
                h_pay_m,
                h_days_m,
                h_party,
                h_village,
                h_hired,
                h_t_abs,
                h_t_quit,
                h_w_abs,
                h_w_quit,
                hs_basis,
                hs_series,
                hs_dsum,
                hs_xsum,
                hs_ext,
                hs_base_g,
                hs_base_phi,
                hs_level_g,
                hs_level_phi,
                hs_clock_abs,
                hs_clock_quit,
                role_mult,
                par,
                keys,
            )
    D.counts[K_EXPEL] = k


def purge_hazards(purge: np.ndarray) -> np.ndarray:
    """Daily hazard per day so that each purge window expels its target share of the average
    member: ``-log(1 - share) / window length`` over each run of equal positive values.
    """
    h = np.zeros_like(purge)
    i = 0
    n = purge.shape[0]
    while i < n:
        if purge[i] <= 0:
            i += 1
            continue
        j = i
        while j < n and purge[j] == purge[i]:
            j += 1
        h[i:j] = -np.log(1.0 - min(purge[i], 0.99)) / (j - i)
        i = j
    return h


def month_close(run, t: int) -> None:
    """After the ``party`` step's rows: the month's recruits and expulsions are counted and
    the expulsions enter the event log.
    """
    date = run.dates[t]
    run.S.day.ints[I_RECOUNT] = 1
    w, D = run.world, run.S.day
    pop = w.pop
    recruited, expelled, back = D.fac_party[:, 0], D.fac_party[:, 1], D.fac_party[:, 2]
    k = int(D.counts[K_EXPEL])
    w.today[:, C["recruited"]] += recruited
    w.today[:, C["expulsions"]] += expelled
    w.today[:, C["reinstatements"]] += back
    if k:
        rows = pop.rows_of(run.S.day.expel_buf[: min(k, INST_BUF)])
        for r in rows:
            run.log.add(
                "expulsion",
                date,
                int(pop.factory[r]),
                target=int(pop.pid[r]),
                target_role=ROLES[pop.role[r]],
                detail="purge screening",
            )
