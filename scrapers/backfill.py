"""Backfill: collect what sources published in a past period, through the same pipeline.

Each source kind finds the period's articles its own way (sitemaps by date, GDELT by time
windows, Google News day by day, the Internet Archive's CDX listing); all of them go through a
per-job queue in the archive (db/backfill.py), so a killed backfill resumes where it stopped and
never fetches a page twice. Articles stored here are marked backfilled: history, never news.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import scrapy
from mediawatch.db import backfill as queue_db
from mediawatch.scrapers.archive import archive, close_all
from mediawatch.scrapers.canonical import strip_tracking
from mediawatch.scrapers.feeds import FeedError, parse_feed
from mediawatch.scrapers.gnews import decode_link, is_gnews_link, split_title
from mediawatch.scrapers.items import Hints, UnresolvedItem
from mediawatch.scrapers.runner import RunSummary, register_sources, scrapy_settings
from mediawatch.scrapers.sitemaps import SitemapError, parse_sitemap
from mediawatch.scrapers.sources import CrawlerConfig, Source
from mediawatch.scrapers.spiders.base import NewsSpider
from mediawatch.scrapers.spiders.gdelt import MIN_DELAY, seendate_iso
from mediawatch.scrapers.spiders.wayback import WaybackSpider
from mediawatch.scrapers.wayback import Capture, cdx_url
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.utils.gz import gunzip
from twisted.internet import task

from mediawatch import db

GDELT_WINDOW = timedelta(days=1)  # first try; a capped answer splits the window in two
GDELT_MIN_WINDOW = timedelta(minutes=15)
_NAME_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})(?:[-_/.]?(0[1-9]|1[0-2])(?:[-_/.]?(0[1-9]|[12]\d|3[01]))?)?(?!\d)"
)


class BackfillError(Exception):
    """A backfill that cannot start (a bad period, a source kind without history)."""


@dataclass(frozen=True)
class Period:
    start: datetime  # inclusive
    end: datetime  # exclusive

    @classmethod
    def of_days(cls, first: str, last: str) -> Period:
        """--from 2024-11-01 --to 2024-11-30: both days included."""
        try:
            start = datetime.fromisoformat(first).replace(tzinfo=UTC)
            end = datetime.fromisoformat(last).replace(tzinfo=UTC)
        except ValueError as exc:
            raise BackfillError(f"dates are YYYY-MM-DD: {exc}") from None
        if len(last) <= 10:
            end += timedelta(days=1)
        if end <= start:
            raise BackfillError("--to is before --from")
        return cls(start, end)

    @property
    def start_iso(self) -> str:
        return db.utc_iso(self.start)

    @property
    def end_iso(self) -> str:
        return db.utc_iso(self.end)

    def holds(self, when: str | None) -> bool:
        if not when:
            return False
        return self.start_iso <= when < self.end_iso

    def overlaps(self, first: datetime, end: datetime) -> bool:
        return first < self.end and end > self.start

    def days(self) -> list[datetime]:
        out, day = [], self.start
        while day < self.end:
            out.append(day)
            day += timedelta(days=1)
        return out


def name_period(url: str) -> tuple[datetime, datetime] | None:
    """The year, month or day a sitemap's own path names (post-sitemap-2024-11.xml,
    /sitemap/2024/11/05.xml, archive-2019.xml), as [start, end); None when it names none."""
    dates = list(_NAME_DATE.finditer(urlsplit(url).path))
    if not dates:
        return None
    found = dates[-1]  # the last date in the path is the most specific
    year, month, day = int(found.group(1)), found.group(2), found.group(3)
    if month is None:
        return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    start = datetime(year, int(month), int(day or 1), tzinfo=UTC)
    if day:
        return start, start + timedelta(days=1)
    nxt = datetime(year + (month == "12"), int(month) % 12 + 1, 1, tzinfo=UTC)
    return start, nxt


def url_day(url: str) -> str | None:
    """A /2024/11/05/ style date in an article URL, as the ISO start of that day."""
    found = re.search(r"/((?:19|20)\d{2})/(0[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01])/", url)
    return f"{found.group(1)}-{found.group(2)}-{found.group(3)}T00:00:00Z" if found else None


def _hints_dict(hints: Hints) -> dict:
    return {k: v for k, v in asdict(hints).items() if v}


class BackfillSpider(NewsSpider):
    """The queue, the article requests and the progress counters every backfill spider shares
    (no `name`: only the per-kind subclasses are spiders)."""

    backfill = True

    def __init__(self, *args, period: Period, max_pages: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_backfill(period, max_pages)

    def setup_backfill(self, period: Period, max_pages: int | None) -> None:
        self.period = period
        self.job = queue_db.job_key(self.source.name, period.start_iso, period.end_iso)
        self.page_budget = max_pages
        self.started = time.monotonic()

    def too_old(self, published_at):  # the period replaces the normal look-back
        return False

    def note_item_date(self, published_at):  # history says nothing about a source's freshness
        pass

    # -- the queue ----------------------------------------------------------------------------

    def resume(self):
        """Requests for what a previous run of this job left pending: documents, then articles."""
        for url, meta in queue_db.pending(self.archive, self.job, "doc"):
            yield self.doc_request(url, meta)
        yield from self.article_requests_for(queue_db.pending(self.archive, self.job, "article"))

    def start_docs(self, docs: list[tuple[str, dict]]):
        """Queue the job's first documents (once per job) and request the new ones."""
        new = set(queue_db.queue(self.archive, self.job, [(u, "doc", m) for u, m in docs]))
        for url, meta in docs:
            if url in new:
                yield self.doc_request(url, meta)

    def doc_request(self, url: str, meta: dict) -> scrapy.Request:
        request = self.index_request(url, self.parse_doc, conditional=False)
        request.meta["doc"] = meta
        return request

    def doc_read(self, response, docs=(), articles=(), follow_docs=True):
        """Queue what a document listed, mark it done, request the entries new to the job
        (documents too unless the spider asks for them one at a time)."""
        articles = [(u, h) for u, h in articles if u.startswith(("http://", "https://"))]
        found = [(u, "doc", m) for u, m in docs] + [
            (u, "article", _hints_dict(h)) for u, h in articles
        ]
        added = set(queue_db.finish_doc(self.archive, self.job, response.request.url, found))
        for url, meta in docs if follow_docs else ():
            if url in added:
                yield self.doc_request(url, meta)
        yield from self.article_requests_for(
            [(u, _hints_dict(h)) for u, h in articles if u in added]
        )

    def article_requests_for(self, entries):
        entries = list(entries)
        forms = {u: {u, strip_tracking(u)} for u, _ in entries}
        known = db.known_urls(self.archive, [f for fs in forms.values() for f in fs])
        skipped = []
        for url, meta in entries:
            if forms[url] & known:
                skipped.append(url)
                continue
            if self.page_budget is not None and self.article_requests >= self.page_budget:
                self.logger.info("page budget of %d reached", self.page_budget)
                break
            self.article_requests += 1
            known |= forms[url]
            hints = Hints(**{k: v for k, v in meta.items() if k in Hints.__dataclass_fields__})
            yield self.article_request(url, hints)
        if skipped:  # already in the archive: nothing to fetch
            queue_db.mark_done(self.archive, self.job, skipped)

    def article_request(self, url: str, hints: Hints) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_backfilled,
            errback=self.backfill_error,
            meta={"hints": hints, "queued_url": url},
        )

    def parse_backfilled(self, response):
        queue_db.mark_done(self.archive, self.job, [response.meta["queued_url"]])
        yield from self.parse_article(response)

    def backfill_error(self, failure):
        request = getattr(failure, "request", None)
        if request is not None and "queued_url" in request.meta:
            queue_db.mark_done(self.archive, self.job, [request.meta["queued_url"]])
        self.article_error(failure)

    def parse_doc(self, response):
        raise NotImplementedError


class SitemapBackfill(BackfillSpider):
    """Sitemap indexes walked by date: children whose name or lastmod can hold the period, URLs
    whose news:publication_date / lastmod (or /YYYY/MM/DD/ path) falls in it."""

    name = "backfill-sitemap"

    async def start(self):
        for r in self.resume():
            yield r
        for r in self.start_docs([(self.source.url, {})]):
            yield r

    def parse_doc(self, response):
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except (OSError, ValueError) as exc:
                self.record_error(f"{response.url}: cannot gunzip sitemap: {exc}")
                queue_db.mark_done(self.archive, self.job, [response.request.url])
                return
        try:
            entries = parse_sitemap(body)
        except SitemapError as exc:
            if response.request.url == self.source.url:
                self.index_failed = True
            self.record_error(f"{response.url}: {exc}")
            queue_db.mark_done(self.archive, self.job, [response.request.url])
            return
        own = name_period(response.request.url)
        named_inside = own is not None and self.period.start <= own[0] and own[1] <= self.period.end
        children: list[tuple[str, dict]] = []
        articles: list[tuple[str, Hints]] = []
        for e in entries:
            if e.is_index:
                if self.child_may_hold(e.loc, e.published_at):
                    children.append((e.loc, {}))
                continue
            when = e.published_at or url_day(e.loc)
            if self.period.holds(when) or (when is None and named_inside):
                articles.append((e.loc, Hints(title=e.title, published_at=e.published_at)))
        yield from self.doc_read(response, children, articles)

    def child_may_hold(self, loc: str, lastmod: str | None) -> bool:
        named = name_period(loc)
        if named is not None:
            return self.period.overlaps(*named)
        # a sitemap last changed before the period began cannot list an article of the period
        return not (lastmod and lastmod < self.period.start_iso)


class GdeltBackfill(BackfillSpider):
    """GDELT DOC API by STARTDATETIME / ENDDATETIME windows, split while an answer hits the cap,
    one call at a time at least MIN_DELAY apart."""

    name = "backfill-gdelt"

    def window_url(self, start: datetime, end: datetime) -> str:
        parts = urlsplit(self.source.url)
        params = [(k, v) for k, v in parse_qsl(parts.query) if k.lower() != "timespan"]
        params += [
            ("STARTDATETIME", start.strftime("%Y%m%d%H%M%S")),
            ("ENDDATETIME", end.strftime("%Y%m%d%H%M%S")),
        ]
        return urlunsplit(parts._replace(query=urlencode(params)))

    @property
    def cap(self) -> int:
        query = dict(parse_qsl(urlsplit(self.source.url).query))
        return min(250, int(query.get("maxrecords", 250)))

    def windows(self, start: datetime, end: datetime) -> list[tuple[str, dict]]:
        out = []
        while start < end:
            stop = min(start + GDELT_WINDOW, end)
            out.append(self.window(start, stop))
            start = stop
        return out

    def window(self, start: datetime, end: datetime) -> tuple[str, dict]:
        meta = {"start": db.utc_iso(start), "end": db.utc_iso(end)}
        return self.window_url(start, end), meta

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.failed_windows: set[str] = set()  # this run's; they stay queued for the next

    async def start(self):
        queue_db.queue(
            self.archive, self.job, [(u, "doc", m) for u, m in self.windows(*self.bounds())]
        )
        first = self.next_window()
        if first is not None:
            yield first
        for r in self.article_requests_for(queue_db.pending(self.archive, self.job, "article")):
            yield r

    def bounds(self):
        return self.period.start, self.period.end

    def next_window(self) -> scrapy.Request | None:
        """The API is asked one window at a time: the next request leaves after the answer."""
        waiting = [
            (u, m)
            for u, m in queue_db.pending(self.archive, self.job, "doc")
            if u not in self.failed_windows
        ]
        if not waiting:
            return None
        url, meta = waiting[0]
        request = self.doc_request(url, meta)
        request.errback = self.window_failed
        return request

    async def window_failed(self, failure):
        """A window that failed stays queued for the next run; this run goes on with the rest."""
        self.index_error(failure)
        self.failed_windows.add(failure.request.url)
        await asyncio.sleep(MIN_DELAY)
        following = self.next_window()
        if following is not None:
            yield following

    async def parse_doc(self, response):
        text = response.text.strip() if hasattr(response, "text") else ""
        meta = response.meta.get("doc") or {}
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            reason = "rate limited" if "limit requests" in text.lower() else "not JSON"
            self.record_error(f"{response.url}: GDELT answer {reason}: {text[:120]!r}")
            data = None
        docs, found = [], []
        if data is not None:
            articles = data.get("articles", []) if isinstance(data, dict) else []
            start, end = db.parse_iso(meta.get("start")), db.parse_iso(meta.get("end"))
            if len(articles) >= self.cap and start and end and end - start > GDELT_MIN_WINDOW:
                middle = start + (end - start) / 2
                docs = [self.window(start, middle), self.window(middle, end)]
            else:
                for a in articles:
                    if isinstance(a, dict) and isinstance(a.get("url"), str):
                        seen = seendate_iso(a.get("seendate"))
                        found.append(
                            (
                                a["url"],
                                Hints(title=a.get("title"), outlet=a.get("domain"), seen_at=seen),
                            )
                        )
        for r in self.doc_read(response, docs, found, follow_docs=False):
            yield r
        await asyncio.sleep(MIN_DELAY)  # GDELT asks for one call every five seconds
        following = self.next_window()
        if following is not None:
            yield following


class GnewsBackfill(BackfillSpider):
    """Google News searches day by day with the query's after: / before: operators."""

    name = "backfill-gnews"

    def day_url(self, day: datetime) -> str:
        parts = urlsplit(self.source.url)
        after, before = day.strftime("%Y-%m-%d"), (day + timedelta(days=1)).strftime("%Y-%m-%d")
        params = [
            (k, f"{v} after:{after} before:{before}" if k == "q" else v)
            for k, v in parse_qsl(parts.query)
        ]
        return urlunsplit(parts._replace(query=urlencode(params)))

    async def start(self):
        for r in self.resume():
            yield r
        for r in self.start_docs([(self.day_url(d), {}) for d in self.period.days()]):
            yield r

    def parse_doc(self, response):
        try:
            feed = parse_feed(
                response.body,
                response.headers.get(b"Content-Type", b"").decode("latin-1"),
                response.url,
            )
        except FeedError as exc:
            self.record_error(f"{response.url}: {exc}")
            queue_db.mark_done(self.archive, self.job, [response.request.url])
            return
        follow = []
        for e in feed.entries:
            title, outlet = split_title(e.title or "", e.source_title)
            hints = Hints(title=title, published_at=e.published_at, outlet=outlet)
            target = decode_link(e.link) if is_gnews_link(e.link) else e.link
            if target:
                follow.append((target, hints))
            else:
                yield UnresolvedItem(source=self.source.name, link=e.link, hints=hints)
        yield from self.doc_read(response, (), follow)


class WaybackBackfill(BackfillSpider, WaybackSpider):
    """The Internet Archive's captures of the source's patterns in the period, page by page."""

    name = "backfill-wayback"

    async def start(self):
        for r in self.resume():
            yield r
        docs: list[tuple[str, dict]] = [
            (cdx_url(self.cdx_endpoint, p, self.period.start, self.period.end), {})
            for p in self.source.patterns
        ]
        for r in self.start_docs(docs):
            yield r

    def parse_doc(self, response):
        found = self.read_cdx(response)
        if found is None:
            queue_db.mark_done(self.archive, self.job, [response.request.url])
            return
        captures, resume_key = found
        docs: list[tuple[str, dict]] = []
        if resume_key:
            pattern = dict(parse_qsl(urlsplit(response.request.url).query))["url"]
            docs.append(
                (
                    cdx_url(
                        self.cdx_endpoint,
                        pattern,
                        self.period.start,
                        self.period.end,
                        resume_key,
                    ),
                    {},
                )
            )
        latest: dict[str, Capture] = {}
        for c in captures:  # one capture per page: the last one of the period
            if self.period.holds(c.captured_at) and (
                c.original not in latest or c.timestamp > latest[c.original].timestamp
            ):
                latest[c.original] = c
        yield from self.doc_read(
            response, docs, [(u, self.capture_hints(c)) for u, c in latest.items()]
        )

    def article_request(self, url: str, hints: Hints) -> scrapy.Request:
        request = self.copy_request(url, hints)
        request.callback, request.errback = self.parse_backfilled, self.backfill_error
        request.meta["queued_url"] = url
        return request

    def parse_backfilled(self, response):
        queue_db.mark_done(self.archive, self.job, [response.meta["queued_url"]])
        yield from self.parse_copy(response)


BACKFILL_SPIDERS = {
    "sitemap": SitemapBackfill,
    "gdelt": GdeltBackfill,
    "gnews": GnewsBackfill,
    "wayback": WaybackBackfill,
}


class BackfillProgress:
    """A progress line on stderr every few seconds: documents and pages done, articles stored,
    and the time left at the pace so far."""

    interval = 5.0

    def __init__(self, crawler):
        self.crawler = crawler
        self.loop = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def opened(self, spider):
        if not getattr(spider, "backfill", False):
            return
        self.loop = task.LoopingCall(self.report, spider)
        self.loop.start(self.interval, now=False)

    def closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if getattr(spider, "backfill", False):
            self.report(spider, final=True)

    def report(self, spider, final: bool = False) -> None:
        counts = queue_db.progress(archive(spider.db_path), spider.job)
        pages = self.crawler.stats.get_value("downloader/request_count", 0)
        docs_total = counts["doc_done"] + counts["doc_pending"]
        done = counts["doc_done"] + counts["article_done"]
        left = counts["doc_pending"] + counts["article_pending"]
        elapsed = time.monotonic() - spider.started
        eta = "done" if final or not left else "?"
        if done and left and not final:
            eta = str(timedelta(seconds=round(elapsed / done * left))) + " left"
        sys.stderr.write(
            f"{spider.source.name}: periods {counts['doc_done']}/{docs_total}, "
            f"pages {pages}, articles stored {spider.new_articles}, "
            f"queued {counts['article_pending']}, {eta}\n"
        )
        sys.stderr.flush()


def run_backfill(
    sources: list[Source],
    crawler: CrawlerConfig,
    db_path: str,
    period: Period,
    matcher=None,
    log_level: str = "WARNING",
    max_pages: int | None = None,
) -> list[RunSummary]:
    """Backfill the sources concurrently over the period; returns what each run did."""
    unsupported = [s.name for s in sources if s.kind not in BACKFILL_SPIDERS]
    if unsupported:
        raise BackfillError(
            f"{', '.join(unsupported)}: a {sources[0].kind if len(sources) == 1 else 'feed or listing'} "
            "source keeps no history; add a wayback source for the outlet"
        )
    conn = register_sources(str(db_path), sources)
    settings = scrapy_settings(crawler, str(db_path), log_level)
    extensions = dict(settings.getdict("EXTENSIONS"))
    extensions["mediawatch.scrapers.backfill.BackfillProgress"] = 600
    settings.set("EXTENSIONS", extensions, priority="cmdline")
    process = CrawlerProcess(settings)
    crawlers = []
    for source in sources:
        c = process.create_crawler(BACKFILL_SPIDERS[source.kind])
        crawlers.append(c)
        process.crawl(
            c,
            source=source,
            db_path=str(db_path),
            matcher=matcher,
            period=period,
            max_pages=max_pages,
        )
    process.start()
    summaries = []
    for c in crawlers:
        spider = c.spider
        if not isinstance(spider, NewsSpider) or spider.run_id is None:
            continue
        row = conn["crawl_runs"].get(spider.run_id)
        summaries.append(
            RunSummary(
                source=spider.source.name,
                status=row["status"],
                requests=row["requests"] or 0,
                new_articles=row["new_articles"] or 0,
                duplicates=row["duplicates"] or 0,
                errors=list(spider.errors),
            )
        )
    close_all()
    return summaries
