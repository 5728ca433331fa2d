"""The working day's rows: labour and production for every employed person, in one kernel.

docs/ODD.md, section 7 ("Absence", "Grievance and fear", "Quits", "Effort, storming and
output", "Accidents", "Pay"), and section 12 for the one-pass form.

:func:`day_rows` holds both steps' rules for one person: labour (grievance and fear drift,
absence with dismissal or prosecution, quitting; the terms are in ``labour``) and production
(effort, output, piece-rate pay, accidents; the terms are in ``production``). The plan's steps
run it as

* :func:`labour_rows`: labour only (the ``labour`` step);
* :func:`production_rows` and :func:`production_hired`: production only, over the rows of the
  day's start and then over the rows hiring added (the ``production`` step);
* :func:`workday_rows`: both, each person's labour then, if still employed, their working
  day, in one pass.

The plan runs labour, then hiring, then production. Hiring only appends rows and reads today's
leavers; production's day-wide preparation reads nothing labour or hiring writes. So on a day
when nothing but hiring and the log of the 1940 decree's prosecutions runs between them
(``plan.FUSE_BETWEEN``), the engine takes :func:`workday_rows` over the rows of
the day's start, then hiring, then :func:`production_hired` over the rows hiring added: every
sum is added in the same row order as by the two passes, so the results are the same to the
last bit. The day's deaths, which the two passes count among the leavers only after hiring,
wait in ``day.leavers_late`` until production's place in the plan (:func:`add_late_leavers`).

One kernel rather than two loops and a third for both: the rules are written once, and the
arrays are taken out of the state once per call (compiled helpers that receive them per person
cost Numba's reference counting on every row: 15 times slower, measured).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ..maths import below_sigmoid
from ..population import CANDIDATE, DEAD, DISMISSED, EMPLOYED, MEMBER, NO_INDEX, QUIT, WORKER
from ..records import K_ACC, K_PROS
from ..rng import uniform, uniform2
from ..state import (
    C_ABSENT,
    C_ACCIDENTS,
    C_DEATHS,
    C_DISMISSALS,
    C_NORM_HOURS,
    C_OUTPUT,
    C_PAY,
    C_PROS_ABS,
    C_PROS_QUIT,
    C_QUITS,
    C_SCHEDULED,
    C_WORKDAYS,
)
from ..stocks import count_leaver, load_day_sums, store_day_sums
from ..sync import cpu_yield, cycles, load_acquire, store_release
from .labour import absence_caps, absence_logit, is_scheduled, log_tenure, quit_caps
from .production import supply_factor

# which side of the pipelined day a call of day_rows is (workday_pipelined)
ALONE, AHEAD, BEHIND = 0, 1, 2
PIPE_STEP = 256  # labour publishes its progress every this many rows
# the pipe array (``passes.Passes.pipe``, made by :func:`new_pipe`): the smallest table
# pipelined (-1: none); the days pipelined; the days left before the pipeline is tried again;
# the days the one pass ran alone while resting; the pipeline's strikes in a row; the latest
# pipelined day's cycles and its day; then, 64 bytes on, labour's progress and its cycles
# (written by labour during the pass; nothing else is written then)
PIPE_FROM, PIPED, RESTING, SOLO, STRIKES, PASS_CYCLES, LAST_T = range(7)
PROGRESS, LABOUR_CYCLES = 8, 9
NO_PIPE = np.zeros(LABOUR_CYCLES + 1, dtype=np.int64)  # the pipe argument of the calls alone
# production spins this many reads of labour's progress (about 10-20 us) before it starts
# giving its core away: on a quiet machine it never waits that long
SPINS = 10_000
# a pipelined day that took more than STRIKE_RATIO times labour's own time after a pipelined
# day, or more than WAKE_RATIO times after other days, is a strike: the next REST_DAYS *
# 2**(strikes in a row before it, at most 7) days go as the one pass. On a quiet machine the
# day takes 1.3-1.5 times labour's time; both sides one after the other take about 2.2 times;
# a thread that waits for the scheduler (the machine's other work has a core) takes
# milliseconds. The first pipelined day after others may also pay for waking the second
# thread: on kirov, quiet, 138 such days a run, all under 5 times (one over 20 in a run that
# was compiling); with a busy process beside the run, 27 of 31 such days over 5 times and 21
# over 20
STRIKE_RATIO = 5
WAKE_RATIO = 20
REST_DAYS = 10


def new_pipe(pipe_from: int) -> np.ndarray:
    """A pipe array with nothing counted yet: pipelined from ``pipe_from`` rows (-1: never)."""
    pipe = np.zeros(LABOUR_CYCLES + 1, dtype=np.int64)
    pipe[PIPE_FROM] = pipe_from
    pipe[LAST_T] = -2  # no pipelined day yet
    return pipe


@njit(cache=True, inline="always")
def _wait_past(pipe, i):
    """Labour's published progress once it is past row ``i`` (spinning, then yielding)."""
    spins = 0
    while True:
        ready = load_acquire(pipe, PROGRESS)
        if ready > i:
            return ready
        spins += 1
        if spins >= SPINS:
            cpu_yield()


@njit(cache=True, inline="always")
def _store_sums(
    do_labour, do_production, today, fac_output_m, day_stocks, f, sched, out, workdays,
    norm_hours, pay, fac_out, hc, inj, gs, ps, cs,
):  # fmt: skip
    """Write factory ``f``'s running sums back (see :func:`day_rows`): labour's scheduled
    count, production's output, working days, norm hours, pay, month's output and end-of-day
    stocks.
    """
    if do_labour:
        today[f, C_SCHEDULED] = sched
    if do_production:
        today[f, C_OUTPUT] = out
        today[f, C_WORKDAYS] = workdays
        today[f, C_NORM_HOURS] = norm_hours
        today[f, C_PAY] = pay
        fac_output_m[f] = fac_out
        store_day_sums(day_stocks, f, hc, inj, gs, ps, cs)


# (NumPy's error model skips the check for a division by zero on every division; where the
# default model would not stop with an error, the results are the same)
@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def day_rows(lo, hi, t, S, do_labour, do_production, deaths, n_acc, pipe, side):
    """Labour (``do_labour``) and production (``do_production``) for the employed people of
    rows ``lo..hi`` on day ``t``; the callers pass the two flags and ``side`` as constants.

    ``side`` is :data:`ALONE` but in the pipelined day (:func:`workday_pipelined`): there
    labour (:data:`AHEAD`) publishes in ``pipe[PROGRESS]`` how many rows it has finished, every
    :data:`PIPE_STEP` rows and at the end, and production (:data:`BEHIND`) waits for a row to
    be published before it takes it.

    Labour: counts go to ``today[factory, counter]``; prosecutions under the 1940 decree to
    ``day.pros_buf`` as (row, kind 0 absence / 1 quitting), their number to
    ``day.counts[K_PROS]``; dismissed and quitting people are counted in ``day.leavers``.

    Production: accidents go to ``day.acc_buf`` (id, shop, injury length; -1 a death) from
    place ``n_acc`` on, their number to ``day.counts[K_ACC]``; the dead are counted in
    ``deaths`` (``day.leavers``, or ``day.leavers_late`` in the one-pass form).
    ``day.shop_employed`` receives each shop's employees at the end of the day (after deaths)
    and ``day.day_stocks`` the end-of-day headcount, injured and the sums of grievance, fear
    and consciousness per factory, in the columns of ``record.STOCKS`` (the others stay zero),
    added in row order as ``record.stocks_by_factory`` adds them; the caller clears them.
    """
    P, sh, fa, D, cal = S.people, S.shops, S.fac, S.day, S.cal
    ab, tv, gr, fe = S.par.absence, S.par.turnover, S.par.grievance, S.par.fear
    pr, ac, py = S.par.production, S.par.accidents, S.par.pay
    pid, factory, shop, hired, village, party = (
        P.pid,
        P.factory,
        P.shop,
        P.hired,
        P.village,
        P.party,
    )
    g, phi, state, left, injured_until, absent = (
        P.g,
        P.phi,
        P.state,
        P.left,
        P.injured_until,
        P.absent,
    )
    pay_short, prosecuted, role, shock, stakh, inst = (
        P.pay_short,
        P.prosecuted,
        P.role,
        P.shock,
        P.stakh,
        P.inst,
    )
    skill, c, e0, effort = P.skill, P.c, P.e0, P.effort
    out_m, pay_m, days_m = P.out_m, P.pay_m, P.days_m
    shop_g_pulse, shop_fear_pulse, shop_clash = sh.g_pulse, sh.fear_pulse, sh.clash
    fac_g_pulse, fac_fear_pulse, fac_will, fac_tight = fa.g_pulse, fa.fear_pulse, fa.will, D.tight
    shop_norm, shop_A, shop_effort_prev = sh.norm, sh.A, sh.effort_prev
    shop_effort_sum, shop_effort_n, shop_safety = sh.effort_sum, sh.effort_n, sh.safety
    shop_accidents_m, shop_deaths_m, shop_out_q, shop_normhours_q = (
        sh.accidents_m,
        sh.deaths_m,
        sh.out_q,
        sh.normhours_q,
    )
    fac_storm, fac_disruption, fac_pay_mult, fac_output_m = (
        fa.storm,
        fa.disruption,
        fa.pay_mult,
        fa.output_m,
    )
    today, leavers, pros_buf = D.today, D.leavers, D.pros_buf
    accident_buf, shop_employed = D.acc_buf, D.shop_employed
    day_stocks, role_mult = D.day_stocks, D.role_mult
    day = cal.days[t]
    cal_code = cal.cal_code[t]
    common_workday = cal.common[t]
    # labour's day
    absence_penalty = cal.absence_penalty[t]
    quit_penalty = cal.quit_penalty[t]
    prosecution = cal.prosecution[t]
    a0, a_g, a_E, a_phi = ab.a0, ab.a_grievance, ab.a_enforcement, ab.a_fear
    a_v, a_clash, dismiss_p, prosecute_p = ab.a_village, ab.a_clash, ab.dismiss_p, ab.prosecute_p
    prosecute_quit_p = ab.prosecute_quit_p
    g_decay, g_pay, g_max, phi_decay = gr.decay, gr.pay_gap, gr.g_max, fe.decay
    q0, q_g, q_m, q_L = tv.q0, tv.q_grievance, tv.q_tightness, tv.q_penalty
    q_t, q_p, q_v = tv.q_tenure, tv.q_party, tv.q_village
    key_absence, key_quit = S.keys.absence, S.keys.quit
    quit_cap = quit_caps(fac_tight, quit_penalty, g_max, q0, q_g, q_m, q_L, q_t, q_p, q_v)
    abs_cap = absence_caps(
        fac_will, shop_clash, absence_penalty, g_max, a0, a_g, a_E, a_phi, a_v, a_clash
    )
    # production's day
    hours = cal.hours[t]
    supply = supply_factor(cal.doms[t], pr.supply_lag)
    campaign = cal.campaign[t]
    tariff = py.tariff * cal.wage_index[t]
    stakh_pay_bonus = py.stakhanovite_bonus
    b_campaign, b_peer, b_grievance, e_max = pr.b_campaign, pr.b_peer, pr.b_grievance, pr.e_max
    shock_bonus, stakh_bonus = pr.shock_bonus, pr.stakhanovite_bonus
    p0, k_acc, e_safe, storm_factor = ac.p0, ac.k, ac.e_safe, ac.storm_factor
    injury_days, death_share = ac.injury_days, ac.death_share
    key_acc = S.keys.accidents
    exp_max = max(1.0, np.exp(k_acc * max(0.0, e_max - e_safe)))
    k = 0
    # running sums of the current factory's counters (rows of a factory are mostly adjacent):
    # loaded when the factory changes and written back, so the additions are the same
    cur = NO_INDEX
    sched = 0.0
    t_out = t_wd = t_nh = t_pay = f_out = 0.0
    hc = inj = gs = ps = cs = 0.0  # end-of-day sums (record.load_day_sums)
    published = lo  # (ahead) the rows published so far
    ready = lo  # (behind) the rows known to be published
    for i in range(lo, hi):
        if side == AHEAD:
            if i - published >= PIPE_STEP:
                store_release(pipe, PROGRESS, i)
                published = i
        elif side == BEHIND and ready <= i:
            ready = _wait_past(pipe, i)
        if state[i] != EMPLOYED:
            if do_production:
                effort[i] = 0.0
            continue
        f = np.uint64(factory[i])  # unsigned: lookups skip the negative-index wrap
        s = np.uint64(shop[i])
        p_id = pid[i]
        if f != cur:
            if cur != NO_INDEX:
                _store_sums(
                    do_labour, do_production, today, fac_output_m, day_stocks, cur, sched,
                    t_out, t_wd, t_nh, t_pay, f_out, hc, inj, gs, ps, cs,
                )  # fmt: skip
            cur = f
            if do_labour:
                sched = today[f, C_SCHEDULED]
            if do_production:
                t_out = today[f, C_OUTPUT]
                t_wd = today[f, C_WORKDAYS]
                t_nh = today[f, C_NORM_HOURS]
                t_pay = today[f, C_PAY]
                f_out = fac_output_m[f]
                hc, inj, gs, ps, cs = load_day_sums(day_stocks, f)
        if do_labour:
            # grievance and fear drift (pulses come from yesterday's accidents, arrests,
            # meetings)
            gi = g[i] * (1.0 - g_decay) + g_pay * pay_short[i] + shop_g_pulse[s] + fac_g_pulse[f]
            g[i] = min(max(gi, 0.0), g_max)
            fi = phi[i] * (1.0 - phi_decay) + shop_fear_pulse[s] + fac_fear_pulse[f]
            phi[i] = min(max(fi, 0.0), 1.0)
            absent[i] = 0
            if injured_until[i] <= day and is_scheduled(cal_code, common_workday, day, p_id):
                sched += 1.0
                u_abs = uniform(key_absence, day, p_id)
                # (at or above the factory's cap no one is absent today: no logit needed)
                if u_abs < abs_cap[f] and below_sigmoid(
                    u_abs,
                    absence_logit(
                        a0, a_g, a_E, a_phi, a_v, a_clash, g[i], absence_penalty * fac_will[f],
                        phi[i], village[i], shop_clash[s],
                    ),
                ):  # fmt: skip
                    absent[i] = 1
                    today[f, C_ABSENT] += 1.0
                    if prosecution > 0.5:
                        # decree of 26 June 1940: corrective labour, pay withheld; stays
                        # employed
                        if uniform2(key_absence, day, p_id, 1) < prosecute_p * fac_will[f]:
                            prosecuted[i] += 1
                            today[f, C_PROS_ABS] += 1.0
                            if k < pros_buf.shape[0]:
                                pros_buf[k, 0] = i
                                pros_buf[k, 1] = 0
                            k += 1
                    elif (
                        uniform2(key_absence, day, p_id, 2)
                        < dismiss_p * absence_penalty * fac_will[f]
                    ):
                        # decree of 15 Nov 1932: one day's absence, dismissal
                        state[i] = DISMISSED
                        left[i] = day
                        today[f, C_DISMISSALS] += 1.0
                        count_leaver(leavers, f, role[i], party[i], shock[i], stakh[i], inst[i])
                        if do_production:
                            effort[i] = 0.0
                        continue
            u_quit = uniform(key_quit, day, p_id)
            # (at or above the factory's highest possible quit probability today: no logit)
            if u_quit < quit_cap[f]:
                is_party = 1.0 if (party[i] == MEMBER or party[i] == CANDIDATE) else 0.0
                xq = (
                    q0
                    + q_g * g[i]
                    + q_m * fac_tight[f]
                    - q_L * quit_penalty
                    - q_t * log_tenure(day - hired[i])
                    - q_p * is_party
                    + q_v * village[i]
                )
                if below_sigmoid(u_quit, xq):
                    state[i] = QUIT
                    left[i] = day
                    today[f, C_QUITS] += 1.0
                    count_leaver(leavers, f, role[i], party[i], shock[i], stakh[i], inst[i])
                    if prosecution > 0.5 and uniform2(key_quit, day, p_id, 1) < prosecute_quit_p:
                        prosecuted[i] += 1
                        today[f, C_PROS_QUIT] += 1.0
                        if k < pros_buf.shape[0]:
                            pros_buf[k, 0] = i
                            pros_buf[k, 1] = 1
                        k += 1
                    if do_production:
                        effort[i] = 0.0
                    continue
        if not do_production:
            continue
        shop_employed[s] += 1.0
        if (
            absent[i]
            or injured_until[i] > day
            or not is_scheduled(cal_code, common_workday, day, p_id)
        ):
            effort[i] = 0.0
        else:
            base = e0[i] + shock_bonus * shock[i] + stakh_bonus * stakh[i]
            e = (
                base
                + b_campaign * campaign * c[i]
                + b_peer * (shop_effort_prev[s] - base)
                - b_grievance * g[i]
                + fac_storm[f]
            )
            e = min(max(e, 0.0), e_max)
            effort[i] = e
            shop_effort_sum[s] += e
            shop_effort_n[s] += 1.0
            # workers make the product; foremen, specialists and managers organise it
            out = 0.0
            if role[i] == WORKER:
                out = skill[i] * e * shop_A[s] * hours * (1.0 - fac_disruption[f]) * supply
            out_m[i] += out
            days_m[i] += 1
            shop_out_q[s] += out
            nh = shop_norm[s] * hours
            f_out += out
            t_out += out
            t_wd += 1.0
            if role[i] == WORKER:
                shop_normhours_q[s] += nh
                t_nh += nh
                pay = tariff * fac_pay_mult[f] * out / nh * (1.0 + stakh_pay_bonus * stakh[i])
            else:
                pay = tariff * role_mult[np.uint64(role[i])]
            pay_m[i] += pay
            t_pay += pay
            # accidents: fast, tired and storming work is dangerous; safety spending protects.
            # The hazard at the highest effort bounds every hazard of the shop (exp is
            # increasing), so most draws are decided without the person's own exp.
            u_acc = uniform(key_acc, day, p_id)
            safety = 1.0 - shop_safety[s]
            storm = 1.0 + storm_factor * fac_storm[f]
            if u_acc < p0 * exp_max * safety * storm:
                p_acc = p0 * np.exp(k_acc * max(0.0, e - e_safe)) * safety * storm
                if u_acc < p_acc:
                    today[f, C_ACCIDENTS] += 1.0
                    shop_accidents_m[s] += 1.0
                    u = uniform2(key_acc, day, p_id, 1)
                    # geometric injury length with the given mean
                    length = 1 + int(np.log(1.0 - u) / np.log(1.0 - 1.0 / injury_days))
                    injured_until[i] = day + 1 + length
                    j = n_acc  # this accident's place in the buffer
                    n_acc += 1
                    if j < accident_buf.shape[0]:
                        accident_buf[j, 0] = p_id
                        accident_buf[j, 1] = s
                        accident_buf[j, 2] = length
                    if uniform2(key_acc, day, p_id, 2) < death_share:
                        state[i] = DEAD
                        left[i] = day
                        shop_employed[s] -= 1.0
                        today[f, C_DEATHS] += 1.0
                        count_leaver(deaths, f, role[i], party[i], shock[i], stakh[i], inst[i])
                        shop_deaths_m[s] += 1.0
                        if j < accident_buf.shape[0]:
                            accident_buf[j, 2] = -1
                        continue  # the dead are not among the day's stocks
        # everyone still employed at the end of the day, summed as the record sums them
        hc += 1.0
        inj += injured_until[i] > day
        gs += g[i]
        ps += phi[i]
        cs += c[i]
    if cur != NO_INDEX:
        _store_sums(
            do_labour, do_production, today, fac_output_m, day_stocks, cur, sched, t_out, t_wd,
            t_nh, t_pay, f_out, hc, inj, gs, ps, cs,
        )  # fmt: skip
    if do_labour:
        D.counts[K_PROS] = k
    if do_production:
        D.counts[K_ACC] = n_acc
    if side == AHEAD:
        store_release(pipe, PROGRESS, hi)


@njit(cache=True, nogil=True, error_model="numpy")
def labour_rows(lo, hi, t, S):
    """The ``labour`` step over rows ``lo..hi``: one day of labour for every employed person
    (:func:`day_rows`).
    """
    day_rows(lo, hi, t, S, True, False, S.day.leavers, 0, NO_PIPE, ALONE)


@njit(cache=True, nogil=True, error_model="numpy")
def production_rows(lo, hi, t, S):
    """The ``production`` step over rows ``lo..hi`` of the day's start: one working day for
    every employed person (:func:`day_rows`); clears ``day.shop_employed`` and
    ``day.day_stocks`` first.
    """
    S.day.shop_employed[:] = 0.0
    S.day.day_stocks[:] = 0.0
    day_rows(lo, hi, t, S, False, True, S.day.leavers, 0, NO_PIPE, ALONE)


@njit(cache=True, nogil=True, error_model="numpy")
def production_hired(lo, hi, t, S):
    """The ``production`` step over the rows ``lo..hi`` that hiring added today, after
    :func:`production_rows` or :func:`workday_rows` over the rows of the day's start: adds to
    their sums and goes on filling the accident buffer.
    """
    day_rows(lo, hi, t, S, False, True, S.day.leavers, S.day.counts[K_ACC], NO_PIPE, ALONE)


@njit(cache=True, nogil=True, error_model="numpy")
def workday_rows(lo, hi, t, S):
    """Labour and production over rows ``lo..hi`` in one pass (the module's docstring): what
    :func:`labour_rows` and :func:`production_rows` write, the day's deaths counted in
    ``day.leavers_late``. ``production.production_prepare`` must have run before, and
    ``labour.labour_close`` runs after.
    """
    S.day.shop_employed[:] = 0.0
    S.day.day_stocks[:] = 0.0
    day_rows(lo, hi, t, S, True, True, S.day.leavers_late, 0, NO_PIPE, ALONE)


@njit(cache=True)
def add_late_leavers(lo, hi, t, S):
    """The deaths the one-pass form held back join today's leavers (whole numbers: exact)."""
    D = S.day
    for f in range(D.leavers.shape[0]):
        for c in range(D.leavers.shape[1]):
            if D.leavers_late[f, c] != 0.0:
                D.leavers[f, c] += D.leavers_late[f, c]
                D.leavers_late[f, c] = 0.0


@njit(cache=True, nogil=True, error_model="numpy")
def _labour_ahead(n, t, S, pipe):
    c0 = cycles()
    day_rows(0, n, t, S, True, False, S.day.leavers, 0, pipe, AHEAD)
    pipe[LABOUR_CYCLES] = cycles() - c0


@njit(cache=True, nogil=True, error_model="numpy")
def _production_behind(n, t, S, pipe):
    S.day.shop_employed[:] = 0.0
    S.day.day_stocks[:] = 0.0
    day_rows(0, n, t, S, False, True, S.day.leavers_late, 0, pipe, BEHIND)


@njit(cache=True, parallel=True)
def workday_pipelined(n, t, S, pipe):
    """What :func:`workday_rows` does over rows ``0..n``, on two threads: labour's rows on one
    (:func:`labour_rows`' rules), production's on the other a little behind
    (:func:`production_rows`' rules, deaths held back as in the one pass), each in row order,
    so every sum is added in the same order as by the one pass and the results are the same to
    the last bit. Production takes a row only after labour has published it
    (``pipe[PROGRESS]``, with release and acquire: :mod:`treugolnik.sync`). The two sides
    write different elements: labour the person's grievance, fear, absence, state and its own
    counters, production the person's working day and its own counters and sums.

    On one thread the two run one after the other, labour first (the parallel loop's first
    iteration), so production never waits for a row that no thread will publish. Labour's
    side raises nothing (no bounds checks; its one allocation is the two small arrays of caps
    a day): were it to stop early, production would wait for ever.
    """
    store_release(pipe, PROGRESS, 0)
    for side in prange(2):
        if side == 0:
            _labour_ahead(n, t, S, pipe)
        else:
            _production_behind(n, t, S, pipe)


@njit(cache=True)
def is_slow(pipe, ratio):
    """Whether the pipelined day just run took more than ``ratio`` times labour's own time."""
    return pipe[PASS_CYCLES] > ratio * pipe[LABOUR_CYCLES]


@njit(cache=True)
def one_pass(n, t, S, pipe):
    """The one pass over rows ``0..n`` of an unsplit table (``production_prepare`` has run):
    :func:`workday_rows`, or :func:`workday_pipelined` on a table of ``pipe[PIPE_FROM]`` rows or
    more. The results are the same either way, so the choice may follow the machine: a
    pipelined day on which a thread waited for the scheduler (:func:`is_slow`, read from the
    processor's cycle counter; :data:`STRIKE_RATIO`, :data:`WAKE_RATIO`) makes the next
    :data:`REST_DAYS` go as the one pass, doubled for each such strike in a row.
    """
    if pipe[PIPE_FROM] < 0 or n < pipe[PIPE_FROM]:
        workday_rows(0, n, t, S)
    elif pipe[RESTING] > 0:
        pipe[RESTING] -= 1
        pipe[SOLO] += 1
        workday_rows(0, n, t, S)
    else:
        c0 = cycles()
        workday_pipelined(n, t, S, pipe)
        pipe[PASS_CYCLES] = cycles() - c0
        pipe[PIPED] += 1
        # (after a pipelined day the second thread was awake: the day is judged more strictly)
        awake = pipe[LAST_T] == t - 1
        if is_slow(pipe, STRIKE_RATIO if awake else WAKE_RATIO):
            pipe[RESTING] = REST_DAYS << min(pipe[STRIKES], 7)
            pipe[STRIKES] += 1
        elif awake:
            pipe[STRIKES] = 0
        pipe[LAST_T] = t
