"""Derivatives on disk: each cut and scaled picture once, under ``IIIF_CACHE_DIR/<object id>/``.

The cache is bounded (``IIIF_CACHE_MAX_BYTES``): when a write takes it past the bound, the
files used least recently (a hit refreshes a file's time) go until it is back under 90 %. It
holds only what the gateway has let out; it is read only after the gateway has said yes again,
and an object's folder is removed when its access changes or it is deleted, so a cached tile
never outlives the permission to see it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

_lock = threading.Lock()
# What this process believes the cache holds; None until measured. Other processes write too,
# so it is measured again whenever it says the bound is passed.
_believed_total: int | None = None


def cache_root() -> Path:
    return Path(settings.IIIF_CACHE_DIR)


def _path(object_id: int, source_name: str, canonical: str) -> Path:
    # The public copy's name is in the key: a new copy (another upload) never meets old tiles.
    key = hashlib.sha256(f"{source_name}\n{canonical}".encode()).hexdigest()[:40]
    extension = canonical.rpartition(".")[2]
    return cache_root() / str(int(object_id)) / f"{key}.{extension}"


def derivative_get(*, object_id: int, source_name: str, canonical: str) -> bytes | None:
    path = _path(object_id, source_name, canonical)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: evicted last
    return data


def derivative_put(*, object_id: int, source_name: str, canonical: str, data: bytes) -> None:
    """Store a derivative (atomically: a reader sees the whole file or none), then keep the
    cache within its bound. A full disk loses the cached copy, never the response."""
    path = _path(object_id, source_name, canonical)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".part") as out:
            out.write(data)
        os.replace(out.name, path)
    except OSError as exc:
        logger.warning("iiif cache: cannot store %s: %s", path, exc)
        return
    _account(len(data))


def _account(added: int) -> None:
    global _believed_total
    limit = int(settings.IIIF_CACHE_MAX_BYTES)
    with _lock:
        if _believed_total is None:
            _believed_total = _measure()
        else:
            _believed_total += added
        if _believed_total > limit:
            _believed_total = _evict(target=int(limit * 0.9))


def _files() -> list[tuple[float, int, Path]]:
    found = []
    for folder, _dirs, names in os.walk(cache_root()):
        for name in names:
            path = Path(folder) / name
            try:
                stat = path.stat()
            except OSError:
                continue  # removed meanwhile by another process
            found.append((stat.st_mtime, stat.st_size, path))
    return found


def _measure() -> int:
    return sum(size for _time, size, _path in _files())


def _evict(*, target: int) -> int:
    files = sorted(_files())
    total = sum(size for _time, size, _path in files)
    for _time, size, path in files:
        if total <= target:
            break
        try:
            path.unlink()
        except OSError:
            continue
        total -= size
    return total


def derivatives_purge(*, object_ids: Iterable[int]) -> None:
    """Remove every cached derivative of these objects (their access changed, or they went)."""
    global _believed_total
    for object_id in set(object_ids):
        shutil.rmtree(cache_root() / str(int(object_id)), ignore_errors=True)
    with _lock:
        _believed_total = None


def cache_size() -> int:
    """Bytes the cache holds now (for tests and the operator)."""
    return _measure()
