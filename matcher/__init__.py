"""Watchlist -> compiled matcher -> matches. Imports neither Scrapy nor SQL.

Importing the package is cheap (the CLI catches WatchlistError on every command); the engine is
imported by `compile`, and Matcher / TopicMatch live in matcher.engine and matcher.result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mediawatch.matcher.errors import WatchlistError

if TYPE_CHECKING:
    from mediawatch.matcher.engine import Matcher


def compile(watchlist: Any) -> Matcher:
    """Validate the parsed watchlist (plain dicts and lists) and compile it once."""
    from mediawatch.matcher.engine import Matcher
    from mediawatch.matcher.schema import build

    return Matcher(build(watchlist))


__all__ = ["WatchlistError", "compile"]
