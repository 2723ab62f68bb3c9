"""py3langid's model, unpacked once per user instead of once per crawl.

The model ships xz-compressed, and unpacking it costs about 0.4 s of CPU: more than the rest of a
small crawl's extraction, paid again by every crawl the daemon starts (each one a new process).
The unpacked identifier is pickled in the user's cache folder (systemd's `$CACHE_DIRECTORY`, else
`$XDG_CACHE_HOME/mediawatch`, else `~/.cache/mediawatch`; about 70 MB), named by the versions that shaped it (Python, NumPy,
py3langid, the model file's size and time), so an upgrade builds it anew. It is written
atomically (tests/test_langid_cache.py), a file that cannot be read is rebuilt, and a folder that
cannot be written leaves the crawl unpacking the model as before. As with the watchlist cache,
whoever can write that folder can run code as the crawl: it is the user's own.
"""

from __future__ import annotations

import hashlib
import os
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

from mediawatch.scrapers.pickle_cache import load_pickle, store_pickle

PREFIX = "langid-"


def cache_dir() -> Path:
    # systemd's CacheDirectory= names the one folder a sandboxed service may write for this.
    if os.environ.get("CACHE_DIRECTORY"):
        return Path(os.environ["CACHE_DIRECTORY"].split(":")[0])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mediawatch"


def cache_key(model: Path) -> str:
    import numpy

    stat = model.stat()
    parts = (sys.version_info[:2], numpy.__version__, version("py3langid"), stat.st_size)
    return hashlib.sha256(repr((*parts, stat.st_mtime_ns)).encode()).hexdigest()[:40]


def identifier() -> Any:
    """py3langid's LanguageIdentifier for its shipped model: from the cache, else unpacked (and
    cached for the next process)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    model = MODEL_DIR / MODEL_FILE
    try:
        key = cache_key(model)
    except OSError:
        return LanguageIdentifier.from_model_file(MODEL_FILE)
    folder = cache_dir()
    found = load_pickle(folder / f"{PREFIX}{key}.pickle")
    if isinstance(found, LanguageIdentifier):
        return found
    built = LanguageIdentifier.from_model_file(MODEL_FILE)
    store_pickle(folder, PREFIX, key, built)
    return built
