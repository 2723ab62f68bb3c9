"""The worker's one spider: takes any source's request from the shared queue and hands the response
to that source's own spider code, so feeds, sitemaps and listings parse exactly as on one machine.

"Already known?" is answered from Redis (the known-URL set the writer seeds from the archive), and
every result goes to the stream: a worker never opens the archive.
"""

from __future__ import annotations

import inspect
from dataclasses import asdict
from typing import TYPE_CHECKING

import scrapy
from mediawatch.scrapers import claims
from mediawatch.scrapers.canonical import strip_tracking
from mediawatch.scrapers.cluster.frontier import PREFIX, Frontier, connect
from mediawatch.scrapers.failures import describe_failure
from mediawatch.scrapers.runner import SPIDERS
from mediawatch.scrapers.spiders.base import NewsSpider
from mediawatch.scrapers.stats import CLUSTER_PAGES
from scrapy import signals
from scrapy.exceptions import DontCloseSpider

if TYPE_CHECKING:
    from mediawatch.scrapers.cluster.scheduler import ClusterScheduler


class ClusterSource(NewsSpider):
    """Mixed into a source's spider class: the archive seams answered by Redis instead.

    The backlog and its guarantee hold as on one machine, through the stream: the URLs a document
    names go to the archive's backlog (in the stream before any of their requests), stored ones
    leave it in the writer's transaction, judged or failed-for-good ones by a `settle` entry,
    failed-for-now ones stay (`retry`), and the daemon queues what waits at the next cycle. A
    document's validators are kept by the writer at the end of the run, only if all it named is
    settled. The page budget is counted for the whole cluster (frontier.take_budget).
    No `name`: never a spider of its own."""

    frontier: Frontier

    @property
    def archive(self):
        raise RuntimeError("a cluster worker never opens the archive")

    @property
    def run(self) -> int:
        """This cycle's crawl run (a delegate is made for one run: ClusterSpider.delegate)."""
        assert self.run_id is not None
        return self.run_id

    def follow_articles(self, candidates, document=None):
        fresh = self.fresh(candidates)
        if document is not None and document in self.documents:
            self.documents[document].items.update(u for u, _ in fresh)
        forms = {url: {url, strip_tracking(url)} for url, _ in fresh}
        new, seen = [], self.frontier.known_of({f for fs in forms.values() for f in fs})
        for url, hints in fresh:
            if not forms[url] & seen:  # not in the archive, nor queued by any worker
                seen |= forms[url]
                new.append((url, hints))
        if new:
            self.frontier.add(
                {
                    "type": "backlog",
                    "run": self.run_id,
                    "source": self.source.name,
                    "items": [[u, asdict(h)] for u, h in new],
                }
            )
        for url, hints in new:
            if not self.frontier.take_budget(self.run, self.source.max_pages):
                self.logger.info("page budget of %d reached; the rest waits", self.source.max_pages)
                return
            if not self.frontier.claim(url, forms[url]):
                self.frontier.return_budget(self.run)
                continue  # queued by some worker meanwhile; it waits in the backlog
            yield self.article_request(url, hints)

    def make_resolver(self, config):
        from mediawatch.scrapers.cluster.gnews import ClusterResolver

        return ClusterResolver(self, config)

    def index_error(self, failure) -> None:
        self.index_failed = True
        self.report_error(describe_failure(failure), index=True)

    def retry_later(self, url: str, message: str) -> None:
        """The writer counts the attempt in the archive's backlog (a worker never opens it)."""
        self.frontier.add(
            {
                "type": "retry",
                "run": self.run_id,
                "source": self.source.name,
                "url": url,
                "message": message,
            }
        )

    def settle(self, url: str | None) -> None:
        if url:
            self.frontier.add(
                {"type": "settle", "run": self.run_id, "source": self.source.name, "url": url}
            )

    def publish_document(self, url: str) -> None:
        """A document read by this worker, for the writer's end-of-run check (which may need
        documents read by other workers: child sitemaps)."""
        doc = self.documents.get(url)
        if doc is not None and doc.read:
            self.frontier.note_document(self.run, url, doc)

    def record_error(self, message: str) -> None:
        self.report_error(message, index=self.index_failed)

    def report_error(self, message: str, index: bool) -> None:
        self.logger.warning(message)
        self.errors.append(message)
        self.frontier.add(
            {
                "type": "error",
                "run": self.run_id,
                "source": self.source.name,
                "message": message,
                "index": bool(index),
            }
        )


_CLASSES: dict[type, type] = {}


def cluster_class(cls: type) -> type:
    if cls not in _CLASSES:
        _CLASSES[cls] = type(f"Cluster{cls.__name__}", (ClusterSource, cls), {})
    return _CLASSES[cls]


class ClusterSpider(scrapy.Spider):
    name = "mediawatch-cluster"
    scheduler: ClusterScheduler  # set by the scheduler when it opens

    def __init__(self, sources, redis_url: str, matcher=None, **kwargs):
        super().__init__(**kwargs)
        self.sources = {s.name: s for s in sources}
        self.matcher = matcher
        self.frontier = Frontier(connect(redis_url))
        self.held: set[str] = set()  # leases this worker holds
        self.delegates: dict[tuple[str, int], scrapy.Spider] = {}
        self.last_error: str | None = None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        return spider

    async def start(self):
        return
        yield  # noqa: V201 - the queue in Redis is the only source of requests

    def idle(self):
        claims.reset()  # the pipeline's per-process claims: nothing in flight, so forget them
        raise DontCloseSpider("waiting for requests in the shared queue")

    def delegate(self, source_name: str, run: int):
        """The source's spider for this cycle (fresh per cycle: budgets and sitemaps seen reset)."""
        key = (source_name, run)
        if key not in self.delegates:
            for old in [k for k in self.delegates if k[0] == source_name]:
                del self.delegates[old]
            source = self.sources[source_name]
            spider = cluster_class(SPIDERS[source.kind])(source=source, matcher=self.matcher)
            spider.frontier = self.frontier
            spider.run_id = run
            spider._set_crawler(self.crawler)
            self.delegates[key] = spider
        return self.delegates[key]

    # -- callbacks ------------------------------------------------------------------------

    async def dispatch(self, response, **kwargs):
        meta = response.meta
        run, name = meta.get("mw_run"), meta.get("mw_source")
        deferred = False
        try:
            self.frontier.r.hincrby(f"{PREFIX}:run:{run}", "requests", 1)
            self.crawler.stats.inc_value(CLUSTER_PAGES)
            if name not in self.sources:
                self.last_error = f"{response.url}: source {name!r} is not configured here"
                self.logger.warning(self.last_error)
                return
            spider = self.delegate(name, run)
            out = _attribute(spider, meta["mw_cb"])(response, **kwargs)
            async for thing in _iterate(out):
                if isinstance(thing, scrapy.Request):
                    yield self.adopt(thing, meta)
                    continue
                thing.mw_origin = {"mw_run": run, "mw_source": name}  # its source's run
                if meta["mw_cb"] == "parse_article":
                    # the pipeline settles the lease once the article is in the stream
                    deferred = True
                    thing.mw_lease = meta.get("mw_lease")
                    thing.mw_meta = thing.mw_origin
                yield thing
            self._note_newest(run, spider)
            if meta["mw_cb"] != "parse_article":
                spider.publish_document(response.request.url)
        finally:
            if not deferred:
                self.settle(meta.get("mw_lease"), meta)

    def dispatch_error(self, failure):
        request = failure.request
        meta = request.meta
        run, name = meta.get("mw_run"), meta.get("mw_source")
        try:
            self.frontier.r.hincrby(f"{PREFIX}:run:{run}", "requests", 1)
            self.last_error = describe_failure(failure)
            if name in self.sources:
                spider = self.delegate(name, run)
                if meta.get("mw_eb"):  # the resolver's own errback: it may ask for the next link
                    for thing in _attribute(spider, meta["mw_eb"])(failure) or ():
                        if isinstance(thing, scrapy.Request):
                            yield self.adopt(thing, meta)
                elif meta.get("mw_cb") == "parse_article":
                    spider.article_error(failure)
                    self.frontier.forget(request.url)  # tried again next cycle
                    df = self.scheduler.df  # and out of the dupefilter, for the same reason
                    self.frontier.r.srem(df.key, df.request_fingerprint(request))
                else:
                    spider.index_error(failure)
        finally:
            self.settle(meta.get("mw_lease"), meta)

    def adopt(self, request: scrapy.Request, parent: dict) -> scrapy.Request:
        """A source spider's request, routed back through this spider and counted in its run."""
        callback, errback = request.callback, request.errback
        resolver = getattr(self.delegate(parent["mw_source"], parent["mw_run"]), "resolver", None)
        meta = dict(request.meta)
        meta.pop("mw_lease", None)
        meta.pop("mw_eb", None)
        meta.update(
            mw_source=parent["mw_source"],
            mw_run=parent["mw_run"],
            mw_cb=_name(callback, resolver) if callback else "parse",
            source_name=parent["mw_source"],
        )
        if errback is not None and getattr(errback, "__self__", None) is resolver is not None:
            meta["mw_eb"] = _name(errback, resolver)
        self.frontier.open_requests(parent["mw_run"])
        return request.replace(callback=self.dispatch, errback=self.dispatch_error, meta=meta)

    def settle(self, lease: str | None, meta: dict) -> None:
        """The request's results are handed on: drop its lease and count it done in its run."""
        if lease:
            self.held.discard(lease)
            self.frontier.ack(lease)
        if meta.get("mw_run") is not None:
            self.frontier.close_request(meta["mw_run"], meta["mw_source"])

    def _note_newest(self, run, spider) -> None:
        newest = spider.newest_item_at
        if newest:
            key = f"{PREFIX}:run:{run}"
            old = self.frontier.r.hget(key, "newest")
            if old is None or (old.decode() if isinstance(old, bytes) else old) < newest:
                self.frontier.r.hset(key, "newest", newest)


def _name(method, resolver) -> str:
    """A callback by name (requests cross processes): the spider's, or its resolver's."""
    if resolver is not None and getattr(method, "__self__", None) is resolver:
        return f"resolver.{method.__name__}"
    return method.__name__


def _attribute(spider, name: str):
    for part in name.split("."):
        spider = getattr(spider, part)
    return spider


async def _iterate(out):
    if out is None:
        return
    if inspect.isasyncgen(out):
        async for thing in out:
            yield thing
        return
    if inspect.isawaitable(out):
        out = await out
        if out is None:
            return
    if isinstance(out, scrapy.Request | dict) or not hasattr(out, "__iter__"):
        yield out
        return
    for thing in out:
        yield thing
