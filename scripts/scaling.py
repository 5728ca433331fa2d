"""Scaling: worker-days per second and peak memory from 10^3 to 10^7 people.

    python scripts/scaling.py --sizes 1e3 1e4 1e5 1e6 1e7 --days 90

Each size runs in a fresh process: the ussr-industry scenario with as many factories of 10,000
employees as needed (one smaller factory below that), no growth, for ``--days`` days from
1 Jan 1936. Prints a Markdown table and writes docs/img/scaling.png.

The cost of a run is given per worker-day (an employed person's day) and per simulated event:
the person-level events the days draw, absences (one per absent person-day), quits, dismissals,
accidents, hires and arrests (the metrics' sums), so that an engine whose work follows its
events can be compared with one whose work follows its worker-days.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys

PROBE = """
import json, resource, sys, time
from treugolnik import load_scenario, simulate
sets = sys.argv[1:]
# warm up every step (a month and more: party, institutions, meetings, month end), so that the
# compiled functions are loaded from the cache before the timed run
simulate(load_scenario("ussr-industry", sets=["factories.count=2", "factories.size=200",
         "period.start=1936-01-01", "period.end=1936-02-05"]))
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
res = simulate(load_scenario("ussr-industry", sets=sets))
wall = time.perf_counter() - t
EVENTS = ("absent", "quits", "dismissals", "accidents", "hires", "arrests")
events = int(sum(res.metrics[c].sum() for c in EVENTS))
print(json.dumps({"wall": wall, "worker_days": res.manifest["worker_days"], "events": events,
                  "people": int(res.metrics["headcount"].max()),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "base_mb": base / 1024}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=float, nargs="+", default=[1e3, 1e4, 1e5, 1e6, 1e7])
    ap.add_argument("--days", type=int, default=90)
    args = ap.parse_args()
    end = dt.date(1936, 1, 1) + dt.timedelta(days=args.days - 1)
    rows = []
    for n in map(int, args.sizes):
        count, size = (max(1, n // 10_000), 10_000) if n >= 10_000 else (1, n)
        sets = [
            f"factories.count={count}",
            f"factories.size={size}",
            "factories.size_sigma=0",
            "factories.growth_path=[]",
            "factories.growth=0.0",
            "period.start=1936-01-01",
            f"period.end={end}",
            "hiring.flit_share=0.5",
        ]
        out = subprocess.run(
            [sys.executable, "-c", PROBE, *sets], check=True, capture_output=True, text=True
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        r["n"] = n
        rows.append(r)
        print(
            f"{n:>10,} people: {r['worker_days'] / r['wall']:.3g} worker-days/s, "
            f"{r['rss_mb']:.0f} MB peak",
            file=sys.stderr,
        )
    print(
        "| people | factories | days | wall (s) | worker-days/s | ns per worker-day | events "
        "| us per event | peak RSS (MB) | bytes/person |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        per = (r["rss_mb"] - r["base_mb"]) * 2**20 / max(r["people"], 1)
        print(
            f"| {r['people']:,} | {max(1, r['n'] // 10_000)} | {args.days} | {r['wall']:.1f} | "
            f"{r['worker_days'] / r['wall']:.3g} | {r['wall'] / r['worker_days'] * 1e9:.1f} | "
            f"{r['events']:,} | {r['wall'] / max(r['events'], 1) * 1e6:.2f} | "
            f"{r['rss_mb']:.0f} | {per:.0f} |"
        )
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(8, 3))
    xs = [r["people"] for r in rows]
    ax[0].loglog(xs, [r["worker_days"] / r["wall"] for r in rows], "o-", color="#8b1a1a")
    ax[0].set_xlabel("people")
    ax[0].set_ylabel("worker-days per second")
    ax[1].loglog(xs, [r["rss_mb"] for r in rows], "o-", color="#1f4e79")
    ax[1].set_xlabel("people")
    ax[1].set_ylabel("peak memory (MB)")
    for a in ax:
        a.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig("docs/img/scaling.png", dpi=110)


if __name__ == "__main__":
    main()
