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
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import polars as pl
from numba import njit

from .maths import PAIRWISE_MAX, numpy_sum, pairwise_sum  # noqa: F401 (re-exported)
from .records import (
    F_QUITS_Y,
    I_CARRIED,
    I_CUR,
    I_HAVE_STOCKS,
    I_RECOUNT,
    I_ROWS0,
    I_YEAR_DAYS,
)
from .state import C_OUTPUT, C_QUITS, COUNTERS, C
from .stocks import (  # noqa: F401 (re-exported: the record's stocks are defined there)
    COUNT_COLUMNS,
    STOCKS,
    carried_stocks,
    carry_counts,
    count_leaver,
    count_promotion,
    stocks_by_factory,
    stocks_into,
)

# The version of the record contract (docs/ODD.md, section 8), written into run.json as
# ``record_contract``; readers refuse runs of another version. Version 1: runs before it was
# recorded; 2: file checksums in run.json, null (never NaN) for "not applicable".
RECORD_CONTRACT = 2

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
    "reinstatements",
    "elections",
    "officers_replaced",
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
    "election",
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
    """The ``day`` step: today's counters and leavers start from zero; the rows of the
    day's start are noted (``day.ints[I_ROWS0]``).
    """
    S.day.today[:] = 0.0
    S.day.leavers[:] = 0.0
    S.day.ints[I_ROWS0] = S.people.size[0]


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


class Coded(NamedTuple):
    """A text column given as codes: event ``j``'s text is ``names[codes[j]]`` (for
    :meth:`EventLog.add_columns`). Names given as a tuple are looked up once per frame of the
    log (fixed names: kinds, roles, outcomes); others, such as a meeting's texts, once per
    distinct code in each call.
    """

    codes: np.ndarray
    names: Sequence[str]


# the event log's columns but event_id, by how the log keeps them while they wait for a frame:
# whole numbers (the date as days since 1970-01-01), texts (as codes into the log's words) and
# the one float column
_LOG_COLUMNS = tuple(EVENT_SCHEMA)[1:]
_TEXT = frozenset(name for name in _LOG_COLUMNS if EVENT_SCHEMA[name] == pl.Utf8)
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
# the values of columns not given (EventLog.add's defaults; texts default to "")
_DEFAULT = {"parent_id": -1, "person": -1, "target": -1, "strength": None}
_DEFAULT.update((name, "") for name in _TEXT)
# each column's row in the log's table of whole numbers (the float column has none)
_INT_ROW = {name: j - (j > _LOG_COLUMNS.index("strength"))
            for j, name in enumerate(_LOG_COLUMNS) if name != "strength"}  # fmt: skip


class EventLog:
    """Append-only event log; ``add`` returns the new event's id (0, 1, 2, ...).

    Events wait in two NumPy tables, a place per event: one of whole numbers, a row per column
    (texts as codes into the log's words, each distinct text once; the date as days since
    1970-01-01), and one of the float column (``add``: one event; ``add_columns``: many, given
    column by column). Every :attr:`chunk` events they become a Polars frame, the words looked
    up there once per frame; :meth:`frame` joins the frames at the end. Kinds in ``skip`` are
    not kept (``add`` returns -1).
    """

    chunk = 100_000
    _NAMES = _LOG_COLUMNS
    _FLOAT = _LOG_COLUMNS.index("strength")
    _INT = _INT_ROW
    _PLACE = tuple(_INT_ROW.get(name, -1) for name in _LOG_COLUMNS)
    _TEXT_PLACES = frozenset(j for j, name in enumerate(_LOG_COLUMNS) if name in _TEXT)
    _DATE = _LOG_COLUMNS.index("date")
    _FACTORY = _LOG_COLUMNS.index("factory")

    def __init__(self, skip: set[str] | frozenset[str] = frozenset()):
        self.first = 0  # the id of the first event not yet in a frame
        self.frames: list[pl.DataFrame] = []
        self.n = 0
        self.skip = frozenset(skip)
        self._ints = np.empty((len(self._INT), 0), dtype=np.int64)  # (a row per column)
        self._floats = np.empty(0)
        self._start_words()

    def _start_words(self) -> None:
        self._words: dict[str, int] = {"": 0}  # a text's code in this frame's words
        self._vocab: list[str] = [""]
        self._tables: dict[tuple[str, ...], np.ndarray] = {}  # (Coded's names as codes)
        self._plans: dict[tuple, tuple] = {}  # (add_rows' layouts, as rows and codes)

    def _word(self, text: str) -> int:
        code = self._words.get(text)
        if code is None:
            code = self._words[text] = len(self._vocab)
            self._vocab.append(text)
        return code

    def _room(self, k: int) -> int:
        """The row where ``k`` more events go, the tables grown to hold them."""
        at = self.n - self.first
        if at + k > self._floats.shape[0]:
            size = max(at + k, min(2 * self._floats.shape[0] + 1024, self.chunk))
            ints = np.empty((self._ints.shape[0], size), dtype=np.int64)
            ints[:, :at] = self._ints[:, :at]
            floats = np.empty(size)
            floats[:at] = self._floats[:at]
            self._ints, self._floats = ints, floats
        return at

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
        strength: float | None = None,
        outcome: str = "",
        charge: str = "",
        detail: str = "",
    ) -> int:
        if kind in self.skip:
            return -1
        at = self._room(1)
        w = self._word
        self._ints[:, at] = (
            date.toordinal() - _EPOCH_ORDINAL, factory, w(kind), parent, person, w(role),
            target, w(target_role), w(side), w(topic), w(frame), w(outcome), w(charge),
            w(detail),
        )  # fmt: skip
        self._floats[at] = np.nan if strength is None else strength
        eid = self.n
        self.n += 1
        if self.n - self.first >= self.chunk:
            self._flush()
        return eid

    def _column(self, name: str, col, k: int):
        """Column ``name`` of ``k`` events as the log keeps it (an array, or one number for
        all), or None if it has not ``k`` values. ``col`` is one value for all, a sequence or
        array of ``k`` values, or (a text column) :class:`Coded`.
        """
        if name in _TEXT:
            if isinstance(col, str):
                return self._word(col)
            if isinstance(col, Coded):
                codes = np.asarray(col.codes)
                if codes.shape != (k,):
                    return None
                names = col.names
                if not isinstance(names, tuple):  # (names made for these events: those used)
                    table = np.zeros(len(names), dtype=np.int64)
                    for c in set(codes.tolist()):
                        table[c] = self._word(names[c])
                    return table[codes]
                table = self._tables.get(names)
                if table is None:
                    table = self._tables[names] = np.array(
                        [self._word(text) for text in names], dtype=np.int64
                    )
                return table[codes]
            if isinstance(col, (int, float, np.number)) or len(col) != k:
                return None
            if not all(isinstance(text, str) for text in col):
                return None
            return [self._word(text) for text in col]
        if name == "date":
            if isinstance(col, dt.date):
                return col.toordinal() - _EPOCH_ORDINAL
            dates = np.asarray(col, dtype="datetime64[D]")
            if np.isnat(dates).any():
                return None  # (every event has a date)
            out = dates.astype(np.int64)
        elif name == "strength":
            if col is None or isinstance(col, (int, float, np.integer, np.floating)):
                return np.nan if col is None else float(col)
            if isinstance(col, np.ndarray):
                out = col
            else:
                out = np.array([np.nan if x is None else x for x in col], dtype=np.float64)
        elif isinstance(col, (int, np.integer)):
            return int(col)
        else:
            out = np.asarray(col)
            if out.dtype.kind not in "iub":  # (whole numbers only)
                return None
        return out if out.shape == (k,) else None

    def add_columns(self, k: int, *columns) -> int:
        """Add ``k`` events given column by column: every column but ``event_id``, in the
        order of :data:`EVENT_SCHEMA`. A column is one value for every event, ``k`` values
        (a list or an array; dates as ``datetime.date`` or ``datetime64``), or for a text
        column :class:`Coded`. For many events of a kind not skipped. Returns the first new
        id; a column of the wrong length adds nothing and raises ``ValueError``.
        """
        if len(columns) != len(self._NAMES):
            raise ValueError(f"add_columns: {len(columns)} columns, the log has {len(self._NAMES)}")
        if k < 0:
            raise ValueError(f"add_columns: {k} events")
        # (written past the last event and counted only if every column is right: a column
        # of the wrong length adds nothing)
        at = self._room(k)
        bad = self._write(columns, at, k)
        if bad:
            raise ValueError(f"add_columns: {k} events, but not {k} values of {', '.join(bad)}")
        first = self.n
        self.n += k
        if k and self.n - self.first >= self.chunk:
            self._flush()
        return first

    def _write(self, columns, at: int, k: int, skip: frozenset = frozenset()) -> list[str]:
        """Write ``k`` events' ``columns`` (every column of the log, as :meth:`add_columns`
        takes them; those named in ``skip`` are left) from place ``at``; returns the names of
        those without ``k`` values.
        """
        bad = []
        ints, texts, place, date, names = (
            self._ints, self._TEXT_PLACES, self._PLACE, self._DATE, self._NAMES,
        )  # fmt: skip
        for j, col in enumerate(columns):
            if names[j] in skip:
                continue
            # the commonest forms first: one value, an array of numbers, codes of texts
            kind = type(col)
            if (kind is int and j not in texts and j != date) or (
                kind is float and j == self._FLOAT
            ):
                value = col
            elif kind is str and j in texts:
                value = self._word(col)
            elif kind is np.ndarray and j not in texts and j != date:
                ok = col.shape == (k,) and (col.dtype.kind in "iub" or j == self._FLOAT)
                value = col if ok else None
            elif kind is dt.date and j == date:
                value = col.toordinal() - _EPOCH_ORDINAL
            else:
                value = self._column(names[j], col, k)
            if value is None:
                bad.append(names[j])
            elif j == self._FLOAT:
                self._floats[at : at + k] = value
            else:
                ints[place[j], at : at + k] = value
        return bad

    def add_rows(self, values: np.ndarray, layout: tuple, **given) -> int:
        """Add an event per row of ``values``, a table of whole numbers such as a compiled
        step writes: its columns fill the log's columns named by ``layout``, each entry
        ``(name, names)`` with ``names`` the tuple of texts its codes index, or None for a
        number. The other columns come from ``given`` (one value or a value per event, as
        :meth:`add_columns` takes them), or take :meth:`add`'s defaults; ``date`` and
        ``factory`` must be given. Returns the first new id.
        """
        k = values.shape[0]
        plan = self._plans.get(layout)
        if plan is None:  # (once per frame: the rows of the log's table and the texts' codes)
            numbers = [(j, self._INT[name]) for j, (name, names) in enumerate(layout)
                       if names is None]  # fmt: skip
            texts = [(j, self._INT[name], names) for j, (name, names) in enumerate(layout)
                     if names is not None]  # fmt: skip
            offsets = np.cumsum([0] + [len(names) for _, _, names in texts])[:-1]
            words = np.array([self._word(t) for _, _, names in texts for t in names], np.int64)
            plan = self._plans[layout] = (
                [j for j, _ in numbers], [row for _, row in numbers],
                [j for j, _, _ in texts], [row for _, row, _ in texts], offsets, words,
                frozenset(name for name, _ in layout),
                np.array([len(names) for _, _, names in texts], dtype=np.int64),
            )  # fmt: skip
        num_cols, num_rows, text_cols, text_rows, offsets, words, filled, sizes = plan
        codes = values[:, text_cols]
        if k and ((codes < 0) | (codes >= sizes)).any():
            raise ValueError("add_rows: a text's code outside its column's names")
        if filled & given.keys():
            raise ValueError(f"add_rows: {', '.join(filled & given.keys())} given twice")
        columns = [given.pop(name, _DEFAULT.get(name)) if name not in filled else None
                   for name in self._NAMES]  # fmt: skip
        if given:
            raise ValueError(f"add_rows: {', '.join(given)} are not columns of the log")
        if columns[self._DATE] is None or columns[self._FACTORY] is None:
            raise ValueError("add_rows: the date and the factory must be given")
        at = self._room(k)
        bad = self._write(columns, at, k, skip=filled)
        if bad:
            raise ValueError(f"add_rows: {k} events, but not {k} values of {', '.join(bad)}")
        ints = self._ints
        ints[num_rows, at : at + k] = values[:, num_cols].T
        ints[text_rows, at : at + k] = words[codes + offsets].T
        first = self.n
        self.n += k
        if k and self.n - self.first >= self.chunk:
            self._flush()
        return first

    def __len__(self) -> int:
        return self.n

    def _flush(self) -> None:
        total = self.n - self.first
        if total:
            words = pl.Series(self._vocab, dtype=pl.Utf8)
            columns = {"event_id": pl.Series(np.arange(self.first, self.n, dtype=np.int64))}
            for name in self._NAMES:
                if name == "strength":
                    # "not applicable" is null, never NaN (given for speeches, directives and
                    # meetings only); (a copy: the table is written again)
                    col = pl.Series(self._floats[:total].copy()).fill_nan(None)
                else:
                    values = self._ints[self._INT[name], :total].copy()
                    if name in _TEXT:
                        col = words.gather(values)
                    elif name == "date":
                        col = pl.Series(values.astype(np.int32)).cast(pl.Date)
                    else:
                        col = pl.Series(values).cast(EVENT_SCHEMA[name])
                columns[name] = col
            self.frames.append(pl.DataFrame(columns, schema=EVENT_SCHEMA))
            self.first = self.n
        self._start_words()

    # rows per row group of a log written by :meth:`write_parquet` (fixed, so that the file
    # does not depend on how the log happens to be chunked)
    row_group = 1 << 20

    def write_parquet(self, path) -> None:
        """Write the log to ``path`` without first joining its chunks into one frame (joining
        holds the log twice: about 0.5 GB more at ussr-industry's size). The file's bytes depend on
        the events only, not on how they are chunked.
        """
        self._flush()
        frames = self.frames or [pl.DataFrame(schema=EVENT_SCHEMA)]
        pl.concat(frames, rechunk=False).write_parquet(
            path, compression="zstd", row_group_size=self.row_group
        )

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
        _ratio("output", "plan_daily").alias("fulfilment"),
        _ratio("_late_output", "output").alias("last_decade_share"),
        (_ratio("quits", "_mean_head") * 365.0 / pl.col("days")).alias("turnover_rate"),
        _ratio("absent", "scheduled").alias("absence_rate"),
        _ratio("pay_total", "workdays").alias("pay_nominal"),
        _ratio("_real_total", "workdays").alias("pay_real"),
    ).rename({"plan_daily": "plan"})
    return out.drop(["_mean_head", "_late_output", "_real_total"])


def _ratio(num: str, den: str) -> pl.Expr:
    """``num / den``, null (not defined) where ``den`` is not positive: a month with no plan,
    no output, nobody employed or scheduled has no rate, and no NaN or infinity stands for it.
    """
    return pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den)).otherwise(None)


def not_finite(frames: dict[str, pl.DataFrame]) -> list[str]:
    """``file.column`` of every float column holding NaN or infinity (nulls are allowed: they
    mean "not defined"); empty for a sound record.
    """
    bad = []
    for name, df in frames.items():
        for col, dtype in df.schema.items():
            if dtype.is_float() and df.height and not df[col].is_finite().fill_null(True).all():
                bad.append(f"{name}.{col}")
    return bad


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
    """Write the four files of the run contract atomically (temp names, then rename);
    ``run.json`` lists each Parquet file's size and SHA-256 (``files``).
    """
    bad = not_finite({"metrics": metrics, "monthly": monthly, "events": events})
    if bad:  # a fault of the model, not of the input: refuse to write it
        raise FloatingPointError(f"NaN or infinity in {', '.join(bad)}; nothing written")
    from .integrity import digest, remove_stale_tmp

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_tmp(out)  # left by a writer that was killed (a live writer's are kept)
    tmp = {}
    files = {}
    pid = os.getpid()
    try:
        for name, df in (("metrics", metrics), ("monthly", monthly), ("events", events)):
            path = out / f".{name}.parquet.{pid}.tmp"
            df.write_parquet(path, compression="zstd", statistics=False)
            tmp[name + ".parquet"] = path
            files[name + ".parquet"] = digest(path)
        path = out / f".run.json.{pid}.tmp"
        manifest = dict(
            manifest, versions=_versions(), files=files, record_contract=RECORD_CONTRACT
        )
        path.write_text(json.dumps(manifest, indent=2, default=str, sort_keys=True))
        tmp["run.json"] = path
        for final, path in tmp.items():
            os.replace(path, out / final)
    finally:
        for path in tmp.values():
            if path.exists():
                path.unlink()
    return out


# record columns copied from today's counters: every counter that is also a record column
# (the day's pay sum becomes pay_total; pay_nominal is per working day)
FROM_COUNTERS = {
    **{n: n for n in COUNTERS if n in METRIC_COLUMNS + EXTRA_COLUMNS and n != "pay_nominal"},
    "pay_total": "pay_nominal",
}
STOCK_AS = {"g_sum": "grievance", "phi_sum": "fear", "c_sum": "consciousness"}
# metric columns kept as floats (the others are whole numbers)
FLOAT_COLUMNS = (
    "date", "output", "plan_daily", "pay_nominal", "pay_real", "norm_index", "grievance",
    "fear", "consciousness", "pay_total", "fulfilment_month", "authority", "enforcement_will",
)  # fmt: skip


def record_layout(col: dict[str, int], nf: int, norm: np.ndarray, n_days: int):
    """The record's layout (``records.Rec``) for metric columns ``col`` (name: index), ``nf``
    factories, the initial norms and ``n_days`` days.
    """
    from .records import Rec

    stock_dst, stock_src = [], []
    for j, name in enumerate(STOCKS):
        name = STOCK_AS.get(name, name)
        if name in col:
            stock_dst.append(col[name])
            stock_src.append(j)
    fixed = ("plan_daily", "fulfilment_month", "authority", "enforcement_will", "norm_index")
    special = ("headcount", "pay_total", "pay_nominal", "pay_real", "workdays")
    weighted = ("norm_index", "fulfilment_month", "authority", "enforcement_will")
    i64 = np.int64
    return Rec(
        stock_dst=np.array(stock_dst, dtype=i64),
        stock_src=np.array(stock_src, dtype=i64),
        flow_dst=np.array([col[k] for k in FROM_COUNTERS], dtype=i64),
        flow_src=np.array([C[v] for v in FROM_COUNTERS.values()], dtype=i64),
        fixed_dst=np.array([col[k] for k in fixed], dtype=i64),
        fixed=np.empty((4, nf)),
        norm0=norm.copy(),
        means=np.array([col[k] for k in ("grievance", "fear", "consciousness")], dtype=i64),
        weighted=np.array([col[k] for k in weighted], dtype=i64),
        special=np.array([col[k] for k in special], dtype=i64),
        per_f=np.empty((nf, len(col))),
        rows=np.zeros((n_days, len(col))),
    )
