"""The centre: its daily policy vector, the calendar regime and the exogenous series.

>>> from treugolnik import load_scenario
>>> from treugolnik.timeline import build_policy
>>> pol = build_policy(load_scenario("kirov-small"))
>>> pol.value("vigilance", "1937-09-01") > pol.value("vigilance", "1933-09-01")
True

The timeline CSV (data/timeline.csv, or the scenario's own) has one row per (event, policy
variable): on ``date`` the variable moves to ``value`` over ``ramp_days``. Counterfactual
switches drop rows before compilation, so a counterfactual run and its baseline share the
policy vector exactly up to the first dropped row.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .scenario.load import ScenarioError
from .scenario.schema import Scenario

POLICY_VARIABLES = (
    "participation",
    "discipline",
    "vigilance",
    "tempo",
    "norm_drive",
    "campaign",
    "recruitment",
    "purge",
    "absence_penalty",
    "quit_penalty",
    "prosecution",
    "specialist_baiting",
    "arrest_quota",
    "appeals",
    "union_production",
    "party_ballot",
    "union_ballot",
    "village_supply",
    "calendar",
    "hours",
)
KINDS = ("directive", "event", "purge", "calendar", "election")
COLUMNS = ("date", "event", "kind", "variable", "value", "ramp_days", "description", "source")

# Which timeline rows each counterfactual switch removes: (event, variable or "*").
COUNTERFACTUAL_DROPS: dict[str, list[tuple[str, str]]] = {
    # The 1937-38 terror: the Pyatakov trial and Feb-Mar 1937 plenum, Order 00447 and its
    # quotas, and the two later rows that only unwound them.
    "no_terror": [
        ("pyatakov_trial", "*"),
        ("order_00447", "*"),
        ("kulak_operation_ends", "*"),
        ("operations_wound_down", "*"),
        ("expulsion_errors_plenum", "*"),
        ("terror_ends", "*"),
    ],
    "no_purges": [("*", "purge")],
    "no_recruitment_freeze": [("purge_1933", "recruitment")],
    "no_1940_decree": [("decree_1940", "*")],
}

EPOCH = dt.date(1928, 1, 1)


def data_dir() -> Path:
    """The folder of the bundled data files (installed wheel or source checkout)."""
    here = Path(__file__).resolve().parent
    for cand in (here / "_data", here.parents[1] / "data"):
        if (cand / "timeline.csv").exists():
            return cand
    raise FileNotFoundError("bundled data folder not found (timeline.csv)")


@dataclass(frozen=True)
class TimelineRow:
    """One row of a timeline file: on ``date`` the ``variable`` moves to ``value``."""

    date: dt.date
    event: str
    kind: str
    variable: str
    value: float
    ramp_days: int
    description: str
    source: str


def read_timeline(path: str | Path | None = None) -> list[TimelineRow]:
    """Read and validate a timeline CSV; every bad row is reported (file, row, field)."""
    path = Path(path) if path is not None else data_dir() / "timeline.csv"
    label = str(path)[:300]
    try:
        found = path.is_file()
    except (OSError, ValueError):  # a NUL in the path, a name too long
        found = False
    if not found:
        raise ScenarioError([f"{label}: timeline file not found"])
    st = path.stat()
    return list(_parse_timeline(path.resolve(), label, st.st_mtime_ns, st.st_size))


@functools.lru_cache(maxsize=16)
def _parse_timeline(path: Path, label: str, mtime_ns: int, size: int) -> tuple[TimelineRow, ...]:
    """The rows of a timeline file as :func:`read_timeline` reads them, kept for the file's
    modification time and size (every run of an ensemble reads the same file; the rows are
    frozen). A file with problems raises every time it is read.
    """
    problems: list[str] = []
    rows: list[TimelineRow] = []
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise ScenarioError([f"{label}: not UTF-8 text (byte {err.start})"]) from None
    except OSError as err:
        raise ScenarioError([f"{label}: cannot be read ({err.strerror})"]) from None
    with io.StringIO(text, newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ScenarioError(
                [f"{label}: missing columns {', '.join(missing)} (required: {', '.join(COLUMNS)})"]
            )
        for n, rec in enumerate(reader, start=2):
            where = f"{label}:{n}"
            try:
                date = dt.date.fromisoformat(rec["date"])
            except (ValueError, TypeError):
                problems.append(f"{where}: date: {rec['date']!r} is not YYYY-MM-DD")
                continue
            if rec["kind"] not in KINDS:
                problems.append(f"{where}: kind: {rec['kind']!r} not one of {', '.join(KINDS)}")
                continue
            if rec["variable"] not in POLICY_VARIABLES:
                problems.append(
                    f"{where}: variable: {rec['variable']!r} not one of "
                    f"{', '.join(POLICY_VARIABLES)}"
                )
                continue
            try:
                value = float(rec["value"])
                ramp = int(rec["ramp_days"] or 0)
            except ValueError:
                problems.append(f"{where}: value/ramp_days: must be a number and an integer")
                continue
            if ramp < 0 or not np.isfinite(value):
                problems.append(f"{where}: value/ramp_days: finite value, ramp_days >= 0")
                continue
            if not rec["source"].strip():
                problems.append(f"{where}: source: every row needs a source")
                continue
            rows.append(
                TimelineRow(
                    date,
                    rec["event"],
                    rec["kind"],
                    rec["variable"],
                    value,
                    ramp,
                    rec["description"],
                    rec["source"],
                )
            )
    if problems:
        raise ScenarioError(problems)
    rows.sort(key=lambda r: (r.date, r.event, r.variable))
    return tuple(rows)


def apply_counterfactuals(rows: list[TimelineRow], scenario: Scenario) -> list[TimelineRow]:
    """Drop the timeline rows removed by the scenario's counterfactual switches."""
    drops: list[tuple[str, str]] = []
    for name, pairs in COUNTERFACTUAL_DROPS.items():
        if getattr(scenario.counterfactual, name):
            drops += pairs

    def dropped(r: TimelineRow) -> bool:
        return any((ev in ("*", r.event)) and (var in ("*", r.variable)) for ev, var in drops)

    return [r for r in rows if not dropped(r)]


def _interp_log(dates: list[dt.date], values: list[float], days: np.ndarray) -> np.ndarray:
    x = np.array([(d - EPOCH).days for d in dates], dtype=np.float64)
    return np.exp(np.interp(days, x, np.log(values)))


@dataclass
class Policy:
    """The centre's daily policy vector and exogenous series over the run's days.

    Attributes:
        dates: the run's calendar days (``datetime.date``), one per step.
        values: ``{variable: float64 array of n_days}`` for every policy variable.
        price: consumer price index (1928 = 1), derived as documented in data/README.md.
        wage_index: nominal wage index (1928 = 1).
        directives: ``(day index, event, description, source)`` for each directive issued.
        elections: ``(day index, office, secret ballot)`` for each election of the party
            organisation's or the factory committee's officers (timeline rows of kind
            ``election``: variable ``party_ballot`` elects the party secretary,
            ``union_ballot`` the union chair; the value is 1 for a secret ballot, 0 for an
            open vote).
        rows: the timeline rows in force (after counterfactual drops).

    """

    dates: list[dt.date]
    values: dict[str, np.ndarray]
    price: np.ndarray
    wage_index: np.ndarray
    directives: list[tuple[int, str, str, str]] = field(default_factory=list)
    rows: list[TimelineRow] = field(default_factory=list)
    elections: list[tuple[int, str, float]] = field(default_factory=list)

    def value(self, name: str, date: str | dt.date) -> float:
        d = dt.date.fromisoformat(date) if isinstance(date, str) else date
        return float(self.values[name][(d - self.dates[0]).days])

    @property
    def n_days(self) -> int:
        return len(self.dates)


def build_policy(scenario: Scenario) -> Policy:
    """Compile the timeline (with counterfactual drops) into daily arrays for the run's period."""
    src = None if scenario.timeline == "bundled" else scenario.timeline
    rows = apply_counterfactuals(read_timeline(src), scenario)
    start, end = scenario.period.start, scenario.period.end
    n = (end - start).days + 1
    dates = [start + dt.timedelta(days=i) for i in range(n)]
    values: dict[str, np.ndarray] = {}
    for var in POLICY_VARIABLES:
        arr = np.zeros(n, dtype=np.float64)
        level = 7.0 if var == "hours" else (1.0 if var == "village_supply" else 0.0)
        pos = 0  # we fill from the run start; rows before the start set the opening level
        for r in (r for r in rows if r.variable == var):
            k = (r.date - start).days
            if k <= 0:
                # ramps that end before the start are complete; ramps across it are joined
                done = min(1.0, (-k) / r.ramp_days) if r.ramp_days else 1.0
                level = level + (r.value - level) * done
                continue
            if k >= n:
                break
            arr[pos:k] = level
            ramp = min(r.ramp_days, n - k)
            if r.ramp_days:
                steps = np.arange(0, ramp, dtype=np.float64) / r.ramp_days
                arr[k : k + ramp] = level + (r.value - level) * steps
                pos = k + ramp
                level = level + (r.value - level) * (ramp / r.ramp_days)
            else:
                pos = k
                level = r.value
        arr[pos:] = level
        values[var] = arr
    days = np.array([(d - EPOCH).days for d in dates], dtype=np.float64)
    # Nominal wages (data/series.csv): 1927/28 690, 1932 1427, 1936 3271, 1940 4054 rubles.
    wage_index = _interp_log(
        [dt.date(1928, 4, 1), dt.date(1932, 7, 1), dt.date(1936, 7, 1), dt.date(1940, 7, 1)],
        [1.0, 1427 / 690, 3271 / 690, 4054 / 690],
        days,
    )
    # Real wage index (Filtzer 1986): 1928 1.0, 1932 0.465, 1940 0.55; price = nominal / real.
    real = np.interp(
        days,
        [
            (dt.date(1928, 4, 1) - EPOCH).days,
            (dt.date(1932, 7, 1) - EPOCH).days,
            (dt.date(1940, 7, 1) - EPOCH).days,
        ],
        [1.0, 0.465, 0.55],
    )
    price = wage_index / real
    directives = []
    seen: set[tuple[str, int]] = set()
    for r in rows:
        k = (r.date - start).days
        if r.kind == "directive" and 0 <= k < n and (r.event, k) not in seen:
            seen.add((r.event, k))
            directives.append((k, r.event, r.description, r.source))
    office = {"party_ballot": "secretary", "union_ballot": "union_chair"}
    elections = sorted(
        (k, office[r.variable], float(r.value))
        for r in rows
        if r.kind == "election" and r.variable in office and 0 <= (k := (r.date - start).days) < n
    )
    return Policy(dates, values, price, wage_index, directives, rows, elections)


def working_calendar(policy: Policy) -> tuple[np.ndarray, np.ndarray]:
    """Per day: the calendar code and whether it is a common working day.

    Returns ``(code, common_workday)``. Under the continuous week (code 1) every day is a
    working day for the plant and each person rests one day in five by ``(day + id) % 5``.
    Six-day week: rest on the 6th, 12th, 18th, 24th and 30th (Soviet calendar). Weeks with
    Sunday rest otherwise.
    """
    code = policy.values["calendar"].astype(np.int8)
    common = np.ones(policy.n_days, dtype=np.bool_)
    for i, d in enumerate(policy.dates):
        c = code[i]
        if c == 2:
            common[i] = d.day not in (6, 12, 18, 24, 30)
        elif c in (0, 3):
            common[i] = d.weekday() != 6
    return code, common
