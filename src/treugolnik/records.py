"""The whole state of a run as one object: records that Numba compiles.

A run's state is a :class:`State`, a named tuple of named tuples of NumPy arrays:

* ``people``: the person table (``population.COLUMNS``, one array each, plus ``size``: the
  row count and the next free id);
* ``shops`` and ``fac``: per-shop and per-factory arrays (``state.Shops``, ``state.Factories``);
* ``day``: what the engine carries from one step or day to the next (today's counters,
  today's leavers and hires, yesterday's stocks, event buffers, the accident log, counts);
* ``cal``: the run's calendar, one entry a day (day numbers, working calendar, the centre's
  policy variables, growth of the target headcount, which steps are active);
* ``par``: one parameter record per mechanism, with the scenario schema's own field names
  (``par.absence.a_grievance`` is the scenario's ``absence.a_grievance``);
* ``keys``: the random streams' keys by name;
* ``rec``: the record's layout and the daily metric rows.

Every compiled step takes ``(lo, hi, t, S)``: the rows it covers, the day's index and the
state. Named tuples are immutable, but their arrays are updated in place by compiled code (a
test checks it), so one ``State`` serves a whole run; it is rebuilt only when the person table
grows (its arrays are reallocated).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit, types
from numba.experimental import structref
from pydantic import BaseModel

from .population import COLUMNS

People = namedtuple("People", [*COLUMNS, "size"])
"""The person table: ``population.COLUMNS`` and ``size`` (``[n, next_pid]``, int64)."""

# indices into Day.ints (whole numbers the steps carry) and Day.floats
I_YEAR_DAYS = 0  # days into the plan year
I_HAVE_STOCKS = 1  # 1 once a day's stocks have been recorded
I_RECOUNT = 2  # 1: a step changed counted attributes; the record recounts the stocks
I_CUR = 3  # which slot of Day.stocks holds the latest day's stocks
I_N_LOG = 4  # accidents in Day.acc_log, waiting for the event log
I_CARRIED = 5  # days whose stocks were carried from the day before (not recounted)
I_COMPILED = 6  # days run wholly inside a compiled run of days
I_TRACE_ON = 7  # 1: steps append their index to Day.trace (tests)
I_N_TRACE = 8
I_STOP = 9  # what stopped a compiled run (plan.DONE, ...)
I_STOP_T = 10  # the day it stopped on
I_STOP_J = 11  # the step it stopped before
I_NEED = 12  # rows the person table must make room for
I_PARTIAL = 13  # days begun in a compiled run and finished step by step
I_ROWS0 = 14  # rows of the person table at the day's start (the rows hiring has not added)
I_FUSED = 15  # days whose labour and production ran as one pass (mechanisms.workday)
I_HALVED = 16  # row phases run in two halves in compiled runs of days (plan.run_days)
N_INTS = 17
F_QUITS_Y = 0  # yesterday's quits (flitting)
F_PURGE_W = 1  # the mean purge weight of members and candidates this month
N_FLOATS = 2
# Day.counts: events a row kernel wrote to its buffer (summed over chunks)
K_PROS = 0  # labour: prosecutions (rows, kind)
K_ACC = 1  # production: accidents (id, shop, injury length)
K_ARREST = 2  # repression.quota: arrested rows
K_INST = 3  # institutions: events (kind, id, shop, outcome)
K_EXPEL = 4  # party: ids expelled by the purge
N_COUNTS = 5

Day = namedtuple(
    "Day",
    [
        "today",  # (factories, COUNTERS): today's per-factory counters
        "leavers",  # (factories, 16): counted attributes of today's leavers (record.STOCKS)
        "leavers_late",  # (factories, 16): deaths of a fused pass, added after hiring
        "hired_stocks",  # (factories, 16): stocks of today's hires
        "day_stocks",  # (factories, 16): end-of-day sums production takes
        "recount",  # (factories, 16): a full recount of the stocks
        "stocks",  # (2, factories, 16): the latest day's stocks and a spare slot
        "target",  # today's target headcount per factory
        "tight",  # today's labour-market tightness per factory
        "inst_share",  # institutions' share of each factory's working time
        "shop_employed",  # each shop's employees at the end of production
        "month_acc",  # (factories, 3): absences, scheduled days this month
        "mix",  # role mix (worker, foreman, specialist, manager)
        "role_mult",  # pay multiple of each role
        "acc_buf",  # (n, 3): today's accidents (id, shop, injury length; -1 death)
        "pros_buf",  # (n, 2): today's prosecutions (row, kind)
        "arrest_buf",  # (n,): today's quota arrests (rows)
        "acc_log",  # (m, 4): accidents (day index, id, shop, length) not yet in the event log
        "inst_buf",  # (m, 4): the institutions' events of the month (kind, id, shop, outcome)
        "expel_buf",  # (m,): ids expelled by the month's purge screening
        "leader_c",  # each shop's institutional leaders' consciousness (this month)
        "shop_inst",  # (shops, 2): proposals adopted, clashes this month
        "fac_inst",  # (factories, 4): findings, proposals, adopted, clashes this month
        "fac_party",  # (factories, 3): recruited, expelled, reinstated this month
        "trace",  # steps run, in order (tests)
        "counts",  # Day.counts (K_*)
        "ints",  # Day.ints (I_*)
        "floats",  # Day.floats (F_*)
    ],
)

Cal = namedtuple(
    "Cal",
    [
        "days",  # day number (days since 1928-01-01)
        "doms",  # day of the month
        "dims",  # days in the month
        "cal_code",  # working calendar (timeline.working_calendar)
        "common",  # a common working day (calendars with a common rest day)
        "growth",  # multiple of the initial target headcount
        "decree",  # a discipline decree raises the penalties today
        "tempo",
        "discipline",
        "absence_penalty",
        "quit_penalty",
        "prosecution",
        "village_supply",
        "hours",
        "campaign",
        "arrest_quota",
        "specialist_baiting",
        "appeals",
        "participation",
        "recruitment",
        "norm_drive",
        "purge_h",  # the purge's daily hazard (party.purge_hazards)
        "wage_index",
        "price",
        "active",  # (days, steps): the plan's steps that run on each day
        "quiet",  # (steps,): steps a compiled run of days may take
        "fuse",  # days whose labour and production may run as one pass (plan.fuse_days)
        "n_split",  # rows from which the person table is split into chunks
    ],
)

Rec = namedtuple(
    "Rec",
    [
        "stock_dst", "stock_src", "flow_dst", "flow_src", "fixed_dst", "fixed", "norm0",
        "means", "weighted", "special", "per_f", "rows",
    ],
)  # fmt: skip

State = namedtuple("State", ["people", "shops", "fac", "day", "cal", "par", "keys", "rec"])


@structref.register
class StateType(types.StructRef):
    """The Numba type of :class:`StateRef`."""

    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


class StateRef(structref.StructRefProxy):
    """A :class:`State` as compiled steps receive it: one pointer to its eight records.

    (Passing the named tuples themselves would hand every compiled function about a thousand
    flattened arguments, whose compilation takes seconds a function.)
    """


structref.define_proxy(StateRef, StateType, list(State._fields))


@njit(cache=True)
def _make(people, shops, fac, day, cal, par, keys, rec):
    return StateRef(people, shops, fac, day, cal, par, keys, rec)


def compiled(S: State) -> StateRef:
    """The state ``S`` for compiled steps (the same arrays)."""
    return _make(*S)


# the random streams compiled steps draw from (rng.STREAMS): a stream's name is its key for
# persons, ``stream_kind`` its key for another kind of entity
STREAMS = (
    "absence", "quit", "hiring", "accidents", "flitting", "quota", "init", "institutions",
    "party", "meetings", "hiring_slot", "flitting_factory", "norms_shop", "meetings_item", "ogpu",
)  # fmt: skip
Keys = namedtuple("Keys", STREAMS)

# parameter records: one a scenario table, with the table's field names
PARAM_TABLES = (
    "factories", "absence", "production", "accidents", "pay", "norms", "plan", "grievance",
    "fear", "turnover", "hiring", "learning", "institutions", "meetings", "repression", "party",
    "elections",
)  # fmt: skip
_types: dict[str, type] = {}


def _record_type(name: str, fields: tuple[str, ...]) -> type:
    """The named tuple type ``name`` with ``fields`` (made once, kept in this module so that
    compiled code cached on disk finds it again by name).
    """
    key = "__".join((name, *fields))
    typ = _types.get(key)
    if typ is None:
        typ = namedtuple(name, fields, module=__name__)
        typ.__qualname__ = key
        globals()[key] = typ
        _types[key] = typ
    return typ


def param_record(model: BaseModel, name: str):
    """A scenario table as a named tuple of its numeric fields (nested tables as named tuples;
    lists, dates and strings are left out: compiled code does not read them).
    """
    fields, values = [], []
    for field in type(model).model_fields:
        value = getattr(model, field)
        if isinstance(value, BaseModel):
            value = param_record(value, f"{name}_{field}")
        elif isinstance(value, bool):
            value = bool(value)
        elif isinstance(value, int):
            value = int(value)
        elif isinstance(value, float):
            value = float(value)
        else:
            continue
        fields.append(field)
        values.append(value)
    return _record_type(name.title().replace("_", ""), tuple(fields))(*values)


def params(scenario) -> tuple:
    """The scenario's parameter records, with the derived ``vydv_decay`` (the daily decay of
    promoted managers' productivity cost) and ``institutions`` (whether the grassroots
    institutions exist: enabled and not switched off by the counterfactual).
    """
    recs = {t: param_record(getattr(scenario, t), t) for t in PARAM_TABLES}
    derived = _record_type("Derived", ("vydv_decay", "institutions"))(
        float(np.exp(-1.0 / scenario.repression.vydvizhenets_days)),
        bool(scenario.institutions.enabled and not scenario.counterfactual.no_institutions),
    )
    typ = _record_type("Params", (*PARAM_TABLES, "derived"))
    return typ(**recs, derived=derived)


def keys(streams) -> Keys:
    """The stream keys of a run (``streams``: an ``rng.Streams``)."""
    return Keys(*(streams[tuple(name.split("_")) if "_" in name else name] for name in STREAMS))


def new_day(nf: int, n_shops: int, n_counters: int, mix, role_mult, buf: int) -> Day:
    """Zeroed day arrays for ``nf`` factories and ``n_shops`` shops."""
    z = np.zeros
    return Day(
        today=z((nf, n_counters)),
        leavers=z((nf, 16)),
        leavers_late=z((nf, 16)),
        hired_stocks=z((nf, 16)),
        day_stocks=z((nf, 16)),
        recount=z((nf, 16)),
        stocks=z((2, nf, 16)),
        target=z(nf),
        tight=z(nf),
        inst_share=z(nf),
        shop_employed=z(n_shops),
        month_acc=z((nf, 3)),
        mix=np.asarray(mix, dtype=np.float64),
        role_mult=np.asarray(role_mult, dtype=np.float64),
        acc_buf=z((buf, 3), dtype=np.int64),
        pros_buf=z((buf, 2), dtype=np.int64),
        arrest_buf=z(buf, dtype=np.int64),
        acc_log=z((8 * buf, 4), dtype=np.int64),
        inst_buf=z((1 << 16, 4), dtype=np.int64),
        expel_buf=z(1 << 16, dtype=np.int64),
        leader_c=z(n_shops),
        shop_inst=z((n_shops, 2)),
        fac_inst=z((nf, 4)),
        fac_party=z((nf, 3)),
        trace=z(1 << 16, dtype=np.int64),
        counts=z(N_COUNTS, dtype=np.int64),
        ints=z(N_INTS, dtype=np.int64),
        floats=z(N_FLOATS),
    )


def replace(S: State, group: str, **arrays) -> State:
    """``S`` with some arrays of one record replaced (the chunks of a split pass)."""
    return S._replace(**{group: getattr(S, group)._replace(**arrays)})


def __getattr__(name: str):
    """A record type by its name (``Name__field__field...``), made on demand: compiled code
    cached by an earlier version of the package names its argument types so, and Numba must
    be able to read such a cache (the types no longer match, so it compiles anew).
    """
    if "__" in name and not name.startswith("__"):
        head, *fields = name.split("__")
        try:
            return _record_type(head, tuple(fields))
        except ValueError:  # an older naming: a type nothing matches any more
            return _record_type(f"Stale{len(_types)}", ("stale",))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _declare_types() -> None:
    """Make every parameter record type at import (compiled code cached on disk finds its
    argument types by name when it is loaded in a new process).
    """
    from .scenario.schema import Scenario

    params(Scenario())


_declare_types()
