"""The report's figures (matplotlib), one function per figure.

Each figure takes the runs grouped by label (regime plus counterfactual switches) and draws,
for every group, the median over its runs (seeds) with a min-max band when there are several.
Every function returns ``(figure, caption)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

COLOURS = ["#8b1a1a", "#1f4e79", "#4d7c0f", "#b45309", "#6b21a8", "#0f766e", "#374151"]
DECREES = [
    (dt.date(1932, 11, 15), "1932 decree"),
    (dt.date(1938, 12, 28), "1938 decree"),
    (dt.date(1940, 6, 26), "1940 decree"),
]
TERROR = (dt.date(1937, 1, 23), dt.date(1938, 11, 17))
STAKHANOV = dt.date(1935, 8, 31)


@dataclass
class Run:
    """One run folder loaded for the report."""

    label: str
    seed: int
    metrics: pl.DataFrame
    monthly: pl.DataFrame
    events: pl.DataFrame
    manifest: dict


def _band(runs: list[Run], fn: Callable[[Run], pl.DataFrame]):
    """Median and min-max over runs of a (x, y) frame, aligned on x."""
    frames = [fn(r).rename({"y": f"y{i}"}) for i, r in enumerate(runs)]
    joined = frames[0]
    for f in frames[1:]:
        joined = joined.join(f, on="x", how="full", coalesce=True)
    joined = joined.sort("x")
    ys = joined.select([c for c in joined.columns if c != "x"]).to_numpy().astype(float)
    x = joined["x"].to_list()
    with np.errstate(all="ignore"):
        return x, np.nanmedian(ys, axis=1), np.nanmin(ys, axis=1), np.nanmax(ys, axis=1)


def _plot(
    ax,
    groups: dict[str, list[Run]],
    fn,
    style: str = "-",
    label_suffix: str = "",
    colour_offset: int = 0,
) -> None:
    for k, (label, runs) in enumerate(groups.items()):
        col = COLOURS[(k + colour_offset) % len(COLOURS)]
        x, med, lo, hi = _band(runs, fn)
        ax.plot(x, med, style, color=col, lw=1.3, label=f"{label}{label_suffix}")
        if len(runs) > 1:
            ax.fill_between(x, lo, hi, color=col, alpha=0.18, lw=0)


def _monthly(col: str, scale: float = 1.0):
    return lambda r: r.monthly.select(pl.col("month").alias("x"), (pl.col(col) * scale).alias("y"))


def _mark_decrees(ax, terror: bool = False) -> None:
    for d, name in DECREES:
        ax.axvline(d, color="grey", lw=0.8, ls=":")
        ax.text(
            d, ax.get_ylim()[1], name, rotation=90, va="top", ha="right", fontsize=7, color="grey"
        )
    if terror:
        ax.axvspan(*TERROR, color="black", alpha=0.07, lw=0)


def _finish(fig, ax, ylabel: str, legend: bool = True):
    ax.set_ylabel(ylabel, fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.25, lw=0.5)
    if legend:
        ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return fig


def _new(h: float = 3.2):
    return plt.subplots(figsize=(8.0, h))


def _suffix(groups) -> str:
    n = max(len(v) for v in groups.values())
    return f" Lines are medians over {n} runs, bands their range." if n > 1 else ""


def headcount(groups):
    fig, ax = _new()
    if len(groups) == 1:
        runs = next(iter(groups.values()))
        roles = ["workers", "foremen", "specialists", "managers"]
        meds = []
        for role in roles:
            x, med, _, _ = _band(runs, _monthly(role))
            meds.append(med)
        ax.stackplot(x, *meds, labels=roles, colors=COLOURS[:4], alpha=0.8)
    else:
        _plot(ax, groups, _monthly("headcount"))
    ax.axhline(30_000 * _scale(groups), color="black", lw=0.8, ls="--")
    return _finish(fig, ax, "employees"), (
        "Employees by role at the end of each month (stacked for one regime; totals when "
        "comparing). The dashed line is 'more than 30,000' in 1941 (Werth), scaled to the "
        "scenario's size." + _suffix(groups)
    )


def _scale(groups) -> float:
    run = next(iter(groups.values()))[0]
    f = run.manifest["scenario"]["factories"]
    return f["size"] * f["count"] / 12_000.0


def output_plan(groups):
    fig, ax = _new()
    _plot(ax, groups, _monthly("fulfilment"))
    ax.axhline(1.0, color="black", lw=0.8)
    return _finish(fig, ax, "output / plan"), (
        "Monthly plan fulfilment (output over plan). The plan ratchets each January from the "
        "year's achieved output and the centre's tempo." + _suffix(groups)
    )


def storming(groups):
    fig, ax = _new()

    def profile(r: Run) -> pl.DataFrame:
        m = r.metrics.with_columns(
            pl.col("date").dt.truncate("1mo").alias("month"), pl.col("date").dt.day().alias("day")
        )
        tot = m.group_by("month").agg(pl.col("output").sum().alias("tot"))
        m = m.join(tot, on="month").with_columns((pl.col("output") / pl.col("tot")).alias("s"))
        return m.group_by("day").agg(pl.col("s").mean().alias("y")).rename({"day": "x"}).sort("x")

    _plot(ax, groups, profile, style="-o")
    ax.axvspan(20.5, 31.5, color="#8b1a1a", alpha=0.08, lw=0)
    ax.set_xlabel("day of the month", fontsize=9)
    return _finish(fig, ax, "share of the month's output"), (
        "Storming: the average share of a month's output made on each day of the month. The "
        "shaded last decade (days 21-31) holds far more than its third; the first decade loses "
        "output to late supplies." + _suffix(groups)
    )


def turnover_absence(groups):
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(8.0, 4.6), sharex=True)
    _plot(a1, groups, _monthly("turnover_rate"))
    a1.axhline(1.0, color="black", lw=0.6, ls="--")
    _finish(fig, a1, "quits per head, a year")
    _plot(a2, groups, _monthly("absence_rate", 100.0))
    _finish(fig, a2, "absence, % of shifts", legend=False)
    for ax in (a1, a2):
        _mark_decrees(ax)
    return fig, (
        "Labour turnover (quits per average employee, annualised) and absence (% of "
        "scheduled shifts). Dotted lines mark the discipline decrees of 15 Nov 1932, "
        "28 Dec 1938 and 26 June 1940; the dashed line is 100 % turnover a year." + _suffix(groups)
    )


def pay(groups):
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(8.0, 4.6), sharex=True)
    _plot(a1, groups, _monthly("pay_nominal"))
    _finish(fig, a1, "rubles per shift")
    _plot(a2, groups, _monthly("pay_real"))
    _finish(fig, a2, "real, 1928 prices", legend=False)
    return fig, (
        "Nominal pay per working day (top) and real pay at 1928 prices (bottom). The "
        "price index is an assumption (data/README.md): real pay is about half of 1928 "
        "by 1932 by construction; norms, fulfilment and concessions move it around "
        "that." + _suffix(groups)
    )


def norms(groups):
    fig, ax = _new()
    _plot(ax, groups, _monthly("norm_index"))
    ax.axvline(STAKHANOV, color="grey", lw=0.8, ls=":")
    return _finish(fig, ax, "output norm (start = 1)"), (
        "Output norms relative to October 1928 (mean over shops), revised each quarter. The "
        "dotted line marks Stakhanov's record (31 Aug 1935)." + _suffix(groups)
    )


def party(groups):
    fig, ax = _new()
    _plot(ax, groups, _monthly("party_members"), label_suffix=" members")
    _plot(ax, groups, _monthly("party_candidates"), style="--", label_suffix=" candidates")
    for a, b, name in (
        (dt.date(1929, 5, 1), dt.date(1930, 5, 1), "purge"),
        (dt.date(1933, 5, 1), dt.date(1934, 6, 1), "purge"),
        (dt.date(1935, 5, 13), dt.date(1936, 10, 1), "verification"),
    ):
        ax.axvspan(a, b, color="#8b1a1a", alpha=0.08, lw=0)
        ax.text(a, ax.get_ylim()[1], name, fontsize=7, va="top", color="#8b1a1a")
    ax.axvspan(dt.date(1933, 1, 12), dt.date(1936, 11, 1), color="grey", alpha=0.06, lw=0)
    return _finish(fig, ax, "people"), (
        "Party members and candidates. Red shading: the purges of 1929-30 and 1933-34 and the "
        "verification and exchange of documents 1935-36; grey: admissions closed (Jan 1933 - "
        "Nov 1936); mass recruitment from March 1939." + _suffix(groups)
    )


def campaigns(groups):
    fig, ax = _new()
    _plot(ax, groups, _monthly("shock_workers"), label_suffix=" shock workers")
    _plot(ax, groups, _monthly("stakhanovites"), style="--", label_suffix=" Stakhanovites")
    ax.axvline(STAKHANOV, color="grey", lw=0.8, ls=":")
    return _finish(fig, ax, "workers"), (
        "Shock workers (from socialist competition, Jan 1929) and Stakhanovites (from 31 Aug "
        "1935, dotted)." + _suffix(groups)
    )


def institutions(groups):
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(8.0, 4.6), sharex=True)
    _plot(a1, groups, _monthly("participants_conference"), label_suffix=" conferences")
    _plot(a1, groups, _monthly("participants_inventors"), style="--", label_suffix=" inventors")
    _finish(fig, a1, "participants")
    _plot(a2, groups, _monthly("proposals_adopted"), label_suffix=" adopted")
    _plot(a2, groups, _monthly("clashes"), style=":", label_suffix=" clashes")
    _finish(fig, a2, "per month")
    return fig, (
        "Grassroots institutions: participants in production conferences and "
        "inventors' clubs (top); proposals adopted and clashes with foremen per month "
        "(bottom)." + _suffix(groups)
    )


def meetings(groups):
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(8.0, 3.2))
    topics = ["plan", "norms_pay", "safety", "discipline", "directive", "control_finding"]
    width = 0.8 / max(len(groups), 1)
    for k, (label, runs) in enumerate(groups.items()):
        items = pl.concat([r.events.filter(pl.col("kind") == "item").select("topic") for r in runs])
        counts = [items.filter(pl.col("topic") == t).height / len(runs) for t in topics]
        a1.bar(
            np.arange(len(topics)) + k * width,
            counts,
            width,
            label=label,
            color=COLOURS[k % len(COLOURS)],
        )

        def won(r: Run) -> pl.DataFrame:
            m = r.monthly.with_columns(pl.col("month").dt.year().alias("x"))
            g = m.group_by("x").agg(
                (pl.col("workers_won").sum() / pl.col("items").sum()).alias("y")
            )
            return g.sort("x")

        x, med, lo, hi = _band(runs, won)
        a2.plot(x, med, "-o", ms=3, color=COLOURS[k % len(COLOURS)], label=label)
        if len(runs) > 1:
            a2.fill_between(x, lo, hi, color=COLOURS[k % len(COLOURS)], alpha=0.18, lw=0)
    a1.set_xticks(np.arange(len(topics)) + width * (len(groups) - 1) / 2)
    a1.set_xticklabels(
        ["plan", "norms/pay", "safety", "discipline", "directive", "finding"],
        rotation=30,
        fontsize=7,
    )
    a1.set_ylabel("agenda items per run", fontsize=9)
    a2.set_ylabel("workers' share of resolutions", fontsize=9)
    a2.set_ylim(0, 1)
    for ax in (a1, a2):
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.25, lw=0.5)
    a2.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return fig, (
        "PPO meetings: agenda items by topic over the whole run (left) and the share of "
        "resolutions carried by the workers' side each year (right)."
    )


def directives(groups):
    fig, ax = _new()
    for k, (label, runs) in enumerate(groups.items()):
        col = COLOURS[k % len(COLOURS)]
        d = pl.concat(
            [
                r.events.filter(pl.col("kind") == "directive").select(
                    pl.col("date").dt.year().alias("year"), "outcome", "strength"
                )
                for r in runs
            ]
        )
        if d.height == 0:
            continue
        y = (
            d.group_by("year")
            .agg(
                (pl.col("outcome") == "adopted").mean().alias("adopted"),
                pl.col("strength").mean().alias("gap"),
            )
            .sort("year")
        )
        ax.plot(y["year"], y["adopted"], "-o", ms=3, color=col, label=f"{label}: adopted")
        ax.plot(y["year"], y["gap"], "--s", ms=3, color=col, label=f"{label}: gap")
    ax.set_ylim(0, 1.05)
    return _finish(fig, ax, "share / gap (0-1)"), (
        "Reach and control (the essay: the PPO 'extended the reach of state power ... and limited "
        "the control of the state over the concrete implementation of policy'). Solid: share of "
        "the centre's directives the PPO adopted, by year; dashed: the mean gap between directive "
        "and plant result (the losing side's share of the argument, 1 when resolutions are not "
        "carried out)."
    )


CHARGES = [
    "negligence",
    "incompetence",
    "bureaucratism",
    "self_seeking",
    "political_unreliability",
    "sabotage",
]


def accusations(groups):
    label, runs = next(iter(groups.items()))
    fig, ax = _new()
    acc = pl.concat(
        [
            r.events.filter(pl.col("kind") == "accusation").select(
                pl.col("date").dt.year().alias("year"), "charge"
            )
            for r in runs
        ]
    )
    years = sorted(set(acc["year"].to_list())) or [1929]
    bottom = np.zeros(len(years))
    colours = ["#9ca3af", "#6b7280", "#4b5563", "#374151", "#b91c1c", "#7f1d1d"]
    for c, col in zip(CHARGES, colours, strict=True):
        vals = np.array(
            [acc.filter((pl.col("year") == y) & (pl.col("charge") == c)).height for y in years]
        ) / len(runs)
        ax.bar(years, vals, bottom=bottom, color=col, label=c.replace("_", " "))
        bottom += vals
    ax.axvspan(1936.5, 1938.5, color="black", alpha=0.06, lw=0)
    return _finish(fig, ax, "accusations a year"), (
        f"Accusations at PPO meetings by charge, per year ({label}; mean over {len(runs)} "
        "run(s)). Red: the political charges (political unreliability, sabotage); shading "
        "1937-38."
    )


def repression(groups):
    fig, ax = _new()
    _plot(ax, groups, _monthly("arrests"), label_suffix=" arrests")
    _plot(ax, groups, _monthly("expulsions"), style="--", label_suffix=" expulsions")
    ax.axvspan(*TERROR, color="black", alpha=0.07, lw=0)
    return _finish(fig, ax, "per month"), (
        "Arrests (after accusations and under the Order 00447 quotas) and expulsions from the "
        "party (purges and investigations) per month; shading from the Pyatakov trial to the "
        "end of the mass operations (Jan 1937 - Nov 1938)." + _suffix(groups)
    )


def fear_consciousness(groups):
    fig, ax = _new()
    _plot(ax, groups, _monthly("fear"), label_suffix=" fear")
    _plot(ax, groups, _monthly("consciousness"), style="--", label_suffix=" consciousness")
    ax.axvspan(*TERROR, color="black", alpha=0.07, lw=0)
    return _finish(fig, ax, "employee mean (0-1)"), (
        "Mean fear (raised by arrests in the shop and factory) and consciousness (political "
        "literacy, raised by party schooling and by participation led by the most conscious)."
        + _suffix(groups)
    )


FIGURES = [
    ("headcount", headcount),
    ("output_plan", output_plan),
    ("storming", storming),
    ("turnover_absence", turnover_absence),
    ("pay", pay),
    ("norms", norms),
    ("party", party),
    ("campaigns", campaigns),
    ("institutions", institutions),
    ("meetings", meetings),
    ("accusations", accusations),
    ("repression", repression),
    ("fear_consciousness", fear_consciousness),
]
