"""Benchmarks: every figure measured in this one run, printed as ``NAME: VALUE UNIT``.

    python benchmarks/run.py            # full: reference and engine over 1928-1931, 5 repeats
    python benchmarks/run.py --quick    # about a minute: shorter period, 3 repeats
    python benchmarks/run.py --ussr     # only the full ussr-industry run (20-30 minutes here)
    python benchmarks/run.py --ussr --ussr-end 1929-09-30   # its first year, a quick proxy

Figures:
  speedup_vs_mesa_reference  engine vs the Mesa reference, kirov-small, same period, same
                             process, median of repeats (five engine runs beside each
                             reference run: the engine's are a hundred times shorter)
  speedup_vs_mesa_reference_best
                             the same, fastest run against fastest run (what each costs
                             when the shared machine leaves it alone)
  worker_days_per_second     the full kirov run
  kirov_full_run_wall        the full kirov run, 1928-10-01 to 1941-06-21
  peak_rss_per_person        peak resident memory of a fresh process running kirov, less the
                             same process's memory before the run, per peak employee
  floor_kernel_rate          person-days per second of a Numba kernel making the same number
                             of counter-based draws per person-day as the engine (3) and one
                             multiply-add: the floor for any engine built this way (the best
                             of three short runs)
  engine_vs_floor            floor_kernel_rate / worker_days_per_second

With --ussr (a fresh process, as for kirov): ussr_industry_wall, its worker-days per second and
peak resident memory, and the floor kernel's rate just before and after the run, which tells a
slow moment of a shared machine from a slow engine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

import numpy as np
from numba import njit

from treugolnik import load_scenario, simulate
from treugolnik.rng import stream_key, uniform


@njit(cache=True)
def floor_kernel(n_days, pid, x, keys):
    acc = 0.0
    for day in range(n_days):
        for i in range(pid.shape[0]):
            u = (
                uniform(keys[0], day, pid[i])
                + uniform(keys[1], day, pid[i])
                + uniform(keys[2], day, pid[i])
            )
            x[i] = x[i] * 0.999 + u
            acc += x[i]
    return acc


def floor_rate(n: int = 30_000, days: int = 300, repeats: int = 3) -> float:
    """The floor kernel's best rate over ``repeats`` runs of a few hundredths of a second each
    (the best, because a short run on a shared machine is easily slowed by others' work)."""
    pid = np.arange(n, dtype=np.int64)
    x = np.zeros(n)
    keys = np.array([stream_key(1, s) for s in ("a", "b", "c")], dtype=np.uint64)
    floor_kernel(2, pid, x, keys)
    best = 0.0
    for _ in range(repeats):
        t = time.perf_counter()
        floor_kernel(days, pid, x, keys)
        best = max(best, n * days / (time.perf_counter() - t))
    return best


ENGINE_RUNS = 5  # engine runs beside each reference run


def speedup(end: str, repeats: int) -> tuple[float, float, float, float]:
    from treugolnik.reference import run_reference

    s = load_scenario("kirov-small", sets=[f"period.end={end}"])
    simulate(s)  # compile / warm
    eng, ref = [], []
    for _ in range(repeats):
        # the engine's run is about a hundredth of the reference's: a few of them beside each
        # reference run, so that a short burst of the shared machine's other work does not
        # decide the median (a reference run spreads such a burst over its length)
        for _ in range(ENGINE_RUNS):
            t = time.perf_counter()
            simulate(s)
            eng.append(time.perf_counter() - t)
        t = time.perf_counter()
        run_reference(s)
        ref.append(time.perf_counter() - t)
    e, r = statistics.median(eng), statistics.median(ref)
    return r / e, e, r, min(ref) / min(eng)


RSS_PROBE = """
import resource, json, sys
from treugolnik import load_scenario, simulate
s = load_scenario(sys.argv[1], sets=sys.argv[2:])
simulate(load_scenario(sys.argv[1], sets=sys.argv[2:] + ['period.end=1928-10-31']))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
res = simulate(s)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"before_kb": before, "after_kb": after,
                  "peak_people": int(res.metrics["headcount"].max()),
                  "wall": res.manifest["wall_seconds"],
                  "worker_days": res.manifest["worker_days"]}))
"""


def probe(scenario: str, *sets: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", RSS_PROBE, scenario, *sets],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def ussr(end: str | None) -> None:
    before = floor_rate()
    u = probe("ussr-industry", *([f"period.end={end}"] if end else []))
    after = floor_rate()
    print(f"ussr_industry_wall: {u['wall']:.1f} s")
    print(f"ussr_industry_worker_days_per_second: {u['worker_days'] / u['wall']:.3g}")
    print(f"ussr_industry_peak_rss: {u['after_kb'] / 1024**2:.2f} GB")
    print(f"floor_kernel_rate_before: {before:.3g} person-days/s")
    print(f"floor_kernel_rate_after: {after:.3g} person-days/s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--ussr", action="store_true", help="only the ussr-industry run")
    ap.add_argument("--ussr-end", default=None, help="end date of the ussr-industry run")
    args = ap.parse_args()
    if args.ussr:
        ussr(args.ussr_end)
        return
    end, repeats = ("1929-06-30", 3) if args.quick else ("1931-12-31", 5)
    ratio, e, r, best = speedup(end, repeats)
    print(f"speedup_vs_mesa_reference: {ratio:.1f} x")
    print(f"speedup_vs_mesa_reference_best: {best:.1f} x")
    print(f"engine_small_wall: {e:.3f} s")
    print(f"mesa_reference_small_wall: {r:.3f} s")
    k = probe("kirov")
    wd = k["worker_days"] / k["wall"]
    print(f"kirov_full_run_wall: {k['wall']:.2f} s")
    print(f"worker_days_per_second: {wd:.3g}")
    per_person = (k["after_kb"] - k["before_kb"]) * 1024 / max(k["peak_people"], 1)
    print(f"peak_rss_per_person: {per_person:.0f} bytes")
    print(f"peak_rss_kirov: {k['after_kb'] / 1024:.0f} MB")
    fr = floor_rate()
    print(f"floor_kernel_rate: {fr:.3g} person-days/s")
    print(f"engine_vs_floor: {fr / wd:.1f} x slower")


if __name__ == "__main__":
    main()
