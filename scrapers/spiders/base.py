"""What every source spider shares: find article URLs, skip known ones before the request, fetch, record errors.

Spiders only find URLs and fetch; extraction, canonical URLs, duplicates, matching and storage are
pipeline steps. A spider instance crawls one configured source.

Nothing a source named is lost to an interrupted crawl: every article URL goes into the source's
backlog in the archive (committed) before it is requested, and leaves it only when the article is
stored, judged or failed for good; each crawl starts with what the backlog holds. A feed's or
sitemap's validators (ETag, Last-Modified) are saved only at the end of a crawl that settled every
item of that document, so a 304 never hides an article that was not fetched.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any, Self

import scrapy
from mediawatch.scrapers import claims
from mediawatch.scrapers.archive import archive_of
from mediawatch.scrapers.canonical import strip_tracking
from mediawatch.scrapers.failures import describe_failure, is_final
from mediawatch.scrapers.items import ArticlePage, Hints
from mediawatch.scrapers.sources import Source, UnknownSourceError
from mediawatch.times import utc_iso

from mediawatch import db

HTML_TYPES = ("text/html", "application/xhtml+xml")
# a URL that failed this many crawls in a row (503, timeouts) is given up, not retried forever
MAX_ATTEMPTS = 5
HINT_FIELDS = {f.name for f in fields(Hints)}


@dataclass
class Document:
    """A feed, sitemap or listing read in this crawl: its validators and what it named."""

    validators: tuple[str | None, str | None] | None = None
    items: set[str] = field(default_factory=set)  # article URLs (backlog keys)
    children: list[str] = field(default_factory=list)  # child sitemaps requested
    read: bool = False  # parsed to the end, every item handed on
    cut: bool = False  # some of what it named was left out (a sitemap budget): not settled


def named_source(settings: Any, name: str) -> Source:
    """`scrapy crawl feed -a source=NAME`: the source the spine's settings module loaded."""
    sources = settings.get("MEDIAWATCH_SOURCES")
    if sources is None:
        raise UnknownSourceError(f"no source named {name!r}: no sources.yaml in the settings")
    found: Source = sources.select([name])[0]
    return found


class NewsSpider(scrapy.Spider):
    # no `name`: only the per-kind subclasses are spiders that `scrapy list` shows

    # Set when the run closes (extensions.RunRecorder); the runner's summary reads them.
    final_status: str
    final_errors: list[str]

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Self:
        """`mediawatch crawl` passes the Source; `scrapy crawl` a source's name. The archive is
        the crawl's (MEDIAWATCH_DB_PATH, opened by scrapers.archive.ArchiveConnection)."""
        if isinstance(kwargs.get("source"), str):
            kwargs["source"] = named_source(crawler.settings, kwargs["source"])
        spider: Self = super().from_crawler(crawler, *args, **kwargs)
        return spider

    def __init__(self, source: Source, matcher=None, extractor=None, **kwargs):
        super().__init__(name=source.name, **kwargs)
        self.source = source
        self.matcher = matcher
        self.extractor = extractor  # the crawl's extract worker (scrapers/extract_worker.py)
        if source.download_delay is not None:
            self.download_delay = source.download_delay
        self.article_requests = 0
        self.errors: list[str] = []
        self.index_failed = False
        self.newest_item_at: str | None = None
        self.run_id: int | None = None
        self.requested: set[str] = set()  # every form of every article URL requested
        self.documents: dict[str, Document] = {}
        self.store_failed = False  # the archive refused a write: the run failed
        self.crashed = False  # a callback or parser raised: the run failed

    async def start(self):
        """Articles left from earlier crawls first (oldest first), then the source's own document."""
        if self.store_failed:  # the archive could not even record the run
            return
        try:
            drained = self.drain_backlog()
        except sqlite3.Error as exc:  # a corrupt or unreadable archive: the run is failed
            self.note_store_failure(f"archive: cannot read the backlog: {exc}")
            drained = []
        for request in drained:
            yield request
        async for request in self.start_index():
            yield request

    async def start_index(self):
        """The subclass's first request(s): the feed, the sitemap, the listing page."""
        return
        yield  # noqa: V201 - makes this an async generator that yields nothing

    # -- helpers for subclasses -------------------------------------------------------------

    @property
    def archive(self):
        return archive_of(self.crawler)

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
        """A 304: nothing new in the document (its items were settled when its ETag was kept)."""
        if response.status == 304:
            self.documents[response.request.url] = Document(read=True)
            return True
        return False

    def keep_validators(self, response) -> Document:
        """The document was parsed: its validators wait until every item it named is settled."""
        doc = Document(validators=response.meta.get("validators"))
        self.documents[response.request.url] = doc
        return doc

    def document_read(self, response) -> None:
        """Every item of the document was handed on (into the backlog, or requested)."""
        doc = self.documents.get(response.request.url)
        if doc is not None:
            doc.read = True

    def save_settled_validators(self) -> None:
        """At the end of a finished crawl: keep the validators of documents whose items (and
        child sitemaps) are all settled; the others are fetched in full next time."""
        conn = self.archive
        for url in settled_documents(
            self.documents, lambda items: db.waiting(conn, self.source.name, items)
        ):
            etag, modified = self.documents[url].validators or (None, None)
            db.save_validator(conn, self.source.name, url, etag, modified)

    def note_item_date(self, published_at: str | None) -> None:
        if published_at and (self.newest_item_at is None or published_at > self.newest_item_at):
            self.newest_item_at = published_at[:20]

    def too_old(self, published_at: str | None) -> bool:
        if not published_at:
            return False
        cutoff = datetime.now(UTC) - timedelta(seconds=self.source.lookback)
        return published_at < utc_iso(cutoff)

    def fresh(self, candidates: Iterable[tuple[str, Hints]]) -> list[tuple[str, Hints]]:
        """Web URLs within the look-back, newest first (every item's date noted for freshness)."""
        fresh = []
        for url, hints in candidates:
            self.note_item_date(hints.published_at)
            if not url.startswith(("http://", "https://")) or self.too_old(hints.published_at):
                continue
            fresh.append((url, hints))
        fresh.sort(key=lambda pair: pair[1].published_at or "", reverse=True)
        return fresh

    def follow_articles(
        self, candidates: Iterable[tuple[str, Hints]], document: str | None = None
    ) -> Iterator[scrapy.Request]:
        """Article requests for new URLs only, newest first, within the look-back and the page budget.

        Every new URL goes into the backlog (committed) before the first request goes out; those
        past the page budget wait there for the next crawl."""
        fresh = self.fresh(candidates)
        forms = {url: {url, strip_tracking(url)} for url, _ in fresh}
        known = db.known_urls(self.archive, [f for fs in forms.values() for f in fs])
        new, seen = [], set(known)
        for url, hints in fresh:
            if forms[url] & seen:
                continue
            seen |= forms[url]
            new.append((url, hints))
        db.add_to_backlog(self.archive, self.source.name, [(u, asdict(h)) for u, h in new])
        if document is not None and document in self.documents:
            self.documents[document].items.update(u for u, _ in new)
        for url, hints in new:
            if forms[url] & self.requested:
                continue  # already asked for in this crawl (from the backlog)
            if not self.budget_left():
                return
            if not claims.claim(forms[url], claims.owner(self.source.name, url)):
                continue  # another source of this crawl fetches it; it waits in the backlog
            yield self.article_request(url, hints)

    def drain_backlog(self) -> list[scrapy.Request]:
        """Requests for what earlier crawls left (killed, out of budget, turned away), oldest first."""
        cutoff = utc_iso(datetime.now(UTC) - timedelta(seconds=self.source.lookback))
        rows = db.backlog(self.archive, self.source.name, cutoff)
        if not rows:
            return []
        forms = {r["url"]: {r["url"], strip_tracking(r["url"])} for r in rows}
        known = db.known_urls(self.archive, [f for fs in forms.values() for f in fs])
        requests = []
        for row in rows:
            url = row["url"]
            if forms[url] & known:  # stored meanwhile (by another source): settled
                db.settle_backlog(self.archive, self.source.name, url)
                continue
            hints = Hints(**{k: v for k, v in row["hints"].items() if k in HINT_FIELDS})
            if not self.budget_left():
                break
            if not claims.claim(forms[url], claims.owner(self.source.name, url)):
                continue
            requests.append(self.article_request(url, hints))
        if requests:
            self.logger.info("%d article(s) from earlier crawls to fetch", len(requests))
        return requests

    def budget_left(self) -> bool:
        if self.article_requests >= self.source.max_pages:
            self.logger.info("page budget of %d reached; the rest waits", self.source.max_pages)
            return False
        return True

    def article_request(self, url: str, hints: Hints) -> scrapy.Request:
        """A request for a backlog URL (within the page budget, claimed by this source)."""
        self.article_requests += 1
        self.requested |= {url, strip_tracking(url)}
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_error,
            meta={"hints": hints, "backlog": url},
        )

    # -- callbacks ----------------------------------------------------------------------------

    def html_type(self, response) -> str | None:
        """The page's content type ('' when it gave none); None, recorded as an error of the
        run, when the answer is not an HTML page."""
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if ctype and not ctype.startswith(HTML_TYPES):
            self.record_error(f"{response.url}: not an HTML page ({ctype.split(';')[0]})")
            return None
        return ctype

    def parse_article(self, response):
        ctype = self.html_type(response)
        if ctype is None:
            self.settle(response.meta.get("backlog"))  # judged: not an article
            return
        yield ArticlePage(
            source=self.source.name,
            request_url=response.meta.get("redirect_urls", [response.request.url])[0],
            url=response.url,
            body=response.body,
            content_type=ctype,
            hints=response.meta.get("hints") or Hints(),
            backlog_url=response.meta.get("backlog"),
        )

    def index_error(self, failure) -> None:
        self.index_failed = True
        self.record_error(describe_failure(failure))

    def article_error(self, failure) -> None:
        """404 and refusals are final; 5xx, timeouts and connection errors are tried next crawl."""
        if failure.check(claims.AlreadyClaimed):
            return  # not an error: another source of this crawl brings the article
        message = describe_failure(failure)
        self.record_error(message)
        request = getattr(failure, "request", None)
        url = request.meta.get("backlog") if request is not None else None
        if not url:
            return
        if is_final(failure):
            self.settle(url)
            return
        self.retry_later(url, message)

    def retry_later(self, url: str, message: str) -> None:
        """A failure worth another try: counted in the backlog, given up after MAX_ATTEMPTS."""
        try:
            attempts = db.retry_backlog(self.archive, self.source.name, url, message)
        except Exception as exc:  # noqa: BLE001 - a full disk: the row stays as it was
            self.note_store_failure(f"{url}: could not note the failure: {exc}")
            return
        if attempts >= MAX_ATTEMPTS:
            self.record_error(f"{url}: given up after {attempts} failed crawls")
            self.settle(url)

    def settle(self, url: str | None) -> None:
        """The URL is judged or failed for good: out of the backlog."""
        if not url:
            return
        try:
            db.settle_backlog(self.archive, self.source.name, url)
        except Exception as exc:  # noqa: BLE001 - it is fetched again next time, no harm
            self.note_store_failure(f"{url}: could not update the backlog: {exc}")

    def note_store_failure(self, message: str) -> None:
        """The archive refused a write: an error of this run, and the run is failed."""
        self.store_failed = True
        self.record_error(message)

    def record_error(self, message: str) -> None:
        self.logger.warning(message)
        self.errors.append(message)


def settled_documents(documents: dict[str, Document], waiting) -> list[str]:
    """The documents with validators to keep: read to the end, nothing cut, none of their items
    still waiting (`waiting(items)` -> those not settled) and every child sitemap settled too."""

    def settled(url: str, seen: set[str]) -> bool:
        doc = documents.get(url)
        if doc is None or not doc.read or doc.cut or url in seen:
            return doc is not None and doc.read and not doc.cut
        seen.add(url)
        if doc.items and waiting(doc.items):
            return False
        return all(settled(child, seen) for child in doc.children)

    return [url for url, doc in documents.items() if doc.validators and settled(url, set())]
