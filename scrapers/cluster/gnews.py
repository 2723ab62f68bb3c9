"""Google News link resolution in a worker: the token cache and backlog live in the archive,
which a worker never opens, so they are answered from Redis and the changes go through the stream.

Resolved tokens are mirrored in a Redis hash (seeded from the archive by the writer, kept in step
as it stores each resolution); the source's older unresolved tokens are read from the archive by
the daemon when it queues the cycle. The resolutions of one feed are all queued at once (any worker
may take them) and paced for the whole cluster by the source's slot in Redis (`interval`).
"""

from __future__ import annotations

from mediawatch.scrapers.gnews_resolve import Resolver


class ClusterLinks:
    def __init__(self, spider):
        self.spider = spider

    def _send(self, op: str, **fields) -> None:
        spider = self.spider
        spider.frontier.add(
            {
                "type": "gnews",
                "op": op,
                "run": spider.run_id,
                "source": spider.source.name,
                **fields,
            }
        )

    def resolved_urls(self, tokens: list[str]) -> dict[str, str]:
        return self.spider.frontier.gnews_resolved(tokens)

    def note_tokens(self, source: str, items: list[tuple]) -> None:
        if items:
            self._send("note_tokens", items=[list(i) for i in items])

    def backlog(self, source: str, since: str, limit: int) -> list[dict]:
        return self.spider.frontier.gnews_backlog(self.spider.run_id)[:limit]

    def mark_resolved(self, token: str, url: str) -> None:
        self._send("mark_resolved", token=token, url=url)

    def mark_failed(self, token: str, error: str) -> None:
        self._send("mark_failed", token=token, error=error)

    def link_item(self, link: str, url: str) -> None:
        self._send("link_item", link=link, url=url)


class ClusterResolver(Resolver):
    one_at_a_time = False

    def __init__(self, spider, config):
        super().__init__(spider, config, ClusterLinks(spider))

    def take_budget(self) -> bool:
        spider = self.spider
        return spider.frontier.take_budget(spider.run_id, spider.source.max_pages)
