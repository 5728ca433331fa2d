"""A simulated run in the archive's format, and writing an archive folder atomically.

:func:`from_events` turns a run's event log into the rows a coder would fill from complete
minutes of every meeting (docs/ARCHIVE.md, "A simulated run as an archive"): each meeting, its
items, speeches, resolutions, the accusations made on an item and their investigations. The
codes are the event log's; what the log holds and the minutes would not (a speech's strength, a
vote count) is coarsened or left ``unknown``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import polars as pl

from .codebook import LEVELS, Archive, write_archive_files

# a speech's strength as the coarse stance a coder reads (thresholds: an assumption, about the
# terciles of kirov-small speeches, docs/ARCHIVE.md)
STANCE_CUTS = (0.3, 0.6)
_PRESENT = re.compile(r"present: (\d+)(?: members, (\d+) candidates| of )")


def _or(col: str, default: str) -> pl.Expr:
    """The column's text, ``default`` where it is null or empty."""
    c = pl.col(col)
    return pl.when(c.is_null() | (c == "")).then(pl.lit(default)).otherwise(c)


def _with_ref(df: pl.DataFrame, label: str) -> pl.DataFrame:
    """The reference columns every row carries (see :func:`from_events`)."""
    return df.with_columns(
        pl.lit("simulated").alias("fond"), pl.lit(label).alias("opis"),
        pl.format("factory {}", pl.col("factory")).alias("delo"),
        pl.col("event_id").cast(pl.Utf8).alias("list"), pl.lit("high").alias("certainty"),
        pl.lit("model").alias("coder"),
    )  # fmt: skip


def _level(df: pl.DataFrame, name: str, **columns: pl.Expr) -> pl.DataFrame:
    """The rows of ``df`` as level ``name``'s frame (absent columns empty, all text)."""
    cols = LEVELS[name].header()
    exprs = [columns[c].alias(c) if c in columns else
             (pl.col(c) if c in df.columns and c in _REF else pl.lit("")).alias(c)
             for c in cols]  # fmt: skip
    return df.select(exprs).cast(dict.fromkeys(cols, pl.Utf8))


_REF = ("fond", "opis", "delo", "list", "certainty", "coder")


def from_events(events: pl.DataFrame, label: str = "run") -> Archive:
    """The archive of every meeting in ``events`` (the run's event log). ``label`` names the
    run in the rows' reference (``fond`` = ``simulated``, ``opis`` = label, ``delo`` = the
    factory, ``list`` = the row's event id). Built column by column: every row of a kind
    below a meeting whose parent is not in the archive is left out.
    """
    ev = _with_ref(events.sort("event_id"), label)

    def kind(k: str) -> pl.DataFrame:
        return ev.filter(pl.col("kind") == k)

    eid = pl.col("event_id").cast(pl.Utf8)
    parent = pl.col("parent_id").cast(pl.Utf8)
    m = kind("meeting")
    # the number present, from a meeting's detail: members and candidates in a general
    # meeting, the committee's members present in a partkom session ("" if not given)
    got = m["detail"].fill_null("").str.extract_groups(_PRESENT.pattern)
    present = (
        pl.when(got.struct.field("1").is_null()).then(pl.lit(""))
        .otherwise((got.struct.field("1").cast(pl.Int64)
                    + got.struct.field("2").cast(pl.Int64).fill_null(0)).cast(pl.Utf8))
    )  # fmt: skip
    meetings = _level(
        m.with_columns(present.alias("_present")), "meetings",
        meeting_id="M" + eid, date=pl.col("date").dt.strftime("%Y-%m-%d"),
        plant=pl.format("factory {}", pl.col("factory")), body=_or("topic", "general"),
        form=_or("outcome", "ppo"), present=pl.col("_present"),
        members=pl.when(pl.col("strength").is_nan()).then(pl.lit(""))
        .otherwise(pl.col("strength").cast(pl.Int64).cast(pl.Utf8)),
    )  # fmt: skip
    it = kind("item").filter(pl.col("parent_id").is_in(m["event_id"].implode()))
    it = it.with_columns((pl.int_range(pl.len()).over("parent_id") + 1).alias("_pos"))
    items = _level(
        it, "items", item_id="I" + eid, meeting_id="M" + parent,
        position=pl.col("_pos").cast(pl.Utf8), topic=pl.col("topic"),
        accused_role=pl.when(pl.col("topic") == "personal_case").then(pl.col("target_role"))
        .otherwise(pl.lit("")),
    )  # fmt: skip
    topic_of = it.select(pl.col("event_id").alias("parent_id"), pl.col("topic").alias("_item"))
    sp = kind("speech").join(topic_of, on="parent_id", how="inner").sort("event_id")
    sp = sp.with_columns((pl.int_range(pl.len()).over("parent_id") + 1).alias("_pos"))
    strength = pl.col("strength")
    speeches = _level(
        sp, "speeches", speech_id="S" + eid, item_id="I" + parent,
        position=pl.col("_pos").cast(pl.Utf8), role=_or("role", "unknown"),
        office=_or("detail", ""), side=_or("side", "unknown"), frame=_or("frame", "unknown"),
        stance=pl.when(strength.is_null() | strength.is_nan()).then(pl.lit("unknown"))
        .when(strength < STANCE_CUTS[0]).then(pl.lit("weak"))
        .when(strength < STANCE_CUTS[1]).then(pl.lit("moderate")).otherwise(pl.lit("strong")),
    )  # fmt: skip
    rs = kind("resolution").join(topic_of, on="parent_id", how="inner").sort("event_id")
    outcome = pl.col("outcome").fill_null("")
    resolutions = _level(
        rs, "resolutions", resolution_id="R" + eid, item_id="I" + parent,
        carried=_or("side", "unknown"),
        binding=pl.when(outcome.str.contains("(binding)", literal=True)).then(pl.lit("yes"))
        .when(outcome.str.contains("not carried out", literal=True)).then(pl.lit("no"))
        .otherwise(pl.lit("unknown")),
        unanimous=pl.lit("unknown"),  # the model counts no votes
        charge_upheld=pl.when(pl.col("_item") != "personal_case").then(pl.lit(""))
        .when(pl.col("side") == "management").then(pl.lit("yes")).otherwise(pl.lit("no")),
    )  # fmt: skip
    # an accusation hangs from a resolution (its item is the resolution's) or from an item
    item_of = pl.concat([
        rs.select(pl.col("event_id").alias("parent_id"), pl.col("parent_id").alias("_of")),
        it.select(pl.col("event_id").alias("parent_id"), pl.col("event_id").alias("_of")),
    ])  # fmt: skip
    ac = kind("accusation").join(item_of, on="parent_id", how="inner").sort("event_id")
    accusations = _level(
        ac, "accusations", accusation_id="A" + eid,
        item_id="I" + pl.col("_of").cast(pl.Utf8), accuser_role=_or("role", "meeting"),
        accused_role=_or("target_role", "unknown"), charge=_or("charge", "unknown"),
    )  # fmt: skip
    iv = kind("investigation").filter(pl.col("parent_id").is_in(ac["event_id"].implode()))
    investigations = _level(
        iv, "investigations", investigation_id="V" + eid, accusation_id="A" + parent,
        date=pl.col("date").dt.strftime("%Y-%m-%d"), outcome=_or("outcome", "unknown"),
    )  # fmt: skip
    frames = {"meetings": meetings, "items": items, "speeches": speeches,
              "resolutions": resolutions, "accusations": accusations,
              "investigations": investigations}  # fmt: skip
    return Archive({n: frames[n] for n in LEVELS}, source=label)


def is_run(path: str | Path) -> bool:
    path = Path(path)
    return (path / "events.parquet").is_file() and (path / "run.json").is_file()


def run_label(path: str | Path) -> str:
    """A run's name for the references: scenario, regime and seed from its ``run.json``."""
    path = Path(path)
    try:
        man = json.loads((path / "run.json").read_text())
        scen = man.get("scenario", {})
        name = scen.get("name", "") if isinstance(scen, dict) else ""
        parts = [str(p) for p in (name, man.get("regime"), man.get("seed")) if p not in ("", None)]
        return "-".join(parts) or path.name
    except (OSError, ValueError):
        return path.name


def read_run(path: str | Path) -> Archive:
    """The archive of a run folder (its ``events.parquet``)."""
    path = Path(path)
    arc = from_events(pl.read_parquet(path / "events.parquet"), run_label(path))
    arc.source = str(path)
    return arc


def write_archive(
    archive: Archive, out: str | Path, about: dict | None = None, extra: dict | None = None
) -> Path:
    """Write ``archive`` into the folder ``out`` atomically: into a temporary sibling folder
    first, renamed into place when every file is written. ``out`` must not exist or be an empty
    folder. ``about`` (where the rows come from) is written as ``source.json``; ``extra`` maps
    further file names to their text.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out}: exists and is not an empty folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.{os.getpid()}.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        write_archive_files(archive, tmp)
        if about is not None:
            (tmp / "source.json").write_text(json.dumps(about, indent=2, sort_keys=True) + "\n")
        for name, text in (extra or {}).items():
            (tmp / name).write_text(text, encoding="utf-8")
        os.replace(tmp, out)  # (an empty folder at ``out`` is replaced)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return out
