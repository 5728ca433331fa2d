"""The guard of the compiled-code cache: an edited mechanism is the one that runs."""

import os
import subprocess
import sys
import textwrap

from treugolnik.jitcache import PACKAGE, STAMP, cache_files, fingerprint, guard

# a package of two modules, the second's compiled function calling the first's, as the
# compiled runs of days call the daily kernels of other modules
CALLEE = "from numba import njit\n\n@njit(cache=True)\ndef f():\n    return {}\n"
CALLER = textwrap.dedent(
    """
    from numba import njit
    from .a import f

    @njit(cache=True)
    def g():
        return f() + 1
    """
)
INIT = (
    "from pathlib import Path\n"
    "from treugolnik.jitcache import guard\n"
    "guard(Path(__file__).parent)\n"
)


def _package(root, value):
    pkg = root / "pkg"
    pkg.mkdir(exist_ok=True)
    (pkg / "__init__.py").write_text(INIT)
    (pkg / "a.py").write_text(CALLEE.format(value))
    (pkg / "b.py").write_text(CALLER)
    (pkg / "notes.py").write_text("NOTE = 'no compiled code here'\n")
    return pkg


def _g(root, **env_extra):
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "NUMBA_DISABLE_JIT")}
    env["PYTHONPATH"] = f"{root}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    env.update(env_extra)
    out = subprocess.run(
        [sys.executable, "-c", "from pkg.b import g; print(g())"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(out.stdout.strip())


def _edit(pkg, value):
    before = (pkg / "a.py").stat().st_mtime_ns
    (pkg / "a.py").write_text(CALLEE.format(value))
    os.utime(pkg / "a.py", ns=(before + 2_000_000_000, before + 2_000_000_000))


def test_an_edited_callee_is_compiled_anew_in_its_cached_caller(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    pkg = _package(tmp_path, 1)
    assert _g(tmp_path) == 2
    assert cache_files(pkg)  # g and f were cached
    _edit(pkg, 10)
    # Numba checks only b.py for g's cache; without the guard g would still return 2
    assert _g(tmp_path) == 11
    assert _g(tmp_path) == 11  # (and the new code is cached in turn)


def test_the_guard_finds_a_cache_kept_under_numba_cache_dir(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(cache))
    pkg = _package(tmp_path, 1)
    assert _g(tmp_path, NUMBA_CACHE_DIR=str(cache)) == 2
    kept = cache_files(pkg)
    assert kept and all(cache in p.parents for p in kept)
    _edit(pkg, 10)
    assert _g(tmp_path, NUMBA_CACHE_DIR=str(cache)) == 11


def test_the_fingerprint_follows_every_source_but_hidden_files(tmp_path):
    pkg = _package(tmp_path, 1)
    fp = fingerprint(pkg)
    # an editor's lock file (a dangling link) and a hidden file change nothing
    (pkg / ".#a.py").symlink_to(tmp_path / "nowhere")
    (pkg / ".backup.py").write_text("x = 1\n")
    assert fingerprint(pkg) == fp
    # a module without compiled code may hold constants that compiled code reads
    (pkg / "notes.py").write_text("NOTE = 'edited'\n")
    fp2 = fingerprint(pkg)
    assert fp2 != fp
    (pkg / "a.py").write_text(CALLEE.format(2))
    assert fingerprint(pkg) != fp2


def test_unchanged_sources_keep_their_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    pkg = _package(tmp_path, 1)
    cached = pkg / "__pycache__" / "a.f-3.py311.nbi"
    cached.parent.mkdir()
    cached.write_text("")
    assert guard(pkg)  # no stamp yet: the cache cannot be trusted
    assert not cached.exists()
    assert (pkg / "__pycache__" / STAMP).read_text().strip() == fingerprint(pkg)
    cached.write_text("")
    assert not guard(pkg)
    assert cached.exists()
    # the installed package itself: its import stamped it, so a second guard keeps the cache
    assert not guard(PACKAGE)
