"""The worker's item pipeline: the same extraction and matching as on one machine, then the article
goes to the Redis stream (for the archive writer) instead of into SQLite."""

from __future__ import annotations

from mediawatch.scrapers.items import ArticlePage, UnresolvedItem
from mediawatch.scrapers.matching import find_topics
from mediawatch.scrapers.pipelines import ArchivePipeline
from scrapy.exceptions import DropItem


class StreamPipeline(ArchivePipeline):
    def handle(self, item):
        cluster = self.crawler.spider
        meta = getattr(item, "mw_meta", None) or {}  # an article page: its request to settle
        origin = getattr(item, "mw_origin", None) or meta
        spider = None
        try:
            if not isinstance(item, ArticlePage | UnresolvedItem):
                return item
            spider = cluster.delegate(item.source, origin.get("mw_run"))
            if isinstance(item, UnresolvedItem):
                return self._store_unresolved(spider, item)
            return self._store_page(spider, item)
        except DropItem:
            raise
        except Exception as exc:  # noqa: BLE001 - recorded, never fatal to the crawl
            where = getattr(item, "url", None) or getattr(item, "link", "?")
            if spider is not None:
                spider.record_error(f"{where}: could not extract: {type(exc).__name__}: {exc}")
            raise DropItem(str(exc)) from exc
        finally:
            if meta:
                cluster.settle(getattr(item, "mw_lease", None), meta)

    def _store(self, spider, item, article: dict, also_urls) -> object:
        found = find_topics(spider.matcher, article["title"], article["text"])
        spider.frontier.add(
            {
                "type": "article",
                "run": spider.run_id,
                "source": spider.source.name,
                "article": article,
                "also": sorted(u for u in also_urls if u),
                "flags": found,
                "backlog": getattr(item, "backlog_url", None),  # settled in the same transaction
                "via": getattr(getattr(item, "hints", None), "via", None),
            }
        )
        return item
