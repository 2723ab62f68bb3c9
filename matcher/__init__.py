"""Watchlist -> compiled matcher -> matches. Imports neither Scrapy nor SQL."""

from __future__ import annotations

from typing import Any

from mediawatch.matcher.engine import Matcher
from mediawatch.matcher.result import TopicMatch
from mediawatch.matcher.schema import WatchlistError, build


def compile(watchlist: Any) -> Matcher:
    """Validate the parsed watchlist (plain dicts and lists) and compile it once."""
    return Matcher(build(watchlist))


__all__ = ["Matcher", "TopicMatch", "WatchlistError", "compile"]
