"""Where things live: the config folder (three YAML files) and the archive, with their overrides."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES_FILE = "sources.yaml"
WATCHLIST_FILE = "watchlist.yaml"
SCHEDULES_FILE = "schedules.yaml"


def config_dir(option: str | os.PathLike | None = None) -> Path:
    """--config-dir, else MEDIAWATCH_CONFIG_DIR, else the checkout root."""
    chosen = option or os.environ.get("MEDIAWATCH_CONFIG_DIR")
    return Path(chosen).expanduser() if chosen else ROOT


def db_path(option: str | os.PathLike | None = None) -> Path:
    """--db, else MEDIAWATCH_DB, else db/mediawatch.db in the checkout."""
    chosen = option or os.environ.get("MEDIAWATCH_DB")
    return Path(chosen).expanduser() if chosen else ROOT / "db" / "mediawatch.db"


def load_sources(folder: Path):
    from mediawatch.sources import load_sources as _load

    return _load(Path(folder) / SOURCES_FILE)


def load_watchlist(folder: Path):
    """Parse watchlist.yaml and compile it; matcher errors come back located (file, line, key)."""
    from mediawatch import matcher
    from mediawatch.errors import ConfigError
    from mediawatch.matcher.schema import MAX_FILE_BYTES
    from mediawatch.yamlfile import load_yaml

    path = Path(folder) / WATCHLIST_FILE
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # load_yaml says what is wrong
    if size > MAX_FILE_BYTES:
        raise ConfigError(
            path, None, None, f"{size:,} bytes, more than the limit of {MAX_FILE_BYTES:,} bytes"
        )
    doc = load_yaml(path)
    try:
        return matcher.compile(doc.data)
    except matcher.WatchlistError as exc:
        raise doc.error(exc.keypath, exc.message) from None


def load_schedules(folder: Path):
    from mediawatch.schedules import load_schedules as _load

    return _load(Path(folder) / SCHEDULES_FILE)
