"""Checkpoints: the whole state of a run on a date, written to a folder and read back.

A checkpoint taken at the start of a day ``DATE`` (nothing of that day simulated yet) is the
folder ``checkpoint-DATE/``:

* ``header.json``: the format version (:data:`FORMAT`), the package version, the scenario (and
  its sha256), the date and its day index, what only Python holds (the directives waiting for
  each factory's next meeting, the person table's capacity and compactions, the number of
  events so far) and the sha256 of every other file;
* one ``.npy`` file per array of the run's state (``records.State``: people, shops, factories,
  the day's arrays and the record, including the metric rows written so far), read back with
  ``allow_pickle=False``; the calendar, parameters and stream keys are not stored: they follow
  from the scenario;
* ``events.parquet``: the events logged so far (and ``by_factory.npy`` for per-factory runs).

A run resumed from a checkpoint simulates no day before ``DATE`` and writes outputs
byte-identical to those of the uninterrupted run. ``--set`` on resume may change what acts
from ``DATE`` on (parameters, counterfactuals, the period's end); it may not change the
population, the period's start, the seed or anything that would have changed the centre's
policy before ``DATE`` (the resumed run would then not be the run it claims to continue).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
import polars as pl

from .errors import ScenarioError

FORMAT = 2  # 2: the day's rows at its start and the fused pass's late leavers
# each format's layout of the arrays (:func:`layout`): a change of layout needs a new format,
# and tests/test_checkpoint.py fails until it has one
LAYOUTS = {2: "2d204614a5931a22"}
GROUPS = ("people", "shops", "fac", "day", "rec")
# scenario fields a resumed run may change (all others are refused)
RESUMABLE = (
    "absence", "production", "accidents", "pay", "norms", "plan", "grievance", "fear",
    "turnover", "hiring", "learning", "institutions", "meetings", "repression", "party",
    "counterfactual", "record", "period.end", "name", "description", "calibration",
)  # fmt: skip


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _arrays(S):
    """(record, field, array) for every array of the state that a checkpoint holds."""
    for group in GROUPS:
        rec = getattr(S, group)
        for name in rec._fields:
            value = getattr(rec, name)
            if isinstance(value, np.ndarray):
                yield group, name, value


def layout(S) -> str:
    """A fingerprint of the arrays a checkpoint holds: each one's record, name, type and number
    of dimensions, and the lengths of the day's fixed vectors of counters.
    """
    parts = [f"{group}.{name}:{v.dtype.str}:{v.ndim}" for group, name, v in _arrays(S)]
    fixed = ("ints", "floats", "counts")
    parts += [f"day.{name}:{getattr(S.day, name).shape[0]}" for name in fixed]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def save(sim, t: int, out_dir: str | Path) -> Path:
    """Write the state of ``sim`` at the start of day ``t`` to ``out_dir/checkpoint-DATE``
    (under a temporary name, renamed when complete).
    """
    from . import __version__
    from .engine import scenario_hash

    date = sim.dates[t]
    final = Path(out_dir) / f"checkpoint-{date.isoformat()}"
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        pop = sim.world.pop
        for group, name, value in _arrays(sim.S):
            if group == "people" and name != "size":
                value = value[: pop.n]
            np.save(tmp / f"{group}.{name}.npy", value, allow_pickle=False)
        if sim.fac_rows is not None:
            np.save(tmp / "by_factory.npy", sim.fac_rows[:t], allow_pickle=False)
        sim.log.write_parquet(tmp / "events.parquet")
        files = {p.name: _sha(p) for p in sorted(tmp.iterdir())}
        header = {
            "format": FORMAT,
            "package": __version__,
            "scenario": sim.s.model_dump(mode="json"),
            "scenario_sha256": scenario_hash(sim.s),
            "date": date.isoformat(),
            "t": t,
            "capacity": pop.capacity,
            "compactions": pop.compactions,
            "events": len(sim.log),
            "pending": [[list(item) for item in items] for items in sim.pending],
            "outputs": "metric rows of the days before the date (rec.rows.npy) and their events",
            "files": files,
        }
        (tmp / "header.json").write_text(json.dumps(header, indent=2, default=str))
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def read_header(path: str | Path) -> dict:
    """The checkpoint's header, checked: its format and every file's checksum."""
    folder = Path(path)
    head = folder / "header.json"
    try:
        header = json.loads(head.read_text())
    except (OSError, ValueError, UnicodeDecodeError) as e:
        raise ScenarioError([f"checkpoint {folder}: no readable header.json ({e})"]) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        got = header.get("format") if isinstance(header, dict) else None
        raise ScenarioError(
            [f"checkpoint {folder}: format {got!r}, this version reads format {FORMAT}"]
        )
    files = header.get("files")
    if not isinstance(files, dict) or not files:
        raise ScenarioError([f"checkpoint {folder}: header.json lists no files"])
    for name, digest in files.items():
        p = folder / name
        if not p.is_file() or _sha(p) != digest:
            raise ScenarioError([f"checkpoint {folder}: {name} is missing or damaged"])
    return header


def _check_sets(folder: Path, sets: list[str]) -> None:
    bad = []
    for item in sets:
        key = item.split("=", 1)[0].strip()
        if not any(key == r or key.startswith(r + ".") for r in RESUMABLE):
            bad.append(key)
    if bad:
        raise ScenarioError(
            [
                f"checkpoint {folder}: --set {k} cannot change on resume (allowed: mechanism "
                "parameters, counterfactual.*, record.*, period.end, name)"
                for k in bad
            ]
        )


def resume(path: str | Path, sets: list[str] | None = None, **kwargs):
    """A ``engine.Simulation`` positioned at the checkpoint's date, its scenario the
    checkpoint's with ``sets`` applied; call ``run()`` on it.
    """
    from .engine import Simulation
    from .scenario.load import load_scenario_dict

    folder = Path(path)
    header = read_header(folder)
    sets = list(sets or [])
    _check_sets(folder, sets)
    base = load_scenario_dict(header["scenario"], f"checkpoint {folder}")
    scenario = load_scenario_dict(header["scenario"], f"checkpoint {folder}", sets=sets)
    t = int(header["t"])
    date = dt.date.fromisoformat(header["date"])
    if scenario.period.end < date:
        raise ScenarioError(
            [f"checkpoint {folder}: period.end {scenario.period.end} is before {date}"]
        )
    sim = Simulation(scenario, **kwargs)
    if sets:
        # what the centre did before the date must be what the checkpointed run saw
        before = Simulation(base, **kwargs).S.cal
        now = sim.S.cal
        for name in now._fields:
            a, b = getattr(before, name), getattr(now, name)
            if isinstance(a, np.ndarray) and a.ndim and not np.array_equal(a[:t], b[:t]):
                raise ScenarioError(
                    [f"checkpoint {folder}: --set changes the timeline before {date} ({name})"]
                )
    _restore(sim, folder, header)
    sim.start = t
    sim.resumed = {
        "from_checkpoint": str(folder),
        "checkpoint_sha256": hashlib.sha256((folder / "header.json").read_bytes()).hexdigest(),
        "checkpoint_scenario_sha256": header["scenario_sha256"],
        "first_day": date.isoformat(),
        "sets": sets,
    }
    return sim


def _restore(sim, folder: Path, header: dict) -> None:
    pop = sim.world.pop
    size = np.load(folder / "people.size.npy", allow_pickle=False)
    # rows past those in use are zero (fresh arrays are zeros, compaction clears the rows it
    # frees): only the rows the fresh run's own first population used need clearing. Clearing
    # the whole capacity would make every page of it resident (ussr-industry's table reaches
    # 47.5 million rows of capacity, 4.1 GB, against 12 million in use).
    used = pop.n
    pop.n = 0
    pop.reserve(int(header["capacity"]))
    n = int(size[0])
    for group, name, dst in _arrays(sim.S):
        src = np.load(folder / f"{group}.{name}.npy", allow_pickle=False)
        if group == "people" and name != "size":
            dst[:n] = src
            if used > n:
                dst[n:used] = 0
        else:
            if src.shape != dst.shape or src.dtype != dst.dtype:
                raise ScenarioError(
                    [f"checkpoint {folder}: {group}.{name} has shape {src.shape}, "
                     f"the scenario needs {dst.shape}"]
                )  # fmt: skip
            dst[...] = src
    pop.compactions = int(header["compactions"])
    pop._groups = None
    pop._tail = None
    if sim.fac_rows is not None and (folder / "by_factory.npy").exists():
        rows = np.load(folder / "by_factory.npy", allow_pickle=False)
        sim.fac_rows[: rows.shape[0]] = rows
    events = pl.read_parquet(folder / "events.parquet")
    sim.log.frames = [events] if events.height else []
    sim.log.n = sim.log.first = int(header["events"])
    sim.pending = [[tuple(item) for item in items] for items in header["pending"]]
