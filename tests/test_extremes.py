"""Every number of the schema has a finite range; a scenario at the edges of its ranges either
runs, with no NaN or infinity in any output, or is refused with one line per problem."""

import datetime as dt

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from treugolnik.engine import simulate
from treugolnik.errors import ScenarioError
from treugolnik.record import not_finite
from treugolnik.scenario.load import load_scenario
from treugolnik.scenario.schema import Scenario

# sizes are drawn apart (small, so that runs are quick); the seed's range is tested by itself
APART = {"seed", "factories.count", "factories.size", "factories.shops"}


def _numbers(model=Scenario, prefix=""):
    """(dotted name, annotation, low, high, low exclusive) of every number of the schema."""
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from _numbers(ann, f"{prefix}{name}.")
            continue
        if ann not in (int, float):
            continue
        lo = hi = None
        open_lo = False
        for m in info.metadata:
            if getattr(m, "ge", None) is not None:
                lo = m.ge
            if getattr(m, "gt", None) is not None:
                lo, open_lo = m.gt, True
            if getattr(m, "le", None) is not None:
                hi = m.le
            if getattr(m, "lt", None) is not None:
                hi = m.lt - 1
        yield f"{prefix}{name}", ann, lo, hi, open_lo


NUMBERS = list(_numbers())
EDGES = [n for n in NUMBERS if n[0] not in APART and not n[0].startswith("factories.role_mix")]


def test_every_number_has_a_finite_range_and_a_meaning():
    for name, _, lo, hi, _ in NUMBERS:
        assert lo is not None and hi is not None, f"{name} has no finite range"
    undocumented = []
    for group, info in Scenario.model_fields.items():
        ann = info.annotation
        fields = (
            ann.model_fields.items()
            if isinstance(ann, type) and issubclass(ann, BaseModel)
            else [(group, info)]
        )
        for name, f in fields:
            if f.annotation in (int, float) and not f.description:
                undocumented.append(f"{group}.{name}")
    assert not undocumented


@st.composite
def _edge(draw, item):
    name, ann, lo, hi, open_lo = item
    where = draw(st.sampled_from(["low", "high", "inside"]))
    if ann is int:
        lo = lo + 1 if open_lo else lo
        value = {"low": lo, "high": hi}.get(where) or draw(st.integers(lo, min(hi, lo + 1000)))
        return name, value
    if where == "low":
        value = lo + (1e-9 * max(abs(lo), 1.0) if open_lo else 0.0)
    elif where == "high":
        value = hi
    else:
        value = draw(st.floats(lo, hi, exclude_min=open_lo, allow_nan=False))
    return name, float(value)


@st.composite
def extreme_scenarios(draw):
    chosen = draw(st.lists(st.sampled_from(EDGES), min_size=1, max_size=25, unique=True))
    sets = dict(draw(_edge(item)) for item in chosen)
    start = draw(st.dates(dt.date(1928, 1, 1), dt.date(1941, 6, 21)))
    days = draw(st.integers(0, 75))
    end = min(start + dt.timedelta(days=days), dt.date(1941, 6, 21))
    sets.update(
        {
            "period.start": start,
            "period.end": end,
            "factories.count": draw(st.integers(1, 3)),
            "factories.size": draw(st.integers(10, 60)),
            "factories.shops": draw(st.integers(1, 6)),
            "regime": draw(st.sampled_from(["bargaining", "despotism", "niche"])),
        }
    )
    return sets


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extreme_scenarios())
def test_extreme_valid_scenarios_run_without_nan_or_infinity(sets):
    try:
        s = load_scenario("kirov-small", sets=sets)
    except ScenarioError as e:  # (a growth beyond memory, say): refused, one line a problem
        assert e.problems and all("\n" not in p for p in e.problems)
        return
    res = simulate(s)
    assert not_finite({"metrics": res.metrics, "monthly": res.monthly, "events": res.events}) == []
    not_speech = res.events.filter(
        ~pl.col("kind").is_in(["speech", "resolution", "directive", "meeting"])
    )
    assert not_speech["strength"].null_count() == not_speech.height


def test_a_one_day_run_on_the_last_day_has_no_infinite_fulfilment():
    s = load_scenario("kirov-small", sets=["period.start=1941-06-21"])
    res = simulate(s)
    assert not_finite({"metrics": res.metrics, "monthly": res.monthly}) == []


@pytest.mark.parametrize(
    ("item", "needle"),
    [
        ("factories.role_mix={worker=0.0,foreman=0.0,specialist=0.5,manager=0.5}", "worker"),
        ("factories.skill.alpha=1e-300", "from 0.1 to 10,000"),
        ("party.candidacy_days=1e30", "from 1 to 3,650"),
        ("factories.size=1000000000000", "factories.size"),
        ("factories.count=100000", "at most 20,000,000"),
        ("grievance.g_max=1e308", "to 100"),
        ("production.e_sd=1e308", "to 2"),
        ("learning.skill_rate=1e308", "to 1"),
        ("pay.tariff=1e308", "to 1,000"),
        ("plan.initial_fulfilment=1e308", "to 10"),
        ("fear.decay=false", "not true/false"),
        ("meetings.speakers=true", "not true/false"),
    ],
)
def test_values_beyond_their_range_are_one_line_each(item, needle):
    with pytest.raises(ScenarioError) as e:
        load_scenario("kirov-small", sets=[item])
    assert len(e.value.problems) == 1 and needle in e.value.problems[0], e.value.problems


def test_a_record_with_nan_is_never_written(tmp_path):
    import polars as pl

    from treugolnik.record import write_run

    bad = pl.DataFrame({"date": [dt.date(1930, 1, 1)], "x": [float("nan")]})
    with pytest.raises(FloatingPointError, match="metrics.x"):
        write_run(tmp_path / "r", {}, bad, bad.head(0), bad.head(0))
    assert not (tmp_path / "r").exists()


def test_a_concession_cannot_cut_norms_to_nothing():
    """A norm cut of 100 % left a shop's norm at 0 and the next day's piece-rate pay infinite
    (found by the test above): the schema stops the cut at half."""
    with pytest.raises(ScenarioError, match="norm_rollback.*from 0 to 0.5"):
        load_scenario("kirov-small", sets=["meetings.norm_rollback=1.0"])
    s = load_scenario("kirov-small", sets=["meetings.norm_rollback=0.5"])
    assert s.meetings.norm_rollback == 0.5
