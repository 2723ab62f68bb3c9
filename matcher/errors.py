"""The matcher's typed error, in a module of its own so that the CLI can catch it without
importing the engine (pyahocorasick, rapidfuzz) on every command's start-up."""

from __future__ import annotations


class WatchlistError(Exception):
    """Invalid watchlist data; `keypath` points into the YAML data, `message` says what is wrong."""

    def __init__(self, keypath: tuple, message: str):
        self.keypath = tuple(keypath)
        self.message = message
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in self.keypath)
        super().__init__(f"{where.lstrip('.')}: {message}" if where else message)
