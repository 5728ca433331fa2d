"""Which reading do the data favour? Reference tables, ABC random forests and the power study.

docs/EVIDENCE.md says what this answers and its limits. The method is ABC model choice by random
forests (ABC-RF; Pudlo, Marin, Estoup, Cornuet, Gautier and Robert, "Reliable ABC model choice
via random forests", *Bioinformatics* 32, 2016):

1. A **reference table** (:func:`reference_table`): draws of (reading, parameters, seed), the
   reading chosen in turn, its parameters from that reading's own prior
   (:data:`~treugolnik.scenario.regimes.READING_PRIORS`, plus the scenario's
   ``[calibration.priors]`` shared by all three); every draw is simulated and summarised by the
   aggregate statistics of :mod:`.calibrate` (``agg.*``) and, for each observation setting, by
   the meeting-level features (:func:`archive_features`) of what a historian would code from a
   sample of its minutes (:mod:`treugolnik.archive.observe`).
2. **Model choice** (:func:`abc_rf`): a classification forest trained on the table predicts the
   reading of the observed statistics; the posterior probability of the predicted reading is
   ``1 - E[error | x]``, the out-of-bag misclassification regressed on the statistics by a
   regression forest (Pudlo et al.'s estimator), grown as the authors' R package ``abcrf``
   grows it (``predict.abcrf``: a ``ranger`` forest with ``ranger``'s defaults for regression,
   ``floor(sqrt(p))`` statistics tried at a split and nodes of fewer than five draws not split;
   twice as many trees as the classification forest, as the package's defaults of 500 and
   1,000 trees). The forest's vote shares are reported beside it and are not probabilities.
3. **Power** (:func:`power_study`): out-of-fold predictions over independent draws of the table
   give accuracy and the confusion matrix by number of meetings coded, by the fields coded and
   by the observation model's rates.

Every draw's seeds derive from (table seed, draw number) alone, so a table is the same whatever
the number of worker processes.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from ..archive import Observation, archive_stats, from_events, observe
from ..archive.codebook import CHARGE, FRAME, OTHER, TOPIC, UNKNOWN
from ..population import ROLES
from ..scenario.load import ScenarioError, load_scenario
from ..scenario.regimes import READING_PRIORS
from ..scenario.schema import REGIMES

# the periods of the meeting-level features: the first Five-Year Plan and specialist-baiting;
# the second plan to the Kirov murder's aftermath; the Great Terror; 1939 to the war
PERIODS = ((1928, 1932), (1933, 1936), (1937, 1938), (1939, 1941))
# feature groups: which levels of the archive a historian codes
GROUPS = ("items", "resolutions", "speeches", "accusations")
FIELD_SETS: dict[str, tuple[str, ...]] = {
    "agenda": ("items",),
    "speeches": ("items", "speeches"),
    "resolutions": ("items", "resolutions"),
    "accusations": ("items", "accusations"),
    "all": GROUPS,
}
MISSING = -1.0  # a feature the coded meetings cannot give (no meeting of the period, no speech)

_FRAMES = tuple(f for f in FRAME if f not in (OTHER, UNKNOWN))
_TOPICS = tuple(t for t in TOPIC if t not in (OTHER, UNKNOWN))
_CHARGES = tuple(c for c in CHARGE if c not in (OTHER, UNKNOWN))
_OUTCOMES = ("expelled", "reprimanded", "cleared")


@dataclass(frozen=True)
class Noise:
    """An observation setting of the power study: the share of speeches the minutes record, the
    rate at which a coder misreads a speech's side or frame or the side that carried a
    resolution, and the share of resolutions whose fulfilment later minutes show
    (docs/ARCHIVE.md).
    """

    name: str
    speech_rate: float
    confusion: float
    outcome_rate: float


# the rates are guesses (no study of how Soviet minutes summarise speeches was found): the
# power study reports both settings so the answer's dependence on them shows
NOISE = (Noise("low", 0.8, 0.05, 0.5), Noise("high", 0.4, 0.25, 0.1))


# --- features -------------------------------------------------------------------------------


def _share(counts: dict, key: str) -> float | None:
    known = {k: v for k, v in counts.items() if k != UNKNOWN}
    total = sum(known.values())
    return known.get(key, 0) / total if total else None


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def archive_features(archive) -> dict[str, float]:
    """Fixed-length numeric features of an archive, coded or simulated: for each period of
    :data:`PERIODS` and group of :data:`GROUPS`, shares and rates (``MISSING`` where the
    archive cannot give them). Names are ``GROUP.PERIOD.NAME``.
    """
    stats = archive_stats(archive, list(PERIODS), whole=False)["periods"]
    out: dict[str, float] = {}
    for first, last in PERIODS:
        p = f"{first}-{last}"
        s = stats.get(p)
        vals: dict[str, float | None] = {}
        if s is None or s["meetings"] == 0:
            s = None
        # items: what was on the agenda
        vals["items.items_per_meeting"] = _ratio(s["items"], s["meetings"]) if s else None
        for t in _TOPICS:
            vals[f"items.topic_{t}"] = _share(s["topics"], t) if s else None
        # resolutions: who carried, whether they bound, unanimity, personal cases not upheld
        vals["resolutions.carried_workers"] = _share(s["carried"], "workers") if s else None
        vals["resolutions.binding"] = _share(s["binding"], "yes") if s else None
        vals["resolutions.unanimous"] = _share(s["unanimous"], "yes") if s else None
        rev = s["reversals"] if s else {}
        vals["resolutions.case_not_upheld"] = (
            _ratio(rev["charge_not_upheld"], rev["personal_cases"]) if s else None
        )
        # speeches: who spoke on which side, in which frame
        speakers = s["speakers"] if s else {}
        by_side: dict[str, int] = {}
        for sides in speakers.values():
            for side, n in sides.items():
                by_side[side] = by_side.get(side, 0) + n
        vals["speeches.per_item"] = _ratio(s["speeches"], s["items"]) if s else None
        for side in ("workers", "management", "party_line"):
            vals[f"speeches.side_{side}"] = _share(by_side, side) if by_side else None
        for role in ROLES:
            vals[f"speeches.{role}_for_workers"] = (
                _share(speakers[role], "workers") if role in speakers else None
            )
        for f in _FRAMES:
            vals[f"speeches.frame_{f}"] = _share(s["frames"], f) if s and s["frames"] else None
        # accusations and their investigation
        vals["accusations.per_meeting"] = _ratio(s["accusations"], s["meetings"]) if s else None
        for c in _CHARGES:
            vals[f"accusations.charge_{c}"] = (
                _share(s["charges"], c) if s and s["charges"] else None
            )
        for role in ROLES:
            vals[f"accusations.accused_{role}"] = (
                _share(s["accused_roles"], role) if s and s["accused_roles"] else None
            )
        for o in _OUTCOMES:
            inv = s["investigations"] if s else {}
            vals[f"accusations.outcome_{o}"] = _share(inv, o) if inv else None
        for name, v in vals.items():
            group, feat = name.split(".", 1)
            ok = v is not None and math.isfinite(v)
            out[f"{group}.{p}.{feat}"] = float(v) if ok else MISSING
    return out


def feature_columns(columns: list[str], key: str, fields: str) -> list[str]:
    """The table's columns of observation setting ``key`` for the field set ``fields``."""
    groups = FIELD_SETS[fields]
    return [c for c in columns if c.startswith(f"{key}|") and c.split("|", 1)[1].split(".")[0]
            in groups]  # fmt: skip


# --- the reference table --------------------------------------------------------------------


def _priors(scenario: str, regime: str, sets: list[str]) -> dict[str, tuple[float, float]]:
    base = load_scenario(scenario, regime=regime, sets=sets)
    pri = dict(base.calibration.priors)
    pri.update(READING_PRIORS[regime])
    return dict(sorted(pri.items()))


def draw_specs(scenario: str, per_model: int, seed: int, sets: list[str] | None = None) -> list:
    """The table's draws: reading in turn, parameters uniform over the reading's prior, a run
    seed and an observation seed, all from ``numpy.random.default_rng((seed, draw))``.
    """
    sets = list(sets or [])
    priors = {g: _priors(scenario, g, sets) for g in REGIMES}
    specs = []
    for i in range(per_model * len(REGIMES)):
        regime = REGIMES[i % len(REGIMES)]
        rng = np.random.default_rng((seed, i))
        params = {k: float(rng.uniform(lo, hi)) for k, (lo, hi) in priors[regime].items()}
        specs.append({
            "draw": i, "model": regime, "params": params, "scenario": scenario, "sets": sets,
            "run_seed": int(rng.integers(1, 2**31 - 1)),
            "obs_seed": int(rng.integers(0, 2**31 - 1)),
        })  # fmt: skip
    return specs


def simulate_draw(spec: dict, observations: dict[str, dict]) -> dict:
    """One row of the table: the draw, its aggregate statistics and, for every observation
    setting (name -> :class:`Observation` fields without the seed), its archive's features.
    """
    from ..engine import simulate
    from .calibrate import summary_statistics

    sets = spec["sets"] + [f"{k}={v!r}" for k, v in spec["params"].items()]
    s = load_scenario(spec["scenario"], regime=spec["model"], seed=spec["run_seed"], sets=sets)
    res = simulate(s)
    row: dict = {"draw": spec["draw"], "model": spec["model"], "run_seed": spec["run_seed"]}
    row.update({f"param.{k}": v for k, v in spec["params"].items()})
    agg = summary_statistics(res.monthly, float(s.factories.size * s.factories.count))
    row.update({f"agg.{k}": (v if math.isfinite(v) else MISSING) for k, v in agg.items()})
    full = from_events(res.events, "draw")
    for key, fields in observations.items():
        arc = observe(full, Observation(seed=spec["obs_seed"], **fields))
        row.update({f"{key}|{k}": v for k, v in archive_features(arc).items()})
    return row


def _run_chunk(specs: list[dict], observations: dict) -> list[dict]:
    return [simulate_draw(s, observations) for s in specs]


def reference_table(
    scenario: str,
    per_model: int,
    seed: int,
    observations: dict[str, dict],
    *,
    sets: list[str] | None = None,
    workers: int = 1,
    progress: Callable[[], None] | None = None,
    start: int = 0,
) -> pl.DataFrame:
    """Simulate the draws of :func:`draw_specs` from draw ``start`` on; rows in draw order.

    A draw depends only on ``(seed, draw)``, not on ``per_model``, so the draws of a larger
    table begin with those of a smaller one (:func:`build_table` extends tables so).
    """
    specs = draw_specs(scenario, per_model, seed, sets)[start:]
    rows: list[dict] = []
    if workers <= 1:
        for s in specs:
            rows.append(simulate_draw(s, observations))
            if progress:
                progress()
    else:
        import multiprocessing as mp
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        from ..experiments.runner import die_with_parent

        # spawn, not fork (the parent holds Polars' thread pool); small chunks keep both busy
        ex = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"),
                                 initializer=die_with_parent, initargs=(os.getpid(),))  # fmt: skip
        try:
            chunks = [specs[i : i + 3] for i in range(0, len(specs), 3)]
            pending = {ex.submit(_run_chunk, c, observations) for c in chunks}
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    got = f.result()
                    rows.extend(got)
                    if progress:
                        for _ in got:
                            progress()
        except BaseException:
            # an error or an interrupt: the draws still queued are dropped, not run
            ex.shutdown(wait=False, cancel_futures=True)
            raise
        ex.shutdown(wait=True)
    return pl.DataFrame(sorted(rows, key=lambda r: r["draw"]))


def save_table(table: pl.DataFrame, path: Path, meta: dict) -> None:
    """The table as Parquet with its description beside it (``.json``), each written atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    table.write_parquet(tmp)
    os.replace(tmp, path)
    side = path.with_suffix(".json")
    tmp = side.with_name(f".{side.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(meta, indent=2))
    os.replace(tmp, side)


def load_table(path: Path) -> tuple[pl.DataFrame, dict]:
    """A table saved by :func:`save_table` and its description; ScenarioError if unreadable."""
    side = Path(path).with_suffix(".json")
    try:
        return pl.read_parquet(path), json.loads(side.read_text())
    except (OSError, ValueError, pl.exceptions.PolarsError) as e:
        raise ScenarioError(
            [f"--table {path}: not a reference table ({e.__class__.__name__})"]
        ) from None


# --- random forests -------------------------------------------------------------------------


def _sklearn():
    try:
        import sklearn.ensemble as ens
    except ImportError:
        raise ScenarioError(
            ["scikit-learn is not installed (pip install 'treugolnik[calibrate]')"]
        ) from None
    return ens


def _matrix(table: pl.DataFrame, cols: list[str]) -> np.ndarray:
    return table.select(cols).fill_null(MISSING).fill_nan(MISSING).to_numpy().astype(float)


def abc_rf(
    table: pl.DataFrame, cols: list[str], observed: dict[str, float], *, trees: int = 500,
    seed: int = 0,
) -> dict:  # fmt: skip
    """ABC-RF model choice of the observed statistics against the table (see the module).

    Statistics the observation does not give (missing or ``MISSING``: a field the minutes
    leave ``unknown``, a period without meetings) are left out of the forests, so that an
    unobserved value never routes the observation down a branch learnt from simulated values.
    """
    ens = _sklearn()
    cols = [c for c in cols if math.isfinite(observed.get(c, math.nan))
            and observed[c] != MISSING]  # fmt: skip
    if not cols:
        raise ScenarioError(["the observation gives none of the statistics compared"])
    X = _matrix(table, cols)
    y = np.array(table["model"].to_list())
    clf = ens.RandomForestClassifier(n_estimators=trees, oob_score=True, random_state=seed,
                                     n_jobs=1)  # fmt: skip
    clf.fit(X, y)
    x0 = np.array([[observed.get(c, MISSING) for c in cols]], dtype=float)
    x0[~np.isfinite(x0)] = MISSING
    votes = dict(zip(clf.classes_, clf.predict_proba(x0)[0], strict=True))
    chosen = max(votes, key=votes.get)
    oob = clf.classes_[np.argmax(np.nan_to_num(clf.oob_decision_function_), axis=1)]
    wrong = (oob != y).astype(float)
    # (as abcrf's predict.abcrf grows it: module docstring)
    reg = ens.RandomForestRegressor(n_estimators=2 * trees, max_features="sqrt",
                                    min_samples_split=5, random_state=seed, n_jobs=1)  # fmt: skip
    reg.fit(X, wrong)
    p = float(1.0 - reg.predict(x0)[0])
    order = np.argsort(clf.feature_importances_)[::-1][:8]
    groups: dict[str, float] = {}
    for c, imp in zip(cols, clf.feature_importances_, strict=True):
        g = c.split("|", 1)[0] if "|" in c else c.split(".", 1)[0]
        groups[g] = groups.get(g, 0.0) + float(imp)
    return {
        "reading": str(chosen),
        "probability": p,
        "votes": {g: float(votes.get(g, 0.0)) for g in REGIMES},
        "oob_error": float(wrong.mean()),
        "draws": {g: int((y == g).sum()) for g in REGIMES},
        "statistics": len(cols),
        "informative": [[cols[i], float(clf.feature_importances_[i])] for i in order],
        "importance_by_source": groups,
    }


def _wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))


def _oof(X: np.ndarray, y: np.ndarray, folds: int, trees: int, seed: int) -> np.ndarray:
    """Out-of-fold predictions of a classification forest (stratified folds)."""
    ens = _sklearn()
    from sklearn.model_selection import StratifiedKFold

    pred = np.empty(len(y), dtype=object)
    k = max(2, min(folds, int(min(np.unique(y, return_counts=True)[1]))))
    for train, test in StratifiedKFold(k, shuffle=True, random_state=seed).split(X, y):
        clf = ens.RandomForestClassifier(n_estimators=trees, random_state=seed, n_jobs=1)
        clf.fit(X[train], y[train])
        pred[test] = clf.predict(X[test])
    return pred


def power_study(
    table: pl.DataFrame, keys: list[str], *, fields: tuple[str, ...] = tuple(FIELD_SETS),
    folds: int = 5, trees: int = 200, seed: int = 0,
    progress: Callable[[], None] | None = None,
) -> dict:  # fmt: skip
    """Accuracy of telling the readings apart, by observation setting and field set.

    For each setting ``key`` (e.g. ``n30/low``) and field set, out-of-fold predictions over the
    table's independent draws give the accuracy with its 95 % Wilson interval, the confusion
    matrix (true reading -> predicted), and each pair of readings' accuracy when only those two
    are in play (a forest trained on the pair: "if only these two were candidates"), beside the
    three-way choice's accuracy on the pair's draws; the most informative statistics come from a
    forest fitted to the whole table.
    """
    ens = _sklearn()
    y = np.array(table["model"].to_list())
    out: dict = {}
    for key in keys:
        for fs in fields:
            cols = feature_columns(table.columns, key, fs)
            X = _matrix(table, cols)
            pred = _oof(X, y, folds, trees, seed)
            ok = int((pred == y).sum())
            confusion = {g: {h: int(((y == g) & (pred == h)).sum()) for h in REGIMES}
                         for g in REGIMES}  # fmt: skip
            pairs = {}
            if fs == "all":
                for i, a in enumerate(REGIMES):
                    for b in REGIMES[i + 1 :]:
                        sel = (y == a) | (y == b)
                        pp = _oof(X[sel], y[sel], folds, trees, seed)
                        k = int((pp == y[sel]).sum())
                        lo, hi = _wilson(k, int(sel.sum()))
                        k3 = int((pred[sel] == y[sel]).sum())  # the three-way choice's
                        pairs[f"{a}/{b}"] = {
                            "accuracy": k / sel.sum(), "ci95": [lo, hi],
                            "three_way_accuracy": k3 / sel.sum(),
                            "three_way_ci95": list(_wilson(k3, int(sel.sum()))),
                        }  # fmt: skip
            clf = ens.RandomForestClassifier(n_estimators=trees, random_state=seed, n_jobs=1)
            clf.fit(X, y)
            order = np.argsort(clf.feature_importances_)[::-1][:5]
            lo, hi = _wilson(ok, len(y))
            out.setdefault(key, {})[fs] = {
                "accuracy": ok / len(y), "ci95": [lo, hi], "draws": len(y),
                "confusion": confusion, "pairs": pairs,
                "informative": [[cols[i].split("|", 1)[1], float(clf.feature_importances_[i])]
                                for i in order],
            }  # fmt: skip
            if progress:
                progress()
    return out


def power_observations(meetings: list[int], noise: tuple[Noise, ...] = NOISE) -> dict:
    """The observation settings of a power study: N meetings coded at each noise setting."""
    return {f"n{n}/{z.name}": {"meetings": n, "speech_rate": z.speech_rate,
                               "confusion": z.confusion, "outcome_rate": z.outcome_rate}
            for n in meetings for z in noise}  # fmt: skip


def build_table(
    scenario: str, per_model: int, seed: int, meetings: list[int], path: Path, *,
    sets: list[str] | None = None, workers: int = 1,
    progress: Callable[[], None] | None = None,
) -> pl.DataFrame:  # fmt: skip
    """The power study's reference table (every N of ``meetings`` at every :data:`NOISE`
    setting), saved at ``path`` with its description; read back if ``path`` holds the same one,
    extended if it holds the same table with fewer draws per reading.
    """
    obs = power_observations(meetings)
    meta = {"scenario": scenario, "per_model": per_model, "seed": seed, "sets": list(sets or []),
            "observations": obs, "periods": [list(p) for p in PERIODS],
            "priors": {g: _priors(scenario, g, list(sets or [])) for g in REGIMES}}  # fmt: skip
    table = None
    if path.is_file() and path.with_suffix(".json").is_file():
        table, old = load_table(path)
        if json.loads(json.dumps(meta)) == old:
            return table
        # the same table at another size: the draws of the smaller are the first of the
        # larger's (draw_specs); a larger one is read and cut, never replaced
        same = {**old, "per_model": meta["per_model"]} == json.loads(json.dumps(meta))
        whole = table.height == len(REGIMES) * old["per_model"]
        if same and whole and old["per_model"] > per_model:
            return table.head(len(REGIMES) * per_model)
        if not (same and whole and old["per_model"] < per_model):
            table = None
    done = 0 if table is None else table.height // len(REGIMES)
    # saved after every ``chunk`` draws of each reading, so that a long extension interrupted
    # keeps what it made (the table on disk is always a whole table of a smaller size)
    chunk = 100
    while done < per_model:
        upto = min(per_model, done + chunk)
        more = reference_table(scenario, upto, seed, obs, sets=sets, workers=workers,
                               progress=progress, start=len(REGIMES) * done)  # fmt: skip
        table = more if table is None else pl.concat([table, more], how="vertical_relaxed")
        save_table(table, path, {**meta, "per_model": upto})
        done = upto
    return table


def parse_key(key: str) -> tuple[int, str]:
    """``"n30/low"`` -> (30, "low")."""
    n, _, noise = key.partition("/")
    return int(n[1:]), noise


def key_order(key: str) -> tuple[int, int]:
    """Sort key of observation settings: noise as in :data:`NOISE`, then meetings."""
    n, noise = parse_key(key)
    names = [z.name for z in NOISE]
    return (names.index(noise) if noise in names else len(names), n)


def power_sentences(result: dict, target: float = 0.9) -> list[str]:
    """The power study in a historian's words: for each pair of readings (as the only two
    candidates) and noise setting, the fewest meetings studied from which on coding every field
    tells the pair apart with at least ``target`` accuracy at 95 % confidence (the lower end of
    the Wilson interval at or above it, at that number of meetings and every larger one).
    """
    lines = []
    by_noise: dict[str, list[tuple[int, dict]]] = {}
    for key, res in result.items():
        n, noise = parse_key(key)
        by_noise.setdefault(noise, []).append((n, res["all"]["pairs"]))
    for noise, rows in sorted(by_noise.items(), key=lambda kv: key_order(f"n0/{kv[0]}")):
        rows.sort()
        for pair in rows[0][1]:
            a, b = pair.split("/")
            hit = next(
                (
                    n
                    for j, (n, _) in enumerate(rows)
                    if all(p[pair]["ci95"][0] >= target for _, p in rows[j:])
                ),
                None,
            )
            best = max(rows, key=lambda r: r[1][pair]["accuracy"])
            if hit is not None:
                lines.append(
                    f"{noise} noise: to tell {a} from {b} (the only two candidates) with at least "
                    f"{target:.0%} accuracy at 95 % confidence, code at most {hit} meetings, "
                    f"every field (the fewest studied that suffice)."
                )
            else:
                acc = best[1][pair]
                lines.append(
                    f"{noise} noise: {a} and {b} (the only two candidates) are not told apart "
                    f"with {target:.0%} accuracy at 95 % confidence by the numbers of meetings "
                    f"studied; the best, {best[0]} meetings, gives "
                    f"{acc['accuracy']:.0%} ({acc['ci95'][0]:.0%}-{acc['ci95'][1]:.0%})."
                )
    return lines


def power_figure(result: dict, path: Path, available: int | None = None) -> None:
    """Accuracy against meetings coded, one line per field set, one panel per noise setting."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    noises = sorted({parse_key(k)[1] for k in result}, key=lambda z: key_order(f"n0/{z}"))
    fig, axes = plt.subplots(1, len(noises), figsize=(5 * len(noises), 3.6), squeeze=False,
                             sharey=True)  # fmt: skip
    for ax, noise in zip(axes[0], noises, strict=True):
        keys = sorted((k for k in result if parse_key(k)[1] == noise), key=lambda k: parse_key(k))
        ns = [parse_key(k)[0] for k in keys]
        for fs in next(iter(result.values())):
            acc = [result[k][fs]["accuracy"] for k in keys]
            lo = [result[k][fs]["ci95"][0] for k in keys]
            hi = [result[k][fs]["ci95"][1] for k in keys]
            ax.plot(ns, acc, marker="o", label=fs)
            ax.fill_between(ns, lo, hi, alpha=0.15)
        ax.axhline(1 / 3, color="grey", ls=":", lw=1, label="chance")
        ax.set_xscale("log")
        ax.set_xlabel("meetings coded" + (f" (the plant's minutes: {available})"
                                          if available else ""))  # fmt: skip
        ax.set_title(f"{noise} noise", fontsize=10)
        ax.set_ylim(0, 1.02)
    axes[0][0].set_ylabel("accuracy (3 readings, 95 % interval)")
    axes[0][0].legend(fontsize=7, title="fields coded", title_fontsize=7)
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.png")
    fig.savefig(tmp, dpi=120)
    plt.close(fig)
    os.replace(tmp, path)


# --- a coded archive as evidence ------------------------------------------------------------


def archive_groups(archive) -> tuple[str, ...]:
    """The feature groups a coded archive can give: the levels it has rows in."""
    have = {name for name, df in archive.frames.items() if df.height}
    groups = [g for g in ("items", "resolutions", "speeches") if g in have]
    if have & {"accusations", "investigations"}:
        groups.append("accusations")
    return tuple(groups)


def matched_observation(
    archive, speech_rate: float, confusion: float, outcome_rate: float = 1.0
) -> dict:
    """The observation of a simulated run matched to a coded archive: as many meetings as it
    codes, from the years it covers (a historian's sample), at the given rates.
    """
    years = sorted({int(d[:4]) for d in archive["meetings"]["date"].to_list()})
    return {"meetings": max(1, archive["meetings"].height), "years": tuple(years),
            "speech_rate": speech_rate, "confusion": confusion,
            "outcome_rate": outcome_rate}  # fmt: skip


def observed_statistics(archive=None) -> dict[str, float]:
    """The observed statistics: the historical aggregate targets (``agg.*``, from
    :func:`.calibrate.targets`) and, given a coded archive, its features (``archive|*``).
    """
    from .calibrate import targets

    obs = {f"agg.{k}": v for k, (v, _src) in targets().items()}
    if archive is not None:
        obs.update({f"archive|{k}": v for k, v in archive_features(archive).items()})
    return obs


def choose_with_archive(
    scenario: str, archive, *, per_model: int = 100, seed: int = 1, workers: int = 1,
    speech_rate: float = NOISE[0].speech_rate, confusion: float = NOISE[0].confusion,
    outcome_rate: float = NOISE[0].outcome_rate, trees: int = 500, sets: list[str] | None = None,
    progress: Callable[[], None] | None = None,
) -> dict:  # fmt: skip
    """ABC-RF posterior of the readings on the aggregate series alone and on the series plus a
    coded archive, from one reference table whose runs are observed as the archive was coded.
    """
    obs = {"archive": matched_observation(archive, speech_rate, confusion, outcome_rate)}
    table = reference_table(scenario, per_model, seed, obs, sets=sets, workers=workers,
                            progress=progress)  # fmt: skip
    observed = observed_statistics(archive)
    groups = archive_groups(archive)
    agg = [c for c in table.columns if c.startswith("agg.")]
    arc = [c for c in table.columns if c.startswith("archive|")
           and c.split("|", 1)[1].split(".")[0] in groups]  # fmt: skip
    return {
        "observation": {
            k: (list(v) if isinstance(v, tuple) else v) for k, v in obs["archive"].items()
        },
        "groups": list(groups),
        "without_archive": abc_rf(table, agg, observed, trees=trees, seed=seed),
        "with_archive": abc_rf(table, agg + arc, observed, trees=trees, seed=seed),
    }
