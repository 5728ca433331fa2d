"""The columnar person table: one row per employee, one NumPy array per attribute.

>>> pop = Population(capacity=8)
>>> rows = pop.append(3)
>>> pop.pid[:pop.n].tolist()
[0, 1, 2]

Rows live in arrays of a capacity that doubles when full, so hiring never reallocates per day.
People who leave (quit, dismissed, arrested, dead) keep their row with a non-zero ``state``
until :meth:`Population.compact` drops them (monthly); compaction keeps the order of ids, so
``pid`` stays sorted and a person's row is found with ``searchsorted``. Person ids are never
reused. Nothing here draws random numbers; attributes of new people are set by
``mechanisms.hiring`` from counter-based draws keyed by their ids.
"""

from __future__ import annotations

import numpy as np
from numba import literal_unroll, njit

# Roles (docs/ODD.md, section 2). The director, PPO secretary and union chair are marked per
# factory.
WORKER, FOREMAN, SPECIALIST, MANAGER = 0, 1, 2, 3
ROLES = ("worker", "foreman", "specialist", "manager")

# Employment states.
EMPLOYED, QUIT, DISMISSED, ARRESTED, DEAD = 0, 1, 2, 3, 4
STATES = ("employed", "quit", "dismissed", "arrested", "dead")

# Party status.
NONPARTY, CANDIDATE, MEMBER, EXPELLED = 0, 1, 2, 3

# Institution membership bits.
CONFERENCE, COMMISSION, INVENTORS = 1, 2, 4

# "No factory (or shop) yet" for a daily kernel's factory and shop indices, which it holds as
# unsigned integers: Numba then looks an unsigned index up directly, with no test for a negative
# index counting from the end of the array (labour: 209 instructions a row fell to 184;
# docs/PERFORMANCE.md, step 19).
NO_INDEX = np.uint64(0xFFFFFFFFFFFFFFFF)

COLUMNS: dict[str, type] = {
    "pid": np.int64,  # stable person id
    "factory": np.int32,
    "shop": np.int32,  # global shop index: factory * shops + local shop
    "role": np.int8,
    "skill": np.float32,  # 0..1
    "hired": np.int32,  # day (since 1928-01-01) of hiring; tenure = today - hired
    "village": np.int8,  # 1 = village newcomer
    "party": np.int8,  # NONPARTY, CANDIDATE, MEMBER, EXPELLED
    "party_since": np.int32,
    "c": np.float32,  # consciousness (political literacy) 0..1
    "g": np.float32,  # grievance >= 0
    "phi": np.float32,  # fear 0..1
    "e0": np.float32,  # personal base effort
    "effort": np.float32,  # today's effort
    "out_m": np.float32,  # month-to-date output
    "pay_m": np.float32,  # month-to-date nominal pay
    "days_m": np.int16,  # days worked this month
    "shock": np.int8,
    "stakh": np.int8,
    "inst": np.int8,  # CONFERENCE | COMMISSION | INVENTORS bits
    "accused": np.int16,  # number of accusations received
    "last_accused": np.int32,  # day of the last accusation (-1 never)
    "state": np.int8,
    "left": np.int32,  # day the person left (state != EMPLOYED)
    "injured_until": np.int32,  # day (exclusive) until which the person is injured
    "absent": np.int8,  # absent today
    "pay_short": np.float32,  # last month's real pay shortfall against the reference
    "prosecuted": np.int16,
}


@njit(cache=True, inline="always")
def _kept(i, state, party, members_only):
    if state[i] != EMPLOYED:
        return False
    return not members_only or party[i] == MEMBER or party[i] == CANDIDATE


@njit(cache=True)
def group_by_factory(lo, hi, factory, state, party, members_only, n_factories):
    """Employed rows ``lo..hi`` (only party members and candidates if ``members_only``)
    grouped by factory in row order (a stable counting sort), and the group bounds.
    """
    bounds = np.zeros(n_factories + 1, dtype=np.int64)
    for i in range(lo, hi):
        if _kept(i, state, party, members_only):
            bounds[factory[i] + 1] += 1
    for f in range(n_factories):
        bounds[f + 1] += bounds[f]
    fill = bounds[:-1].copy()
    rows = np.empty(bounds[n_factories], dtype=np.int64)
    for i in range(lo, hi):
        if _kept(i, state, party, members_only):
            f = factory[i]
            rows[fill[f]] = i
            fill[f] += 1
    return rows, bounds


@njit(cache=True, nogil=True)
def _move_down(col, keep, n):
    """``col[:k] = col[keep]`` in place (``keep`` increasing, so ``keep[j] >= j``), then zeros
    up to row ``n``.
    """
    k = keep.shape[0]
    for j in range(k):
        col[j] = col[keep[j]]
    col[k:n] = 0


@njit(cache=True, nogil=True)
def _move_all(keep, n, columns):
    """:func:`_move_down` for every column in the tuple ``columns``."""
    for col in literal_unroll(columns):
        _move_down(col, keep, n)


@njit(cache=True)
def new_ids(pid, last_accused, n, next_pid, k):
    """Give rows ``n..n + k`` the fresh ids ``next_pid..`` and no accusation yet."""
    for j in range(k):
        pid[n + j] = next_pid + j
        last_accused[n + j] = -1


def column_groups(parts: int) -> list[tuple[str, ...]]:
    """The columns in ``parts`` groups of about equal bytes a row (largest first, each to the
    lightest group so far; a function of ``parts`` only).
    """
    groups: list[list[str]] = [[] for _ in range(parts)]
    size = [0] * parts
    for name in sorted(COLUMNS, key=lambda c: (-np.dtype(COLUMNS[c]).itemsize, c)):
        g = size.index(min(size))
        groups[g].append(name)
        size[g] += np.dtype(COLUMNS[name]).itemsize
    return [tuple(g) for g in groups if g]


class Population:
    """Columnar person table with stable ids and amortised growth."""

    def __init__(self, capacity: int = 1024):
        self.capacity = max(16, int(capacity))
        # the row count and the next free id, in an array so that compiled steps update them
        self.size = np.zeros(2, dtype=np.int64)
        self.compactions = 0  # bumped whenever rows are removed
        self._groups = None
        self._tail = None
        for name, dtype in COLUMNS.items():
            setattr(self, name, np.zeros(self.capacity, dtype=dtype))
        self._record = None

    @property
    def n(self) -> int:
        """Rows in use."""
        return int(self.size[0])

    @n.setter
    def n(self, value: int) -> None:
        self.size[0] = value

    @property
    def next_pid(self) -> int:
        """The id the next person hired will get."""
        return int(self.size[1])

    @next_pid.setter
    def next_pid(self, value: int) -> None:
        self.size[1] = value

    def record(self):
        """The table as a ``records.People`` (the same arrays; rebuilt when they grow)."""
        if self._record is None:
            from .records import People

            self._record = People(*(getattr(self, name) for name in COLUMNS), self.size)
        return self._record

    def _grow(self, need: int) -> None:
        """Double the capacity until ``need`` rows fit. Column by column, each old array
        dropped as soon as it is copied: with no other reference to the old table (the
        engine lets go of its own first: ``Simulation.reserve_rows``) the table costs at most one
        column more while it grows, not twice its size.
        """
        cap = max(self.capacity, 16)  # (0 after :meth:`release`)
        while cap < need:
            cap *= 2
        if cap == self.capacity:
            return
        self._record = None  # (it holds the old arrays)
        for name, dtype in COLUMNS.items():
            new = np.zeros(cap, dtype=dtype)
            new[: self.n] = getattr(self, name)[: self.n]
            setattr(self, name, new)  # the old array goes with its last reference
        self.capacity = cap

    def release(self) -> None:
        """Let go of the table's columns (every column becomes empty, ``n`` 0). For a run
        that is over: its result tables are then made without the table beside them.
        """
        self._record = None
        self._groups = None
        self._tail = None
        for name, dtype in COLUMNS.items():
            setattr(self, name, np.zeros(0, dtype=dtype))
        self.capacity = 0
        self.n = 0

    def append(self, k: int) -> slice:
        """Reserve ``k`` new rows with fresh ids; returns their row slice (attributes zeroed).

        Rows past ``n`` are kept at zero (fresh arrays are zeros and ``compact`` clears the rows
        it frees), so nothing needs clearing here.
        """
        if k == 0:
            return slice(self.n, self.n)
        self._grow(self.n + k)
        rows = slice(self.n, self.n + k)
        new_ids(self.pid, self.last_accused, self.n, self.next_pid, k)
        self.n += k
        self.next_pid += k
        return rows

    def reserve(self, k: int) -> None:
        """Make room for at least ``k`` more rows (the capacity doubles as needed)."""
        self._grow(self.n + k)

    def employed_rows(self, pids: np.ndarray) -> np.ndarray:
        """The rows of the people with ids ``pids`` who are employed; -1 for an id that is
        negative, not in the table or of someone who has left.
        """
        pids = np.asarray(pids, dtype=np.int64)
        rows = self.rows_of(pids)
        found = (pids >= 0) & (rows < self.n)
        found[found] &= self.pid[rows[found]] == pids[found]
        found[found] &= self.state[rows[found]] == EMPLOYED
        return np.where(found, rows, -1)

    def compact(self, pool=None, parts: int = 1) -> None:
        """Drop the rows of people no longer employed (order, hence sorted ids, preserved).

        With a thread pool (``concurrent.futures``) and ``parts`` > 1 the columns are moved in
        that many groups of about equal bytes at once (each column's move is its own, so the
        result is the same; two threads halved the time on a synthetic table of 8 million rows).
        """
        keep = np.flatnonzero(self.state[: self.n] == EMPLOYED)
        if keep.size == self.n:
            return
        if pool is None or parts < 2:
            _move_all(keep, self.n, tuple(getattr(self, name) for name in COLUMNS))
        else:
            n = self.n
            moves = pool.map(
                lambda g: _move_all(keep, n, tuple(getattr(self, name) for name in g)),
                column_groups(parts),
            )
            list(moves)  # (waits for every group)
        self.n = int(keep.size)
        self.compactions += 1

    def factory_rows(self, f: int, n_factories: int) -> np.ndarray:
        """Rows of factory ``f`` that were employed when indexed, in row order.

        The index is one O(n) counting sort, rebuilt after ``compact`` or when the rows added
        since exceed an eighth of the table; rows added since the last build are indexed
        separately (O(new rows)), so a day's hires do not cost a full rebuild. People who left
        since are still listed: callers filter on ``state``.
        """
        g = self._groups
        if g is None or g[0] != self.compactions or self.n - g[1] > g[1] // 8:
            rows, bounds = group_by_factory(
                0, self.n, self.factory, self.state, self.party, False, n_factories
            )
            g = self._groups = (self.compactions, self.n, rows, bounds)
            self._tail = None
        _, n0, rows, bounds = g
        base = rows[bounds[f] : bounds[f + 1]]
        if self.n == n0:
            return base
        if self._tail is None or self._tail[0] != self.n:
            self._tail = (self.n, *group_by_factory(n0, self.n, self.factory, self.state,
                                                    self.party, False, n_factories))  # fmt: skip
        _, tail_rows, tail_bounds = self._tail
        tail = tail_rows[tail_bounds[f] : tail_bounds[f + 1]]
        return np.concatenate((base, tail)) if tail.size else base

    def rows_of(self, pids: np.ndarray) -> np.ndarray:
        """Row indices of the given ids (ids must be present)."""
        return np.searchsorted(self.pid[: self.n], pids)

    def view(self, name: str) -> np.ndarray:
        """The live part of a column."""
        return getattr(self, name)[: self.n]

    def employed(self) -> np.ndarray:
        return self.state[: self.n] == EMPLOYED

    def permuted(self, order: np.ndarray) -> Population:
        """A copy with rows in another order (for tests: draws must not depend on order)."""
        other = Population(self.capacity)
        for name in COLUMNS:
            getattr(other, name)[: self.n] = getattr(self, name)[: self.n][order]
        other.n, other.next_pid = self.n, self.next_pid
        return other
