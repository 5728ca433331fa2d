"""Which reading do the historical series favour? ABC model choice by random forests, repeated
over three independent reference tables (sampler seeds), to show whether the answer settles.

    python scripts/model_selection.py --per-model 300 --seeds 1 2 3 --workers 2 \
        --tables runs/evidence --out docs/results/model-selection

For each seed, a reference table of ``3 x per-model`` draws (each reading's parameters from its
own prior, ``treugolnik.analysis.evidence``) is simulated, or reused from ``--tables`` (the same
tables serve ``treugolnik power --table``); a random forest chooses the reading of the observed
aggregate statistics (``calibrate.targets``) and a regression forest gives the posterior
probability of the chosen reading (Pudlo et al. 2016). Per seed and reading the table reports
the draws (independent prior draws of equal weight: their effective sample size is their
number), the forest's votes, the best and 5th-percentile distance of any draw to the
observations (how close each reading can come). The answer counts as settled when every seed
chooses the same reading and its probability stays within +-0.05 of the mean across seeds.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np

from treugolnik.analysis.calibrate import distance
from treugolnik.analysis.evidence import MISSING, abc_rf, build_table, observed_statistics
from treugolnik.scenario.schema import REGIMES


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="kirov-small")
    ap.add_argument("--per-model", type=int, default=300)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument(
        "--meetings",
        default="10,30,100,300",
        help="observation settings kept ('' for none: the aggregate statistics only)",
    )
    ap.add_argument("--prefixes", default="",
                    help="also choose on the tables' first N draws a reading, for each N "
                         "of this comma-separated list (how the answer moves as tables "
                         "grow)")  # fmt: skip
    ap.add_argument("--trees", type=int, default=1000,
                    help="trees of the classification forest (the regression forest has twice "
                         "as many)")  # fmt: skip
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--tables", default="runs/evidence")
    ap.add_argument("--out", default="docs/results/model-selection")
    ap.add_argument("--grow", type=int, default=100,
                    help="tables saved at fewer draws are grown together, this many draws per "
                         "reading at a time for each seed in turn (an interrupted run keeps "
                         "three tables of equal size)")  # fmt: skip
    a = ap.parse_args()
    # (no meetings: a table of the aggregate statistics only, which is all model choice reads)
    meetings = [int(x) for x in a.meetings.split(",") if x.strip()]
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    observed = observed_statistics()
    x0 = {k.removeprefix("agg."): v for k, v in observed.items()}
    sizes = []
    for seed in a.seeds:
        p = Path(a.tables) / f"reference-seed-{seed}.json"
        sizes.append(json.loads(p.read_text())["per_model"] if p.is_file() else 0)
    for size in range(min(sizes) + a.grow, a.per_model, a.grow):
        for seed, had in zip(a.seeds, sizes, strict=True):
            if had < size:
                path = Path(a.tables) / f"reference-seed-{seed}.parquet"
                build_table(a.scenario, size, seed, meetings, path, workers=a.workers)
        print("tables at", size, "draws per reading", flush=True)

    def choose(seed: int, n: int):
        """The seed's table at ``n`` draws a reading, its statistics and the choice on them."""
        path = Path(a.tables) / f"reference-seed-{seed}.parquet"
        table = build_table(a.scenario, n, seed, meetings, path, workers=a.workers)
        cols = [c for c in table.columns if c.startswith("agg.")]
        return table, cols, abc_rf(table, cols, observed, trees=a.trees, seed=seed)

    runs = {}
    for seed in a.seeds:
        t0 = time.perf_counter()
        table, cols, res = choose(seed, a.per_model)
        closeness = {}
        for g in REGIMES:
            sub = table.filter(table["model"] == g)
            # (a statistic a run could not give is stored as MISSING: NaN again for the distance)
            d = np.array([distance({c.removeprefix("agg."): (r[c] if r[c] != MISSING else math.nan)
                                    for c in cols}, x0)
                          for r in sub.iter_rows(named=True)])  # fmt: skip
            closeness[g] = {"best": float(d.min()), "p05": float(np.quantile(d, 0.05)),
                            "median": float(np.median(d))}  # fmt: skip
        runs[seed] = {**res, "closeness": closeness, "minutes": (time.perf_counter() - t0) / 60}
        print(seed, res["reading"], round(res["probability"], 3), res["votes"], flush=True)
    # the same choice on the tables' first draws (each a table as build_table cuts it)
    prefixes = {}
    for n in [int(x) for x in a.prefixes.split(",") if x.strip()]:
        if n >= a.per_model:
            continue
        ps = {}
        for seed in a.seeds:
            r = choose(seed, n)[2]
            ps[seed] = {"reading": r["reading"], "probability": r["probability"]}
        m = float(np.mean([p["probability"] for p in ps.values()]))
        dev_n = float(max(abs(p["probability"] - m) for p in ps.values()))
        prefixes[n] = {"runs": ps, "probability_mean": m, "probability_max_deviation": dev_n}
        print(n, "draws a reading:", {s: round(p["probability"], 3) for s, p in ps.items()},
              "deviation", round(dev_n, 3), flush=True)  # fmt: skip
    chosen = {runs[s]["reading"] for s in a.seeds}
    ps = [runs[s]["probability"] for s in a.seeds]
    mean = float(np.mean(ps))
    dev = float(max(abs(p - mean) for p in ps))
    vote_spread = {g: float(np.ptp([runs[s]["votes"][g] for s in a.seeds])) for g in REGIMES}
    settled = len(chosen) == 1 and dev <= 0.05
    payload = {
        "method": "ABC-RF (Pudlo et al. 2016)", "scenario": a.scenario,
        "per_model": a.per_model, "seeds": a.seeds, "trees": a.trees,
        "observed": {k: v for k, v in observed.items()}, "runs": runs,
        "chosen": sorted(chosen), "probability_mean": mean, "probability_max_deviation": dev,
        "vote_range": vote_spread, "settled": settled, "prefixes": prefixes,
    }  # fmt: skip
    (out / "stability.json").write_text(json.dumps(payload, indent=2))
    lines = [
        "| seed | reading chosen | posterior probability | prior error (OOB) | "
        + " | ".join(f"votes {g}" for g in REGIMES)
        + " |",
        "|---|---|---|---|" + "---|" * len(REGIMES),
    ]
    for s in a.seeds:
        r = runs[s]
        lines.append(f"| {s} | {r['reading']} | {r['probability']:.3f} | {r['oob_error']:.3f} | "
                     + " | ".join(f"{r['votes'][g]:.3f}" for g in REGIMES) + " |")  # fmt: skip
    lines += ["", "| seed | reading | draws (= ESS) | best distance | 5th percentile | median |",
              "|---|---|---|---|---|---|"]  # fmt: skip
    for s in a.seeds:
        for g in REGIMES:
            c = runs[s]["closeness"][g]
            lines.append(f"| {s} | {g} | {runs[s]['draws'][g]} | {c['best']:.3f} | "
                         f"{c['p05']:.3f} | {c['median']:.3f} |")  # fmt: skip
    lines += [
        "",
        "most informative statistics (seed "
        + str(a.seeds[0])
        + "): "
        + ", ".join(
            f"{n.removeprefix('agg.')} ({v:.2f})" for n, v in runs[a.seeds[0]]["informative"]
        ),
    ]
    if prefixes:
        lines += ["", "| draws per reading | " + " | ".join(f"seed {s}" for s in a.seeds)
                  + " | largest deviation from their mean |",
                  "|---|" + "---|" * len(a.seeds) + "---|"]  # fmt: skip
        for n, v in [
            *prefixes.items(),
            (a.per_model, {"runs": runs, "probability_max_deviation": dev}),
        ]:
            lines.append(f"| {n} | " + " | ".join(f"{v['runs'][s]['probability']:.3f}"
                                                 for s in a.seeds)
                         + f" | {v['probability_max_deviation']:.3f} |")  # fmt: skip
    lines += ["", f"chosen: {', '.join(sorted(chosen))}; probability {mean:.3f}, largest "
              f"deviation across seeds {dev:.3f}; settled within +-0.05: "
              f"{'yes' if settled else 'no'}"]  # fmt: skip
    (out / "stability.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
