"""Opaque Google News links -> publisher URLs, the way the field does it, through Scrapy requests.

Google's two steps (as the `googlenewsdecoder` package documents them): the article page
`/rss/articles/<token>` carries a signature (`data-n-a-sg`) and a timestamp (`data-n-a-ts`); a POST
of both to `batchexecute` answers with the publisher URL. Both are ordinary Scrapy requests, so
robots.txt, retries, Retry-After, address safety and politeness apply. Resolutions run one after
another per source, in a download slot of their own whose delay is the source's `interval`
(at most one resolution every `interval` seconds), up to `budget` per run; each answer is cached in
the archive (db.gnews), failures are retried on later runs within the look-back. Any unexpected
answer (rate limit, a changed response shape) leaves the item unresolved, as before.
"""

from __future__ import annotations

import json
import re
from collections import deque
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import scrapy
from mediawatch.db import gnews as store
from mediawatch.scrapers.gnews import ARTICLE_PATH
from mediawatch.scrapers.items import Hints
from mediawatch.scrapers.stats import GNEWS_RESOLVED, GNEWS_UNRESOLVED

_SIGNATURE = re.compile(r'data-n-a-sg="([^"]+)"')
_TIMESTAMP = re.compile(r'data-n-a-ts="([^"]+)"')
# the request context Google's own page sends; only the token, timestamp and signature vary
_CONTEXT = [
    ["X", "X", ["X", "X"], None, None, 1, 1, "US:en", None, 1, None, None, None, None, None, 0, 1],
    "X",
    "X",
    1,
    [1, 1, 1],
    1,
    1,
    None,
    0,
    0,
    None,
    0,
]


def token_of(link: str) -> str | None:
    match = ARTICLE_PATH.search(urlsplit(link).path)
    return match.group(1) if match else None


def read_signature(html: str) -> tuple[str, str] | None:
    """(signature, timestamp) from the article page, or None when the page has neither."""
    sig, ts = _SIGNATURE.search(html), _TIMESTAMP.search(html)
    return (sig.group(1), ts.group(1)) if sig and ts else None


def batchexecute_body(token: str, timestamp: str, signature: str) -> str:
    inner = ["garturlreq", _CONTEXT, token, int(timestamp) if timestamp.isdigit() else timestamp]
    inner.append(signature)
    envelope = ["Fbv4je", json.dumps(inner, separators=(",", ":")), None, "generic"]
    return "f.req=" + quote(json.dumps([[envelope]], separators=(",", ":")))


def parse_batchexecute(text: str) -> str | None:
    """The publisher URL in a batchexecute answer, or None when the answer holds none we know.

    The answer is `)]}'` then either one JSON array of rows or length-prefixed chunks of rows;
    the row ["wrb.fr", "Fbv4je", "<json: [\"garturlres\", URL, ...]>", ...] carries the URL."""
    body = text.lstrip()
    if body.startswith(")]}'"):
        body = body[4:]
    rows: list = []
    try:
        rows = json.loads(body)
    except ValueError:
        for line in body.splitlines():
            if line.lstrip().startswith("["):
                try:
                    rows.extend(json.loads(line))
                except ValueError:
                    continue
    for row in rows if isinstance(rows, list) else []:
        if not (isinstance(row, list) and len(row) >= 3 and row[:2] == ["wrb.fr", "Fbv4je"]):
            continue
        try:
            payload = json.loads(row[2]) if isinstance(row[2], str) else row[2]
        except ValueError:
            continue
        if isinstance(payload, list) and len(payload) > 1 and payload[0] == "garturlres":
            url = payload[1]
            if isinstance(url, str) and urlsplit(url).scheme in ("http", "https"):
                return url
    return None


@dataclass
class Pending:
    token: str
    link: str
    hints: Hints


class ArchiveLinks:
    """Where the token cache and backlog live on one machine: the archive (db.gnews)."""

    def __init__(self, spider):
        self.spider = spider

    def resolved_urls(self, tokens: list[str]) -> dict[str, str]:
        return store.resolved_urls(self.spider.archive, tokens)

    def note_tokens(self, source: str, items: list[tuple]) -> None:
        store.note_tokens(self.spider.archive, source, items)

    def backlog(self, source: str, since: str, limit: int) -> list[dict]:
        return store.backlog(self.spider.archive, source, since, limit)

    def mark_resolved(self, token: str, url: str) -> None:
        store.mark_resolved(self.spider.archive, token, url)

    def mark_failed(self, token: str, error: str) -> None:
        store.mark_failed(self.spider.archive, token, error)

    def link_item(self, link: str, url: str) -> None:
        store.link_item(self.spider.archive, link, url)


class Resolver:
    """One source's resolutions in this run: a queue worked one token at a time."""

    def __init__(self, spider, config, links=None):
        self.spider = spider
        self.config = config
        self.links = links or ArchiveLinks(spider)
        self.queue: deque[Pending] = deque()
        self.queued: set[str] = set()
        self.left = config.budget
        self.slot = f"gnews-resolve:{spider.source.name}"
        self.busy = False
        self.stopped = False

    @staticmethod
    def slot_settings(sources) -> dict[str, dict]:
        """DOWNLOAD_SLOTS entries pacing each gnews source's resolutions (see runner)."""
        return {
            f"gnews-resolve:{s.name}": {
                "concurrency": 1,
                "delay": s.resolve.interval,
                "randomize_delay": False,  # never sooner than `interval`
            }
            for s in sources
            if s.kind == "gnews" and s.resolve is not None
        }

    def cached(self, tokens: list[str]) -> dict[str, str]:
        return self.links.resolved_urls(tokens)

    def add(self, items: list[Pending], since: str):
        """Queue this feed's unresolved tokens and the source's older backlog; start the chain."""
        name = self.spider.source.name
        self.links.note_tokens(name, [(p.token, p.link, p.hints.published_at) for p in items])
        for p in items:
            self._queue(p)
        for row in self.links.backlog(name, since, self.config.budget * 2):
            hints = Hints(
                title=row["title"], published_at=row["published_at"], outlet=row["outlet"]
            )
            self._queue(Pending(row["token"], row["link"], hints))
        yield from self._next()

    def _queue(self, item: Pending) -> None:
        if item.token not in self.queued:
            self.queued.add(item.token)
            self.queue.append(item)

    # one resolution in flight at a time, paced by the source's own download slot; a cluster
    # resolver (scrapers.cluster) sends them all and paces them with a slot in Redis
    one_at_a_time = True

    def take_budget(self) -> bool:
        """A resolution counts against the page budget."""
        spider = self.spider
        if spider.article_requests >= spider.source.max_pages:
            return False
        spider.article_requests += 1
        return True

    def _next(self):
        if self.busy or self.stopped:
            return
        spider = self.spider
        while self.queue:
            if self.left <= 0 or not self.take_budget():
                spider.logger.info("gnews: %d link(s) left for a later run", len(self.queue))
                return
            item = self.queue.popleft()
            self.left -= 1
            self.busy = self.one_at_a_time
            yield scrapy.Request(
                self._page_url(item.token),
                callback=self._on_page,
                errback=self._on_error,
                dont_filter=True,
                meta={
                    "gnews": item,
                    "download_slot": self.slot,
                    "autothrottle_dont_adjust_delay": True,
                },
            )
            if self.one_at_a_time:
                return

    def _page_url(self, token: str) -> str:
        query = parse_qs(urlsplit(self.spider.source.url).query)
        locale = {k: query[k][0] for k in ("hl", "gl", "ceid") if query.get(k)}
        url = self.config.article_page.rstrip("/") + "/" + token
        return f"{url}?{urlencode(locale)}" if locale else url

    def _on_page(self, response):
        item: Pending = response.meta["gnews"]
        found = read_signature(response.text) if hasattr(response, "text") else None
        if not found:
            yield from self._fail(item, "no signature on the Google News article page")
            return
        signature, timestamp = found
        yield scrapy.Request(
            self.config.batchexecute,
            method="POST",
            body=batchexecute_body(item.token, timestamp, signature),
            headers={"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"},
            callback=self._on_answer,
            errback=self._on_error,
            dont_filter=True,
            meta={"gnews": item},
        )

    def _on_answer(self, response):
        item: Pending = response.meta["gnews"]
        url = parse_batchexecute(response.text) if hasattr(response, "text") else None
        if not url or (urlsplit(url).hostname or "").endswith("news.google.com"):
            yield from self._fail(item, "batchexecute answer holds no publisher URL")
            return
        self.links.mark_resolved(item.token, url)
        self.spider.crawler.stats.inc_value(GNEWS_RESOLVED)
        self.links.link_item(item.link, url)  # when the article is already in the archive
        self.busy = False
        yield from self.spider.follow_articles([(url, replace(item.hints, via=item.link))])
        yield from self._next()

    def _on_error(self, failure):
        from mediawatch.scrapers.failures import describe_failure

        item: Pending = failure.request.meta["gnews"]
        reason = describe_failure(failure)
        if " HTTP 429" in reason:
            self.stopped = True  # rate limited: the rest wait for a later run
        yield from self._fail(item, reason)

    def _fail(self, item: Pending, reason: str):
        self.spider.logger.warning("gnews: could not resolve %s: %s", item.link, reason)
        self.links.mark_failed(item.token, reason)
        self.spider.crawler.stats.inc_value(GNEWS_UNRESOLVED)
        self.busy = False
        yield from self._next()
