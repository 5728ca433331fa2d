"""Baseline against counterfactuals over several seeds (common random numbers), as a table.

    python scripts/counterfactual_table.py --scenario kirov-small --seeds 1 2 3 4 5

Prints a Markdown table of mean (min-max over seeds) for the outputs the essay's claims are
about; docs/ODD.md quotes its output.
"""

from __future__ import annotations

import argparse

import numpy as np
import polars as pl

from treugolnik import load_scenario, simulate

CASES = {
    "baseline (bargaining)": ("bargaining", []),
    "no_institutions": ("bargaining", ["counterfactual.no_institutions=true"]),
    "no_terror": ("bargaining", ["counterfactual.no_terror=true"]),
    "despotism": ("despotism", []),
    "niche": ("niche", []),
}


RATES = ("absence rate", "workers' win share", "directives adopted")


def measures(m: pl.DataFrame) -> dict[str, float]:
    t = m.filter(pl.col("month").dt.year().is_between(1937, 1938))
    return {
        "absence rate": m["absent"].sum() / m["scheduled"].sum(),
        "clashes": float(m["clashes"].sum()),
        "proposals adopted": float(m["proposals_adopted"].sum()),
        "workers' win share": m["workers_won"].sum() / m["items"].sum(),
        "concessions": float(m["concessions"].sum()),
        "quits": float(m["quits"].sum()),
        "arrests 1937-38": float(t["arrests"].sum()),
        "directives adopted": m["directives_adopted"].sum() / max(m["directives_issued"].sum(), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default="kirov-small")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    args = ap.parse_args()
    rows = {}
    for label, (regime, sets) in CASES.items():
        vals = [
            measures(
                simulate(load_scenario(args.scenario, regime=regime, seed=s, sets=sets)).monthly
            )
            for s in args.seeds
        ]
        rows[label] = {k: [v[k] for v in vals] for k in vals[0]}
    keys = list(next(iter(rows.values())))
    print(f"Scenario {args.scenario}, seeds {args.seeds}: mean (min - max)\n")
    print("| measure | " + " | ".join(rows) + " |")
    print("|---" * (len(rows) + 1) + "|")
    for k in keys:
        cells = []
        for label in rows:
            x = np.array(rows[label][k])
            fmt = "{:.3f}" if k in RATES else "{:,.0f}"
            cells.append(f"{fmt.format(x.mean())} ({fmt.format(x.min())} - {fmt.format(x.max())})")
        print(f"| {k} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
