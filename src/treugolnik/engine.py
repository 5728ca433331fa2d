"""The daily loop: set up the world from a scenario, run the plan of a day (``plan.PLAN``)
day after day, record what happens.

>>> from treugolnik import load_scenario, simulate
>>> res = simulate(load_scenario("kirov-small", sets=["period.end=1928-12-31"]))
>>> res.metrics.height
92

The whole state of a run is one ``records.State`` (``Simulation.S``). Runs of days whose
active steps are all compiled go through ``plan.run_days`` in one compiled loop; the engine
takes every other step, day by day, and, with ``step_by_step=True`` (``treugolnik run
--profile``), every day, timing each step. Both give the same results.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from . import records
from .initialise import calendar, initial_world
from .mechanisms import meetings, party, production
from .mechanisms import repression as rep
from .mechanisms.hiring import room_needed
from .mechanisms.workday import one_pass
from .passes import Passes
from .plan import (
    FUSE_FIRST,
    FUSE_SECOND,
    FUSED,
    LOG_FULL,
    NEED_ROOM,
    PARTIAL,
    PLAN,
    QUIET,
    active_matrix,
    fuse_days,
    fused_today,
    run_days,
)
from .record import (
    EXTRA_COLUMNS,
    FLOAT_COLUMNS,
    METRIC_COLUMNS,
    PAIRWISE_MAX,
    EventLog,
    monthly_from_daily,
    record_layout,
    stocks_by_factory,
    write_run,
)
from .records import (
    I_CARRIED,
    I_COMPILED,
    I_CUR,
    I_FUSED,
    I_N_TRACE,
    I_PARTIAL,
    I_ROWS0,
    I_TRACE_ON,
)
from .rng import Streams
from .scenario.schema import Scenario
from .state import COUNTERS
from .timeline import EPOCH, Policy, build_policy

ACCIDENT_BUF = 4096


@dataclass
class Result:
    """A finished run: ``metrics`` (daily), ``monthly``, ``events`` (Polars DataFrames)."""

    scenario: Scenario
    metrics: pl.DataFrame
    monthly: pl.DataFrame
    events: pl.DataFrame
    manifest: dict
    profile: dict[str, float] = field(default_factory=dict)
    by_factory: pl.DataFrame | None = None

    def save(self, out_dir) -> None:
        """Write ``run.json``, ``metrics.parquet``, ``monthly.parquet``, ``events.parquet``."""
        metrics = self.metrics if self.by_factory is None else self.by_factory
        write_run(out_dir, self.manifest, metrics, self.monthly, self.events)


class Simulation:
    """One run in progress. Most users call :func:`simulate` instead."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        by_factory: bool = False,
        passes: Passes | None = None,
        step_by_step: bool = False,
    ):
        self.s = scenario
        self.step_by_step = step_by_step
        self.passes = passes if passes is not None else Passes()
        self.policy: Policy = build_policy(scenario)
        self.dates = self.policy.dates
        self.days = [(d - EPOCH).days for d in self.dates]
        # the dates as datetime64 for the event log (from the day numbers: converting the
        # date objects one by one takes about a millisecond for four years)
        self.date_array = (
            np.asarray(self.days, dtype=np.int64).astype("datetime64[D]")
            + (EPOCH - dt.date(1970, 1, 1)).days
        )
        self.keys = Streams(scenario.seed)
        self.purge_h = party.purge_hazards(self.policy.values["purge"])
        self.log = EventLog(set(scenario.record.skip_events))
        self.profile: dict[str, float] = {step.name: 0.0 for step in PLAN}
        if not step_by_step:
            self.profile["compiled runs of days"] = 0.0
        self.check_stocks = False  # tests: verify carried stocks against a full recount
        self.start = 0  # the first day to simulate (later when resumed from a checkpoint)
        self.resumed: dict | None = None  # what the run was resumed from (checkpoint.resume)
        self.checkpoint_at: list[dt.date] = []  # dates to write a checkpoint at
        self.checkpoint_dir = "."
        self.checkpoints_written: list[str] = []
        self.on_step: Callable | None = None  # tests: called as on_step(name, t, "before"/"after")
        # let go of the person table when the run is over, before its result tables are made
        # (:func:`simulate`, :func:`resume` and the command line: nothing reads the table
        # after them; at ussr-industry's size the table is a third of the run's memory)
        self.release_at_end = False
        self.world = initial_world(scenario, self.policy, self.keys)
        nf = self.world.fac.n
        self.pending: list[list] = [[] for _ in range(nf)]  # directives awaiting a meeting
        self.shop_label = tuple(f"shop {j + 1}" for j in range(self.world.shops_per_factory))
        self.directives_by_day: dict[int, list] = {}
        mgmt = meetings.MANAGEMENT_VARIABLES
        for t, event, desc, src in self.policy.directives:
            variables = {r.variable for r in self.policy.rows if r.event == event}
            orient = "management" if variables & mgmt else "workers"
            self.directives_by_day.setdefault(t, []).append((t, event, desc, src, orient))
        self.col = {c: i for i, c in enumerate(METRIC_COLUMNS + EXTRA_COLUMNS)}
        self.fac_rows = np.zeros((self.policy.n_days, nf, len(self.col))) if by_factory else None
        self._S: records.State | None = None
        self._ref = None
        self._pol_names: list[str] | None = None  # day_of's stacked policy values
        self._pol_rows: np.ndarray | None = None
        self._build_state()
        self.world.today = self.S.day.today

    # ------------------------------------------------------------------ the state
    def _build_state(self) -> None:
        s, w, pol = self.s, self.world, self.policy
        nf = w.fac.n
        rm, p = s.factories.role_mix, s.pay
        day = records.new_day(
            nf, w.shops.n, len(COUNTERS), [rm.worker, rm.foreman, rm.specialist, rm.manager],
            [1.0, p.foreman, p.specialist, p.manager], ACCIDENT_BUF,
        )  # fmt: skip
        cal = calendar(s, pol, self.purge_h, len(PLAN), 2 * self.passes.chunk)
        cal.quiet[:] = QUIET
        cal.active[:] = active_matrix(cal, self)
        # labour and production as one pass (mechanisms.workday), except when each step is
        # to be timed on its own
        cal.fuse[:] = False if self.step_by_step else fuse_days(cal.active)
        self.S = records.State(
            self.world.pop.record(), w.shops, w.fac, day, cal, records.params(s),
            records.keys(self.keys),
            record_layout(self.col, nf, w.shops.norm, pol.n_days),
        )  # fmt: skip

    @property
    def S(self) -> records.State:  # noqa: N802 (the state, as in the kernels)
        """The whole state of the run (rebuilt when the person table has grown)."""
        rec = self.world.pop.record()
        if self._S.people is not rec:
            self._S = self._S._replace(people=rec)
            self._ref = None
        return self._S

    @property
    def ref(self) -> records.StateRef:
        """:attr:`S` as compiled steps receive it."""
        S = self.S
        if self._ref is None:
            self._ref = records.compiled(S)
        return self._ref

    @S.setter
    def S(self, value: records.State) -> None:  # noqa: N802
        self._S = value
        self._ref = None

    def checkpoint_days(self) -> list[int]:
        """The day indices of :attr:`checkpoint_at` (dates outside the period are refused)."""
        first, last = self.dates[0], self.dates[-1]
        out = []
        for d in self.checkpoint_at:
            if not first <= d <= last:
                from .errors import ScenarioError

                raise ScenarioError(
                    [f"--checkpoint-at: {d} is outside the period {first} .. {last}"]
                )
            out.append((d - first).days)
        return out

    def directive_days(self) -> np.ndarray:
        out = np.zeros(self.policy.n_days, dtype=np.bool_)
        out[list(self.directives_by_day)] = True
        return out

    def election_days(self) -> np.ndarray:
        out = np.zeros(self.policy.n_days, dtype=np.bool_)
        out[[k for k, _, _ in self.policy.elections]] = True
        return out

    def months_in(self, months: tuple[int, ...]) -> np.ndarray:
        return np.array([d.month in months for d in self.dates], dtype=np.bool_)

    def day_of(self, t: int) -> tuple[int, dt.date, dict, int]:
        """Day ``t``'s number, date, policy values (a dict) and days in its month."""
        if self._pol_names is None:
            # the policy values day by day, stacked once (a dict built column by column cost
            # about 20 microseconds a call, several calls a month)
            v = self.policy.values
            self._pol_names = list(v)
            self._pol_rows = np.column_stack([v[k] for k in self._pol_names]).astype(np.float64)
        pol = dict(zip(self._pol_names, self._pol_rows[t].tolist(), strict=True))
        return self.days[t], self.dates[t], pol, int(self.S.cal.dims[t])

    # ------------------------------------------------------------------ the run
    def run(self, progress: Callable[[int, int], None] | None = None) -> Result:
        t0 = time.perf_counter()
        started = dt.datetime.now(dt.UTC)
        n_days = self.policy.n_days
        compiled = not (
            self.step_by_step or self.fac_rows is not None or self.s.factories.shops > PAIRWISE_MAX
        )
        checkpoints = {i for i in self.checkpoint_days() if i >= self.start}
        self.passes.start_pipe()
        try:
            t = self.start
            while t < n_days:
                if t in checkpoints:
                    from .checkpoint import save

                    checkpoints.discard(t)
                    self.checkpoints_written.append(str(save(self, t, self.checkpoint_dir)))
                j = 0
                if compiled and not self.check_stocks:
                    stop = min([n_days, *(i for i in checkpoints if i > t)])
                    t, j = self._run_compiled(t, stop)
                    if t >= stop:
                        continue
                self.run_day(t, j)
                t += 1
                if progress is not None and (t % 30 == 0 or t == n_days):
                    progress(t, n_days)
        finally:
            self.passes.close()
        if self.release_at_end:
            self._drop_people()
            self.world.pop.release()
        if progress is not None:
            progress(n_days, n_days)
        return self._result(started, time.perf_counter() - t0)

    def _run_compiled(self, t: int, t_end: int) -> tuple[int, int]:
        """Run days from ``t`` through ``plan.run_days``; returns the day and the step from
        which the engine goes on.
        """
        tc = time.perf_counter()
        ints = self.S.day.ints
        while True:
            run_days(t, t_end, self.ref, self.passes.pipe)
            code, t_next, j = (int(x) for x in ints[records.I_STOP : records.I_STOP_J + 1])
            self.flush_accidents()
            t = t_next
            if code == NEED_ROOM:
                self.reserve_rows(int(ints[records.I_NEED]))
            elif code != LOG_FULL:
                break
        self.profile["compiled runs of days"] += time.perf_counter() - tc
        if code == PARTIAL:
            ints[I_PARTIAL] += 1
            return t, j
        return t, 0

    def run_day(self, t: int, j0: int = 0) -> None:
        """Run day ``t``'s active steps from the plan's ``j0``-th on, step by step."""
        active = self.S.cal.active[t]
        for j in range(j0, len(PLAN)):
            if active[j]:
                step = PLAN[j]
                tc = time.perf_counter()
                if self.on_step is not None:
                    self.on_step(step.name, t, "before")
                self.run_step(step, j, t)
                if self.on_step is not None:
                    self.on_step(step.name, t, "after")
                self.profile[step.name] += time.perf_counter() - tc

    def run_step(self, step, j: int, t: int) -> None:
        """Run one step of day ``t`` (its hooks, its compiled phases, or its Python)."""
        D = self.S.day
        if D.ints[I_TRACE_ON]:
            D.trace[D.ints[I_N_TRACE]] = j
            D.ints[I_N_TRACE] += 1
        if step.before:
            self._hook(step.before, t)
        n = self.world.pop.n
        if step.python is not None:
            step.python(self, t)
        elif j == FUSE_FIRST and fused_today(t, self.ref):
            # labour's and production's rows in one pass (mechanisms.workday)
            PLAN[FUSE_SECOND].prepare(0, n, t, self.ref)
            if not self.passes.splits(n):  # pipelined on two threads, or not (workday)
                one_pass(n, t, self.ref, self.passes.pipe)
            else:
                F = FUSED
                self.passes.run_rows(
                    F.rows, self.S, self.ref, n, t, F.accum, F.overwrite, F.buffers
                )
            D.ints[I_FUSED] += 1
            step.close(0, n, t, self.ref)
        else:
            fused = j == FUSE_SECOND and fused_today(t, self.ref)
            if fused:
                FUSED.late(0, n, t, self.ref)
            elif step.prepare is not None:
                step.prepare(0, n, t, self.ref)
            # a step with a phase for today's hires splits only the rows of the day's start
            n_rows = int(D.ints[I_ROWS0]) if step.hired is not None else n
            if step.rows is not None and not fused and (step.rows_if < 0 or D.ints[step.rows_if]):
                self.passes.run_rows(
                    step.rows, self.S, self.ref, n_rows, t, step.accum, step.overwrite,
                    step.buffers,
                )  # fmt: skip
            if step.hired is not None:
                step.hired(n_rows, n, t, self.ref)
            if step.close is not None:
                step.close(0, n, t, self.ref)
        if step.after:
            self._hook(step.after, t)

    def _hook(self, hook, t: int) -> None:
        if isinstance(hook, str):
            getattr(self, hook)(t)
        else:
            hook(self, t)

    def pass_args(self, kernel, accum, overwrite, buffers, *args):
        """A monthly kernel of positional arguments over the person table (chunked on big
        tables: ``passes.Passes.run_args``).
        """
        return self.passes.run_args(self.world.pop, kernel, accum, overwrite, buffers, *args)

    # ------------------------------------------------------------------ hooks
    def make_room(self, t: int) -> None:
        """Before hiring: rows for any day's hires."""
        self.reserve_rows(int(room_needed(t, self.ref)))

    def reserve_rows(self, k: int) -> None:
        """Room for ``k`` more rows in the person table. The run's state lets go of the
        table's arrays first, so that a table that must grow is not held twice while it is
        copied (:attr:`S` takes up the new arrays when next asked).
        """
        pop = self.world.pop
        if pop.n + k > pop.capacity:
            self._drop_people()
        pop.reserve(k)

    def _drop_people(self) -> None:
        """The run's state and its compiled view let go of the person table's arrays
        (:attr:`S` takes up the table's current arrays when next asked).
        """
        self._S = self._S._replace(people=None)
        self._ref = None
        self.passes.forget_states()

    def compact(self) -> None:
        """The ``compact`` step: the rows of people who have left are dropped; on a table the
        passes split, the columns are moved on the passes' threads.
        """
        pop, passes = self.world.pop, self.passes
        if passes.threads > 1 and passes.splits(pop.n):
            pop.compact(passes.pool(), passes.threads)
        else:
            pop.compact()

    def quota_consequences(self, t: int) -> None:
        rep.quota_consequences(self, t)

    def flush_accidents(self, t: int | None = None) -> None:
        """Enter the accidents waiting in ``day.acc_log`` into the event log, in order."""
        production.log_accidents(self)

    def record_before(self, t: int) -> None:
        """Before the record: the norm index where a factory has too many shops for the
        compiled sum; the count of carried days (for the stock check).
        """
        w = self.world
        if w.shops_per_factory > PAIRWISE_MAX:
            R = self.S.rec
            if not self.S.day.ints[records.I_HAVE_STOCKS]:
                R.norm0[:] = w.shops.norm
            rel = w.shops.norm / np.maximum(R.norm0, 1e-12)
            R.per_f[:, self.col["norm_index"]] = rel.reshape(w.fac.n, -1).mean(axis=1)
        self._carried = int(self.S.day.ints[I_CARRIED])

    def record_after(self, t: int) -> None:
        """After the record: the stock check (tests) and the per-factory rows."""
        D = self.S.day
        st = D.stocks[D.ints[I_CUR]]
        if self.check_stocks and D.ints[I_CARRIED] > self._carried:
            full = stocks_by_factory(self.S.people, self.days[t], self.world.fac.n)
            if not np.array_equal(st, full):
                raise AssertionError(f"day {self.days[t]}: stocks differ from a full recount")
        if self.fac_rows is not None:
            col, per_f = self.col, self.S.rec.per_f.copy()
            means = self.S.rec.means
            head = np.maximum(st[:, 0], 1.0)
            per_f[:, means] /= head[:, None]
            per_f[:, col["pay_nominal"]] = per_f[:, col["pay_total"]] / np.maximum(
                per_f[:, col["workdays"]], 1.0
            )
            per_f[:, col["pay_real"]] = per_f[:, col["pay_nominal"]] / float(self.S.cal.price[t])
            self.fac_rows[t] = per_f

    @property
    def quiet_days(self) -> int:
        """Days whose stocks were carried from the day before rather than recounted."""
        return int(self.S.day.ints[I_CARRIED])

    @property
    def compiled_days(self) -> int:
        """Days run wholly inside compiled runs of days."""
        return int(self.S.day.ints[I_COMPILED])

    @property
    def fused_days(self) -> int:
        """Days whose labour and production ran as one pass (``mechanisms.workday``)."""
        return int(self.S.day.ints[I_FUSED])

    @property
    def partial_days(self) -> int:
        """Days begun in a compiled run and finished step by step."""
        return int(self.S.day.ints[I_PARTIAL])

    # ------------------------------------------------------------------ records
    def _result(self, started: dt.datetime, wall: float) -> Result:
        dates = self.policy.dates
        data = {"date": pl.Series("date", dates, dtype=pl.Date)}
        by_column = np.ascontiguousarray(self._S.rec.rows.T)
        # the counts (whole numbers, so any rounding gives the same) made integers in NumPy: a
        # third of the time of rounding and casting in Polars at kirov-small's size; a count
        # that is not finite is a defect, refused as Polars' cast refused it
        for name, j in self.col.items():
            v = by_column[j]
            if name not in FLOAT_COLUMNS:
                if not np.isfinite(v).all():
                    raise ValueError(f"metric {name!r}: a count that is not finite")
                v = np.rint(v).astype(np.int64)
            data[name] = v
        metrics = pl.DataFrame(data)
        int_cols = [c for c in metrics.columns if c not in FLOAT_COLUMNS]
        monthly = monthly_from_daily(metrics)
        by_factory = None
        if self.fac_rows is not None:
            nd, nf, _ = self.fac_rows.shape
            bf = {
                "date": pl.Series("date", np.repeat(np.array(dates, dtype="datetime64[D]"), nf)),
                "factory": np.tile(np.arange(nf, dtype=np.int32), nd),
            }
            for name, j in self.col.items():
                bf[name] = self.fac_rows[:, :, j].ravel()
            by_factory = pl.DataFrame(bf).with_columns(
                [pl.col(c).round(0).cast(pl.Int64) for c in int_cols]
            )
        person_days = float(metrics["headcount"].sum())
        manifest = {
            "scenario": self.s.model_dump(mode="json"),
            "scenario_sha256": scenario_hash(self.s),
            "regime": self.s.regime,
            "seed": self.s.seed,
            "period": [self.s.period.start.isoformat(), self.s.period.end.isoformat()],
            "started": started.isoformat(),
            "finished": dt.datetime.now(dt.UTC).isoformat(),
            "wall_seconds": round(wall, 3),
            "worker_days": person_days,
            "worker_days_per_second": round(person_days / max(wall, 1e-9)),
            "events": len(self.log),
            "first_day_simulated": self.dates[self.start].isoformat(),
        }
        if self.start:
            simulated = float(metrics["headcount"][self.start :].sum())
            manifest["worker_days_per_second"] = round(simulated / max(wall, 1e-9))
        if self.resumed:
            manifest["resumed"] = self.resumed
        if self.checkpoints_written:
            manifest["checkpoints"] = self.checkpoints_written
        return Result(
            self.s, metrics, monthly, self.log.frame(), manifest, dict(self.profile), by_factory
        )


def scenario_hash(scenario: Scenario) -> str:
    import hashlib
    import json

    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def simulate(
    scenario: Scenario,
    *,
    regime: str | None = None,
    seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    by_factory: bool = False,
    threads: int | None = None,
    step_by_step: bool = False,
    checkpoint_at: list[dt.date] | tuple = (),
    checkpoint_dir: str | None = None,
) -> Result:
    """Run a scenario and return its :class:`Result`.

    Args:
        scenario: a validated scenario (see :func:`treugolnik.load_scenario`).
        regime: override the scenario's regime (applies that regime's preset anew).
        seed: override the root seed.
        progress: called as ``progress(days_done, n_days)`` every 30 days.
        by_factory: also keep per-factory daily rows (written as ``metrics.parquet``).
        threads: threads for the daily passes (default: ``TREUGOLNIK_THREADS`` or the
            machine's cores): chunks of populations of 500,000 or more, and from 2,000 people
            labour and production on two threads (``passes.PIPE_PEOPLE``); results do not
            depend on it.
        step_by_step: run every day step by step, each step timed in ``Result.profile``,
            instead of running quiet days as compiled runs of days; results do not depend
            on it.
        checkpoint_at: dates at whose start the run's whole state is written to
            ``checkpoint_dir/checkpoint-DATE/`` (see :mod:`treugolnik.checkpoint`); the run
            goes on to its end.
        checkpoint_dir: where checkpoints go (default: the current folder).

    Returns:
        A :class:`Result` with ``metrics``, ``monthly`` and ``events`` (Polars) and ``save()``.

    """
    if regime is not None and regime != scenario.regime:
        from .scenario.regimes import with_regime

        scenario = with_regime(scenario, regime)
    if seed is not None:
        scenario = scenario.model_copy(update={"seed": int(seed)})
    passes = Passes(threads=threads) if threads is not None else None
    sim = Simulation(scenario, by_factory=by_factory, passes=passes, step_by_step=step_by_step)
    sim.checkpoint_at = list(checkpoint_at)
    sim.checkpoint_dir = checkpoint_dir or "."
    sim.release_at_end = True
    return sim.run(progress)


def resume(
    checkpoint: str,
    *,
    sets: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    by_factory: bool = False,
    threads: int | None = None,
    step_by_step: bool = False,
) -> Result:
    """Continue a run from a checkpoint folder (``simulate(..., checkpoint_at=...)`` or
    ``treugolnik run --checkpoint-at``), with ``sets`` changing what acts from its date on.
    The outputs are those of the run from its start (byte-identical files without ``sets``;
    with a counterfactual, those of the counterfactual run from its start). Many runs can fork
    from one checkpoint.
    """
    from .checkpoint import resume as _resume

    passes = Passes(threads=threads) if threads is not None else None
    sim = _resume(checkpoint, sets, by_factory=by_factory, passes=passes, step_by_step=step_by_step)
    sim.release_at_end = True
    return sim.run(progress)
