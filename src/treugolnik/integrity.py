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
