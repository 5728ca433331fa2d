"""Is a changed engine the same model, statistically? Equivalence against a frozen engine.

    python benchmarks/equivalence.py                         # against engine-v1 (below)
    python benchmarks/equivalence.py --baseline HEAD~3 --seeds 120 --workers 2
    python benchmarks/equivalence.py --set draws.labour=clocks   # an option of the current engine

The baseline is a git revision checked out, read-only, as a worktree under
``runs/equivalence/`` (the frozen engine lives in the repository's history, not in the
package). Both engines run kirov-small over the same seeds (each in its own processes; the
current one from this checkout's ``src``), and every output below is compared by two one-sided
tests (TOST, Schuirmann 1987) on the seeds' paired differences: the two engines are declared
equivalent on an output when the 90 % confidence interval of the mean difference lies within
+-margin, the margin being the larger of 2 % of the baseline's mean and a quarter of its
standard deviation across seeds (the standardised margin is set from the baseline sample).

Outputs: the six docking outputs (tests/test_docking.py), quits by month and accidents by year
(each month or year its own output). Power: for two engines equal in distribution whose draws
are independent, the paired difference has twice the variance of one engine, and the interval's
half-width is 1.65 * sqrt(2 / n) baseline sds: 0.095 at the default 600 seeds, so each output
passes the 0.25-sd margin with probability about 0.99 (0.94 at 400 seeds, 0.22 at 120: too
few). A group of outputs (quits by month, accidents by year) counts as equivalent when at least
95 % of its members are. Prints a Markdown table and ``NAME: VALUE`` lines; writes
``runs/equivalence/result.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# engine-v1, the engine before events replace the daily draws: a commit at which this script
# found the engine identical to the one first frozen under the tag ``engine-v1`` on every output.
# Kept as a commit, not a tag, because a tag does not travel with every copy of the repository.
ENGINE_V1 = "47e8699253478bc694720634e8720b9daedc874a"
DOCKING = ("mean headcount", "output", "turnover", "absence", "workers' win share", "accusations")


def outputs(monthly, events) -> dict[str, float]:
    """The compared outputs of one run (monthly table and event log, Polars)."""
    import polars as pl

    m = monthly
    out = {
        "mean headcount": float(m["headcount"].mean()),
        "output": float(m["output"].sum()),
        "turnover": float(m["turnover_rate"].mean()),
        "absence": float(m["absent"].sum() / m["scheduled"].sum()),
        "workers' win share": float(m["workers_won"].sum() / max(m["items"].sum(), 1)),
        "accusations": float(m["accusations"].sum()),
    }
    for month, q in zip(m["month"].to_list(), m["quits"].to_list(), strict=True):
        out[f"quits {month:%Y-%m}"] = float(q)
    by_year = m.group_by(pl.col("month").dt.year().alias("y")).agg(pl.col("accidents").sum())
    for y, a in by_year.sort("y").iter_rows():
        out[f"accidents {y}"] = float(a)
    return out


def worker(seeds: list[int], scenario: str, end: str, sets: list[str]) -> None:
    """Run the engine importable here (PYTHONPATH decides which) and print the outputs."""
    from treugolnik import load_scenario, simulate

    res = {}
    for s in seeds:
        r = simulate(load_scenario(scenario, seed=s, sets=[f"period.end={end}", *sets]))
        res[s] = outputs(r.monthly, r.events)
    sys.stdout.write(json.dumps(res))


def run_engine(
    src: Path, seeds: list[int], scenario: str, end: str, workers: int, sets: list[str] = ()
) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    chunks = [seeds[i::workers] for i in range(workers)]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--worker",
                "--scenario",
                scenario,
                "--end",
                end,
                "--seed-list",
                ",".join(map(str, c)),
                *(x for kv in sets for x in ("--set", kv)),
            ],
            stdout=subprocess.PIPE,
            env=env,
            cwd=str(src.parent),
        )  # fmt: skip
        for c in chunks
        if c
    ]
    res: dict = {}
    for p in procs:
        out, _ = p.communicate()
        if p.returncode:
            raise SystemExit(f"error: the engine in {src} failed (exit {p.returncode})")
        res.update({int(k): v for k, v in json.loads(out).items()})
    return res


def baseline_tree(rev: str) -> Path:
    sha = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=ROOT,
                         capture_output=True, text=True)  # fmt: skip
    if sha.returncode:
        raise SystemExit(f"error: --baseline {rev}: not a revision of this repository")
    tree = ROOT / "runs" / "equivalence" / f"baseline-{sha.stdout.strip()[:12]}"
    if not (tree / "src" / "treugolnik").is_dir():
        tree.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), sha.stdout.strip()],
                       cwd=ROOT, check=True, capture_output=True)  # fmt: skip
    return tree


def tost(a: np.ndarray, b: np.ndarray) -> dict:
    """Paired 90 % interval of mean(b - a) (seed by seed) against +-max(2 % |mean a|, sd a / 4)."""
    from scipy.stats import t as student

    ma, mb = float(a.mean()), float(b.mean())
    va, vb = float(a.var(ddof=1)), float(b.var(ddof=1))
    diff = b - a
    n = len(diff)
    se = float(diff.std(ddof=1)) / math.sqrt(n)
    margin = max(0.02 * abs(ma), 0.25 * math.sqrt(va))
    d = float(diff.mean())
    if se == 0.0:
        lo = hi = d
    else:
        q = float(student.ppf(0.95, n - 1))
        lo, hi = d - q * se, d + q * se
    ok = (margin > 0 and -margin < lo and hi < margin) or (margin == 0 and lo == hi == 0)
    return {"baseline_mean": ma, "new_mean": mb, "baseline_sd": math.sqrt(va),
            "new_sd": math.sqrt(vb), "difference": d, "ci90": [lo, hi], "margin": margin,
            "equivalent": bool(ok)}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default=ENGINE_V1, help="a git revision (default: engine-v1)")
    ap.add_argument("--seeds", type=int, default=600)
    ap.add_argument("--scenario", default="kirov-small")
    ap.add_argument("--end", default="1934-12-31")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a scenario setting for the current engine's runs only (repeatable), e.g. an "
        "option the baseline does not have",
    )
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--seed-list", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        worker([int(s) for s in a.seed_list.split(",")], a.scenario, a.end, a.set)
        return
    if a.seeds < 40:
        print("error: --seeds: at least 40", file=sys.stderr)
        raise SystemExit(2)
    # a bad setting is one line before the baseline is checked out or run (checked by this
    # checkout's engine, the one it applies to)
    if a.set:
        sys.path.insert(0, str(ROOT / "src"))
        from treugolnik import load_scenario
        from treugolnik.errors import ScenarioError

        try:
            load_scenario(a.scenario, sets=a.set)
        except ScenarioError as e:
            print(f"error: {e}", file=sys.stderr)
            raise SystemExit(2) from None
    seeds = list(range(1, a.seeds + 1))
    tree = baseline_tree(a.baseline)
    base = run_engine(tree / "src", seeds, a.scenario, a.end, a.workers)
    new = run_engine(ROOT / "src", seeds, a.scenario, a.end, a.workers, a.set)
    names = list(base[seeds[0]])
    table = {}
    for k in names:
        x = np.array([base[s][k] for s in seeds])
        y = np.array([new[s].get(k, math.nan) for s in seeds])
        table[k] = tost(x, y)
    groups = {"docking": [k for k in names if k in DOCKING],
              "quits by month": [k for k in names if k.startswith("quits ")],
              "accidents by year": [k for k in names if k.startswith("accidents ")]}  # fmt: skip
    print("| output | baseline mean (sd) | new mean (sd) | 90 % CI of the difference | margin "
          "| equivalent |\n|---|---|---|---|---|---|")  # fmt: skip
    for k in groups["docking"]:
        r = table[k]
        print(f"| {k} | {r['baseline_mean']:.4g} ({r['baseline_sd']:.2g}) | {r['new_mean']:.4g} "
              f"({r['new_sd']:.2g}) | {r['ci90'][0]:.3g} .. {r['ci90'][1]:.3g} | "
              f"{r['margin']:.3g} | {'yes' if r['equivalent'] else 'NO'} |")  # fmt: skip
    for g in ("quits by month", "accidents by year"):
        ks = groups[g]
        worst = max(ks, key=lambda k: max(abs(v) for v in table[k]["ci90"])
                    / max(table[k]["margin"], 1e-12))  # fmt: skip
        n_ok = sum(table[k]["equivalent"] for k in ks)
        verdict = "yes" if n_ok >= 0.95 * len(ks) else "NO"
        print(f"| {g} | {len(ks)} outputs | | worst: {worst} | | {verdict} ({n_ok} of {len(ks)}) |")
    n_ok = sum(r["equivalent"] for r in table.values())
    print(f"equivalent_outputs: {n_ok} of {len(table)}")
    out = ROOT / "runs" / "equivalence" / "result.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"baseline": a.baseline, "seeds": a.seeds, "scenario": a.scenario,
                               "end": a.end, "sets": a.set, "outputs": table},
                              indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
