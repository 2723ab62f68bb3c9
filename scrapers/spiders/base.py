"""What every source spider shares: find article URLs, skip known ones before the request, fetch, record errors.

Spiders only find URLs and fetch; extraction, canonical URLs, duplicates, matching and storage are
pipeline steps. A spider instance crawls one configured source.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import CannotResolveHostError, DownloadTimeoutError
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError

import db
from mediawatch.sources import Source
from scrapers import claims
from scrapers.archive import archive
from scrapers.canonical import strip_tracking
from scrapers.items import ArticlePage, Hints
from scrapers.resolver import refusal_of

HTML_TYPES = ("text/html", "application/xhtml+xml")


def _resolve_source(source: Source | str) -> Source:
    """`scrapy crawl feed -a source=NAME` passes a name; `mediawatch crawl` passes the Source."""
    if isinstance(source, Source):
        return source
    from mediawatch import config

    return config.load_sources(config.config_dir()).select([source])[0]


class NewsSpider(scrapy.Spider):
    # no `name`: only the per-kind subclasses are spiders that `scrapy list` shows

    def __init__(self, source: Source | str, db_path: str | None = None, matcher=None, **kwargs):
        source = _resolve_source(source)
        super().__init__(name=source.name, **kwargs)
        from mediawatch import config

        self.source = source
        self.db_path = str(db_path or config.db_path())
        self.matcher = matcher
        if source.download_delay is not None:
            self.download_delay = source.download_delay
        self.article_requests = 0
        self.new_articles = 0
        self.duplicates = 0
        self.errors: list[str] = []
        self.index_failed = False
        self.newest_item_at: str | None = None
        self.run_id: int | None = None

    # -- helpers for subclasses -------------------------------------------------------------

    @property
    def archive(self):
        return archive(self.db_path)

    def index_request(self, url: str, callback, conditional: bool = True) -> scrapy.Request:
        """A request for the source's own document (feed, sitemap, listing, API answer)."""
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.index_error,
            dont_filter=True,
            meta={
                "conditional": conditional,
                "source_name": self.source.name,
                "handle_httpstatus_list": [304],
            },
        )

    def unchanged(self, response) -> bool:
        return response.status == 304

    def keep_validators(self, response) -> None:
        """Called once the document was read: only then is it safe to send its ETag next time."""
        found = response.meta.get("validators")
        if found:
            db.save_validator(self.archive, self.source.name, response.request.url, *found)

    def note_item_date(self, published_at: str | None) -> None:
        if published_at and (self.newest_item_at is None or published_at > self.newest_item_at):
            self.newest_item_at = published_at[:20]

    def too_old(self, published_at: str | None) -> bool:
        if not published_at:
            return False
        cutoff = datetime.now(UTC) - timedelta(seconds=self.source.lookback)
        return published_at < db.utc_iso(cutoff)

    def follow_articles(self, candidates: Iterable[tuple[str, Hints]]) -> Iterator[scrapy.Request]:
        """Article requests for new URLs only, newest first, within the look-back and the page budget."""
        fresh = []
        for url, hints in candidates:
            self.note_item_date(hints.published_at)
            if not url.startswith(("http://", "https://")) or self.too_old(hints.published_at):
                continue
            fresh.append((url, hints))
        fresh.sort(key=lambda pair: pair[1].published_at or "", reverse=True)
        forms = {url: {url, strip_tracking(url)} for url, _ in fresh}
        known = db.known_urls(self.archive, [f for fs in forms.values() for f in fs])
        for url, hints in fresh:
            if forms[url] & known:
                continue
            if self.article_requests >= self.source.max_pages:
                self.logger.info("page budget of %d reached", self.source.max_pages)
                return
            if not claims.claim(forms[url], claims.owner(self.source.name, url)):
                continue  # another source of this crawl fetches it
            self.article_requests += 1
            known |= forms[url]
            yield scrapy.Request(
                url,
                callback=self.parse_article,
                errback=self.article_error,
                meta={"hints": hints},
            )

    # -- callbacks ----------------------------------------------------------------------------

    def parse_article(self, response):
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if ctype and not ctype.startswith(HTML_TYPES):
            self.record_error(f"{response.url}: not an HTML page ({ctype.split(';')[0]})")
            return
        yield ArticlePage(
            source=self.source.name,
            request_url=response.meta.get("redirect_urls", [response.request.url])[0],
            url=response.url,
            body=response.body,
            content_type=ctype,
            hints=response.meta.get("hints") or Hints(),
        )

    def index_error(self, failure) -> None:
        self.index_failed = True
        self.record_error(describe_failure(failure))

    def article_error(self, failure) -> None:
        if failure.check(claims.AlreadyClaimed):
            return  # not an error: another source of this crawl brings the article
        self.record_error(describe_failure(failure))

    def record_error(self, message: str) -> None:
        self.logger.warning(message)
        self.errors.append(message)


def describe_failure(failure) -> str:
    """One line naming the URL and what went wrong, for crawl_runs.error_messages."""
    request = getattr(failure, "request", None)
    url = request.url if request is not None else "?"
    exc = failure.value
    if failure.check(HttpError):
        return f"{exc.response.url}: HTTP {exc.response.status}"
    if failure.check(DNSLookupError, CannotResolveHostError):
        host = urlsplit(url).hostname
        if reason := refusal_of(host):
            return f"refused {url}: {host}: {reason}"
        return f"{url}: DNS lookup failed"
    if failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
        return f"{url}: timed out"
    if type(exc).__name__ == "TimeoutError" and type(exc).__module__.startswith("playwright"):
        return f"{url}: timed out in the browser (browser_page_timeout)"
    message = (str(exc) or type(exc).__name__).splitlines()[0]
    lowered = message.lower()
    if "decompression" in lowered and "maxsize" in lowered:
        return f"{url}: larger than the download size limit after decompression"
    if "max size" in lowered or "maxsize" in lowered:
        return f"{url}: larger than the download size limit"
    if type(exc).__name__ == "CancelledError":
        return f"{url}: download cancelled (larger than the download size limit)"
    return f"{url}: {message}"
