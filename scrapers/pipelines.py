"""The article pipeline: extract -> canonical URL -> duplicate check -> match -> store, one step each.

Runs in the crawl process; a page that cannot be extracted is recorded as an error of that crawl.
"""

from __future__ import annotations

from mediawatch.scrapers import claims
from mediawatch.scrapers.archive import archive_of
from mediawatch.scrapers.article_time import choose_published
from mediawatch.scrapers.canonical import canonicalize, strip_tracking
from mediawatch.scrapers.extract import ExtractionError, extract
from mediawatch.scrapers.extract_worker import WorkerGone
from mediawatch.scrapers.items import ArticlePage, UnresolvedItem
from mediawatch.scrapers.matching import find_topics, store_flags
from mediawatch.scrapers.stats import DUPLICATES, NEW_ARTICLES
from mediawatch.scrapers.turns import one_page_per_turn
from scrapy.exceptions import DropItem

from mediawatch import db


class ArchivePipeline:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_item(self, item):
        """Extraction in the crawl's extract worker when it has one (scrapers/extract_worker.py),
        while this process goes on; then one page at a time across the process's crawlers, one
        per turn of the event loop (scrapers/turns.py): the downloads in flight are read between
        two pages."""
        if isinstance(item, ArticlePage):
            worker = getattr(self.crawler.spider, "extractor", None)
            if worker is not None and worker.alive:
                item.extracted = await self._extract_aside(worker, item)
        async with one_page_per_turn():
            return self.handle(item)

    async def _extract_aside(self, worker, item: ArticlePage):
        """What the worker made of the page: an Extracted, an ExtractionError, or None when the
        worker went away before it took the page (the page is then extracted here)."""
        try:
            return await worker.extract(**_extract_args(self.crawler.spider.source, item))
        except ExtractionError as exc:
            return exc
        except WorkerGone as exc:
            return exc if exc.in_progress else None

    def handle(self, item):
        """Any failure on one page becomes an error of this crawl run; the crawl goes on."""
        spider = self.crawler.spider
        try:
            if isinstance(item, UnresolvedItem):
                return self._store_unresolved(spider, item)
            if isinstance(item, ArticlePage):
                return self._store_page(spider, item)
            return item
        except DropItem:
            raise
        except Exception as exc:  # noqa: BLE001 - recorded, never fatal to the crawl
            # the article stays in the backlog for the next crawl, and this run is failed
            where = getattr(item, "url", None) or getattr(item, "link", "?")
            spider.note_store_failure(f"{where}: could not store: {type(exc).__name__}: {exc}")
            raise DropItem(str(exc)) from exc

    def _store_page(self, spider, item: ArticlePage):
        source = spider.source
        if isinstance(item.extracted, WorkerGone):
            # the worker died with this page in its hands: the run is failed and the page stays
            # in the backlog, counted as a failed try (it may be what killed the worker: after
            # five such crawls it is given up)
            spider.note_store_failure(f"{item.url}: could not extract: {item.extracted}")
            if item.backlog_url:
                spider.retry_later(item.backlog_url, f"could not extract: {item.extracted}")
            raise DropItem(str(item.extracted))
        try:
            if isinstance(item.extracted, ExtractionError):
                raise item.extracted
            page = item.extracted or extract(**_extract_args(source, item))
        except ExtractionError as exc:
            if isinstance(exc.__cause__, OSError | MemoryError):
                # this machine ran out (a full disk, memory): not the page's fault; it stays
                # in the backlog and the run is failed
                spider.note_store_failure(f"{item.url}: could not store: {exc}")
            else:
                spider.record_error(f"{item.url}: {exc}")
                spider.settle(item.backlog_url)  # judged: not an article
            raise DropItem(str(exc)) from None
        if not page.text.strip():
            spider.record_error(f"{item.url}: no article text found")
            spider.settle(item.backlog_url)
            raise DropItem("no text")
        url = canonicalize(item.url, page.canonical_url)
        # later links to the canonical URL are not followed in this crawl
        claims.claim(claims.forms(url), claims.owner(source.name, item.request_url))
        hints = item.hints
        published, date_source = choose_published(
            page.published_at,
            page.date_precision,
            page.date_source,
            hints.published_at,
            "sitemap" if source.kind == "sitemap" else "feed",
        )
        article = {
            "url": url,
            "source": source.name,
            "outlet": hints.outlet
            if source.kind in ("gdelt", "gnews") and hints.outlet
            else source.outlet,
            "title": page.title or hints.title,
            "text": page.text,
            "published_at": published,
            "date_source": date_source,
            "language": page.language or source.language,
            "authors": page.authors or hints.authors,
            "section": page.section,
            "lead_image": page.lead_image,
            "description": page.description,
            "meta": {
                k: v
                for k, v in (
                    ("seen_at", hints.seen_at),
                    ("fetched_from", hints.archive_url or item.request_url),
                    ("archived_at", hints.archived_at),
                )
                if v
            },
            "backfilled": int(getattr(spider, "backfill", False)),
        }
        also = {
            item.request_url,
            item.url,
            strip_tracking(item.request_url),
            strip_tracking(item.url),
        }
        return self._store(spider, item, article, also)

    def _store_unresolved(self, spider, item: UnresolvedItem):
        hints = item.hints
        article = {
            "url": item.link,
            "source": spider.source.name,
            "outlet": hints.outlet,
            "title": hints.title,
            "text": "",
            "published_at": hints.published_at,
            "date_source": "feed" if hints.published_at else None,
            "resolved": 0,
            "meta": {"unresolved": "Google News link without publisher URL"},
            "backfilled": int(getattr(spider, "backfill", False)),
        }
        return self._store(spider, item, article, ())

    def _store(self, spider, item, article: dict, also_urls) -> object:
        """Flag (outside the lock), then store the article, its flags and its story link at once.

        A fetched article takes over unresolved search items with its title; an unresolved item
        points at the fetched article that already has it.
        """
        conn = archive_of(self.crawler)
        found = find_topics(spider.matcher, article["title"], article["text"])
        with db.write(conn):  # one transaction per article: the write lock is shared by crawls
            stored = db.store_article(conn, article, also_urls=also_urls)
            if getattr(item, "backlog_url", None):  # settled in the same transaction
                db.settle_backlog(conn, spider.source.name, item.backlog_url)
            if stored.created:
                store_flags(conn, stored.article_id, found)
                if article.get("resolved", 1):
                    for other in db.find_unresolved(conn, article["title"]):
                        db.link_same_story(conn, other, stored.article_id)
                elif same := db.find_resolved(conn, article["title"] or ""):
                    db.link_same_story(conn, stored.article_id, same)
            if via := getattr(getattr(item, "hints", None), "via", None):
                db.gnews.link_item(conn, via, article["url"])  # the Google News item it came from
        self.crawler.stats.inc_value(NEW_ARTICLES if stored.created else DUPLICATES)
        return item


def _extract_args(source, item: ArticlePage) -> dict:
    """extract()'s arguments for a page, in the worker or here: the same call either way."""
    return {
        "html": item.body,
        "url": item.url,
        "selectors": source.selectors,
        "language": source.language,
        "content_type": item.content_type,
    }
