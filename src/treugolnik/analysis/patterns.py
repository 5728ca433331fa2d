"""The validation patterns (docs/ODD.md section 1; docs/VALIDATION.md) as executable checks.

>>> from treugolnik.analysis.patterns import PATTERNS, evaluate      # doctest: +SKIP
>>> table = evaluate(runs, counterfactual_runs)                       # doctest: +SKIP

A check turns each run into statistics, summarises them across seeds (median and the min-max
interval) and decides pass/fail from the medians against the historical figure. Level checks
use the figure's band; shape checks (a change at a dated event, a ratio over a dated window)
also carry a placebo: the same statistic at :data:`PLACEBO_DRAWS` random dates (or random
windows of the same length) in the same run, seeded and reproducible; a shape passes only if
the real statistic lies above the placebo's 95th percentile (:data:`PLACEBO_PASS`). Windows
follow the dates of the data points they are compared with (data/series.csv).

Every pattern names, in ``ablation``, the input that could drive it and a neutral version of
that input (:class:`~treugolnik.analysis.ablation.Neutral`). ``treugolnik validate`` runs the
neutral version too: a pattern that still passes is *emergent* (the mechanisms produce it),
one that fails is *imposed* (the input writes it in); only emergent passes count as evidence
(:mod:`treugolnik.analysis.validate`).

P7 needs, for every seed, a run of the same scenario with ``counterfactual.no_institutions``
(common random numbers). Checks that read a monthly column the model may not have yet
(``columns``) are skipped with a note when it is absent.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from ..data import series_value
from .ablation import Neutral

PLACEBO_DRAWS = 200
PLACEBO_SEED = 1928
PLACEBO_PASS = 95.0  # the real statistic must lie above this percentile of the placebo


@dataclass
class RunView:
    """What a pattern check reads from one run."""

    monthly: pl.DataFrame
    events: pl.DataFrame | None
    scenario: dict
    label: str = ""

    @property
    def size0(self) -> float:
        f = self.scenario["factories"]
        return float(f["size"] * f["count"])


def _years(m: pl.DataFrame, a: int, b: int) -> pl.DataFrame:
    return m.filter(pl.col("month").dt.year().is_between(a, b))


def _at(m: pl.DataFrame, y: int, mo: int, col: str) -> float:
    row = m.filter(pl.col("month") == dt.date(y, mo, 1))
    return float(row[col][0]) if row.height else float("nan")


def _party(m: pl.DataFrame, y: int, mo: int) -> float:
    return _at(m, y, mo, "party_members") + _at(m, y, mo, "party_candidates")


def _ratio(a, b) -> float:
    if a is None or b is None or not b or not np.isfinite(b):
        return float("nan")
    return float(a) / float(b)


def _mean(x: pl.Series) -> float:
    v = x.mean() if x.len() else None
    return float(v) if v is not None else float("nan")


def _sum(m: pl.DataFrame, col: str) -> float:
    return float(m[col].sum()) if m.height else float("nan")


def months_between(a: dt.date, b: dt.date) -> int:
    """Whole months from the month of ``a`` to the month of ``b``."""
    return (b.year - a.year) * 12 + b.month - a.month


# ----------------------------------------------------------------------------- placebo
class Cols:
    """A monthly frame's columns as float arrays (read once, for the placebo's many draws)."""

    def __init__(self, m: pl.DataFrame):
        self.m = m
        self.n = m.height
        self._c: dict[str, np.ndarray] = {}

    def __getitem__(self, col: str) -> np.ndarray:
        if col not in self._c:
            self._c[col] = self.m[col].cast(pl.Float64).to_numpy()
        return self._c[col]


@dataclass(frozen=True)
class Shape:
    """A shape statistic at dated anchors, with its placebo.

    ``stat(cols, idx)`` reads the monthly columns around the anchor months ``idx`` (row
    indices); it needs ``before`` months before and ``after`` months from each anchor
    (``idx[i] - before >= 0`` and ``idx[i] + after <= n``). Larger values mean more of the
    pattern. The placebo draws the same number of anchors at random among the eligible months
    other than the real ones.
    """

    key: str
    anchors: tuple[dt.date, ...]
    before: int
    after: int
    stat: Callable[[Cols, list[int]], float]


def placebo(
    shape: Shape, m: pl.DataFrame, rng: np.random.Generator, draws: int = PLACEBO_DRAWS
) -> tuple[float, float, np.ndarray]:
    """``(real statistic, its percentile in the placebo, the placebo values)``.

    The percentile is the share (in %) of placebo values strictly below the real statistic;
    NaN if an anchor lies outside the run or its window does not fit.
    """
    cols = Cols(m)
    months = m["month"].to_list()
    idx = []
    for a in shape.anchors:
        if a not in months:
            return float("nan"), float("nan"), np.array([])
        i = months.index(a)
        if i - shape.before < 0 or i + shape.after > cols.n:
            return float("nan"), float("nan"), np.array([])
        idx.append(i)
    real = float(shape.stat(cols, idx))
    eligible = np.array(
        [i for i in range(shape.before, cols.n - shape.after + 1) if i not in idx], dtype=int
    )
    if eligible.size < len(idx) or not np.isfinite(real):
        return real, float("nan"), np.array([])
    values = np.array(
        [
            shape.stat(cols, sorted(rng.choice(eligible, size=len(idx), replace=False).tolist()))
            for _ in range(draws)
        ],
        dtype=float,
    )
    values = values[np.isfinite(values)]
    pct = 100.0 * float(np.mean(values < real)) if values.size else float("nan")
    return real, pct, values


def _log_growth(value: Callable[[Cols], np.ndarray], length: int) -> Callable:
    """log(v[i + length] / v[i]) averaged over the anchors."""

    def stat(c: Cols, idx: list[int]) -> float:
        v = value(c)
        out = [
            np.log(v[i + length] / v[i]) if v[i] > 0 and v[i + length] > 0 else np.nan for i in idx
        ]
        return float(np.mean(out))

    return stat


def _neg(stat: Callable) -> Callable:
    return lambda c, idx: -stat(c, idx)


def _window_share(col: str, length: int) -> Callable:
    """The share of the run's total of ``col`` that falls in the ``length`` months from i."""

    def stat(c: Cols, idx: list[int]) -> float:
        v = c[col]
        total = v.sum()
        if total <= 0:
            return float("nan")
        return float(np.mean([v[i : i + length].sum() / total for i in idx]))

    return stat


def _step_down(col: str, before: int, after: int) -> Callable:
    """log((sum of the ``before`` months before i + 0.5) / (sum of ``after`` months from i
    + 0.5)): a fall at i is positive (the 0.5 keeps empty windows finite).
    """

    def stat(c: Cols, idx: list[int]) -> float:
        v = c[col]
        return float(
            np.mean(
                [
                    np.log((v[i - before : i].sum() + 0.5) / (v[i : i + after].sum() + 0.5))
                    for i in idx
                ]
            )
        )

    return stat


def _mean_step_down(col: str, before: int, after: int) -> Callable:
    """log(mean of the ``before`` months before i / mean of the ``after`` months from i)."""

    def stat(c: Cols, idx: list[int]) -> float:
        v = c[col]
        out = []
        for i in idx:
            a, b = v[i - before : i].mean(), v[i : i + after].mean()
            out.append(np.log(a / b) if a > 0 and b > 0 else np.nan)
        return float(np.mean(out))

    return stat


# ----------------------------------------------------------------------------- the patterns
@dataclass
class Pattern:
    """One pattern: id, title, what history says, how to compute and judge it, which input
    could impose it (``ablation``) and its shape statistics with their placebo (``shapes``).
    """

    pid: str
    title: str
    expected: str
    stats: Callable[[RunView, RunView | None], dict[str, float]]
    judge: Callable[[dict[str, float]], bool]
    tolerance: str
    ablation: Neutral
    needs_counterfactual: bool = False
    shapes: tuple[Shape, ...] = ()
    columns: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.pid} {self.title}"


def _party_data(period: str) -> float:
    return series_value("party_members", period) + series_value("party_candidates", period)


# The data's own dates (data/series.csv): congresses of Dec 1927, Jan 1934 and Mar 1939, the
# 1933 peak (no month given; admissions were suspended in Jan 1933), the Feb 1941 conference.
START = dt.date(1928, 10, 1)  # the run's first month (the data's first point: Dec 1927)
PEAK_1933 = dt.date(1933, 1, 1)
CONGRESS_17 = dt.date(1934, 1, 1)
CONGRESS_18 = dt.date(1939, 3, 1)
CONFERENCE_18 = dt.date(1941, 2, 1)
PARTY_GROWTH = series_value("party_total", "1933") / _party_data("1927-12")
PARTY_FALL = _party_data("1939-03") / series_value("party_total", "1933")
PARTY_SURGE = _party_data("1941-02") / _party_data("1939-03")


def _party_col(c: Cols) -> np.ndarray:
    return c["party_members"] + c["party_candidates"]


def _p1(r: RunView, _cf) -> dict[str, float]:
    m = r.monthly
    return {
        "growth Oct 1928-Jan 1933": _ratio(_party(m, 1933, 1), _party(m, 1928, 10)),
        "fall Jan 1933-Mar 1939": _ratio(_party(m, 1939, 3), _party(m, 1933, 1)),
        "surge Mar 1939-Feb 1941": _ratio(_party(m, 1941, 2), _party(m, 1939, 3)),
    }


def _p2(r: RunView, _cf) -> dict[str, float]:
    m = r.monthly
    base = _mean(_years(m, 1928, 1928)["pay_real"])
    return {
        "real pay 1932 / 1928": _ratio(_mean(_years(m, 1932, 1932)["pay_real"]), base),
        "real pay 1940 / 1928": _ratio(_mean(_years(m, 1940, 1940)["pay_real"]), base),
    }


def _p3(r: RunView, _cf) -> dict[str, float]:
    m = r.monthly
    early = _mean(_years(m, 1930, 1932)["turnover_rate"])
    mid = _mean(_years(m, 1936, 1939)["turnover_rate"])
    late = _mean(m.filter(pl.col("month") >= dt.date(1940, 7, 1))["turnover_rate"])
    return {
        "turnover 1930-32 (/yr)": early,
        "turnover 1936-39": mid,
        "turnover after Jul 1940": late,
    }


def _p4(r: RunView, _cf) -> dict[str, float]:
    return {"last-decade share of output": _mean(r.monthly["last_decade_share"])}


# The decree's month (the 1938 decree is of 28 December: its effect shows from January)
DECREES = (dt.date(1932, 11, 1), dt.date(1938, 12, 1), dt.date(1940, 6, 1))


def _decree_drop(c: Cols, idx: list[int]) -> float:
    """Mean relative fall of absence from the 3 months before to the 2 months after."""
    rate = c["absence_rate"]
    out = []
    for i in idx:
        before, after = rate[i - 3 : i].mean(), rate[i + 1 : i + 3].mean()
        out.append((before - after) / before if before > 0 else np.nan)
    return float(np.mean(out))


def _decree_rebound(c: Cols, idx: list[int]) -> float:
    """Mean relative rise of absence from the 2 months after to 4-6 months after."""
    rate = c["absence_rate"]
    out = []
    for i in idx:
        after, later = rate[i + 1 : i + 3].mean(), rate[i + 4 : i + 7].mean()
        out.append((later - after) / after if after > 0 else np.nan)
    return float(np.mean(out))


def _p5(r: RunView, _cf) -> dict[str, float]:
    return {}  # the two statistics are the shapes (with their placebo)


def _p6(r: RunView, _cf) -> dict[str, float]:
    m = r.monthly
    t = _years(m, 1937, 1938)
    e = _years(m, 1929, 1932)
    return {
        "political share 1937-38": _ratio(_sum(t, "accusations_political"), _sum(t, "accusations")),
        "political share 1929-32": _ratio(_sum(e, "accusations_political"), _sum(e, "accusations")),
        "ordinary share 1929-32": _ratio(
            _sum(e, "accusations") - _sum(e, "accusations_political"), _sum(e, "accusations")
        ),
        "manager arrests in 1937-38": _ratio(
            _sum(t, "manager_arrests"), _sum(m, "manager_arrests")
        ),
    }


def _p7(r: RunView, cf: RunView | None) -> dict[str, float]:
    m = r.monthly
    out = {
        "workers' win share": _ratio(_sum(m, "workers_won"), _sum(m, "items")),
        "concessions": _sum(m, "concessions"),
        "directives adopted (not judged)": _ratio(
            _sum(m, "directives_adopted"), _sum(m, "directives_issued")
        ),
    }
    if r.events is not None:
        d = r.events.filter(pl.col("kind") == "directive")
        out["directive-result gap"] = _mean(d["strength"])
    if cf is not None:
        c = cf.monthly
        out["absence ratio institutions/none"] = _ratio(
            _ratio(_sum(m, "absent"), _sum(m, "scheduled")),
            _ratio(_sum(c, "absent"), _sum(c, "scheduled")),
        )
        out["clashes with institutions (not judged)"] = _sum(m, "clashes")
    return out


def _p8(r: RunView, _cf) -> dict[str, float]:
    target = series_value("kirov_workforce", "1941") * r.size0 / 12_000.0
    return {
        "employees at the end / 30,000 scaled": _ratio(float(r.monthly["headcount"][-1]), target)
    }


ARRESTS_1937 = series_value("nkvd_arrests", "1937")
ARRESTS_1938 = series_value("nkvd_arrests", "1938")


def chance_of_fall(first: float, second: float) -> float:
    """P(a first year with at least ``first`` of the ``first + second`` events) if both years
    had the same rate: each event falls in either year with probability one half.
    """
    n, k = int(round(first + second)), int(round(first))
    if n <= 0:
        return float("nan")
    logs = [
        math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1) - n * math.log(2.0)
        for j in range(k, n + 1)
    ]
    top = max(logs)
    return float(min(1.0, math.exp(top) * sum(math.exp(x - top) for x in logs)))


def _p9(r: RunView, _cf) -> dict[str, float]:
    m = r.monthly
    a37 = _sum(_years(m, 1937, 1937), "arrests")
    a38 = _sum(_years(m, 1938, 1938), "arrests")
    return {
        "arrests 1937": a37,
        "arrests 1938": a38,
        "arrests 1938 / 1937": _ratio(a38, a37),
        "chance of such a fall": chance_of_fall(a37, a38)
        if np.isfinite(a37 + a38)
        else float("nan"),
    }


ELITE = ("manager", "specialist")


def _p10(r: RunView, _cf) -> dict[str, float]:
    m = _years(r.monthly, 1937, 1938)
    staff = _sum(m, "headcount")
    if r.events is not None and "target_role" in r.events.columns:
        a = r.events.filter(
            (pl.col("kind") == "arrest") & pl.col("date").dt.year().is_between(1937, 1938)
        )
        elite_arrests = float(a.filter(pl.col("target_role").is_in(ELITE)).height)
        share_arrests = _ratio(elite_arrests, float(a.height))
        share_staff = _ratio(_sum(m, "managers") + _sum(m, "specialists"), staff)
    else:  # run folders without events: managers only
        share_arrests = _ratio(_sum(m, "manager_arrests"), _sum(m, "arrests"))
        share_staff = _ratio(_sum(m, "managers"), staff)
    return {
        "elite share of arrests 1937-38": share_arrests,
        "elite share of staff 1937-38": share_staff,
        "over-representation": _ratio(share_arrests, share_staff),
    }


EXPELLED_1937 = series_value("purge_expelled_share", "1937")
PLENUM_1938 = dt.date(1938, 2, 1)  # the month after the plenum of 19 January 1938


def _p11(r: RunView, _cf) -> dict[str, float]:
    m = r.monthly
    return {
        "expelled 1937 / party Jan 1937": _ratio(
            _sum(_years(m, 1937, 1937), "expulsions"), _party(m, 1937, 1)
        ),
    }


def _p12(r: RunView, _cf) -> dict[str, float]:
    m = r.monthly
    return {
        "reinstatements 1938": _sum(_years(m, 1938, 1938), "reinstatements"),
        "reinstatements, whole run": _sum(m, "reinstatements"),
    }


UNION_REPLACED = series_value("union_committee_replaced", "1937")


def _p13(r: RunView, _cf) -> dict[str, float]:
    m = r.monthly
    y = _years(m, 1937, 1937)
    held = _sum(y, "elections") if "elections" in m.columns else float("nan")
    replaced = _sum(y, "officers_replaced")
    return {
        "officers replaced 1937": replaced,
        "officers replaced, whole run": _sum(m, "officers_replaced"),
        "share of 1937 elections lost": replaced / held if held else float("nan"),
    }


CM_DATA = {
    d: series_value("party_candidates", d) / series_value("party_members", d)
    for d in ("1934-01", "1939-03", "1941-02")
}
MEMBERS_FALL = series_value("party_members", "1939-03") / series_value("party_members", "1934-01")
MEMBERS_RISE = series_value("party_members", "1941-02") / series_value("party_members", "1939-03")


def _p14(r: RunView, _cf) -> dict[str, float]:
    m = r.monthly
    out = {}
    for period in CM_DATA:
        y, mo = int(period[:4]), int(period[5:])
        out[f"candidates / members {period}"] = _ratio(
            _at(m, y, mo, "party_candidates"), _at(m, y, mo, "party_members")
        )
    out["members Mar 1939 / Jan 1934"] = _ratio(
        _at(m, 1939, 3, "party_members"), _at(m, 1934, 1, "party_members")
    )
    out["members Feb 1941 / Mar 1939"] = _ratio(
        _at(m, 1941, 2, "party_members"), _at(m, 1939, 3, "party_members")
    )
    out["party per employee Feb 1941 / Mar 1939"] = _ratio(
        _ratio(_party(m, 1941, 2), _at(m, 1941, 2, "headcount")),
        _ratio(_party(m, 1939, 3), _at(m, 1939, 3, "headcount")),
    )
    return out


def _within(x: float, ref: float, factor: float) -> bool:
    return ref / factor <= x <= ref * factor


# --------------------------------------------------------------------- the neutral inputs
# The ablation table: for every pattern, the input that could drive it and its neutral
# version (see treugolnik.analysis.ablation for how each is built).
PARTY_LINE = Neutral(
    "recruitment and purge rows of the timeline (admissions suspended Jan 1933, reopened Nov "
    "1936, eased Mar 1939; purges 1929-30, 1933-34, 1935, 1936)",
    "recruitment held at its run mean; one purge window over the whole run expelling the "
    "same total share",
    flatten=("recruitment", "purge"),
)
DEFLATOR = Neutral(
    "the price index, built from the real-wage figures P2 checks (Filtzer: 0.465 in 1932, "
    "0.55 in 1940; timeline.build_policy)",
    "flat deflator: prices follow nominal wages (real wage index 1 throughout)",
    flat_deflator=True,
)
QUIT_PENALTIES = Neutral(
    "quit_penalty and prosecution rows (internal passports 1932, labour books 1938, the "
    "decree of 26 June 1940)",
    "quit_penalty and prosecution held at their run means",
    flatten=("quit_penalty", "prosecution"),
)
SUPPLY_LAG = Neutral(
    "production.supply_lag: a fixed share of output lost in the first ten days of every month",
    "production.supply_lag = 0 (supplies even over the month)",
    overrides=(("production.supply_lag", 0.0),),
)
ABSENCE_DECREES = Neutral(
    "absence_penalty rows (decrees of Nov 1932, Dec 1938, June 1940)",
    "absence_penalty held at its run mean",
    flatten=("absence_penalty",),
)
TERROR = Neutral(
    "vigilance, specialist_baiting and arrest_quota rows (Shakhty 1928 ... Order 00447 in "
    "Jul 1937, its end in Nov 1938)",
    "vigilance, specialist_baiting and arrest_quota held at their run means",
    flatten=("vigilance", "specialist_baiting", "arrest_quota"),
)
CLASH_ABSENCE = Neutral(
    "absence.a_clash (clashes in a shop raise its absence directly) and the participation "
    "rows that draw people into the institutions",
    "absence.a_clash = 0 and participation held at its run mean",
    flatten=("participation",),
    overrides=(("absence.a_clash", 0.0),),
)
GROWTH_TARGET = Neutral(
    "factories.growth / growth_path: the target headcount, set to reach the P8 figure",
    "flat growth target: factories.growth = 0, no growth_path",
    overrides=(("factories.growth", 0.0), ("factories.growth_path", [])),
)
ELITE_TARGETING = Neutral(
    "repression.arrest_manager and meetings.pol_specialist (managers and specialists more "
    "likely charged politically and arrested) and the specialist_baiting rows",
    "repression.arrest_manager = 0, meetings.pol_specialist = 0, specialist_baiting held at "
    "its run mean",
    flatten=("specialist_baiting",),
    overrides=(("repression.arrest_manager", 0.0), ("meetings.pol_specialist", 0.0)),
)
EXPULSION_DRIVERS = Neutral(
    "vigilance and purge rows (the January 1938 plenum lowers vigilance)",
    "vigilance held at its run mean; one purge window over the whole run (same total share)",
    flatten=("vigilance", "purge"),
)
PLENUM_1938_INPUT = Neutral(
    "the January 1938 plenum row (expulsion_errors_plenum) and the vigilance rows",
    "the plenum's rows removed and vigilance held at its run mean",
    flatten=("vigilance",),
    drop_events=("expulsion_errors_plenum",),
)
ELECTIONS_1937 = Neutral(
    "the secret ballot of the 1937 elections (party_ballot and union_ballot rows: the February-"
    "March 1937 plenum and the VI plenum of the VTsSPS)",
    "the ballot held at its run mean (mostly an open vote, in which fear keeps the holder in)",
    flatten=("party_ballot", "union_ballot"),
)


PATTERNS: list[Pattern] = [
    Pattern(
        "P1",
        "party membership swings",
        f"USSR members + candidates: x{PARTY_GROWTH:.2f} from Dec 1927 to the 1933 peak, "
        f"x{PARTY_FALL:.2f} from 1933 to Mar 1939, x{PARTY_SURGE:.2f} from Mar 1939 to Feb "
        "1941 (series.csv: 15th and 18th congresses, GSE; 1933 peak, FRUS 1947; Feb 1941, "
        "FRUS 1941)",
        _p1,
        lambda s: (
            s["growth Oct 1928-Jan 1933"] > 1.15
            and s["fall Jan 1933-Mar 1939"] < 0.85
            and s["surge Mar 1939-Feb 1941"] > 1.3
        ),
        "direction and timing: one PPO, not the USSR; thresholds 1.15 / 0.85 / 1.3 leave room "
        "for the plant's own growth; each window also against random windows of its length",
        PARTY_LINE,
        shapes=(
            Shape(
                "log growth to Jan 1933",
                (START,),
                0,
                months_between(START, PEAK_1933) + 1,
                _log_growth(_party_col, months_between(START, PEAK_1933)),
            ),
            Shape(
                "log fall Jan 1933-Mar 1939",
                (PEAK_1933,),
                0,
                months_between(PEAK_1933, CONGRESS_18) + 1,
                _neg(_log_growth(_party_col, months_between(PEAK_1933, CONGRESS_18))),
            ),
            Shape(
                "log surge Mar 1939-Feb 1941",
                (CONGRESS_18,),
                0,
                months_between(CONGRESS_18, CONFERENCE_18) + 1,
                _log_growth(_party_col, months_between(CONGRESS_18, CONFERENCE_18)),
            ),
        ),
    ),
    Pattern(
        "P2",
        "real wages fall to about half",
        "1932: 0.43-0.50 of 1928 (Filtzer 1986 p.91); 1940: 0.5-0.6 (Filtzer p.7)",
        _p2,
        lambda s: (
            0.33 <= s["real pay 1932 / 1928"] <= 0.60 and 0.40 <= s["real pay 1940 / 1928"] <= 0.75
        ),
        "band widened by 0.1 (0.15 above in 1940): one plant's piece rates and norms move "
        "around the national deflator, which is itself an assumption; calendar years as the "
        "data (1928: the run's Oct-Dec)",
        DEFLATOR,
    ),
    Pattern(
        "P3",
        "labour turnover",
        "'as high as 100 %' a year in the early 1930s (GSE, 'Labor turnover'), falling "
        "later, collapsing after the decree of 26 June 1940",
        _p3,
        lambda s: (
            0.9 < s["turnover 1930-32 (/yr)"] < 2.0
            and s["turnover 1936-39"] < s["turnover 1930-32 (/yr)"]
            and s["turnover after Jul 1940"] < 0.3 * s["turnover 1930-32 (/yr)"]
        ),
        "band 0.9-2.0 around 'as high as 100 %' (0.9: the figure is a peak statement; 2.0: twice "
        "the documented peak is no longer 'as high as 100 %'); later years direction only; the "
        "1940 collapse (12 months before against 12 after) against random dates",
        QUIT_PENALTIES,
        shapes=(
            Shape(
                "log fall at Jul 1940",
                (dt.date(1940, 7, 1),),
                12,
                12,
                _mean_step_down("turnover_rate", 12, 12),
            ),
        ),
    ),
    Pattern(
        "P4",
        "storming",
        "output bunched in the last ten days (anecdotal: 80 % of the quota, "
        "globalsecurity.org); a third would be even",
        _p4,
        lambda s: s["last-decade share of output"] > 0.40,
        "direction only (the 0.8 figure is anecdotal): clearly above one third",
        SUPPLY_LAG,
    ),
    Pattern(
        "P5",
        "decrees lower absence briefly",
        "absences fell after the 1932 decree, then enforcement lapsed within weeks "
        "(Neutatz, Metrostroi: 122 -> 94 worker-days)",
        _p5,
        lambda s: s["drop after decrees"] > 0 and s["rebound after the drop"] > 0,
        "mean over the three decrees (1932, 1938, 1940) of the relative drop (3 months before "
        "against the 2 after) and of the rebound (4-6 months on): each above the 95th "
        "percentile of three random dates, since a drop at any date is a coin toss",
        ABSENCE_DECREES,
        shapes=(
            Shape("drop after decrees", DECREES, 3, 7, _decree_drop),
            Shape("rebound after the drop", DECREES, 3, 7, _decree_rebound),
        ),
    ),
    Pattern(
        "P6",
        "accusations turn political in 1936-38",
        "negligence and incompetence dominate, political unreliability and sabotage surge "
        "1936-38; manager arrests concentrate in 1937-38 (the essay; Khrushchev 1956)",
        _p6,
        lambda s: (
            s["political share 1937-38"] > 0.3
            and s["political share 1937-38"] > 2 * s["political share 1929-32"]
            and s["ordinary share 1929-32"] > 0.5
            and s["manager arrests in 1937-38"] > 0.6
        ),
        "shares, not counts: a plant's accusation numbers are small; the share of the run's "
        "political charges in 1937-38 against random 24-month windows",
        TERROR,
        shapes=(
            Shape(
                "share of political charges in 1937-38",
                (dt.date(1937, 1, 1),),
                0,
                24,
                _window_share("accusations_political", 24),
            ),
        ),
    ),
    Pattern(
        "P7",
        "the essay's claims about the triangle",
        "institutions lower discipline; meeting outcomes bind and workers win a real share "
        "(Kokosalakis)",
        _p7,
        lambda s: (
            s.get("absence ratio institutions/none", 0) > 1.0
            and s["workers' win share"] > 0.2
            and s["concessions"] > 0
        ),
        "direction against the no_institutions counterfactual (same seeds); win share above "
        "a fifth counts as 'a real share'. Not judged, being true by construction: clashes "
        "(none without institutions) and directives adopted (a directive is adopted with "
        "probability at least one half, meetings.py)",
        CLASH_ABSENCE,
        needs_counterfactual=True,
    ),
    Pattern(
        "P8",
        "the Kirov works reaches about 30,000",
        "'more than 30,000' in 1941 (Werth, quoting director Puzyrev)",
        _p8,
        lambda s: 0.85 <= s["employees at the end / 30,000 scaled"] <= 1.25,
        "scaled by the scenario's start size against kirov's 12,000; -15 % / +25 % "
        "('more than' 30,000)",
        GROWTH_TARGET,
    ),
    Pattern(
        "P9",
        "arrests fall from 1937 to 1938",
        f"USSR NKVD arrests 1938 / 1937 = {ARRESTS_1938 / ARRESTS_1937:.2f} "
        f"({ARRESTS_1938:,.0f} / {ARRESTS_1937:,.0f}; series.csv nkvd_arrests: Pospelov "
        "commission via Kremlev for 1938, newlib.net p.44 for 1937)",
        _p9,
        lambda s: s["arrests 1938 / 1937"] < 1.0 and s["chance of such a fall"] < 0.05,
        "direction only: the national figures are of partial or conflicting status, and "
        "Leningrad's executions rose from 1937 to 1938 (series.csv leningrad_executions). "
        "Chance guard instead of a date placebo: the fall must be one that equal yearly "
        "rates give less than 5 % of the time (binomial); random pairs of years would not "
        "do, since history itself falls most from 1938 to 1939 (41,627 arrests in 1939, "
        "Pospelov commission; history_sources.csv)",
        TERROR,
    ),
    Pattern(
        "P10",
        "arrests fall on managers and specialists",
        "managers and engineers of heavy industry targeted from the Pyatakov trial on "
        "(timeline.csv pyatakov_trial: Moscow trials); 56 % of the 17th Congress delegates "
        "arrested (series.csv congress_delegates_arrested, Khrushchev 1956)",
        _p10,
        lambda s: s["over-representation"] > 2.0,
        "direction: the elite's share of arrests in 1937-38 at least twice its share of "
        "the staff (events' target_role; without events, managers from the monthly counts)",
        ELITE_TARGETING,
    ),
    Pattern(
        "P11",
        "expulsions in 1937, slowing after January 1938",
        f"about {EXPELLED_1937:.0%} of members expelled in 1937 (series.csv "
        "purge_expelled_share: Szymanski 1984 p.230, approximate); after the January 1938 "
        "plenum expulsions slowed (Goldman, Terror and Democracy, Russian ed. p.112)",
        _p11,
        lambda s: (
            _within(s["expelled 1937 / party Jan 1937"], EXPELLED_1937, 2.0)
            and s["log fall after Jan 1938 plenum"] > 0
        ),
        "1937 share within half to twice the figure (approximate, USSR); the slowdown (12 "
        "months before February 1938 against 12 after) against random dates",
        EXPULSION_DRIVERS,
        shapes=(
            Shape(
                "log fall after Jan 1938 plenum",
                (PLENUM_1938,),
                12,
                12,
                _step_down("expulsions", 12, 12),
            ),
        ),
    ),
    Pattern(
        "P12",
        "reinstatements after January 1938",
        "after the January 1938 plenum many of the expelled were readmitted (Goldman, Terror "
        "and Democracy, Russian ed. p.112; history_sources.csv plenum_jan_1938; no number)",
        _p12,
        lambda s: s["reinstatements 1938"] > 0,
        "direction and timing: reinstatements occur in 1938, and their share of the run's "
        "reinstatements there lies above random 12-month windows",
        PLENUM_1938_INPUT,
        shapes=(
            Shape(
                "share of reinstatements in 1938",
                (dt.date(1938, 1, 1),),
                0,
                12,
                _window_share("reinstatements", 12),
            ),
        ),
        columns=("reinstatements",),
    ),
    Pattern(
        "P13",
        "election turnover in 1937",
        f"secret-ballot elections of 1937 replaced over {UNION_REPLACED:.0%} of old "
        "factory-committee members and 66 % of chairmen (series.csv union_committee_replaced: "
        "Goldman, 'The Great Soviet Paradox', 2011)",
        _p13,
        lambda s: s["officers replaced 1937"] > 0 and s["share of 1937 elections lost"] >= 0.33,
        "at least half the union figure: a third of the 1937 elections lost by their holder "
        "(one plant holds two elections, so the share is coarse). No timing check: elections "
        "are held only on the timeline's dates, so their timing is an input",
        ELECTIONS_1937,
        columns=("officers_replaced",),
    ),
    Pattern(
        "P14",
        "membership levels",
        "USSR candidates per member: "
        + ", ".join(f"{v:.2f} ({k})" for k, v in CM_DATA.items())
        + f"; members x{MEMBERS_FALL:.2f} Jan 1934-Mar 1939 (1,872,488 -> 1,588,852), "
        f"x{MEMBERS_RISE:.2f} Mar 1939-Feb 1941 (series.csv: 17th and 18th congresses, "
        "FRUS 1941); the party grew faster than industrial employment",
        _p14,
        lambda s: (
            all(_within(s[f"candidates / members {k}"], v, 2.0) for k, v in CM_DATA.items())
            and s["members Mar 1939 / Jan 1934"] < 1.0
            and s["members Feb 1941 / Mar 1939"] > 1.2
            and s["party per employee Feb 1941 / Mar 1939"] > 1.0
        ),
        "candidates per member within half to twice the USSR figure on each date; members' "
        "fall and rise and party per employee in direction (the timing of the swings is "
        "P1's, with its placebo)",
        PARTY_LINE,
    ),
]

PCT = "placebo pct: "


@dataclass
class PatternResult:
    """A pattern evaluated over runs: median and range of each statistic, and the verdict.

    ``median`` holds the check's statistics, each shape's real statistic under its key and
    its placebo percentile under ``"placebo pct: " + key``. ``note`` says why a pattern was
    skipped (a column the runs do not have).
    """

    pattern: Pattern
    median: dict[str, float]
    low: dict[str, float]
    high: dict[str, float]
    passed: bool
    runs: int
    note: str = ""

    @property
    def skipped(self) -> bool:
        return bool(self.note)

    @property
    def placebo(self) -> dict[str, float]:
        """Each shape's placebo percentile (median over runs)."""
        return {k[len(PCT) :]: v for k, v in self.median.items() if k.startswith(PCT)}

    def simulated_text(self) -> str:
        if self.skipped:
            return self.note
        parts = []
        for k, v in self.median.items():
            if k.startswith("_") or k.startswith(PCT):
                continue
            if self.runs > 1:
                parts.append(f"{k}: {v:.3g} [{self.low[k]:.3g}, {self.high[k]:.3g}]")
            else:
                parts.append(f"{k}: {v:.3g}")
        return "; ".join(parts)

    def placebo_text(self) -> str:
        return "; ".join(f"{k}: {v:.0f}" for k, v in self.placebo.items()) or "-"

    def as_json(self) -> dict:
        return {
            "pattern": self.pattern.name,
            "expected": self.pattern.expected,
            "simulated": self.simulated_text(),
            "pass": bool(self.passed),
            "tolerance": self.pattern.tolerance,
            "runs": self.runs,
            "values": {
                k: v
                for k, v in self.median.items()
                if not k.startswith("_") and not k.startswith(PCT)
            },
            "placebo_percentile": self.placebo,
            "placebo_draws": PLACEBO_DRAWS if self.pattern.shapes else 0,
            "skipped": self.note,
        }


def _summary(arr: dict[str, np.ndarray], fn) -> dict[str, float]:
    return {k: float(fn(v)) if np.isfinite(v).any() else float("nan") for k, v in arr.items()}


def shape_stats(pat: Pattern, m: pl.DataFrame) -> dict[str, float]:
    """Each shape's real statistic and its placebo percentile for one run."""
    out = {}
    for j, shape in enumerate(pat.shapes):
        rng = np.random.default_rng([PLACEBO_SEED, int(pat.pid[1:]), j])
        real, pct, _ = placebo(shape, m, rng)
        out[shape.key] = real
        out[PCT + shape.key] = pct
    return out


def evaluate(
    runs: list[RunView],
    counterfactuals: list[RunView | None] | None = None,
    patterns: list[Pattern] | None = None,
) -> list[PatternResult]:
    """Evaluate patterns over runs (one per seed); ``counterfactuals[i]`` pairs ``runs[i]``.

    A pattern passes if its judge passes on the medians and every shape's median placebo
    percentile is above :data:`PLACEBO_PASS`.
    """
    cfs = counterfactuals or [None] * len(runs)
    out = []
    for pat in patterns or PATTERNS:
        missing = [c for c in pat.columns if any(c not in r.monthly.columns for r in runs)]
        if missing:
            note = f"skipped: column missing ({', '.join(missing)}) in the runs' monthly output"
            out.append(PatternResult(pat, {}, {}, {}, False, len(runs), note))
            continue
        per_run = []
        for r, c in zip(runs, cfs, strict=True):
            st = dict(pat.stats(r, c))
            st.update(shape_stats(pat, r.monthly))
            per_run.append(st)
        keys = per_run[0].keys()
        arr = {k: np.array([p.get(k, np.nan) for p in per_run], dtype=float) for k in keys}
        med = _summary(arr, np.nanmedian)
        lo = _summary(arr, np.nanmin)
        hi = _summary(arr, np.nanmax)
        if pat.needs_counterfactual and all(c is None for c in cfs):
            passed = False
        else:
            try:
                passed = bool(pat.judge(med))
            except (KeyError, TypeError):
                passed = False
            pcts = [med[PCT + s.key] for s in pat.shapes]
            passed = passed and all(np.isfinite(p) and p > PLACEBO_PASS for p in pcts)
        out.append(PatternResult(pat, med, lo, hi, passed, len(runs)))
    return out
