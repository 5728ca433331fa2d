"""Docking (Axtell et al. 1996): the engine and the Mesa reference give the same distributions.

Both implementations run kirov-small from 1 Oct 1928 to 31 Dec 1934 over 20 seeds each (their
random numbers are independent). For six outputs a two-sample Mann-Whitney U test and a
Kolmogorov-Smirnov test compare the distributions. Failure threshold: any Mann-Whitney p-value
below 0.01 (about 0.05 / 6, a Bonferroni bound for six outputs), or any KS p-value below 0.01.
docs/PERFORMANCE.md reports the statistics. Run with ``pytest -m docking`` (several minutes).
"""

from concurrent.futures import ProcessPoolExecutor

import numpy as np
import polars as pl
import pytest

pytestmark = pytest.mark.docking
SEEDS = list(range(1, 21))
SETS = ["period.end=1934-12-31"]
OUTPUTS = ("mean headcount", "output", "turnover", "absence", "workers' win share", "accusations")
THRESHOLD = 0.01


def outputs(m: pl.DataFrame) -> dict[str, float]:
    return {
        "mean headcount": float(m["headcount"].mean()),
        "output": float(m["output"].sum()),
        "turnover": float(m["turnover_rate"].mean()),
        "absence": float(m["absent"].sum() / m["scheduled"].sum()),
        "workers' win share": float(m["workers_won"].sum() / max(m["items"].sum(), 1)),
        "accusations": float(m["accusations"].sum()),
    }


def engine_run(seed: int) -> dict:
    from treugolnik import load_scenario, simulate

    return outputs(simulate(load_scenario("kirov-small", seed=seed, sets=SETS)).monthly)


def reference_run(seed: int) -> dict:
    from treugolnik import load_scenario
    from treugolnik.reference import run_reference

    return outputs(run_reference(load_scenario("kirov-small", sets=SETS), seed=seed))


def docking_table() -> list[dict]:
    from scipy.stats import ks_2samp, mannwhitneyu

    with ProcessPoolExecutor(max_workers=2) as ex:
        eng = list(ex.map(engine_run, SEEDS))
        ref = list(ex.map(reference_run, [1000 + s for s in SEEDS]))
    rows = []
    for k in OUTPUTS:
        a = np.array([r[k] for r in eng])
        b = np.array([r[k] for r in ref])
        rows.append(
            {
                "output": k,
                "engine_mean": a.mean(),
                "engine_sd": a.std(ddof=1),
                "reference_mean": b.mean(),
                "reference_sd": b.std(ddof=1),
                "mw_p": mannwhitneyu(a, b).pvalue,
                "ks_p": ks_2samp(a, b).pvalue,
            }
        )
    return rows


def test_engine_and_reference_dock():
    pytest.importorskip("mesa")
    rows = docking_table()
    for r in rows:
        print(
            f"| {r['output']} | {r['engine_mean']:.4g} ({r['engine_sd']:.2g}) | "
            f"{r['reference_mean']:.4g} ({r['reference_sd']:.2g}) | {r['mw_p']:.3f} | "
            f"{r['ks_p']:.3f} |"
        )
    bad = [r["output"] for r in rows if r["mw_p"] < THRESHOLD or r["ks_p"] < THRESHOLD]
    assert not bad, f"distributions differ: {bad}"
