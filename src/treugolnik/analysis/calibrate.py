"""Calibration by ABC-SMC (pyabc): the free parameters of a regime against the historical figures.

>>> from treugolnik.analysis.calibrate import calibrate              # doctest: +SKIP
>>> out = calibrate("kirov-small", regime="bargaining", populations=3, particles=20,
...                 db="calib.db", out_dir="calib")

The summary statistics are computed from a run's monthly record (``summary_statistics``); the
observed values are the figures of ``data/series.csv`` (``TARGETS``); the distance is the mean
relative error over the statistics the run covers. Priors are uniform over the scenario's
``[calibration.priors]``. The database is resumable: calling again with the same ``db`` continues
the last run. ``model_selection=True`` fits the three regimes at once and records pyabc's
posterior model probabilities. ``archive=`` adds a coded archive (docs/ARCHIVE.md) as a target:
every run is observed as the archive was coded (as many meetings, from its years;
:func:`.evidence.matched_observation`), its meeting-level features (:func:`.evidence.
archive_features`) join the statistics, and the distance becomes ``(1 - w) * aggregate + w *
archive`` with ``w = archive_weight`` (default 0.5: the minutes count as much as the series),
the archive part being the mean error over the features the archive gives
(:func:`archive_distance`). The posterior records both parts per model, so the run can
be set beside one without the archive. Requires the ``calibrate`` extra.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from pathlib import Path

import numpy as np
import polars as pl

from ..data import read_series, series_value
from ..engine import simulate
from ..scenario.load import ScenarioError, load_scenario
from ..scenario.schema import REGIMES


def _party_total(period: str) -> float:
    if period == "1933":
        return series_value("party_total", "1933")
    return series_value("party_members", period) + series_value("party_candidates", period)


def targets() -> dict[str, tuple[float, str]]:
    """Observed summary statistics with their source rows (data/series.csv)."""
    read_series()
    return {
        "turnover_1930_32": (
            series_value("labour_turnover", "early 1930s"),
            "labour_turnover, early 1930s (GSE)",
        ),
        "real_pay_1932": (
            series_value("real_wage_index", "1932"),
            "real_wage_index 1932 (Filtzer)",
        ),
        "real_pay_1940": (
            series_value("real_wage_index", "1940"),
            "real_wage_index 1940 (Filtzer)",
        ),
        "party_1927_1933": (
            _party_total("1933") / _party_total("1927-12"),
            "party_total 1933 / party 1927-12 (USSR)",
        ),
        "party_1933_1939": (
            _party_total("1939-03") / _party_total("1933"),
            "party 1939-03 / party_total 1933 (USSR)",
        ),
        "party_1939_1941": (
            _party_total("1941-02") / _party_total("1939-03"),
            "party 1941-02 / party 1939-03 (USSR)",
        ),
        "workforce_1941": (1.0, "kirov_workforce 1941 = 30,000 (Werth), scaled to the scenario"),
    }


def summary_statistics(monthly: pl.DataFrame, size0: float) -> dict[str, float]:
    """The statistics a run provides (NaN where its period does not reach)."""
    m = monthly

    def mean(col: str, a: dt.date, b: dt.date) -> float:
        x = m.filter((pl.col("month") >= a) & (pl.col("month") <= b))[col]
        return float(x.mean()) if x.len() else math.nan

    def party(d: dt.date) -> float:
        row = m.filter(pl.col("month") == d)
        if not row.height:
            return math.nan
        return float(row["party_members"][0] + row["party_candidates"][0])

    def ratio(a: float, b: float) -> float:
        # NaN, not an error, where the denominator is zero (a party organisation that died out)
        return a / b if b and math.isfinite(b) else math.nan

    base = mean("pay_real", dt.date(1928, 1, 1), dt.date(1928, 12, 1))
    end = m["month"][-1]
    return {
        "turnover_1930_32": mean("turnover_rate", dt.date(1930, 1, 1), dt.date(1932, 12, 1)),
        "real_pay_1932": ratio(mean("pay_real", dt.date(1932, 1, 1), dt.date(1932, 12, 1)), base),
        "real_pay_1940": ratio(mean("pay_real", dt.date(1940, 1, 1), dt.date(1940, 12, 1)), base),
        "party_1927_1933": ratio(party(dt.date(1933, 1, 1)), party(m["month"][0])),
        "party_1933_1939": ratio(party(dt.date(1939, 3, 1)), party(dt.date(1933, 1, 1))),
        "party_1939_1941": ratio(party(dt.date(1941, 2, 1)), party(dt.date(1939, 3, 1))),
        "workforce_1941": (
            float(m["headcount"][-1]) / (30_000.0 * size0 / 12_000.0)
            if end >= dt.date(1941, 1, 1)
            else math.nan
        ),
    }


def distance(x: dict, x0: dict) -> float:
    """Mean relative error over the aggregate statistics present in both (NaN-safe)."""
    errs = []
    for k, obs in x0.items():
        if "|" in k:
            continue
        sim = x.get(k, math.nan)
        if sim is None or not math.isfinite(sim) or not math.isfinite(obs):
            continue
        errs.append(abs(sim - obs) / max(abs(obs), 1e-9))
    return float(np.mean(errs)) if errs else 1e9


_COUNTS = ("items_per_meeting", "per_item", "per_meeting")  # rates, not shares


def archive_distance(x: dict, x0: dict) -> float:
    """Mean error over the archive features (``archive|*``) the archive gives: absolute for
    shares, relative (to at least 1) for the rates per meeting or item; a feature the archive
    gives and the run does not counts as an error of 1. NaN if the archive gives none.
    """
    from .evidence import MISSING

    errs = []
    for k, v in x0.items():
        if "|" not in k or v == MISSING or not math.isfinite(v):
            continue
        sim = x.get(k, MISSING)
        if sim == MISSING or not math.isfinite(sim):
            errs.append(1.0)
        elif k.endswith(_COUNTS):
            errs.append(abs(sim - v) / max(abs(v), 1.0))
        else:
            errs.append(abs(sim - v))
    return float(np.mean(errs)) if errs else math.nan


class CombinedDistance:
    """``(1 - weight) * distance + weight * archive_distance``; with weight 0 (no archive) the
    aggregate part alone. Picklable for pyabc's samplers.
    """

    def __init__(self, weight: float):
        self.weight = float(weight)

    def __call__(self, x: dict, x0: dict) -> float:
        agg = distance(x, x0)
        if self.weight == 0.0:
            return agg
        arc = archive_distance(x, x0)
        return (1.0 - self.weight) * agg + self.weight * (arc if math.isfinite(arc) else 1.0)


class _Model:
    """A picklable pyabc model: parameters in, summary statistics out (with the archive's
    features of the run observed as the archive was coded, given ``archive_obs``).
    """

    def __init__(self, scenario: str, regime: str, sets: list[str], archive_obs=None):
        self.scenario, self.regime, self.sets = scenario, regime, list(sets)
        self.archive_obs = archive_obs
        self.__name__ = regime

    def __call__(self, params) -> dict:
        seed = int(np.random.randint(0, 2**31 - 1))
        sets = self.sets + [f"{k}={float(params[k])!r}" for k in params]
        s = load_scenario(self.scenario, regime=self.regime, seed=seed, sets=sets)
        res = simulate(s)
        x = summary_statistics(res.monthly, float(s.factories.size * s.factories.count))
        if self.archive_obs is not None:
            from ..archive import Observation, from_events, observe
            from .evidence import archive_features

            arc = observe(from_events(res.events), Observation(seed=seed, **self.archive_obs))
            x.update({f"archive|{k}": v for k, v in archive_features(arc).items()})
        return x


def _sampler(kind: str, workers: int, scheduler: str | None):
    import pyabc

    if kind == "dask":
        from dask.distributed import Client, LocalCluster

        client = (
            Client(scheduler)
            if scheduler
            else Client(LocalCluster(n_workers=workers, threads_per_worker=1, processes=True))
        )
        return pyabc.sampler.DaskDistributedSampler(dask_client=client), client
    if workers > 1:
        return pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers), None
    return pyabc.sampler.SingleCoreSampler(), None


def calibrate(
    scenario: str = "kirov",
    *,
    regime: str = "bargaining",
    populations: int = 4,
    particles: int = 40,
    db: str | Path = "calibration.db",
    out_dir: str | Path = "calibration",
    sets: list[str] | None = None,
    model_selection: bool = False,
    sampler: str = "local",
    workers: int = 1,
    scheduler: str | None = None,
    seed: int = 1,
    archive=None,
    archive_weight: float = 0.5,
    speech_rate: float = 0.8,
    confusion: float = 0.05,
    outcome_rate: float = 0.5,
) -> dict:
    """Run (or resume) ABC-SMC; write the posterior summary, figure and JSON; return a summary.
    ``archive``: a coded :class:`~treugolnik.archive.Archive` as a further target (see the
    module).
    """
    try:
        import pyabc
    except ImportError:
        raise ScenarioError(
            ["calibrate: pyabc is not installed (pip install 'treugolnik[calibrate]')"]
        ) from None
    import logging

    logging.getLogger("ABC").setLevel(logging.WARNING)
    sets = list(sets or [])
    base = load_scenario(scenario, regime=regime, sets=sets)
    priors = base.calibration.priors
    regimes = list(REGIMES) if model_selection else [regime]
    prior = pyabc.Distribution(
        **{k: pyabc.RV("uniform", lo, hi - lo) for k, (lo, hi) in priors.items()}
    )
    archive_obs = None
    obs = {k: v for k, (v, _src) in targets().items()}
    if archive is not None:
        from .evidence import archive_features, archive_groups, matched_observation

        archive_obs = matched_observation(archive, speech_rate, confusion, outcome_rate)
        groups = archive_groups(archive)
        obs.update({f"archive|{k}": v for k, v in archive_features(archive).items()
                    if k.split(".")[0] in groups})  # fmt: skip
    models = [_Model(scenario, g, sets, archive_obs) for g in regimes]
    smp, client = _sampler(sampler, workers, scheduler)
    np.random.seed(seed)
    abc = pyabc.ABCSMC(
        models,
        [prior] * len(models),
        CombinedDistance(archive_weight if archive else 0.0),
        population_size=particles,
        sampler=smp,
    )
    db_path = Path(db).resolve()
    url = f"sqlite:///{db_path}"
    resumed = False
    if db_path.exists() and db_path.stat().st_size > 0:
        try:
            runs = pyabc.History(url, create=False).all_runs()
        except Exception:  # noqa: BLE001 - not a pyabc database
            raise ScenarioError([f"--db {db}: exists and is not a pyabc database"]) from None
        if runs:
            abc.load(url, abc_id=runs[-1].id, observed_sum_stat=obs)
            resumed = True
    if not resumed:
        abc.new(url, obs)
    try:
        h = abc.run(max_nr_populations=populations)
    finally:
        if client is not None:
            client.close()
    return write_posterior(
        h,
        priors,
        regimes,
        out_dir,
        {
            "scenario": scenario,
            "regime": regime,
            "populations": populations,
            "particles": particles,
            "db": str(db_path),
            "model_selection": model_selection,
            "resumed": resumed,
            "sets": sets,
            "targets": {k: {"value": v, "source": s} for k, (v, s) in targets().items()},
            "archive": None if archive is None else {
                "source": archive.source, "weight": archive_weight,
                "observation": {k: (list(v) if isinstance(v, tuple) else v)
                                for k, v in archive_obs.items()},
                "features": sum(1 for k in obs if "|" in k)},
        },
        obs,
    )  # fmt: skip


def write_posterior(
    h, priors: dict, regimes: list[str], out_dir, meta: dict, observed: dict | None = None
) -> dict:
    """Posterior summary (JSON, CSV) and a figure of the marginal posteriors."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t = h.max_t
    summary: dict = {
        "meta": meta,
        "populations_done": int(t + 1),
        "simulations": int(h.total_nr_simulations),
        "posterior": {},
    }
    row = h.get_model_probabilities().iloc[-1]  # rows: populations; columns: models
    summary["model_probabilities"] = {regimes[int(m)]: float(row[m]) for m in row.index}
    summary["final_population"] = population_by_model(
        h.get_population(t=t).particles, regimes, observed
    )
    frames = {}
    for m, regime in enumerate(regimes):
        if summary["model_probabilities"].get(regime, 0.0) <= 0.0:
            continue
        df, w = h.get_distribution(m=m, t=t)
        frames[regime] = (df, w)
        stats = {}
        for k in priors:
            x = df[k].to_numpy()
            order = np.argsort(x)
            cw = np.cumsum(w[order]) / w.sum()
            q = {
                f"q{int(p * 100):02d}": float(x[order][np.searchsorted(cw, p)])
                for p in (0.05, 0.5, 0.95)
            }
            mean = float(np.average(x, weights=w))
            sd = float(np.sqrt(np.average((x - mean) ** 2, weights=w)))
            stats[k] = {"mean": mean, "sd": sd, **q, "prior": list(priors[k])}
        summary["posterior"][regime] = stats
    _figure(frames, priors, out / "posterior.png")
    tmp = out / f".posterior.json.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(summary, indent=2))
    os.replace(tmp, out / "posterior.json")
    return summary


def population_by_model(particles, regimes: list[str], observed: dict | None = None) -> dict:
    """Per model of the final population: its particles, their share of the weight (the model
    probability), the effective sample size ``(sum w)^2 / sum w^2`` of its weights, the best and
    median distances, and the summary statistics that were missing (NaN) in any particle;
    given the observed statistics with an archive's, the mean aggregate and archive parts of
    the distance.
    """
    out = {}
    total = sum(p.weight for p in particles) or 1.0
    for m, regime in enumerate(regimes):
        ps = [p for p in particles if int(p.m) == m]
        w = np.array([p.weight for p in ps], dtype=float)
        d = np.array([p.distance for p in ps], dtype=float)
        missing = sorted(
            {k for p in ps for k, v in p.sum_stat.items() if v is None or not math.isfinite(v)}
        )
        parts = {}
        if observed and any("|" in k for k in observed) and ps:
            parts = {
                "aggregate_distance": float(np.mean([distance(p.sum_stat, observed) for p in ps])),
                "archive_distance": float(
                    np.nanmean([archive_distance(p.sum_stat, observed) for p in ps])
                ),
            }
        out[regime] = {
            "particles": len(ps),
            "weight": float(w.sum() / total),
            "ess": float(w.sum() ** 2 / (w**2).sum()) if len(ps) else 0.0,
            "best_distance": float(d.min()) if len(ps) else math.nan,
            "median_distance": float(np.median(d)) if len(ps) else math.nan,
            "missing_statistics": missing,
            **parts,
        }
    return out


def _figure(frames: dict, priors: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = list(priors)
    fig, axes = plt.subplots(1, len(keys), figsize=(3.2 * len(keys), 2.8), squeeze=False)
    for ax, k in zip(axes[0], keys, strict=True):
        lo, hi = priors[k]
        for regime, (df, w) in frames.items():
            ax.hist(
                df[k], bins=12, range=(lo, hi), weights=w, alpha=0.55, label=regime, density=True
            )
        ax.axhline(1.0 / (hi - lo), color="grey", lw=1, ls="--", label="prior")
        ax.set_title(k, fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0][0].legend(fontsize=7)
    fig.suptitle("ABC-SMC posterior marginals (weighted), last population", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
