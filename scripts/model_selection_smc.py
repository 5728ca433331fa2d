"""Posterior model probabilities of the three readings by ABC-SMC (pyabc), repeated over sampler
    seeds: the earlier method, kept for the record (it did not settle; scripts/model_selection.py
    is the ABC-RF method that replaced it, docs/VALIDATION.md).

    python scripts/model_selection_smc.py --particles 100 --populations 5 --seeds 1 2 3 \
        --workers 2 --out docs/results/model-selection-smc

For each sampler seed, ABC-SMC (pyabc) fits the three regimes at once to the calibration's
summary statistics (``treugolnik.analysis.calibrate``) over the whole period, and keeps its
database and posterior (``seed-N/``). The table (``stability.json`` and ``stability.md``) gives,
per seed and regime, the model probability, the particles of the final population, the
effective sample size of their weights, the best and median distance and any statistic left
empty; then the spread of each model probability across seeds. The probabilities count as
settled when every spread is within +-0.05 of the mean.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from treugolnik.analysis.calibrate import calibrate
from treugolnik.scenario.regimes import REGIMES


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="kirov-small")
    ap.add_argument("--particles", type=int, default=100)
    ap.add_argument("--populations", type=int, default=5)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--out", default="docs/results/model-selection-smc")
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    runs = {}
    for seed in a.seeds:
        d = out / f"seed-{seed}"
        d.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        res = calibrate(
            a.scenario, model_selection=True, populations=a.populations,
            particles=a.particles, db=d / "model-selection.db", out_dir=d, seed=seed,
            workers=a.workers,
        )  # fmt: skip
        runs[seed] = {
            "probabilities": res["model_probabilities"],
            "final_population": res["final_population"],
            "simulations": res["simulations"],
            "minutes": (time.perf_counter() - t0) / 60,
        }
        print(seed, res["model_probabilities"], flush=True)
    regimes = list(REGIMES)
    spread = {}
    for g in regimes:
        ps = [runs[s]["probabilities"].get(g, 0.0) for s in a.seeds]
        mean = sum(ps) / len(ps)
        spread[g] = {"mean": mean, "max_deviation": max(abs(p - mean) for p in ps)}
    settled = all(v["max_deviation"] <= 0.05 for v in spread.values())
    payload = {
        "scenario": a.scenario, "particles": a.particles, "populations": a.populations,
        "seeds": a.seeds, "runs": runs, "spread": spread, "settled": settled,
    }  # fmt: skip
    (out / "stability.json").write_text(json.dumps(payload, indent=2))
    lines = [
        "| seed | regime | probability | particles | ESS | best distance | median distance "
        "| empty statistics |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for seed in a.seeds:
        for g in regimes:
            fp = runs[seed]["final_population"].get(g, {})
            lines.append(
                f"| {seed} | {g} | {runs[seed]['probabilities'].get(g, 0.0):.2f} | "
                f"{fp.get('particles', 0)} | {fp.get('ess', 0.0):.1f} | "
                f"{fp.get('best_distance', float('nan')):.3f} | "
                f"{fp.get('median_distance', float('nan')):.3f} | "
                f"{', '.join(fp.get('missing_statistics', [])) or '-'} |"
            )
    lines.append("")
    lines.append("| regime | mean probability | largest deviation across seeds |")
    lines.append("|---|---|---|")
    for g in regimes:
        lines.append(f"| {g} | {spread[g]['mean']:.2f} | {spread[g]['max_deviation']:.2f} |")
    lines.append("")
    lines.append(f"settled within +-0.05: {'yes' if settled else 'no'}")
    (out / "stability.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
