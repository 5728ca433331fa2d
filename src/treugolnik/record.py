"""What every run records: daily metrics, monthly aggregates, the event log; their schema.

The column names below are the record contract of docs/ODD.md, section 8 (``metrics.parquet``,
``monthly.parquet``, ``events.parquet``); more columns are welcome, these are fixed. Files are
written under temporary names and renamed into place, ``run.json`` last, so an interrupted
run never leaves a half-written file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import numpy as np
import polars as pl
from numba import njit

from .population import CANDIDATE, EMPLOYED, FOREMAN, MANAGER, MEMBER, SPECIALIST, WORKER
from .records import F_QUITS_Y, I_CARRIED, I_CUR, I_HAVE_STOCKS, I_RECOUNT, I_YEAR_DAYS
from .state import C_OUTPUT, C_QUITS, COUNTERS

METRIC_COLUMNS = (
    "headcount",
    "workers",
    "foremen",
    "specialists",
    "managers",
    "hires",
    "quits",
    "dismissals",
    "arrests",
    "expulsions",
    "absent",
    "injured",
    "accidents",
    "output",
    "plan_daily",
    "pay_nominal",
    "pay_real",
    "norm_index",
    "grievance",
    "fear",
    "consciousness",
    "party_members",
    "party_candidates",
    "shock_workers",
    "stakhanovites",
    "participants_conference",
    "participants_commission",
    "participants_inventors",
    "proposals_made",
    "proposals_adopted",
    "clashes",
    "meetings",
    "items",
    "workers_won",
    "concessions",
    "accusations",
    "prosecutions_absence",
    "prosecutions_quitting",
    "directives_issued",
    "directives_adopted",
)
EXTRA_COLUMNS = (
    "deaths",
    "scheduled",
    "workdays",
    "pay_total",
    "accusations_political",
    "promotions",
    "management_turnover",
    "manager_arrests",
    "recruited",
    "fulfilment_month",
    "authority",
    "enforcement_will",
)
# flows, summed by month: every day counter kept as a column (the day's pay sum as pay_total),
# and the daily plan; everything else is a stock (month-end value)
FLOW_COLUMNS = (
    *(c for c in METRIC_COLUMNS + EXTRA_COLUMNS if c in COUNTERS and c != "pay_nominal"),
    "plan_daily",
    "pay_total",
)
EVENT_KINDS = (
    "meeting",
    "item",
    "speech",
    "resolution",
    "accusation",
    "investigation",
    "expulsion",
    "arrest",
    "promotion",
    "prosecution",
    "directive",
    "proposal",
    "clash",
    "accident",
    "control_finding",
)
EVENT_SCHEMA = {
    "event_id": pl.Int64,
    "date": pl.Date,
    "factory": pl.Int32,
    "kind": pl.Utf8,
    "parent_id": pl.Int64,
    "person": pl.Int64,
    "role": pl.Utf8,
    "target": pl.Int64,
    "target_role": pl.Utf8,
    "side": pl.Utf8,
    "topic": pl.Utf8,
    "frame": pl.Utf8,
    "strength": pl.Float64,
    "outcome": pl.Utf8,
    "charge": pl.Utf8,
    "detail": pl.Utf8,
}

# stock columns computed by the stocks kernel, in its output order
STOCKS = (
    "headcount",
    "workers",
    "foremen",
    "specialists",
    "managers",
    "injured",
    "g_sum",
    "phi_sum",
    "c_sum",
    "party_members",
    "party_candidates",
    "shock_workers",
    "stakhanovites",
    "participants_conference",
    "participants_commission",
    "participants_inventors",
)


@njit(cache=True, nogil=True)
def stocks_into(out, lo, hi, P, day):
    """Add the end-of-day stocks of the employed people in rows ``lo..hi`` of the person table
    ``P`` to ``out`` (factories x :data:`STOCKS`).

    People of one factory mostly sit in consecutive rows, so the sums of a run of rows are kept
    in local variables and written back when the factory changes: the same additions in the
    same order as summing into the table directly, without a memory write per person.
    """
    state, factory, role, injured_until = P.state, P.factory, P.role, P.injured_until
    g, phi, c, party, shock, stakh, inst = P.g, P.phi, P.c, P.party, P.shock, P.stakh, P.inst
    cur = -1
    hc = wk = fm = sp = mg = inj = gs = ps = cs = mem = cand = sh = st = i0 = i1 = i2 = 0.0
    for i in range(lo, hi + 1):
        if i < hi and state[i] != EMPLOYED:
            continue
        f = factory[i] if i < hi else -1
        if f != cur:
            if cur >= 0:
                out[cur, 0] = hc
                out[cur, 1] = wk
                out[cur, 2] = fm
                out[cur, 3] = sp
                out[cur, 4] = mg
                out[cur, 5] = inj
                out[cur, 6] = gs
                out[cur, 7] = ps
                out[cur, 8] = cs
                out[cur, 9] = mem
                out[cur, 10] = cand
                out[cur, 11] = sh
                out[cur, 12] = st
                out[cur, 13] = i0
                out[cur, 14] = i1
                out[cur, 15] = i2
            if f < 0:
                break
            cur = f
            hc, wk, fm, sp, mg = out[f, 0], out[f, 1], out[f, 2], out[f, 3], out[f, 4]
            inj, gs, ps, cs, mem = out[f, 5], out[f, 6], out[f, 7], out[f, 8], out[f, 9]
            cand, sh, st = out[f, 10], out[f, 11], out[f, 12]
            i0, i1, i2 = out[f, 13], out[f, 14], out[f, 15]
        hc += 1.0
        r = role[i]
        wk += r == WORKER
        fm += r == FOREMAN
        sp += r == SPECIALIST
        mg += r == MANAGER
        inj += injured_until[i] > day
        gs += g[i]
        ps += phi[i]
        cs += c[i]
        mem += party[i] == MEMBER
        cand += party[i] == CANDIDATE
        sh += shock[i]
        st += stakh[i]
        b = inst[i]
        i0 += b & 1
        i1 += (b >> 1) & 1
        i2 += (b >> 2) & 1


def stocks_by_factory(P, day: int, n_factories: int) -> np.ndarray:
    """End-of-day stocks per factory (:data:`STOCKS` order) of everyone in the table ``P``."""
    out = np.zeros((n_factories, 16))
    stocks_into(out, 0, int(P.size[0]), P, day)
    return out


# STOCKS columns that count people by attributes changed only by leaving, hiring, promotion
# and the monthly steps (role, party, shock work, institutions); the others
# (headcount, injured, grievance, fear, consciousness) are summed every day (by production on
# days without those steps)
COUNT_COLUMNS = np.array([1, 2, 3, 4, 9, 10, 11, 12, 13, 14, 15])


@njit(cache=True, inline="always")
def count_leaver(leavers, f, role, party, shock, stakh, inst):
    """Add a person who left today to ``leavers[f]`` (the :data:`COUNT_COLUMNS` of STOCKS)."""
    leavers[f, 1 + role] += 1.0
    leavers[f, 9] += party == MEMBER
    leavers[f, 10] += party == CANDIDATE
    leavers[f, 11] += shock
    leavers[f, 12] += stakh
    leavers[f, 13] += inst & 1
    leavers[f, 14] += (inst >> 1) & 1
    leavers[f, 15] += (inst >> 2) & 1


def count_promotion(leavers, f: int, old_role: int, new_role: int) -> None:
    """A person of factory ``f`` moved from ``old_role`` to ``new_role`` today: in
    ``leavers`` (subtracted from yesterday's counts) as one leaving the old role and one
    less leaving the new one.
    """
    leavers[f, 1 + old_role] += 1.0
    leavers[f, 1 + new_role] -= 1.0


@njit(cache=True, inline="always")
def load_day_sums(stocks, f):
    """Factory ``f``'s headcount, injured and grievance, fear and consciousness sums."""
    return stocks[f, 0], stocks[f, 5], stocks[f, 6], stocks[f, 7], stocks[f, 8]


@njit(cache=True, inline="always")
def store_day_sums(stocks, f, hc, inj, gs, ps, cs):
    """Write back what :func:`load_day_sums` read (the STOCKS columns not in COUNT_COLUMNS)."""
    stocks[f, 0] = hc
    stocks[f, 5] = inj
    stocks[f, 6] = gs
    stocks[f, 7] = ps
    stocks[f, 8] = cs


@njit(cache=True)
def carry_counts(st, prev, leavers, hired):
    """``st[:, COUNT_COLUMNS] = prev - leavers + hired`` (whole numbers: exact in any order)."""
    for f in range(st.shape[0]):
        for c in COUNT_COLUMNS:
            st[f, c] = prev[f, c] - leavers[f, c] + hired[f, c]


@njit(cache=True)
def carried_stocks(out, day_sums, prev, leavers, hired):
    """A quiet day's stocks into ``out``: the sums production took at the end of the day
    (``day_sums``) with the counts carried from yesterday (:func:`carry_counts`).
    """
    out[:] = day_sums
    carry_counts(out, prev, leavers, hired)


@njit(cache=True)
def close_day(today, output_y):
    """Add each factory's output today to its plan year's; returns the day's quits (a whole
    number, so the order of the sum does not matter).
    """
    quits = 0.0
    for f in range(today.shape[0]):
        output_y[f] += today[f, C_OUTPUT]
        quits += today[f, C_QUITS]
    return quits


PAIRWISE_MAX = 128  # NumPy's pairwise block: below it, one block of eight running sums


@njit(cache=True)
def pairwise_sum(a, lo, n):
    """Sum of ``a[lo:lo + n]`` added as NumPy adds a contiguous block of at most 128 numbers
    (so the result equals ``np.sum``); ``n`` must not exceed :data:`PAIRWISE_MAX`.
    """
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - n % 8:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True)
def numpy_sum(a, lo, n):
    """Sum of ``a[lo:lo + n]`` in the order NumPy adds a contiguous float64 array (blocks of at
    most 128 by :func:`pairwise_sum`, halves of whole eights above), so it equals ``np.sum``.
    """
    if n <= PAIRWISE_MAX:
        return pairwise_sum(a, lo, n)
    # NumPy recurses: sum(first n2) + sum(rest), n2 = the whole eights of n // 2. The same tree,
    # walked with explicit stacks (a block's sum when small; else its halves, then their sum).
    los = np.empty(64, dtype=np.int64)
    ns = np.empty(64, dtype=np.int64)
    stage = np.zeros(64, dtype=np.int64)
    vals = np.empty(64)
    sp = 1
    vp = 0
    los[0], ns[0] = lo, n
    while sp > 0:
        top = sp - 1
        m = ns[top]
        if m <= PAIRWISE_MAX:
            vals[vp] = pairwise_sum(a, los[top], m)
            vp += 1
            sp -= 1
            continue
        m2 = m // 2
        m2 -= m2 % 8
        if stage[top] == 2:
            vals[vp - 2] = vals[vp - 2] + vals[vp - 1]
            vp -= 1
            sp -= 1
            continue
        child_lo = los[top] if stage[top] == 0 else los[top] + m2
        child_n = m2 if stage[top] == 0 else m - m2
        stage[top] += 1
        los[sp], ns[sp], stage[sp] = child_lo, child_n, 0
        sp += 1
    return vals[0]


@njit(cache=True)
def assemble_row(st, today, R, norm, shops_per_factory, price, tot):
    """The day's record: per-factory columns into ``R.per_f`` and the plant/industry row
    ``tot`` (``R``: the record's layout, ``records.Rec``).

    ``R.fixed`` holds per-factory columns copied as they are (plan, fulfilment, authority,
    will) into ``R.fixed_dst``; the last column of ``R.fixed_dst`` receives the norm index
    (mean over a factory's shops of norm / initial norm) unless there are more than
    :data:`PAIRWISE_MAX` shops a factory (then the caller fills it before calling). Sums over
    factories run in row order; the per-factory means and rates are left to the caller.
    """
    stock_dst, stock_src, flow_dst, flow_src = R.stock_dst, R.stock_src, R.flow_dst, R.flow_src
    fixed_dst, fixed, norm0, per_f = R.fixed_dst, R.fixed, R.norm0, R.per_f
    i_head, i_pay_total, i_pay_nominal = R.special[0], R.special[1], R.special[2]
    i_pay_real, i_workdays = R.special[3], R.special[4]
    nf = st.shape[0]
    S = shops_per_factory
    rel = np.empty(S)
    for f in range(nf):
        for j in range(stock_dst.shape[0]):
            per_f[f, stock_dst[j]] = st[f, stock_src[j]]
        for j in range(flow_dst.shape[0]):
            per_f[f, flow_dst[j]] = today[f, flow_src[j]]
        for j in range(fixed.shape[0]):
            per_f[f, fixed_dst[j]] = fixed[j, f]
        if S <= PAIRWISE_MAX:
            for k in range(S):
                rel[k] = norm[f * S + k] / max(norm0[f * S + k], 1e-12)
            per_f[f, fixed_dst[fixed.shape[0]]] = pairwise_sum(rel, 0, S) / S
    for j in range(per_f.shape[1]):
        acc = per_f[0, j]
        for f in range(1, nf):
            acc += per_f[f, j]
        tot[j] = acc
    for j in R.means:
        tot[j] /= max(tot[i_head], 1.0)
    tot[i_pay_nominal] = tot[i_pay_total] / max(tot[i_workdays], 1.0)
    tot[i_pay_real] = tot[i_pay_nominal] / price
    head_sum = 0.0
    for f in range(nf):
        head_sum += max(st[f, 0], 1.0)
    for j in R.weighted:
        acc = 0.0
        for f in range(nf):
            acc += max(st[f, 0], 1.0) * per_f[f, j]
        tot[j] = acc / head_sum


@njit(cache=True)
def record_row(st, t, S):
    """Day ``t``'s record from the end-of-day stocks ``st``: each factory's headcount, then the
    fixed columns (the day's plan, last month's fulfilment, authority and enforcement will) and
    :func:`assemble_row` into ``S.rec.rows[t]``.
    """
    fa, R = S.fac, S.rec
    dim = S.cal.dims[t]
    for f in range(st.shape[0]):
        fa.headcount[f] = st[f, 0]
        R.fixed[0, f] = fa.plan_m[f] / dim
        R.fixed[1, f] = fa.fulfilment_last[f]
        R.fixed[2, f] = fa.authority[f]
        R.fixed[3, f] = fa.will[f]
    assemble_row(st, S.day.today, R, S.shops.norm, S.shops.per_factory, S.cal.price[t], R.rows[t])


# ---------------------------------------------------------------- the bookkeeping steps
@njit(cache=True)
def start_day(lo, hi, t, S):
    """The ``day`` step: today's counters and leavers start from zero."""
    S.day.today[:] = 0.0
    S.day.leavers[:] = 0.0


@njit(cache=True)
def close_step(lo, hi, t, S):
    """The ``close`` step: each factory's output today joins its plan year's; yesterday's quits
    (for tomorrow's flitting) are today's; one more day of the plan year.
    """
    D = S.day
    D.floats[F_QUITS_Y] = close_day(D.today, S.fac.output_y)
    D.ints[I_YEAR_DAYS] += 1


@njit(cache=True)
def record_prepare(lo, hi, t, S):
    """Before the day's stocks: on the first day the stocks are counted in full and the
    initial norms are kept for the norm index.
    """
    D = S.day
    if D.ints[I_HAVE_STOCKS] == 0:
        D.ints[I_RECOUNT] = 1
        S.rec.norm0[:] = S.shops.norm


@njit(cache=True, nogil=True)
def record_rows(lo, hi, t, S):
    """The stocks of rows ``lo..hi`` into ``day.recount``, if a step changed counted
    attributes today (``day.ints[I_RECOUNT]``); otherwise nothing (they are carried).
    """
    D = S.day
    if D.ints[I_RECOUNT]:
        D.recount[:] = 0.0
        stocks_into(D.recount, lo, hi, S.people, S.cal.days[t])


@njit(cache=True)
def record_close(lo, hi, t, S):
    """The ``record`` step's end: the day's stocks (recounted, or, on a day when only leaving
    and hiring changed counted attributes, yesterday's counts less today's leavers plus
    today's hires with the sums production took: exact, whole numbers) into the spare slot of
    ``day.stocks``, which becomes the latest, and the day's metric row.
    """
    D = S.day
    cur = D.ints[I_CUR]
    new = 1 - cur
    st = D.stocks[new]
    if D.ints[I_RECOUNT]:
        st[:] = D.recount
        D.ints[I_RECOUNT] = 0
    else:
        carried_stocks(st, D.day_stocks, D.stocks[cur], D.leavers, D.hired_stocks)
        D.ints[I_CARRIED] += 1
    D.ints[I_CUR] = new
    D.ints[I_HAVE_STOCKS] = 1
    record_row(st, t, S)


class EventLog:
    """Append-only event log; ``add`` returns the new event's id (0, 1, 2, ...).

    Events are kept as row tuples (``add``: one event; ``add_columns``: many, given column by
    column); every :attr:`chunk` events the tuples
    become a Polars frame (columnar, far smaller than the tuples), and :meth:`frame` joins the
    frames at the end. Kinds in ``skip`` are not kept (``add`` returns -1).
    """

    chunk = 100_000

    def __init__(self, skip: set[str] | frozenset[str] = frozenset()):
        self.rows: list[tuple] = []
        self.frames: list[pl.DataFrame] = []
        self.n = 0
        self.skip = frozenset(skip)

    def add(
        self,
        kind: str,
        date: dt.date,
        factory: int,
        *,
        parent: int = -1,
        person: int = -1,
        role: str = "",
        target: int = -1,
        target_role: str = "",
        side: str = "",
        topic: str = "",
        frame: str = "",
        strength: float = float("nan"),
        outcome: str = "",
        charge: str = "",
        detail: str = "",
    ) -> int:
        if kind in self.skip:
            return -1
        eid = self.n
        self.n += 1
        self.rows.append(
            (
                eid,
                date,
                int(factory),
                kind,
                int(parent),
                int(person),
                role,
                int(target),
                target_role,
                side,
                topic,
                frame,
                float(strength),
                outcome,
                charge,
                detail,
            )
        )
        if len(self.rows) >= self.chunk:
            self._flush()
        return eid

    def add_columns(self, k: int, *columns) -> int:
        """Add ``k`` events given column by column: every column but ``event_id``, in the
        order of :data:`EVENT_SCHEMA`, each ``k`` values (``itertools.repeat`` for one value)
        with the types ``add`` casts to. For many events of a kind not skipped. Returns the
        first new id.
        """
        first = self.n
        # (a list first: columns of the wrong length raise before anything is added)
        self.rows.extend(list(zip(range(first, first + k), *columns, strict=True)))
        self.n += k
        if len(self.rows) >= self.chunk:
            self._flush()
        return first

    def __len__(self) -> int:
        return self.n

    def _flush(self) -> None:
        if self.rows:
            # column by column (transposed in Python): twice as fast as a frame built from rows
            columns = dict(zip(EVENT_SCHEMA, zip(*self.rows, strict=True), strict=True))
            self.frames.append(pl.DataFrame(columns, schema=EVENT_SCHEMA))
            self.rows = []

    def frame(self) -> pl.DataFrame:
        self._flush()
        if not self.frames:
            return pl.DataFrame(schema=EVENT_SCHEMA)
        if len(self.frames) > 1 or self.frames[0].n_chunks() > 1:
            self.frames = [pl.concat(self.frames, rechunk=True)]
        return self.frames[0]


def monthly_from_daily(metrics: pl.DataFrame) -> pl.DataFrame:
    """Monthly aggregates: sums of flows, month-end stocks, and the derived rates."""
    stock_cols = [c for c in metrics.columns if c not in FLOW_COLUMNS and c != "date"]
    m = metrics.with_columns(
        pl.col("date").dt.truncate("1mo").alias("month"),
        (pl.col("date").dt.day() >= 21).alias("_late"),
    )
    agg = [pl.col(c).sum() for c in FLOW_COLUMNS if c in metrics.columns]
    agg += [pl.col(c).last() for c in stock_cols if c not in ("pay_nominal", "pay_real")]
    agg += [
        pl.col("headcount").mean().alias("_mean_head"),
        pl.col("date").count().alias("days"),
        pl.col("output").filter(pl.col("_late")).sum().alias("_late_output"),
        (pl.col("pay_real") * pl.col("workdays")).sum().alias("_real_total"),
    ]
    out = m.group_by("month", maintain_order=True).agg(agg)
    out = out.with_columns(
        (pl.col("output") / pl.col("plan_daily")).alias("fulfilment"),
        (pl.col("_late_output") / pl.col("output")).alias("last_decade_share"),
        (pl.col("quits") / pl.col("_mean_head") * 365.0 / pl.col("days")).alias("turnover_rate"),
        (pl.col("absent") / pl.col("scheduled")).alias("absence_rate"),
        (pl.col("pay_total") / pl.col("workdays")).alias("pay_nominal"),
        (pl.col("_real_total") / pl.col("workdays")).alias("pay_real"),
    ).rename({"plan_daily": "plan"})
    return out.drop(["_mean_head", "_late_output", "_real_total"])


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("treugolnik", "numpy", "numba", "polars", "pydantic"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "unknown"
    return out


def write_run(
    out_dir: str | Path,
    manifest: dict,
    metrics: pl.DataFrame,
    monthly: pl.DataFrame,
    events: pl.DataFrame,
) -> Path:
    """Write the four files of the run contract atomically (temp names, then rename)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(".*.tmp"):  # left by a writer that was killed
        stale.unlink(missing_ok=True)
    tmp = {}
    pid = os.getpid()
    try:
        for name, df in (("metrics", metrics), ("monthly", monthly), ("events", events)):
            path = out / f".{name}.parquet.{pid}.tmp"
            df.write_parquet(path, compression="zstd", statistics=False)
            tmp[name + ".parquet"] = path
        path = out / f".run.json.{pid}.tmp"
        manifest = dict(manifest, versions=_versions())
        path.write_text(json.dumps(manifest, indent=2, default=str, sort_keys=True))
        tmp["run.json"] = path
        for final, path in tmp.items():
            os.replace(path, out / final)
    finally:
        for path in tmp.values():
            if path.exists():
                path.unlink()
    return out
