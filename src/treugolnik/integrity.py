"""Whether a run folder is what its manifest says: every file of the record with its size and
SHA-256 in ``run.json`` (``files``), checked by a resumed sweep and by ``treugolnik verify``.

>>> from treugolnik.integrity import check_run             # doctest: +SKIP
>>> check_run("runs/kirov-bargaining-1", deep=True)          # [] when sound
[]

A size check is cheap (one ``stat`` a file); ``deep`` also hashes every file.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

RECORD_FILES = ("metrics.parquet", "monthly.parquet", "events.parquet")


def digest(path: Path) -> dict:
    """``{"bytes": size, "sha256": hex}`` of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return {"bytes": path.stat().st_size, "sha256": h.hexdigest()}


def read_manifest(folder: str | Path) -> dict:
    """A run folder's ``run.json`` as a dict; raises ``ValueError`` with one line saying why
    it cannot be (missing, unreadable, not JSON, not an object).
    """
    path = Path(folder) / "run.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"{folder}: no run.json (not a finished run)") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"{path}: cannot be read ({e.__class__.__name__})") from None
    try:
        man = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not valid JSON (truncated?) at line {e.lineno}") from None
    if not isinstance(man, dict):
        raise ValueError(f"{path}: not a run manifest (a JSON object)")
    return man


def check_run(folder: str | Path, *, deep: bool = False) -> list[str]:
    """Problems of a finished run folder, one line each (empty when sound): ``run.json``
    unreadable, no checksums, a file of the record missing or of another size, or (``deep``)
    of other contents.
    """
    folder = Path(folder)
    try:
        man = read_manifest(folder)
    except ValueError as e:
        return [str(e)]
    files = man.get("files")
    if not isinstance(files, dict) or not files:
        return [f"{folder}: run.json lists no file checksums (written by an older version)"]
    problems = []
    for name in RECORD_FILES:
        want = files.get(name)
        path = folder / name
        if not isinstance(want, dict) or "bytes" not in want or "sha256" not in want:
            problems.append(f"{folder}: run.json has no checksum for {name}")
        elif not path.is_file():
            problems.append(f"{folder}: {name} is missing")
        elif path.stat().st_size != want["bytes"]:
            size = path.stat().st_size
            problems.append(f"{folder}: {name} has {size:,} bytes, run.json says {want['bytes']:,}")
        elif deep and digest(path)["sha256"] != want["sha256"]:
            problems.append(f"{folder}: {name} differs from its SHA-256 in run.json")
    return problems


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def tmp_owner(path: Path) -> int:
    """The process id in a temporary file's name ``.NAME.PID.tmp`` (0 if there is none)."""
    parts = path.name.split(".")
    try:
        return int(parts[-2])
    except (IndexError, ValueError):
        return 0


def remove_stale_tmp(folder: Path) -> None:
    """Remove temporary files left in ``folder`` by writers that are no longer running (never
    those of a live process, nor one's own).
    """
    for path in folder.glob(".*.tmp"):
        pid = tmp_owner(path)
        if path.is_file() and pid != os.getpid() and not pid_alive(pid):
            path.unlink(missing_ok=True)


def required_columns() -> dict[str, tuple[str, ...]]:
    """The columns each file of the record contract must hold (more are allowed)."""
    from .record import EVENT_SCHEMA, METRIC_COLUMNS

    derived = ("fulfilment", "last_decade_share", "turnover_rate", "absence_rate")
    return {
        "metrics": ("date", *METRIC_COLUMNS),
        "monthly": ("month", "plan", *derived, *(c for c in METRIC_COLUMNS if c != "plan_daily")),
        "events": tuple(EVENT_SCHEMA),
    }


def read_run(folder: str | Path, tables=("metrics", "monthly", "events")):
    """A finished run folder as ``(manifest, {table: DataFrame})``, every check made first;
    raises ``ValueError`` with one line naming the folder or file and what is wrong: not a
    folder, ``run.json`` unreadable, truncated or without ``scenario``/``regime``/``seed``, of
    another record contract version, a file missing, of another size than ``run.json`` says,
    not readable as Parquet, or without a column of the contract.
    """
    import polars as pl

    from .record import RECORD_CONTRACT

    folder = Path(folder)
    if not folder.is_dir():
        what = "is a file, not a run folder" if folder.exists() else "no such folder"
        raise ValueError(f"{folder}: {what}")
    man = read_manifest(folder)
    version = man.get("record_contract", 1)
    if version != RECORD_CONTRACT:
        raise ValueError(
            f"{folder}: written under record contract {version}; this version of treugolnik "
            f"reads contract {RECORD_CONTRACT} (docs/ODD.md, section 8): run it again"
        )
    for key, kind in (("scenario", dict), ("regime", str), ("seed", int)):
        if not isinstance(man.get(key), kind):
            raise ValueError(f"{folder}/run.json: no '{key}' (an incomplete manifest)")
    if not isinstance(man["scenario"].get("counterfactual"), dict):
        raise ValueError(f"{folder}/run.json: scenario has no 'counterfactual' table")
    sizes = man.get("files") if isinstance(man.get("files"), dict) else {}
    for name in RECORD_FILES:  # every file's size, whichever are read: a damaged run is refused
        want = sizes.get(name)
        path = folder / name
        if isinstance(want, dict) and path.is_file() and path.stat().st_size != want.get("bytes"):
            raise ValueError(
                f"{path}: {path.stat().st_size:,} bytes, run.json says {want.get('bytes')} "
                "(damaged)"
            )
    need = required_columns()
    frames = {}
    for table in tables:
        path = folder / f"{table}.parquet"
        if not path.is_file():
            raise ValueError(f"{folder}: not a complete run folder (missing {path.name})")
        try:
            df = pl.read_parquet(path)
        except Exception as e:  # noqa: BLE001 - any reader failure is a damaged file
            raise ValueError(
                f"{path}: cannot be read as Parquet (truncated or damaged: {e.__class__.__name__})"
            ) from None
        missing = [c for c in need[table] if c not in df.columns]
        if missing:
            raise ValueError(
                f"{path}: lacks column(s) {', '.join(missing[:8])}"
                + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
                + f" of record contract {RECORD_CONTRACT}"
            )
        frames[table] = df
    return man, frames
