"""The compiled watchlist, cached between crawls: compiling it takes seconds, and every crawl the
daemon starts is a new process.

The cache is a pickle of the compiled Matcher, named by a hash of the watchlist file's content and of
the matcher's own source code, so an edit to either builds it anew. It lives beside the archive
(`.mediawatch-cache/`), is written atomically (a crawl killed mid-write leaves no half file), and a
cache that cannot be read is ignored and rebuilt. On a hit the pickle is loaded only when the first
article needs matching, so the crawl's first request does not wait for it.

The pickle is the user's own file beside their own archive, written by this code; as with any
pickle, whoever can write that folder can run code as the crawl.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mediawatch.scrapers.pickle_cache import load_pickle, store_pickle

CACHE_DIR_NAME = ".mediawatch-cache"
PREFIX = "watchlist-"


def cache_dir_for(db_path: str | os.PathLike) -> Path:
    return Path(db_path).expanduser().resolve().parent / CACHE_DIR_NAME


def matcher_code_version() -> str:
    """A hash of the matcher package's source files: a changed matcher never reads an old pickle."""
    spec = importlib.util.find_spec(
        "mediawatch.matcher"
    )  # finds without importing (the import is slow)
    digest = hashlib.sha256(f"{sys.version_info[:2]}".encode())
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for path in sorted(Path(folder).rglob("*.py")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(watchlist: Path) -> str:
    digest = hashlib.sha256(watchlist.read_bytes())
    digest.update(matcher_code_version().encode())
    return digest.hexdigest()[:40]


def _load(path: Path) -> Any | None:
    found = load_pickle(path)
    return found if callable(getattr(found, "match", None)) else None


class CachedMatcher:
    """Stands in for the compiled Matcher; loads the cached pickle on first use (else builds)."""

    def __init__(self, path: Path, key: str, build: Callable[[], Any]) -> None:
        self._path, self._key, self._build = path, key, build
        self._matcher: Any | None = None
        self._lock = threading.Lock()

    def _get(self) -> Any:
        if self._matcher is None:
            with self._lock:
                if self._matcher is None:
                    found = _load(self._path)
                    if found is None:
                        found = self._build()
                        store_pickle(self._path.parent, PREFIX, self._key, found)
                    self._matcher = found
        return self._matcher

    def match(self, title: str, text: str):
        return self._get().match(title, text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get(), name)


def cached_matcher(watchlist: Path, cache_dir: Path | None, build: Callable[[], Any]) -> Any:
    """The compiled watchlist for a crawl: from the cache when it holds this file's content compiled
    by this matcher code, else built by `build` (which reports errors in the file) and cached."""
    try:
        key = cache_key(watchlist)
    except OSError:
        return build()  # no readable file: let build() say so, with its usual message
    if cache_dir is not None:
        path = cache_dir / f"{PREFIX}{key}.pickle"
        if path.is_file():
            return CachedMatcher(path, key, build)
    matcher = build()
    if cache_dir is not None:
        store_pickle(cache_dir, PREFIX, key, matcher)
    return matcher
