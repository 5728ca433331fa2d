"""The plan is the day: the steps that run are the plan's, in its order, both day by day and
in compiled runs of days; each step changes only the records it declares."""

import numpy as np
import pytest

from treugolnik import plan, records
from treugolnik.engine import Simulation
from treugolnik.scenario.load import load_scenario

SETS = ["factories.count=2", "factories.size=300", "period.start=1932-10-20",
        "period.end=1933-02-10"]  # fmt: skip


def _traced(step_by_step: bool):
    sim = Simulation(load_scenario("kirov-small", sets=SETS), step_by_step=step_by_step)
    sim.S.day.ints[records.I_TRACE_ON] = 1
    sim.run()
    D = sim.S.day
    return sim, D.trace[: D.ints[records.I_N_TRACE]].tolist()


@pytest.mark.parametrize("step_by_step", [True, False])
def test_the_steps_that_run_are_the_plans_in_its_order(step_by_step):
    sim, trace = _traced(step_by_step)
    active = sim.S.cal.active
    expected = [j for t in range(active.shape[0]) for j in np.flatnonzero(active[t])]
    assert trace == expected
    names = {plan.PLAN[j].name for j in trace}
    # monthly steps, a month end, a quarter end, the year's end and a directive all ran
    assert {"institutions", "party", "meetings", "norms", "plan", "directives"} <= names
    if not step_by_step:
        assert sim.compiled_days > 0 and sim.partial_days > 0


def test_plan_calendar_follows_the_declared_when():
    sim = Simulation(load_scenario("kirov-small", sets=SETS))
    cal, j = sim.S.cal, plan.STEP_INDEX
    doms, dims = cal.doms, cal.dims
    assert (cal.active[:, j["institutions"]] == (doms == 15)).all()
    assert (cal.active[:, j["party"]] == (doms == 1)).all()
    assert (cal.active[:, j["meetings"]] == (doms == 25)).all()
    assert (cal.active[:, j["pay"]] == (doms == dims)).all()
    months = np.array([d.month for d in sim.dates])
    assert (cal.active[:, j["plan"]] == ((doms == dims) & (months == 12))).all()
    assert cal.active[:, j["labour"]].all() and cal.active[:, j["record"]].all()
    # 15 November 1932: the absence decree is a directive of its day
    t = sim.dates.index(__import__("datetime").date(1932, 11, 15))
    assert cal.active[t, j["directives"]]


def test_compiled_body_takes_the_plans_quiet_steps():
    plan.check_body()
    quiet = [s.name for s in plan.PLAN if s.quiet and s.python is None]
    assert quiet == ["day", "centre", "labour", "hiring", "production", "close", "record"]
    for s in plan.PLAN:
        assert s.when in plan.WHEN, s.name
        assert (s.python is None) != (s.prepare is None and s.rows is None and s.close is None)


def _snapshot(S, n):
    snap = {}
    for group in ("people", "shops", "fac", "day", "rec"):
        rec = getattr(S, group)
        for name in rec._fields:
            value = getattr(rec, name)
            if isinstance(value, np.ndarray):
                if group == "people" and value.ndim == 1 and name != "size":
                    value = value[:n]
                snap[f"{group}.{name}"] = value.copy()
    return snap


def _declared(step, key):
    group = key.split(".")[0]
    return key in step.writes or group in step.writes


@pytest.mark.parametrize("one_pass", [False, True])
def test_each_step_changes_only_what_it_declares(one_pass):
    """Every record field a step changes is among the step's declared writes (day by day,
    over months with every monthly step, a directive and the 1932 decree); with labour and
    production in one pass (plan.FUSED), labour's place may write what either declares."""
    sim = Simulation(load_scenario("kirov-small", sets=SETS), step_by_step=True)
    if one_pass:  # (taken step by step, each step seen on its own, as the engine runs it)
        sim.S.cal.fuse[:] = plan.fuse_days(sim.S.cal.active)
    seen: dict[str, set] = {}
    state = {}
    production = plan.PLAN[plan.FUSE_SECOND]

    def on_step(name, t, when):
        if when == "before":
            state["snap"] = _snapshot(sim.S, sim.world.pop.n)
            state["fused"] = name == "labour" and plan.fused_today(t, sim.ref)
            return
        after = _snapshot(sim.S, sim.world.pop.n)
        step = plan.PLAN[plan.STEP_INDEX[name]]
        for key, old in state["snap"].items():
            new = after[key]
            if key in ("day.trace",):
                continue
            if old.shape != new.shape or not np.array_equal(old, new, equal_nan=True):
                ok = _declared(step, key) or (state["fused"] and _declared(production, key))
                assert ok, f"step {name} changed {key} without declaring it"
                seen.setdefault(name, set()).add(key)

    sim.on_step = on_step
    sim.run()
    # the check saw the steps at work
    assert "people.g" in seen["labour"] and "day.today" in seen["production"]
    assert "rec.rows" in seen["record"]
    assert (sim.fused_days > 50) == one_pass
    if one_pass:  # the one pass wrote production's records at labour's place
        assert "people.out_m" in seen["labour"]


def test_compiled_steps_update_the_records_arrays_in_place():
    sim = Simulation(load_scenario("kirov-small", sets=["period.end=1928-10-05"]))
    today = sim.S.day.today
    today[:] = 7.0
    plan.PLAN[plan.STEP_INDEX["day"]].prepare(0, sim.world.pop.n, 0, sim.ref)
    assert sim.S.day.today is today and (today == 0.0).all()
