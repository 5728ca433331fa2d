"""The day, declared once: every step of a simulated day, in order, as data.

Each row of :data:`PLAN` is a :class:`Step`: its name, when it runs, the records it reads and
writes (``group.field`` of ``records.State``; a bare group means any of its fields), its random
stream, and whether a compiled run of days may take it (``quiet``). A step is either compiled,
as up to three functions of ``(lo, hi, t, S)`` (``prepare`` once, ``rows`` over the person
table, which the engine may split into chunks, ``close`` once; production has a fourth,
``hired``, over the rows hiring added that day), or Python (``python(run, t)``: the monthly
steps, which write the event log).

The engine (``engine.Simulation``) runs the plan day by day, step by step, and times each step
(``run --profile``). Runs of days whose active steps are all ``quiet`` go through
:func:`run_days`, one compiled loop over the same steps in the same order: it stops before the
first active step that is not quiet, and the engine takes the day from there. On most days
labour's and production's rows run as one pass (:data:`FUSED`, :func:`fuse_days`), with the
same results as the two. ``treugolnik run --plan`` prints this table; a test runs days both
ways and checks that the steps that ran are the plan's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numba import njit

from .mechanisms import (
    hiring,
    institutions,
    labour,
    learning,
    meetings,
    party,
    pay,
    posts,
    production,
    workday,
)
from .mechanisms import repression as rep
from .record import close_step, record_close, record_prepare, record_rows, start_day
from .records import (
    I_COMPILED,
    I_FUSED,
    I_HAVE_STOCKS,
    I_N_LOG,
    I_N_TRACE,
    I_NEED,
    I_RECOUNT,
    I_ROWS0,
    I_STOP,
    I_STOP_J,
    I_STOP_T,
    I_TRACE_ON,
    K_ACC,
    K_ARREST,
    K_EXPEL,
    K_INST,
    K_PROS,
)

# what stopped a compiled run of days (``day.ints[I_STOP]``)
DONE = 0  # reached the end of the range
NEED_ROOM = 1  # the person table needs ``day.ints[I_NEED]`` free rows before the next day
LOG_FULL = 2  # the accident log is full: the engine enters it and calls again
TOO_BIG = 3  # the table could be split into chunks: the engine runs the day step by step
PARTIAL = 4  # an active step is not quiet: the engine takes the day from that step


@dataclass(frozen=True)
class Step:
    """One step of the day (see the module's docstring)."""

    name: str
    when: str  # a key of :data:`WHEN`
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    stream: str = ""
    quiet: bool = True
    prepare: Callable | None = None
    rows: Callable | None = None
    hired: Callable | None = None  # over the rows hiring added today, after ``rows``
    # ``rows`` has work only when ``day.ints[rows_if]`` is set (-1: always); the engine
    # skips a split pass that would do nothing
    rows_if: int = -1
    close: Callable | None = None
    python: Callable | None = None
    accum: tuple[tuple[str, str], ...] = ()  # fields ``rows`` adds to (summed over chunks)
    overwrite: tuple[tuple[str, str], ...] = ()  # fields ``rows`` fills from zero
    buffers: tuple[tuple[str, str, int], ...] = ()  # event buffers and their count slot
    before: str | Callable = ""  # a hook run before the step, day by day only
    after: str | Callable = ""  # a hook run after it (an engine method's name or f(run, t))
    doc: str = ""


def _dom(cal, day: int) -> np.ndarray:
    return cal.doms == day


# when a step runs: a function of the run's calendar (``records.Cal``) and the engine
WHEN: dict[str, Callable] = {
    "daily": lambda cal, run: np.ones(cal.days.shape[0], dtype=np.bool_),
    "on a directive's day": lambda cal, run: run.directive_days(),
    "while the 1940 decree prosecutes": lambda cal, run: cal.prosecution > 0.5,
    "while arrest_quota > 0": lambda cal, run: cal.arrest_quota > 0,
    "monthly, on the 1st, while specialists are baited": lambda cal, run: (
        _dom(cal, 1) & (cal.specialist_baiting > 0)
    ),
    "on an election day": lambda cal, run: run.election_days(),
    "monthly, on the 1st": lambda cal, run: _dom(cal, 1),
    "monthly, on the 15th": lambda cal, run: _dom(cal, 15),
    "monthly, on the 25th": lambda cal, run: _dom(cal, 25),
    "month end": lambda cal, run: cal.doms == cal.dims,
    "quarter end": lambda cal, run: (cal.doms == cal.dims) & run.months_in((3, 6, 9, 12)),
    "31 December": lambda cal, run: (cal.doms == cal.dims) & run.months_in((12,)),
}

_P = ("people",)
# the two arrest steps (the quota's and the OGPU's): arrests, fear, promotions into the posts
_ARREST_READS = ("people", "cal", "par.repression", "par.fear")
_ARREST_WRITES = (
    "people", "day.today", "day.leavers", "day.arrest_buf", "day.counts", "shops.fear_pulse",
    "fac.fear_pulse", "fac.vydv_penalty", "fac.director", "fac.secretary", "fac.union_chair",
)  # fmt: skip
PLAN: tuple[Step, ...] = (
    Step("day", "daily", ("people.size",), ("day.today", "day.leavers", "day.ints"),
         prepare=start_day,
         doc="today's counters and leavers start from zero; the day's first rows noted"),
    Step("directives", "on a directive's day", ("cal",), ("day.today",), quiet=False,
         python=labour.issue_directives,
         doc="the centre's directives of the day reach every factory's agenda"),
    Step("centre", "daily", ("cal", "fac.size0", "fac.headcount", "fac.will", "par.absence",
                             "par.hiring"),
         ("day.target", "day.tight", "fac.vacancy_rate", "fac.will"), prepare=labour.centre_step,
         doc="target headcount, vacancies, labour-market tightness, enforcement will"),
    Step("labour", "daily", ("people", "shops.g_pulse", "shops.fear_pulse", "shops.clash",
                             "fac.g_pulse", "fac.fear_pulse", "fac.will", "day.tight", "cal",
                             "par.absence", "par.turnover", "par.grievance", "par.fear"),
         ("people.g", "people.phi", "people.absent", "people.state", "people.left",
          "people.prosecuted", "day.today", "day.leavers", "day.pros_buf", "day.counts",
          "shops.g_pulse", "shops.fear_pulse", "fac.g_pulse", "fac.fear_pulse"),
         stream="absence, quit", rows=workday.labour_rows, close=labour.labour_close,
         accum=(("day", "today"), ("day", "leavers")), buffers=(("day", "pros_buf", K_PROS),),
         doc="grievance and fear drift, absence, dismissal, prosecution, quits"),
    Step("prosecutions", "while the 1940 decree prosecutes", ("day.pros_buf", "people"), (),
         quiet=False, python=labour.log_prosecutions,
         doc="prosecutions under the decree of 26 June 1940 enter the event log"),
    Step("repression.quota", "while arrest_quota > 0", _ARREST_READS, _ARREST_WRITES,
         stream="quota", quiet=False, rows=rep.quota_rows,
         accum=(("day", "today"), ("day", "leavers")),
         buffers=(("day", "arrest_buf", K_ARREST),), after="quota_consequences",
         doc="Order 00447: background arrests; fear; promotions into managers' posts"),
    Step("repression.ogpu", "monthly, on the 1st, while specialists are baited",
         _ARREST_READS, _ARREST_WRITES,
         stream="ogpu", quiet=False, rows=rep.ogpu_rows,
         accum=(("day", "today"), ("day", "leavers")),
         buffers=(("day", "arrest_buf", K_ARREST),), after=rep.ogpu_consequences,
         doc="the political police's 'wrecking' cases against specialists and managers"),
    Step("hiring", "daily", ("people", "day.stocks", "day.leavers", "day.target", "day.mix",
                             "day.floats", "cal", "par.hiring", "par.factories",
                             "par.production"),
         ("people", "day.today", "day.hired_stocks"), stream="hiring, flitting",
         prepare=hiring.hiring_step, before="make_room",
         doc="flitting and hires from the village to fill vacancies"),
    Step("production", "daily", ("people", "shops", "fac", "day", "cal", "par.production",
                                 "par.accidents", "par.pay", "par.derived"),
         ("people.effort", "people.state", "people.left", "people.injured_until",
          "people.out_m", "people.pay_m", "people.days_m", "shops.effort_sum",
          "shops.effort_n", "shops.effort_prev", "shops.accidents_m", "shops.deaths_m",
          "shops.out_q", "shops.normhours_q", "shops.g_pulse", "fac.output_m", "fac.storm",
          "fac.disruption", "fac.vydv_penalty", "fac.plan_m", "day.today", "day.leavers",
          "day.shop_employed", "day.day_stocks", "day.acc_buf", "day.counts", "day.month_acc",
          "day.acc_log", "day.ints", "day.leavers_late"),
         stream="accidents", prepare=production.production_prepare,
         rows=workday.production_rows, hired=workday.production_hired,
         close=production.production_close,
         accum=(("shops", "effort_sum"), ("shops", "effort_n"), ("shops", "accidents_m"),
                ("shops", "deaths_m"), ("shops", "out_q"), ("shops", "normhours_q"),
                ("fac", "output_m"), ("day", "today"), ("day", "leavers")),
         overwrite=(("day", "shop_employed"), ("day", "day_stocks")),
         buffers=(("day", "acc_buf", K_ACC),), after="flush_accidents",
         doc="effort, storming, output, accidents, piece-rate pay"),
    Step("institutions", "monthly, on the 15th", ("people", "shops", "fac", "cal",
                                                  "par.institutions", "par.derived"),
         ("people.inst", "people.c", "shops.A", "shops.clash", "fac.findings", "day.today",
          "day.inst_share", "day.inst_buf", "day.leader_c", "day.shop_inst", "day.fac_inst",
          "day.counts", "day.ints"), stream="institutions", quiet=False,
         prepare=institutions.institutions_prepare, rows=institutions.institutions_rows,
         accum=(("day", "shop_inst"), ("day", "fac_inst")),
         buffers=(("day", "inst_buf", K_INST),), after=institutions.month_close,
         doc="production conferences, control commissions, inventors: proposals, clashes"),
    Step("party", "monthly, on the 1st", ("people", "fac", "cal", "par.party"),
         ("people", "day.today", "day.expel_buf", "day.fac_party", "day.floats",
          "day.counts", "day.ints"), stream="party", quiet=False,
         prepare=party.party_prepare, rows=party.party_rows,
         accum=(("day", "fac_party"),), buffers=(("day", "expel_buf", K_EXPEL),),
         after=party.month_close,
         doc="recruitment, candidacy, purges, shock work, Stakhanovism"),
    Step("elections", "on an election day", ("people", "fac", "cal", "par.elections"),
         ("fac.director", "fac.secretary", "fac.union_chair", "day.today"),
         stream="elections", quiet=False, python=posts.elections_step,
         doc="the party secretary or the union chair stands for re-election"),
    Step("meetings", "monthly, on the 25th", ("people", "shops", "fac", "day", "cal"),
         ("people", "shops", "fac", "day.today", "day.leavers", "day.ints"),
         stream="meetings", quiet=False, python=meetings.month_step,
         doc="the party organisation's meeting: agenda, speeches, resolutions, accusations"),
    Step("month", "month end", ("fac.output_m", "fac.plan_m"),
         ("fac.fulfilment_last", "fac.output_m", "fac.pay_mult", "day.ints"), quiet=False,
         python=pay.month_close_step, doc="the month's fulfilment; pay corrections fade"),
    Step("learning", "month end", ("people", "par.learning"), ("people.skill", "people.c"),
         quiet=False, python=learning.month_step, doc="skill and party schooling"),
    Step("pay", "month end", ("people", "cal", "par.pay"),
         ("people.pay_short", "people.pay_m", "people.out_m", "people.days_m",
          "shops.accidents_m", "shops.deaths_m", "day.month_acc"), quiet=False,
         python=pay.month_pay_step, doc="real pay against expectations; month accumulators"),
    Step("norms", "quarter end", ("people", "shops", "cal", "par.norms"),
         ("shops.norm", "shops.norm_pause", "shops.norm_rose", "shops.out_q",
          "shops.normhours_q", "shops.g_pulse"), stream="norms", quiet=False,
         python=pay.norms_step, doc="quarterly norm revision"),
    Step("compact", "month end", ("people",), ("people",), quiet=False,
         python=lambda run, t: run.compact(),
         doc="the rows of people who have left are dropped"),
    Step("plan", "31 December", ("fac.output_y", "fac.target_annual", "day.ints", "cal"),
         ("fac.target_annual", "fac.output_y", "day.ints"), quiet=False,
         python=pay.plan_step, doc="annual target (Weitzman ratchet)"),
    Step("close", "daily", ("day.today",), ("fac.output_y", "day.floats", "day.ints"),
         prepare=close_step, doc="the day's output joins the plan year's"),
    Step("record", "daily", ("people", "shops.norm", "fac", "day", "cal"),
         ("day.stocks", "day.recount", "day.ints", "fac.headcount", "rec"),
         prepare=record_prepare, rows=record_rows, close=record_close, rows_if=I_RECOUNT,
         overwrite=(("day", "recount"),), before="record_before", after="record_after",
         doc="end-of-day stocks and the metrics row"),
)  # fmt: skip
STEP_INDEX = {step.name: j for j, step in enumerate(PLAN)}


QUIET = np.array([step.quiet and step.python is None for step in PLAN], dtype=np.bool_)
N_STEPS = len(PLAN)
# the compiled steps, by their place in the plan (the body below calls them by these)
J_DAY, J_CENTRE, J_LABOUR = STEP_INDEX["day"], STEP_INDEX["centre"], STEP_INDEX["labour"]
J_HIRING, J_PRODUCTION = STEP_INDEX["hiring"], STEP_INDEX["production"]
J_CLOSE, J_RECORD = STEP_INDEX["close"], STEP_INDEX["record"]
# what the body calls for each quiet step, in order; checked against the plan at import
BODY = {
    J_DAY: (start_day,),
    J_CENTRE: (labour.centre_step,),
    J_LABOUR: (workday.labour_rows, labour.labour_close),
    J_HIRING: (hiring.hiring_step,),
    J_PRODUCTION: (
        production.production_prepare,
        workday.production_rows,
        workday.production_hired,
        production.production_close,
    ),
    J_CLOSE: (close_step,),
    J_RECORD: (record_prepare, record_rows, record_close),
}


def check_body() -> None:
    """The compiled body takes exactly the plan's quiet steps, with the plan's phases."""
    quiet = {j for j in range(N_STEPS) if QUIET[j]}
    if set(BODY) != quiet:
        raise RuntimeError(f"compiled body: steps {sorted(BODY)}, the plan's {sorted(quiet)}")
    for j, fns in BODY.items():
        step = PLAN[j]
        phases = (step.prepare, step.rows, step.hired, step.close)
        want = tuple(fn for fn in phases if fn is not None)
        if fns != want:
            raise RuntimeError(f"the compiled body calls other functions for {step.name}")


check_body()


# Labour and production as one pass over the person table (``mechanisms.workday``; docs/ODD.md,
# section 12). Between them in the plan only these steps may run on such a day: the log of the
# 1940 decree's prosecutions reads labour's buffer and who the prosecuted are, which production
# does not change; hiring appends rows and reads today's leavers, which the one pass keeps free
# of production's deaths (``day.leavers_late``). Production's day-wide preparation reads nothing
# labour or hiring writes. The pass adds to the arrays both steps add to, fills those
# production fills, and writes both steps' event buffers. (The arrest steps stay apart: who is
# arrested before production does not work that day.)
FUSE_FIRST, FUSE_SECOND = STEP_INDEX["labour"], STEP_INDEX["production"]
FUSE_BETWEEN = ("prosecutions", "hiring")


@dataclass(frozen=True)
class Fused:
    """The one-pass form of two steps' row phases (see :func:`fuse_days`)."""

    rows: Callable
    late: Callable  # run in the second step's place, before its ``hired`` phase
    accum: tuple[tuple[str, str], ...]
    overwrite: tuple[tuple[str, str], ...]
    buffers: tuple[tuple[str, str, int], ...]


def _union(*groups):
    out = []
    for group in groups:
        out.extend(x for x in group if x not in out)
    return tuple(out)


FUSED = Fused(
    rows=workday.workday_rows,
    late=workday.add_late_leavers,
    accum=_union(PLAN[FUSE_FIRST].accum, PLAN[FUSE_SECOND].accum, (("day", "leavers_late"),)),
    overwrite=_union(PLAN[FUSE_FIRST].overwrite, PLAN[FUSE_SECOND].overwrite),
    buffers=_union(PLAN[FUSE_FIRST].buffers, PLAN[FUSE_SECOND].buffers),
)


def fuse_days(active: np.ndarray) -> np.ndarray:
    """The days (rows of the ``active`` matrix) on which labour and production may run as
    one pass: both active, and no step between them active but those of
    :data:`FUSE_BETWEEN`.
    """
    between = [j for j in range(FUSE_FIRST + 1, FUSE_SECOND) if PLAN[j].name not in FUSE_BETWEEN]
    return active[:, FUSE_FIRST] & active[:, FUSE_SECOND] & ~active[:, between].any(axis=1)


@njit(cache=True)
def fused_today(t, S):
    """Whether day ``t``'s labour and production run as one pass: a day of ``cal.fuse``
    after the first day's stocks are recorded (hiring counts the workforce itself before).
    """
    return S.cal.fuse[t] and S.day.ints[I_HAVE_STOCKS] != 0


@njit(cache=True)
def _plan_day(t, S, pipe):
    """Day ``t``'s active steps in the plan's order while they are quiet (each step's phases
    as :data:`BODY` lists them; the one pass as ``workday.one_pass`` chooses); returns
    the index of the first active step that is not (-1: the day is done).
    """
    D, cal = S.day, S.cal
    for j in range(N_STEPS):
        if not cal.active[t, j]:
            continue
        if not cal.quiet[j]:
            return j
        if D.ints[I_TRACE_ON]:
            D.trace[D.ints[I_N_TRACE]] = j
            D.ints[I_N_TRACE] += 1
        n = S.people.size[0]
        if j == J_DAY:
            start_day(0, n, t, S)
        elif j == J_CENTRE:
            labour.centre_step(0, n, t, S)
        elif j == J_LABOUR:
            if fused_today(t, S):
                production.production_prepare(0, n, t, S)
                workday.one_pass(n, t, S, pipe)
                D.ints[I_FUSED] += 1
            else:
                workday.labour_rows(0, n, t, S)
            labour.labour_close(0, n, t, S)
        elif j == J_HIRING:
            hiring.hiring_step(0, n, t, S)
        elif j == J_PRODUCTION:
            n0 = D.ints[I_ROWS0]
            if fused_today(t, S):
                workday.add_late_leavers(0, n, t, S)
            else:
                production.production_prepare(0, n, t, S)
                workday.production_rows(0, n0, t, S)
            workday.production_hired(n0, n, t, S)
            production.production_close(0, n, t, S)
        elif j == J_CLOSE:
            close_step(0, n, t, S)
        elif j == J_RECORD:
            record_prepare(0, n, t, S)
            record_rows(0, n, t, S)
            record_close(0, n, t, S)
        else:
            raise RuntimeError("plan: a compiled step that _plan_day does not call")
    return -1


@njit(cache=True)
def run_days(t0, t1, S, pipe):
    """Run days ``t0..t1`` through the plan's compiled steps, in order, until a day needs
    more room in the person table, the accident log is full, the table could be split into
    chunks, or an active step is not quiet (:data:`PARTIAL`: that day's earlier steps have
    run). Writes what stopped it, the day and the step to ``day.ints``.
    """
    P, D, cal = S.people, S.day, S.cal
    t = t0
    code = DONE
    stop_j = 0
    while t < t1:
        need = hiring.room_needed(t, S)
        if P.size[0] + need >= cal.n_split:
            code = TOO_BIG
            break
        if P.size[0] + need > P.pid.shape[0]:
            code = NEED_ROOM
            D.ints[I_NEED] = need
            break
        if D.ints[I_N_LOG] + D.acc_buf.shape[0] > D.acc_log.shape[0]:
            code = LOG_FULL
            break
        j = _plan_day(t, S, pipe)
        if j >= 0:
            code = PARTIAL
            stop_j = j
            break
        D.ints[I_COMPILED] += 1
        t += 1
    D.ints[I_STOP] = code
    D.ints[I_STOP_T] = t
    D.ints[I_STOP_J] = stop_j


def active_matrix(cal, run) -> np.ndarray:
    """Which of the plan's steps run on each day (days x steps)."""
    return np.column_stack([WHEN[step.when](cal, run) for step in PLAN]).astype(np.bool_)


def describe() -> list[tuple[str, str, str, str, str, str]]:
    """The plan as rows of text: step, when, reads, writes, stream, compiled runs."""
    return [
        (
            s.name,
            s.when,
            ", ".join(s.reads),
            ", ".join(s.writes),
            s.stream,
            "yes" if s.quiet and s.python is None else "no",
        )
        for s in PLAN
    ]


def steps_on(active_row: np.ndarray) -> list[str]:
    """The names of the steps active on a day, in the plan's order."""
    return [PLAN[j].name for j in np.flatnonzero(active_row)]
