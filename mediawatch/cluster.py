"""The daemon's side of a cluster: enqueue each crawl job's sources, run the archive writer.

Only loaded when `cluster: {redis: URL}` is in schedules.yaml or MEDIAWATCH_REDIS is set; the
single-machine mode never imports redis.
"""

from __future__ import annotations

import json
import os
import threading
from urllib.parse import urlsplit

from mediawatch.errors import ConfigError
from mediawatch.times import utc_iso

ENV = "MEDIAWATCH_REDIS"


def redis_url(schedules) -> str | None:
    """MEDIAWATCH_REDIS wins over schedules.yaml's `cluster: {redis: ...}`; None: one machine."""
    url = os.environ.get(ENV, "").strip()
    if url:
        if urlsplit(url).scheme not in ("redis", "rediss", "unix"):
            raise ConfigError(ENV, None, None, f"must be a redis:// URL, got {url!r}")
        return url
    return getattr(schedules, "cluster_redis", None)


class ClusterDriver:
    """Start requests into the shared queue on each job's schedule; the writer in a thread."""

    def __init__(self, url: str, db_path, log, on_run_finished):
        from mediawatch.scrapers.cluster.frontier import Frontier, connect
        from mediawatch.scrapers.cluster.writer import ArchiveWriter

        self.url = url
        self.db_path = str(db_path)
        self.log = log
        self.frontier = Frontier(connect(url))
        self.writer = ArchiveWriter(url, self.db_path, on_run_finished)
        self.stop_event = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(
            target=self.writer.run, args=(self.stop_event,), name="archive-writer", daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def enqueue(self, job_name: str, sources, conn) -> int:
        """One crawl run per source, its start request queued; a source whose previous cycle is
        still being crawled is skipped (as max_instances=1 does on one machine)."""
        from mediawatch import db
        from mediawatch.db.cluster import open_runs
        from mediawatch.scrapers.cluster.frontier import (
            ACTIVE,
            BUDGET,
            GNEWS_BACKLOG,
            OUTSTANDING,
            QUEUE,
            RUN_TTL,
        )
        from mediawatch.scrapers.cluster.requests import START, start_request_data

        queued = 0
        for source in sources:
            if source.kind not in START:
                self.log.warning(
                    source.name, f"kind {source.kind!r} cannot run in the cluster; not crawled"
                )
                continue
            if self.frontier.active_run(source.name) is not None:
                self.log.info(source.name, "previous cycle still crawling in the cluster; skipped")
                continue
            for lost in open_runs(conn, source.name):  # Redis restarted empty meanwhile
                db.finish_run(
                    conn,
                    lost,
                    status="failed",
                    requests=0,
                    new_articles=0,
                    duplicates=0,
                    error_messages=[
                        "cycle lost in the cluster (Redis restarted without its data?)"
                    ],
                )
            run = db.start_run(conn, source.name)
            waiting = self.backlog_requests(source, run, conn)
            pipe = self.frontier.r.pipeline()
            pipe.hset(ACTIVE, source.name, run)
            pipe.hincrby(OUTSTANDING, str(run), 1 + len(waiting))
            pipe.set(f"{BUDGET}{run}", len(waiting), ex=RUN_TTL)
            if tokens := self.gnews_backlog(source, conn):
                pipe.set(f"{GNEWS_BACKLOG}{run}", json.dumps(tokens), ex=RUN_TTL)
            for data in [*waiting, start_request_data(source, run)]:  # the backlog first
                pipe.lpush(QUEUE, data)
            pipe.execute()
            queued += 1
        self.log.info(job_name, "crawl queued for the cluster's workers", sources=queued)
        return queued

    def backlog_requests(self, source, run: int, conn) -> list[bytes]:
        """What earlier cycles left for the source (out of budget, failed for now, lost),
        oldest first and within its page budget; each claimed in the known-URL set so that no
        worker requests it again from the feed. Stored meanwhile: settled here."""
        from datetime import UTC, datetime, timedelta

        from mediawatch import db
        from mediawatch.scrapers.canonical import strip_tracking
        from mediawatch.scrapers.cluster.requests import backlog_request_data

        cutoff = utc_iso(datetime.now(UTC) - timedelta(seconds=source.lookback))
        rows = db.backlog(conn, source.name, cutoff)
        if not rows:
            return []
        forms = {r["url"]: {r["url"], strip_tracking(r["url"])} for r in rows}
        known = db.known_urls(conn, [f for fs in forms.values() for f in fs])
        out: list[bytes] = []
        for row in rows:
            url = row["url"]
            if forms[url] & known:
                db.settle_backlog(conn, source.name, url)
            elif len(out) < source.max_pages and self.frontier.claim(url, forms[url]):
                out.append(backlog_request_data(source, run, url, row["hints"]))
        if out:
            self.log.info(source.name, "articles from earlier cycles queued", count=len(out))
        return out

    @staticmethod
    def gnews_backlog(source, conn) -> list[dict]:
        """A gnews source's older unresolved links, for the workers' resolver (no archive there)."""
        if source.kind != "gnews" or source.resolve is None:
            return []
        from datetime import UTC, datetime, timedelta

        from mediawatch import db

        since = utc_iso(datetime.now(UTC) - timedelta(seconds=source.lookback))
        return db.gnews.backlog(conn, source.name, since, source.resolve.budget * 2)


def cluster_status(url: str) -> dict:
    """For `mediawatch status`: workers seen in the last minute, queue, leases out, stream lag."""
    import redis

    from mediawatch.scrapers.cluster.frontier import Frontier

    try:
        report = Frontier(redis.Redis.from_url(url, socket_connect_timeout=5)).status()
    except (redis.RedisError, OSError) as exc:
        return {"redis": url, "error": f"Redis unreachable: {exc}"}
    return {"redis": url, **report}
