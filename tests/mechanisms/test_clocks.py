"""The shops' hazard clocks (draws.labour = "clocks"): the bound, the runs, the distribution."""

import numpy as np
import pytest

from treugolnik import load_scenario, simulate
from treugolnik.engine import Simulation
from treugolnik.mechanisms import labour
from treugolnik.passes import SUMS, SUMS_CHUNKS, Passes
from treugolnik.records import param_record
from treugolnik.scenario.schema import Absence, Fear, Grievance, Turnover


def _records(rng):
    """Parameter records with random coefficients of either sign."""
    ab = Absence(
        a_grievance=rng.uniform(-2, 2), a_fear=rng.uniform(-2, 2), a_village=rng.uniform(-1, 1)
    )
    tv = Turnover(
        q_grievance=rng.uniform(-2, 2), q_tenure=rng.uniform(-1, 1), q_party=rng.uniform(-2, 2)
    )
    gr = Grievance(decay=rng.choice([0.0, 0.01, 0.2]), pay_gap=rng.uniform(0, 0.05))
    fe = Fear(decay=rng.choice([0.0, 0.004, 0.1]))
    return (param_record(ab, "absence"), param_record(tv, "turnover"),
            param_record(gr, "grievance"), param_record(fe, "fear"))  # fmt: skip


def test_a_persons_part_bounds_their_terms_to_the_months_end():
    """Grievance and fear follow labour's daily recurrence with the shop's pulses (no floor or
    ceiling reached); the shop's pulse levels decay as they do. The person's part of each bound
    (``-log w``), taken at the first day, plus the shop's grievance and fear levels of each
    later day, is at least the person's own terms on that day, to the month's end."""
    rng = np.random.default_rng(3)
    for _ in range(300):
        ab, tv, gr, fe = _records(rng)
        days = int(rng.integers(0, 31))
        g0, phi0 = rng.uniform(0, 2), rng.uniform(0, 0.5)
        P0, F0 = rng.uniform(0, 0.5), rng.uniform(0, 0.2)  # the shop's levels at the touch
        pay_short, village, party = rng.uniform(0, 1), float(rng.integers(0, 2)), 1.0
        tenure = int(rng.integers(0, 4000))
        wa, wq = labour.clock_terms(
            np.float32(g0), np.float32(phi0), P0, F0, pay_short, village, party, tenure, days,
            ab, tv, gr, fe,
        )  # fmt: skip
        g, phi, P, F = g0, phi0, P0, F0
        for d in range(days + 1):
            if d > 0:
                pg, pf = rng.exponential(0.05), rng.exponential(0.01)  # the day's pulses
                g = g * (1 - gr.decay) + gr.pay_gap * pay_short + pg
                phi = phi * (1 - fe.decay) + pf
                P = P * (1 - gr.decay) + pg
                F = F * (1 - fe.decay) + pf
            x_a = ab.a_grievance * g - ab.a_fear * phi + ab.a_village * village
            x_q = (tv.q_grievance * g - tv.q_tenure * labour.log_tenure(tenure + d)
                   - tv.q_party * party + tv.q_village * village)  # fmt: skip
            assert x_a <= -np.log(wa) + ab.a_grievance * P - ab.a_fear * F + 1e-6
            assert x_q <= -np.log(wq) + tv.q_grievance * P + 1e-6


def _small(*sets):
    return load_scenario(
        "kirov-small",
        sets=["factories.count=4", "factories.size=400", "draws.labour=clocks", *sets],
    )


@pytest.mark.parametrize("period", [("1929-10-01", "1930-03-31"), ("1940-05-01", "1940-08-31")])
def test_clock_draws_give_the_same_run_on_any_number_of_threads(period):
    """Thresholds are the person's, clocks the shop's: the split of the table changes nothing
    (the second period: the continuous week, then the decree of 26 June 1940)."""
    s = _small(f"period.start={period[0]}", f"period.end={period[1]}")
    runs = [Simulation(s, passes=Passes(threads=k, chunk=300)).run() for k in (1, 2, 3)]
    for r in runs[1:]:
        assert r.metrics.equals(runs[0].metrics) and r.events.equals(runs[0].events)
    assert runs[0].metrics["absent"].sum() > 0 and runs[0].metrics["quits"].sum() > 0


def test_steps_that_change_the_sums_run_in_few_chunks_sharing_their_copies():
    """A copy of the shops' sums per chunk costs more than the work on a big table: the steps
    that change them are split into SUMS_CHUNKS chunks, whose copies they share; the other
    steps keep their chunks. With the daily draws no copies of the sums are made."""
    for mode, copies in (("clocks", SUMS_CHUNKS), ("daily", 0)):
        s = _small("period.start=1929-10-01", "period.end=1929-10-31", f"draws.labour={mode}")
        passes = Passes(threads=1, chunk=300)
        sim = Simulation(s, passes=passes)
        keep, passes.close = passes.close, lambda: None  # the copies kept for a look
        sim.run()
        made = {(kernel, pos, c) for kernel, pos, c in passes._locals}
        for field in SUMS:
            held = sorted(c for kernel, pos, c in made if pos == field)
            assert held == list(range(copies))
            assert all(kernel is None for kernel, pos, c in made if pos == field)
        others = max(c for kernel, pos, c in made if pos == ("day", "recount"))
        assert others + 1 > SUMS_CHUNKS  # the other steps split the table further
        keep()


def test_clock_draws_give_the_daily_draws_absences_and_quits():
    """The clocks only change which random numbers decide: over seeds, absences per scheduled
    day and quits agree with the daily draws' within four standard errors of the difference."""
    out = {}
    for mode in ("daily", "clocks"):
        rates, quits = [], []
        for seed in range(1, 31):
            s = load_scenario(
                "kirov-small",
                sets=["period.end=1930-12-31", f"draws.labour={mode}", f"seed={seed}"],
            )
            m = simulate(s).metrics
            rates.append(m["absent"].sum() / m["scheduled"].sum())
            quits.append(m["quits"].sum())
        out[mode] = (np.array(rates), np.array(quits))
    for k in range(2):
        a, b = out["daily"][k], out["clocks"][k]
        se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
        assert abs(a.mean() - b.mean()) < 4 * se, (k, a.mean(), b.mean(), se)
    # and the clocks did decide: their runs differ from the daily draws'
    assert not np.array_equal(out["daily"][1], out["clocks"][1])
