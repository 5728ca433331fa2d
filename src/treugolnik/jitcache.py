"""Keep Numba's on-disk cache of compiled functions in step with the package's sources.

Numba caches each compiled function beside its source (``__pycache__/*.nbi``, ``*.nbc``) and
checks only that function's own file when it loads the cache. A compiled function that calls
compiled functions of other modules (the compiled runs of days call every daily kernel) keeps
the callees' code as it was compiled: after an edit of ``mechanisms/labour.py`` a cached
``plan.run_days`` would go on running the old labour, silently, while a run step by step ran
the new one. A user who changes a mechanism must get the mechanism they wrote.

:func:`guard`, called when the package is imported, fingerprints the sources that hold
compiled code and, when the fingerprint differs from the one stored with the cache, deletes
the package's cached functions before any is loaded, so that everything compiles anew once.
An installed, unchanged package keeps its cache. (With ``NUMBA_CACHE_DIR`` set, Numba keeps
its cache there, out of this guard's reach: clear it after editing the sources.)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
STAMP = "compiled-sources.stamp"  # in the package's top __pycache__


def fingerprint(root: Path = PACKAGE) -> str:
    """A digest of the names and contents of the package's sources that hold compiled code."""
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(root.rglob("*.py")):
        text = path.read_bytes()
        if b"njit" in text:
            h.update(path.relative_to(root).as_posix().encode() + b"\0")
            h.update(hashlib.blake2b(text, digest_size=16).digest())
    return h.hexdigest()


def cache_files(root: Path = PACKAGE) -> list[Path]:
    """The package's cached compiled functions (index and data files)."""
    return [p for ext in ("*.nbi", "*.nbc") for p in root.rglob(f"__pycache__/{ext}")]


def guard(root: Path = PACKAGE) -> bool:
    """Delete the package's cached compiled functions if its sources changed since they were
    cached (or if nothing says when they were); returns whether anything was deleted.
    """
    if os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0"):
        return False
    stamp = root / "__pycache__" / STAMP
    now = fingerprint(root)
    try:
        if stamp.read_text().strip() == now:
            return False
    except OSError:
        pass
    stale = cache_files(root)
    for path in stale:
        # (another process may have deleted it first)
        with contextlib.suppress(OSError):
            path.unlink()
    try:
        stamp.parent.mkdir(exist_ok=True)
        tmp = stamp.with_name(f"{STAMP}.{os.getpid()}")
        tmp.write_text(now + "\n")
        os.replace(tmp, stamp)
    except OSError:
        pass  # a read-only installation: Numba does not cache beside it either
    return bool(stale)
