"""Neutral inputs for the ablation of the validation patterns.

>>> from treugolnik import load_scenario
>>> from treugolnik.analysis.ablation import Neutral, neutral_timeline
>>> s = load_scenario("kirov-small")
>>> rows = neutral_timeline(s, ("vigilance",))
>>> len({r.value for r in rows if r.variable == "vigilance"})
1

A pattern is *emergent* if the mechanisms still produce it once the input that could drive it
is made neutral, and *imposed* if it fails then. :class:`Neutral` names the input and its
neutral version; :func:`neutral_scenario` builds the neutral scenario and
:func:`simulate_neutral` runs it. Three kinds of neutralisation:

* ``flatten``: timeline variables held at one level over the whole run, the time-weighted
  mean of their daily values over the run's period (the same average pressure, no dated
  steps). Every row of the variable keeps its date and event (so directive meetings are
  still held) but carries the mean, without a ramp, and one row before the run sets the
  opening level. ``purge`` is special: its value is the share a purge window expels, so the
  flat version is one window over the whole run expelling the same total share
  (``1 - prod(1 - share)`` over the run's windows).
* ``overrides``: scenario parameters set to their neutral value (``factories.growth = 0``,
  ``production.supply_lag = 0``, ...), as ``--set`` would.
* ``flat_deflator``: the consumer price index follows the nominal wage index, so that the
  real-wage path the deflator is built from (data/series.csv) no longer enters; real pay
  then moves only with piece rates, norms and the mix of roles.

The neutral timeline is written to a CSV in a temporary folder and the scenario points at it
(``timeline = path``); the deflator has no scenario field, so :func:`simulate_neutral`
replaces the price array of the compiled policy for that one run.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import engine
from ..engine import Result, simulate
from ..scenario.schema import Scenario
from ..timeline import COLUMNS, EPOCH, Policy, TimelineRow, build_policy, read_timeline

SOURCE = "neutral input for the ablation (treugolnik.analysis.ablation)"


@dataclass(frozen=True)
class Neutral:
    """The input that could drive a pattern and its neutral version.

    Attributes:
        input: what enters (timeline rows, a scenario parameter, an exogenous series).
        neutral: the neutral version in words.
        flatten: timeline variables held at their run mean (``purge``: the same total share).
        overrides: ``(dotted key, value)`` scenario overrides.
        flat_deflator: prices follow nominal wages (real wage index 1 throughout).
        drop_events: timeline events removed altogether (every row of each), after the
            flattened levels are computed from the full timeline.

    """

    input: str
    neutral: str
    flatten: tuple[str, ...] = ()
    overrides: tuple[tuple[str, object], ...] = ()
    flat_deflator: bool = False
    drop_events: tuple[str, ...] = ()

    @property
    def key(self) -> tuple:
        """Patterns with the same key share their neutral runs."""
        return (
            tuple(sorted(self.flatten)),
            tuple((k, repr(v)) for k, v in self.overrides),
            self.flat_deflator,
            tuple(sorted(self.drop_events)),
        )

    def as_json(self) -> dict:
        return {
            "input": self.input,
            "neutral": self.neutral,
            "flatten": list(self.flatten),
            "overrides": {k: v for k, v in self.overrides},
            "flat_deflator": self.flat_deflator,
            "drop_events": list(self.drop_events),
        }


def _purge_total(purge: np.ndarray) -> float:
    """The share of a member expelled by all purge windows of the run (runs of equal values):
    one minus the product of what each window keeps, from the windows' daily hazards.
    """
    from ..mechanisms.party import purge_hazards

    return 1.0 - float(np.exp(-purge_hazards(purge).sum()))


def flat_levels(policy: Policy, variables: tuple[str, ...]) -> dict[str, float]:
    """The level each flattened variable is held at (see the module's docstring)."""
    out = {}
    for var in variables:
        if var == "purge":
            out[var] = _purge_total(policy.values[var])
        else:
            out[var] = float(np.mean(policy.values[var]))
    return out


def neutral_timeline(
    scenario: Scenario, variables: tuple[str, ...], drop_events: tuple[str, ...] = ()
) -> list[TimelineRow]:
    """The scenario's timeline with ``variables`` held at one level over the run and the rows
    of ``drop_events`` removed.
    """
    src = None if scenario.timeline == "bundled" else scenario.timeline
    rows = read_timeline(src)
    levels = flat_levels(build_policy(scenario), variables)
    out = []
    for r in rows:
        if r.event in drop_events:
            continue
        if r.variable in levels:
            r = dataclasses.replace(r, value=levels[r.variable], ramp_days=0)
        out.append(r)
    opening = min(EPOCH, scenario.period.start - dt.timedelta(days=1))
    for var, level in levels.items():
        out.append(
            TimelineRow(
                opening, f"neutral_{var}", "event", var, level, 0, f"{var} held flat", SOURCE
            )
        )
    out.sort(key=lambda r: (r.date, r.event, r.variable))
    return out


def write_timeline(rows: list[TimelineRow], path: str | Path) -> Path:
    """Write timeline rows as a CSV that :func:`treugolnik.timeline.read_timeline` reads."""
    p = Path(path)
    with open(p, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow(
                [
                    r.date.isoformat(),
                    r.event,
                    r.kind,
                    r.variable,
                    repr(float(r.value)),
                    r.ramp_days,
                    r.description,
                    r.source,
                ]
            )
    return p


def _set_dotted(data: dict, key: str, value) -> None:
    *head, last = key.split(".")
    node = data
    for h in head:
        node = node[h]
    node[last] = value


def neutral_scenario(scenario: Scenario, neutral: Neutral, workdir: str | Path) -> Scenario:
    """The scenario with ``neutral``'s overrides and flattened timeline (written to workdir)."""
    data = scenario.model_dump(mode="json")
    for key, value in neutral.overrides:
        _set_dotted(data, key, value)
    out = Scenario.model_validate(data)
    if neutral.flatten or neutral.drop_events:
        rows = neutral_timeline(out, neutral.flatten, neutral.drop_events)
        name = "timeline-neutral.csv"
        path = write_timeline(rows, Path(workdir) / name)
        out = out.model_copy(update={"timeline": str(path)})
    return out


@contextlib.contextmanager
def _policy_transform(fn: Callable[[Policy], Policy] | None) -> Iterator[None]:
    if fn is None:
        yield
        return
    original = engine.build_policy

    def patched(s: Scenario) -> Policy:
        return fn(original(s))

    engine.build_policy = patched
    try:
        yield
    finally:
        engine.build_policy = original


def flat_deflator(policy: Policy) -> Policy:
    """Prices follow nominal wages: the real wage index is 1 on every day."""
    policy.price = policy.wage_index.copy()
    return policy


def simulate_neutral(scenario: Scenario, neutral: Neutral) -> Result:
    """Run ``scenario`` with ``neutral`` applied."""
    with tempfile.TemporaryDirectory(prefix="treugolnik-neutral-") as tmp:
        s = neutral_scenario(scenario, neutral, tmp)
        with _policy_transform(flat_deflator if neutral.flat_deflator else None):
            return simulate(s)


__all__ = [
    "Neutral",
    "flat_deflator",
    "flat_levels",
    "neutral_scenario",
    "neutral_timeline",
    "simulate_neutral",
    "write_timeline",
]
