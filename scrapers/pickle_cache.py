"""Pickles kept between crawl processes (the compiled watchlist, the unpacked language model):
written atomically, so a crawl killed mid-write leaves no half file, and read back as None when
missing or unreadable, so the caller rebuilds. A cache is an optimisation only: a folder that
cannot take it costs a warning, never the crawl."""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

LOG = logging.getLogger(__name__)


def store_pickle(cache_dir: Path, prefix: str, key: str, value: Any) -> bool:
    """Write `prefix + key + .pickle` atomically (temporary file, then rename) and drop the
    pickles of other versions; False (and a warning) when the folder cannot take it."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache_dir, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, cache_dir / f"{prefix}{key}.pickle")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        for old in cache_dir.glob(f"{prefix}*.pickle"):
            if old.name != f"{prefix}{key}.pickle":
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError) as exc:  # a cache is an optimisation only
        LOG.warning("could not cache %s in %s: %s", prefix.rstrip("-"), cache_dir, exc)
        return False
    return True


def load_pickle(path: Path) -> Any | None:
    """The pickled value, or None when the file is missing, truncated or corrupt (rebuild it)."""
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001 - truncated, corrupt or stale: rebuild
        LOG.warning("ignoring unreadable cache %s: %s", path, exc)
        return None
