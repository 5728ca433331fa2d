"""Daily passes over the person table in fixed chunks, on several threads.

A daily kernel (labour, production, the end-of-day stocks) loops over every person. On a big
table the loop is split into chunks of about :data:`CHUNK_PEOPLE` consecutive rows, at most
:data:`MAX_CHUNKS` of them (a chunk costs about half a millisecond a day in copies, draining
and records whatever its size, so sixteen chunks of 750,000 rows beat 48 of 250,000); each chunk
runs the same compiled kernel on its rows (the kernels release the GIL) with its own
accumulators (counters per factory and per shop) and event buffers, and the chunks' results are
then added, and their events concatenated, in chunk order.

The split depends only on the number of rows, never on the number of threads, so a run gives
bit-identical results on one thread or many. A table of fewer than ``2 * CHUNK_PEOPLE`` rows is
one chunk and the kernel runs on the engine's own arrays exactly as a plain call would.

A table smaller than that but of at least :data:`PIPE_PEOPLE` rows runs labour and production,
on the days they are one pass, on two threads: labour ahead, production behind it
(``mechanisms.workday.workday_pipelined``). Each side adds its sums in row order as the one pass
does, so the results are again the same on one thread or two.

Threads: ``TREUGOLNIK_THREADS`` if set, else the machine's cores (at most 8).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numba
import numpy as np
from numba import njit, prange

from .mechanisms import workday
from .population import COLUMNS
from .records import compiled, replace

CHUNK_PEOPLE = 250_000
MAX_CHUNKS = 16  # enough for eight threads; more only add each chunk's fixed cost
# the smallest unsplit table whose one pass is pipelined on two threads: below it a day's pass
# is too short for the second thread's start and hand-over to pay (docs/PERFORMANCE.md, "Labour
# ahead, production behind": no gain at kirov-small's 900 rows, a fifth of the compiled days'
# time at 2,000)
PIPE_PEOPLE = 2_000


@njit(cache=True, nogil=True)
def drain(dst, acc):
    """``dst += acc`` element by element, then ``acc = 0`` (flat arrays; most of a chunk's
    sums are zero and are only read).
    """
    for j in range(dst.shape[0]):
        if acc[j] != 0:
            dst[j] += acc[j]
            acc[j] = 0


@njit(cache=True, nogil=True)
def drain_many(dsts, srcs):
    """:func:`drain` for each pair of a tuple of flat arrays and its chunk's copies."""
    for k in range(len(dsts)):
        drain(dsts[k], srcs[k])


@njit(cache=True, parallel=True)
def _two_threads(out):
    for k in prange(2):
        out[k] = k


_PIPE_CAPABLE: bool | None = None


def _after_fork_in_child() -> None:
    # a child forked from a process whose OpenMP threads have run must not use them (GNU
    # OpenMP is not fork-safe and Numba stops such a child): its passes stay one-threaded
    global _PIPE_CAPABLE
    if _PIPE_CAPABLE:
        _PIPE_CAPABLE = False


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def pipe_capable() -> bool:
    """Whether the pipelined pass may run here: Numba has two threads or more, and its
    threading layer is OpenMP or TBB, the layers it was measured and tested with (the built-in
    workqueue was not). Found once per process, by running a two-iteration parallel loop; false
    in a child forked after that (:func:`_after_fork_in_child`).
    """
    global _PIPE_CAPABLE
    if _PIPE_CAPABLE is None:
        if numba.get_num_threads() < 2:
            return False
        _two_threads(np.zeros(2, dtype=np.int64))
        _PIPE_CAPABLE = numba.threading_layer() in ("omp", "tbb")
    return _PIPE_CAPABLE


def default_threads() -> int:
    env = os.environ.get("TREUGOLNIK_THREADS", "").strip()
    if env:
        try:
            value = int(env)
        except ValueError as err:
            raise ValueError(
                f"TREUGOLNIK_THREADS={env!r}: expected a whole number of threads >= 1"
            ) from err
        if value < 1:
            raise ValueError(f"TREUGOLNIK_THREADS={env!r}: expected a whole number >= 1")
        return value
    # the cores this process may run on (a container or `taskset` may allow fewer than the
    # machine has)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(8, cores or 1))


def chunk_bounds(n: int, chunk: int = CHUNK_PEOPLE) -> np.ndarray:
    """Row bounds of the chunks of an ``n``-row table (a function of ``n`` only)."""
    k = max(1, min(MAX_CHUNKS, n // chunk))
    return np.linspace(0, n, k + 1).astype(np.int64)


@dataclass
class Buffer:
    """An event buffer argument: its position, and the column holding a row index (-1: none;
    a 1-D buffer with ``row_col`` 0 holds rows).
    """

    pos: int
    row_col: int = -1


@dataclass
class Passes:
    """Runs kernels chunk-wise. ``chunk`` can be lowered (tests) to split small tables."""

    threads: int = field(default_factory=default_threads)
    chunk: int = field(default_factory=lambda: CHUNK_PEOPLE)  # read when a run starts
    pipe_people: int = field(default_factory=lambda: PIPE_PEOPLE)  # (the same)
    # the pipelined pass's settings, counts and progress (mechanisms.workday.new_pipe)
    pipe: np.ndarray = field(default_factory=lambda: workday.new_pipe(-1))
    _pool: ThreadPoolExecutor | None = None
    _locals: dict = field(default_factory=dict)  # chunk-local accumulators and buffers
    _states: dict = field(default_factory=dict)  # the chunks' states (chunk_states)
    _drains: dict = field(default_factory=dict)  # their flat views (drain_views)

    def _local(self, kernel, pos: int, c: int, like: np.ndarray) -> np.ndarray:
        """Chunk ``c``'s own array for argument ``pos`` of ``kernel`` (kept between calls;
        created zeroed, and an accumulator is zeroed again as it is drained).
        """
        key = (kernel, pos, c)
        arr = self._locals.get(key)
        if arr is None or arr.shape != like.shape or arr.dtype != like.dtype:
            arr = self._locals[key] = np.zeros_like(like)
        return arr

    def pool(self) -> ThreadPoolExecutor:
        """The passes' thread pool (made when first needed)."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.threads)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        self._locals.clear()
        self.forget_states()

    def splits(self, n: int) -> bool:
        """Whether an ``n``-row table is split into more than one chunk."""
        return n >= 2 * self.chunk

    def start_pipe(self) -> None:
        """At a run's start: the pipelined pass on for tables of ``pipe_people`` rows or more
        if the run has two threads and the pipeline can run here (:func:`pipe_capable`); its
        counts from zero.
        """
        on = self.threads > 1 and pipe_capable()
        self.pipe[:] = workday.new_pipe(self.pipe_people if on else -1)

    @property
    def pipelined_days(self) -> int:
        """Days whose one pass ran pipelined since the run started."""
        return int(self.pipe[workday.PIPED])

    @property
    def solo_days(self) -> int:
        """Days whose one pass ran alone though the pipeline was on, resting after a pipelined
        day that was no faster (``mechanisms.workday.one_pass``).
        """
        return int(self.pipe[workday.SOLO])

    def chunk_states(self, kernel, S, fields, k: int) -> list:
        """``(S_c, compiled(S_c))`` for each of ``k`` chunks of ``kernel``'s pass: ``S`` with
        the chunk's own arrays for ``fields`` ((record, field) pairs). Kept while ``S`` is the
        same (making one costs about a tenth of a millisecond; sixteen chunks, every day).
        """
        key = (kernel, tuple(fields), k)
        got = self._states.get(key)
        if got is not None and got[0] is S:
            return got[1]
        out = []
        for c in range(k):
            Sc = S
            for group, name in fields:
                like = getattr(getattr(S, group), name)
                if not like.flags.c_contiguous:  # drained through a flat view
                    raise ValueError(f"{group}.{name} of {kernel.__name__} is not contiguous")
                Sc = replace(Sc, group, **{name: self._local(kernel, (group, name), c, like)})
            out.append((Sc, compiled(Sc)))
        self._states[key] = (S, out)
        return out

    def drain_views(self, kernel, S, fields, states) -> tuple:
        """Flat views of ``S``'s arrays ``fields`` and of each chunk's copies of them, for
        :func:`drain_many` (kept with the chunks' states).
        """
        key = (kernel, tuple(fields), len(states))
        got = self._drains.get(key)
        if got is not None and got[0] is states:  # (the same states: the same S)
            return got[1]

        def flat(state):
            return tuple(getattr(getattr(state, g), f).reshape(-1) for g, f in fields)

        views = (flat(S), [flat(Sc) for Sc, _ in states])
        self._drains[key] = (states, views)
        return views

    def forget_states(self) -> None:
        """Let go of the chunks' states (they hold the person table's arrays)."""
        self._states.clear()
        self._drains.clear()

    def run_rows(self, kernel, S, ref, n: int, t: int, accum=(), overwrite=(), buffers=()) -> None:
        """Run a compiled step's ``rows`` phase, ``kernel(lo, hi, t, S)``, over rows ``0..n``,
        chunk by chunk on a big table.

        Args:
            kernel: the step's row kernel.
            S: the run's ``records.State``.
            ref: the same as compiled steps receive it (``records.compiled(S)``).
            n: the number of rows.
            t: the day's index.
            accum: (record, field) of arrays the kernel adds to (chunk-local, then added in
                chunk order).
            overwrite: (record, field) of arrays the kernel fills from zero (chunk-local,
                summed in chunk order).
            buffers: (record, field, slot) of event buffers whose count the kernel writes to
                ``day.counts[slot]`` (chunk-local; merged in chunk order up to their size).

        """
        if not self.splits(n):  # one chunk, the common case: no bounds made
            kernel(0, n, t, ref)
            return
        bounds = chunk_bounds(n, self.chunk)
        fields = [*accum, *overwrite, *((g, f) for g, f, _ in buffers), ("day", "counts")]
        states = self.chunk_states(kernel, S, fields, bounds.size - 1)
        calls = [
            (int(bounds[c]), int(bounds[c + 1]), Sc, ref_c) for c, (Sc, ref_c) in enumerate(states)
        ]
        if self.threads > 1:
            done = list(self.pool().map(lambda call: kernel(call[0], call[1], t, call[3]), calls))
        else:
            done = [kernel(lo, hi, t, ref_c) for lo, hi, _, ref_c in calls]
        del done
        for group, name in overwrite:
            getattr(getattr(S, group), name)[...] = 0
        # each chunk's sums are added in chunk order; its accumulators are left zeroed
        summed = (*accum, *overwrite)
        if summed:
            dst, srcs = self.drain_views(kernel, S, summed, states)
            for src in srcs:
                drain_many(dst, src)
        counts = S.day.counts
        for group, name, slot in buffers:
            dst = getattr(getattr(S, group), name)
            cap, filled, total = dst.shape[0], 0, 0
            for _, _, Sc, _ in calls:
                count = int(Sc.day.counts[slot])
                total += count
                local = getattr(getattr(Sc, group), name)
                take = min(count, local.shape[0], cap - filled)
                if take > 0:
                    dst[filled : filled + take] = local[:take]
                    filled += take
            counts[slot] = total

    def run_args(self, pop, kernel, accum, overwrite, buffers, *args):
        """A kernel of positional arguments whose first is the number of rows, over the person
        table ``pop`` (chunked on big tables): its per-person arrays (found by identity with
        the table's columns) are sliced; ``accum``/``overwrite`` are the arrays it adds to /
        fills; ``buffers`` are (event buffer, column holding a row index or -1).
        """
        if not self.splits(args[0]):
            return kernel(*args)
        person_ids = {id(getattr(pop, c)) for c in COLUMNS}
        where = {id(a): i for i, a in enumerate(args) if isinstance(a, np.ndarray)}
        return self.run(
            kernel, args, args[0],
            [i for i, a in enumerate(args) if id(a) in person_ids],
            [where[id(a)] for a in accum],
            [where[id(a)] for a in overwrite],
            [Buffer(where[id(b)], col) for b, col in buffers],
        )  # fmt: skip

    def run(
        self,
        kernel: Callable,
        args: Sequence,
        n: int,
        person: Sequence[int],
        accum: Sequence[int] = (),
        overwrite: Sequence[int] = (),
        buffers: Sequence[Buffer] = (),
    ):
        """Call ``kernel(*args)`` over the rows ``0..n`` chunk by chunk.

        Args:
            kernel: a compiled kernel whose first argument is the number of rows.
            args: its arguments, ``args[0]`` being ``n``.
            n: the number of rows.
            person: positions of per-person arrays (sliced per chunk).
            accum: positions of arrays the kernel adds to (chunk-local, then added in order).
            overwrite: positions of arrays the kernel fills from zero (chunk-local, summed).
            buffers: event buffers (chunk-local; merged in chunk order up to their size).

        Returns:
            The kernel's return value: the sum over chunks (a count or an array).

        """
        if not self.splits(n):  # one chunk
            return kernel(*args)
        bounds = chunk_bounds(n, self.chunk)
        k = bounds.size - 1
        calls = []
        for c in range(k):
            lo, hi = int(bounds[c]), int(bounds[c + 1])
            a = list(args)
            a[0] = hi - lo
            for p in person:
                a[p] = args[p][lo:hi]
            for p in (*accum, *overwrite):
                if not args[p].flags.c_contiguous:  # drained through a flat view
                    raise ValueError(f"argument {p} of {kernel.__name__} is not contiguous")
                a[p] = self._local(kernel, p, c, args[p])
            for b in buffers:  # read only up to the count the kernel returns: no clearing
                a[b.pos] = self._local(kernel, b.pos, c, args[b.pos])
            calls.append((lo, a))
        if self.threads > 1:
            done = self.pool().map(lambda la: kernel(*la[1]), calls)
        else:
            done = (kernel(*a) for _, a in calls)
        for p in overwrite:
            args[p][...] = 0
        # each chunk's sums are added as soon as it is done, in chunk order (while later chunks
        # still run), and its accumulators are left zeroed for the next call
        results = []
        for (_, a), result in zip(calls, done, strict=True):
            results.append(result)
            for p in (*accum, *overwrite):
                drain(args[p].reshape(-1), a[p].reshape(-1))
        if buffers:
            for b in buffers:
                dst = args[b.pos]
                cap = dst.shape[0]
                filled = 0
                for (lo, a), count in zip(calls, results, strict=True):
                    take = min(int(count), a[b.pos].shape[0], cap - filled)
                    if take <= 0:
                        continue
                    dst[filled : filled + take] = a[b.pos][:take]
                    if b.row_col >= 0 and dst.ndim == 1:
                        dst[filled : filled + take] += lo
                    elif b.row_col >= 0:
                        dst[filled : filled + take, b.row_col] += lo
                    filled += take
        total = results[0]
        for r in results[1:]:
            total = total + r
        return total
