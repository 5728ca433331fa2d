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

from .codebook import LEVELS, Archive, frame_of, write_archive_files

# a speech's strength as the coarse stance a coder reads (thresholds: an assumption, about the
# terciles of kirov-small speeches, docs/ARCHIVE.md)
STANCE_CUTS = (0.3, 0.6)
_PRESENT = re.compile(r"present: (\d+)(?: members, (\d+) candidates| of )")


def stance_of(strength: float) -> str:
    if strength != strength:  # NaN
        return "unknown"
    if strength < STANCE_CUTS[0]:
        return "weak"
    return "moderate" if strength < STANCE_CUTS[1] else "strong"


def present_of(detail: str) -> str:
    """The number present from a meeting's detail (members and candidates in a general
    meeting, the committee's members present in a partkom session); "" if not given.
    """
    m = _PRESENT.search(detail or "")
    if not m:
        return ""
    return str(int(m[1]) + int(m[2] or 0))


def from_events(events: pl.DataFrame, label: str = "run") -> Archive:
    """The archive of every meeting in ``events`` (the run's event log). ``label`` names the
    run in the rows' reference (``fond`` = ``simulated``, ``opis`` = label, ``delo`` = the
    factory, ``list`` = the row's event id).
    """
    ev = events.sort("event_id")
    kinds = ("meeting", "item", "speech", "resolution", "accusation", "investigation")
    by_kind = {k: ev.filter(pl.col("kind") == k) for k in kinds}

    def ref(r: dict) -> dict:
        return {
            "fond": "simulated", "opis": label, "delo": f"factory {r['factory']}",
            "list": str(r["event_id"]), "certainty": "high", "coder": "model",
        }  # fmt: skip

    meetings, factory_of = [], {}
    for r in by_kind["meeting"].iter_rows(named=True):
        factory_of[r["event_id"]] = r["factory"]
        members = r["strength"]
        meetings.append({
            "meeting_id": f"M{r['event_id']}", "date": r["date"].isoformat(),
            "plant": f"factory {r['factory']}", "body": r["topic"] or "general",
            "form": r["outcome"] or "ppo", "present": present_of(r["detail"]),
            "members": "" if members != members else str(int(members)), **ref(r),
        })  # fmt: skip
    items, topic_of, position = [], {}, {}
    for r in by_kind["item"].iter_rows(named=True):
        if r["parent_id"] not in factory_of:
            continue
        position[r["parent_id"]] = position.get(r["parent_id"], 0) + 1
        topic_of[r["event_id"]] = r["topic"]
        items.append({
            "item_id": f"I{r['event_id']}", "meeting_id": f"M{r['parent_id']}",
            "position": str(position[r["parent_id"]]), "topic": r["topic"],
            "accused_role": r["target_role"] if r["topic"] == "personal_case" else "",
            **ref(r),
        })  # fmt: skip
    speeches, spoken = [], {}
    for r in by_kind["speech"].iter_rows(named=True):
        if r["parent_id"] not in topic_of:
            continue
        spoken[r["parent_id"]] = spoken.get(r["parent_id"], 0) + 1
        speeches.append({
            "speech_id": f"S{r['event_id']}", "item_id": f"I{r['parent_id']}",
            "position": str(spoken[r["parent_id"]]), "role": r["role"] or "unknown",
            "office": r["detail"] or "", "side": r["side"] or "unknown",
            "frame": r["frame"] or "unknown", "stance": stance_of(r["strength"]), **ref(r),
        })  # fmt: skip
    resolutions, item_of_res = [], {}
    for r in by_kind["resolution"].iter_rows(named=True):
        if r["parent_id"] not in topic_of:
            continue
        item_of_res[r["event_id"]] = r["parent_id"]
        case = topic_of[r["parent_id"]] == "personal_case"
        outcome = r["outcome"] or ""
        resolutions.append({
            "resolution_id": f"R{r['event_id']}", "item_id": f"I{r['parent_id']}",
            "carried": r["side"] or "unknown",
            "binding": "yes" if "(binding)" in outcome else "no" if "not carried out" in outcome
            else "unknown",
            "unanimous": "unknown",  # the model counts no votes
            "charge_upheld": ("yes" if r["side"] == "management" else "no") if case else "",
            **ref(r),
        })  # fmt: skip
    accusations, made = [], set()
    for r in by_kind["accusation"].iter_rows(named=True):
        item = item_of_res.get(r["parent_id"], r["parent_id"])
        if item not in topic_of:
            continue  # an accusation made outside a meeting's item
        made.add(r["event_id"])
        accusations.append({
            "accusation_id": f"A{r['event_id']}", "item_id": f"I{item}",
            "accuser_role": r["role"] or "meeting", "accused_role": r["target_role"] or "unknown",
            "charge": r["charge"] or "unknown", **ref(r),
        })  # fmt: skip
    investigations = []
    for r in by_kind["investigation"].iter_rows(named=True):
        if r["parent_id"] not in made:
            continue
        investigations.append({
            "investigation_id": f"V{r['event_id']}", "accusation_id": f"A{r['parent_id']}",
            "date": r["date"].isoformat(), "outcome": r["outcome"] or "unknown", **ref(r),
        })  # fmt: skip
    rows = {"meetings": meetings, "items": items, "speeches": speeches,
            "resolutions": resolutions, "accusations": accusations,
            "investigations": investigations}  # fmt: skip
    return Archive({n: frame_of(LEVELS[n], rows[n]) for n in LEVELS}, source=label)


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
