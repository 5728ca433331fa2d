"""Keep Numba's on-disk cache of compiled functions in step with the package's sources.

Numba caches each compiled function (``*.nbi``, ``*.nbc``) and checks only that function's own
source file when it loads the cache. A compiled function that calls compiled functions of other
modules, or reads constants of other modules (the compiled runs of days call every daily
kernel; the kernels read ``state``'s counter indices), keeps what they were when it was
compiled: after an edit of ``mechanisms/labour.py`` a cached ``plan.run_days`` would go on
running the old labour, silently, while a run step by step ran the new one. A user who changes
a mechanism must get the mechanism they wrote.

:func:`guard`, called when the package is imported and before any compiled function is loaded,
fingerprints the package's sources and, when the fingerprint differs from the one stored with
the cache, deletes the package's cached functions wherever Numba keeps them (beside the
sources, under ``NUMBA_CACHE_DIR``, or in the user's cache folder when the sources' folder
cannot be written), so that everything compiles anew once. An unchanged package keeps its
cache. A process that imported the package before an edit still holds the old code and may
cache it again: restart such processes (notebook kernels, cluster workers) after editing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from pathlib import Path

PACKAGE = Path(os.path.abspath(__file__)).parent  # (as Numba sees the sources: not resolved)
STAMP = "compiled-sources.stamp"  # in the top __pycache__, else the user's cache folder (guard)


def sources(root: Path = PACKAGE) -> list[Path]:
    """The package's Python sources: regular files, not hidden (an editor's lock or backup
    files are left out).
    """
    out = []
    for path in root.rglob("*.py"):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        with contextlib.suppress(OSError):
            if stat.S_ISREG(path.lstat().st_mode):
                out.append(path)
    return sorted(out)


def fingerprint(root: Path = PACKAGE) -> str:
    """A digest of the names and contents of the package's sources (all of them: a compiled
    function may read another module's constants, and Numba fixes them when it compiles).
    """
    h = hashlib.blake2b(digest_size=16)
    for path in sources(root):
        try:
            text = path.read_bytes()
        except OSError:
            text = b"\0unreadable"  # (gone since it was listed: a checkout in progress)
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.blake2b(text, digest_size=16).digest())
    return h.hexdigest()


def _cache_bases() -> list[Path]:
    """The folders under which Numba keeps caches away from the sources."""
    bases = []
    if os.environ.get("NUMBA_CACHE_DIR"):
        bases.append(Path(os.environ["NUMBA_CACHE_DIR"]))
    with contextlib.suppress(Exception):  # (Numba's own helper; absent in another version)
        from numba.misc.appdirs import AppDirs

        bases.append(Path(AppDirs(appname="numba", appauthor=False).user_cache_dir))
    return bases


def _dirs_of(folder: Path, bases: list[Path]) -> list[Path]:
    """Where Numba may cache the functions of ``folder``'s sources: its ``__pycache__``, and
    under each base a folder named as Numba names it (the folder's name and a hash of its path).
    """
    tag = hashlib.sha1(os.path.abspath(folder).encode()).hexdigest()
    return [folder / "__pycache__", *(base / f"{folder.name}_{tag}" for base in bases)]


def cache_dirs(root: Path = PACKAGE) -> list[Path]:
    """Where Numba may keep the package's cached functions: each source folder's
    ``__pycache__``, and its folder under ``NUMBA_CACHE_DIR`` and under the user's cache
    folder.
    """
    bases = _cache_bases()
    return [d for f in sorted({p.parent for p in sources(root)}) for d in _dirs_of(f, bases)]


def cache_files(root: Path = PACKAGE) -> list[Path]:
    """The package's cached compiled functions (index and data files) wherever they are."""
    out = []
    for d in cache_dirs(root):
        if d.is_dir():
            out += [p for ext in ("*.nbi", "*.nbc") for p in d.glob(ext)]
    return out


def guard(root: Path = PACKAGE) -> bool:
    """Delete the package's cached compiled functions if its sources changed since they were
    cached (or if nothing says when they were); returns whether anything was deleted. The
    fingerprint is kept beside the sources, or in the user's cache folder when the sources'
    folder cannot be written.
    """
    if os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0"):
        return False
    stamps = [d / STAMP for d in _dirs_of(root, _cache_bases())]
    now = fingerprint(root)
    for stamp in stamps:
        with contextlib.suppress(OSError):
            if stamp.read_text().strip() == now:
                return False
    stale = cache_files(root)
    left = False
    for path in stale:
        try:
            path.unlink()
        except FileNotFoundError:
            pass  # (another process deleted it first)
        except OSError:
            left = True
    if not left:  # (a cache file that could not be deleted must be looked at again)
        for stamp in stamps:
            try:
                stamp.parent.mkdir(parents=True, exist_ok=True)
                tmp = stamp.with_name(f"{STAMP}.{os.getpid()}")
                tmp.write_text(now + "\n")
                os.replace(tmp, stamp)
                break
            except OSError:
                continue  # (a read-only folder: the next place)
    return bool(stale)
