"""What spiders hand to the pipeline: a fetched article page, or a search item that cannot be fetched."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Hints:
    """What the feed, sitemap or search API said about an article, used when the page says less."""

    title: str | None = None
    published_at: str | None = None
    authors: list[str] = field(default_factory=list)
    outlet: str | None = None
    seen_at: str | None = (
        None  # GDELT's seendate: when it saw the article, not when it was published
    )
    archived_at: str | None = None  # an archived copy's capture time (wayback)
    archive_url: str | None = None  # where that copy was fetched from
    via: str | None = None  # the Google News link this article was resolved from


@dataclass
class ArticlePage:
    source: str
    request_url: str
    url: str  # after redirects
    body: bytes
    content_type: str
    hints: Hints
    backlog_url: str | None = None  # its key in the source's backlog, settled once stored
    # what the crawl's extract worker made of the page (an Extracted, or the error it raised),
    # when it had one; else the pipeline extracts the page itself
    extracted: Any = None


@dataclass
class UnresolvedItem:
    """A Google News item whose link names no publisher URL: stored with its title and outlet."""

    source: str
    link: str
    hints: Hints
