"""Which publication time an article keeps: the page's, the feed's or sitemap's, or the page's day.

Pages often state only a day, or a time without a zone, while feeds and sitemaps give an exact
instant; lookback windows, day buckets and digest times all need the instant. The most precise
trustworthy value wins: a page timestamp with time and zone, else the feed/sitemap time when it falls
on the page's day (a feed time on another day is more likely a re-publication or an update), else
the page's day, else the feed/sitemap time. Stored in UTC, with where it came from.
"""

from __future__ import annotations

from datetime import timedelta

from mediawatch.times import parse_iso

# A day written on a page in any zone (UTC-12 to UTC+14) spans these UTC instants.
_EARLIEST_ZONE = timedelta(hours=14)
_LATEST_ZONE = timedelta(hours=12)


def on_day(instant: str, day: str) -> bool:
    """True when the UTC instant can be the written day somewhere in the world."""
    moment, start = parse_iso(instant), parse_iso(day[:10])
    if moment is None or start is None:
        return False
    return start - _EARLIEST_ZONE <= moment < start + timedelta(days=1) + _LATEST_ZONE


def choose_published(
    page_at: str | None,
    page_precision: str | None,
    page_source: str | None,
    feed_at: str | None,
    feed_source: str = "feed",
) -> tuple[str | None, str | None]:
    """(published_at in UTC, date_source)."""
    if page_at and page_precision == "instant":
        return page_at, page_source
    if page_at and feed_at and on_day(feed_at, page_at):
        return feed_at, feed_source
    if page_at:
        return page_at, page_source
    if feed_at:
        return feed_at, feed_source
    return None, None
