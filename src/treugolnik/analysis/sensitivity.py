"""Global sensitivity analysis with SALib: Morris screening and Sobol' indices.

>>> from treugolnik.analysis.sensitivity import run_sensitivity      # doctest: +SKIP
>>> res = run_sensitivity("kirov-small", method="morris", n=8, out_dir="sens")

Every model evaluation uses the same seed (common random numbers), so the indices measure the
parameters' effects, not noise. Outputs: ``turnover`` (mean annual turnover 1930-32),
``win_share`` (workers' share of resolutions), ``political_share`` (political accusations
1937-38), ``real_pay`` (mean real pay over the run against Oct-Dec 1928). Requires SALib
(the ``calibrate`` extra).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from ..engine import simulate
from ..scenario.load import ScenarioError, load_scenario

DEFAULT_PARAMS = {
    "turnover.q0": (-7.5, -5.8),
    "absence.a0": (-4.2, -3.0),
    "meetings.theta_frame": (0.5, 6.0),
    "meetings.bias": (-2.0, 0.5),
    "meetings.pol_vigilance": (3.0, 9.0),
    "institutions.clash_rate": (0.0, 0.1),
    "party.recruit_rate": (0.004, 0.02),
    "norms.nu": (0.3, 1.5),
}
OUTPUTS = ("turnover", "win_share", "political_share", "real_pay")


def outputs(monthly: pl.DataFrame) -> dict[str, float]:
    """The four outputs of one run."""
    m = monthly

    def years(a, b):
        return m.filter(pl.col("month").dt.year().is_between(a, b))

    t = years(1937, 1938)
    base = years(1928, 1928)["pay_real"].mean()
    return {
        "turnover": float(years(1930, 1932)["turnover_rate"].mean() or math.nan),
        "win_share": float(m["workers_won"].sum() / max(m["items"].sum(), 1)),
        "political_share": float(t["accusations_political"].sum() / max(t["accusations"].sum(), 1))
        if t.height
        else math.nan,
        "real_pay": float(m["pay_real"].mean() / base) if base else math.nan,
    }


def parse_params(items: list[str] | None) -> dict[str, tuple[float, float]]:
    """``["name=lo:hi", ...]`` -> bounds; default: DEFAULT_PARAMS."""
    if not items:
        return dict(DEFAULT_PARAMS)
    out = {}
    for it in items:
        try:
            name, rng = it.split("=", 1)
            lo, hi = (float(x) for x in rng.split(":", 1))
        except ValueError:
            raise ScenarioError([f"--param {it}: expected NAME=LOW:HIGH"]) from None
        if not lo < hi:
            raise ScenarioError([f"--param {it}: LOW must be below HIGH"])
        out[name] = (lo, hi)
    return out


def run_sensitivity(
    scenario: str = "kirov-small",
    *,
    regime: str = "bargaining",
    method: str = "morris",
    n: int = 10,
    params: dict[str, tuple[float, float]] | None = None,
    sets: list[str] | None = None,
    seed: int = 1,
    out_dir: str | Path = "sens",
    progress: Callable[[], None] | None = None,
    plan_only: bool = False,
) -> dict:
    """Sample, run, analyse; write ``sensitivity.json`` and ``sensitivity.png`` to ``out_dir``."""
    try:
        from SALib.analyze import morris as morris_a
        from SALib.analyze import sobol as sobol_a
        from SALib.sample import morris as morris_s
        from SALib.sample import sobol as sobol_s
    except ImportError:
        raise ScenarioError(
            ["sensitivity: SALib is not installed (pip install 'treugolnik[calibrate]')"]
        ) from None
    if method not in ("morris", "sobol"):
        raise ScenarioError([f"--method: {method!r} is not one of morris, sobol"])
    params = params or dict(DEFAULT_PARAMS)
    sets = list(sets or [])
    # validate every parameter name and bound up front
    for name, (lo, hi) in params.items():
        load_scenario(scenario, regime=regime, sets=sets + [f"{name}={lo}", f"{name}={hi}"])
    problem = {
        "num_vars": len(params),
        "names": list(params),
        "bounds": [list(b) for b in params.values()],
    }
    if method == "morris":
        X = morris_s.sample(problem, n, num_levels=4, seed=seed)
    else:
        X = sobol_s.sample(problem, n, calc_second_order=False, seed=seed)
    if plan_only:
        return {"samples": int(X.shape[0])}
    Y = {k: np.empty(X.shape[0]) for k in OUTPUTS}
    for i, x in enumerate(X):
        s = load_scenario(
            scenario,
            regime=regime,
            seed=seed,
            sets=sets + [f"{k}={float(v)!r}" for k, v in zip(problem["names"], x, strict=True)],
        )
        o = outputs(simulate(s).monthly)
        for k in OUTPUTS:
            Y[k][i] = o[k]
        if progress:
            progress()
    result: dict = {
        "scenario": scenario,
        "regime": regime,
        "method": method,
        "n": n,
        "seed": seed,
        "samples": int(X.shape[0]),
        "sets": sets,
        "parameters": {k: list(v) for k, v in params.items()},
        "indices": {},
    }
    for k in OUTPUTS:
        y = np.nan_to_num(Y[k], nan=float(np.nanmean(Y[k])) if np.isfinite(Y[k]).any() else 0.0)
        if method == "morris":
            a = morris_a.analyze(problem, X, y, num_levels=4, seed=seed)
            result["indices"][k] = {
                name: {"mu_star": float(a["mu_star"][j]), "sigma": float(a["sigma"][j])}
                for j, name in enumerate(problem["names"])
            }
        else:
            a = sobol_a.analyze(problem, y, calc_second_order=False, seed=seed)
            result["indices"][k] = {
                name: {
                    "S1": float(a["S1"][j]),
                    "ST": float(a["ST"][j]),
                    "ST_conf": float(a["ST_conf"][j]),
                }
                for j, name in enumerate(problem["names"])
            }
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".sensitivity.json.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(result, indent=2))
    os.replace(tmp, out / "sensitivity.json")
    _figure(result, out / "sensitivity.png")
    return result


def _figure(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    key = "mu_star" if result["method"] == "morris" else "ST"
    fig, axes = plt.subplots(1, len(OUTPUTS), figsize=(3.4 * len(OUTPUTS), 3.2), sharey=True)
    names = list(result["parameters"])
    for ax, out in zip(axes, OUTPUTS, strict=True):
        vals = [result["indices"][out][n][key] for n in names]
        scale = max(max(vals), 1e-12)
        ax.barh(names, np.array(vals) / scale, color="#8b1a1a")
        ax.set_title(out, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_xlim(0, 1.05)
    axes[0].set_xlabel(f"{key} (relative to the largest)", fontsize=8)
    fig.suptitle(
        f"{result['method'].capitalize()} sensitivity, {result['scenario']} "
        f"({result['regime']}, seed {result['seed']}, {result['samples']} runs)",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def table(result: dict) -> list[str]:
    """Markdown table of the indices (for docs)."""
    key = ("mu_star", "sigma") if result["method"] == "morris" else ("S1", "ST")
    lines = [
        "| parameter | " + " | ".join(f"{o} {key[0]} ({key[1]})" for o in OUTPUTS) + " |",
        "|---" * (len(OUTPUTS) + 1) + "|",
    ]
    for p in result["parameters"]:
        cells = [
            f"{result['indices'][o][p][key[0]]:.3g} ({result['indices'][o][p][key[1]]:.2g})"
            for o in OUTPUTS
        ]
        lines.append(f"| {p} | " + " | ".join(cells) + " |")
    return lines


__all__ = ["DEFAULT_PARAMS", "OUTPUTS", "outputs", "parse_params", "run_sensitivity", "table"]
