"""The archive writer: the one process that stores what the workers found.

Drains the Redis stream through a consumer group, up to BATCH entries per SQLite transaction, and
acknowledges them only after that transaction committed, so a writer killed mid-drain re-reads its
pending entries on restart; the archive's URL uniqueness makes storing one twice impossible. A
malformed entry is rolled back alone, recorded as an error and acknowledged, never crashing the
writer. Besides articles it applies the workers' backlog and Google News changes, keeps a run's
settled documents' validators at its end, seeds the known-URL set (and the resolved-token cache)
from the archive, keeps them in step, and re-queues the requests of workers whose leases expired.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable

import sqlite_utils
from mediawatch.db.cluster import all_known_urls, resolved_gnews_links
from mediawatch.scrapers.cluster.frontier import (
    ACTIVE,
    BUDGET,
    DOCS,
    GNEWS_BACKLOG,
    GNEWS_RESOLVED,
    GROUP,
    KNOWN,
    PREFIX,
    RETRY_ERRORS,
    SEEDED,
    STREAM,
    Frontier,
    connect,
)
from mediawatch.scrapers.matching import store_flags
from mediawatch.scrapers.spiders.base import MAX_ATTEMPTS, Document, settled_documents

from mediawatch import db

log = logging.getLogger(__name__)

CONSUMER = "archive-writer"
REAP_EVERY = 5.0
CLAIM_IDLE_MS = 60_000
BATCH = 500  # stream entries read, stored in one transaction and acknowledged at once
# entry types stored in batches; "error" and "done" are handled between batches, in stream order
STORED = ("article", "backlog", "settle", "retry", "gnews")


class ArchiveWriter:
    def __init__(
        self,
        redis_url: str,
        db_path: str,
        on_run_finished: Callable[[str, int], None] | None = None,
    ):
        self.frontier = Frontier(connect(redis_url))
        self.db_path = str(db_path)
        self.on_run_finished = on_run_finished
        self.stored = 0
        self._conn: sqlite_utils.Database | None = None

    @property
    def conn(self):
        if self._conn is None:
            self._conn = db.connect(self.db_path)
        return self._conn

    # -- the loop ------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Until `stop` is set; a lost Redis is waited for with backoff, never fatal."""
        backoff = 0.5
        while not stop.is_set():
            try:
                self.prepare()
                self.drain(stop)
            except RETRY_ERRORS as exc:
                log.warning(
                    "archive writer: Redis unreachable (%s); retrying in %.1fs", exc, backoff
                )
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
            except Exception:  # NOGROUP after Redis restarted empty, or a bug: never die
                log.exception("archive writer: preparing the stream again")
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
            else:
                backoff = 0.5

    def prepare(self) -> None:
        self.frontier.ensure_group()
        self.seed()

    def seed(self) -> None:
        """Put the archive's URLs into the known-URL set once per Redis dataset."""
        r = self.frontier.r
        if r.exists(SEEDED):
            return
        for batch in all_known_urls(self.conn):
            self.frontier.remember(batch)
        for links in resolved_gnews_links(self.conn):
            r.hset(GNEWS_RESOLVED, mapping=dict(links))
        r.set(SEEDED, "1")

    def drain(self, stop: threading.Event, until_empty: bool = False) -> None:
        r = self.frontier.r
        while got := r.xreadgroup(GROUP, CONSUMER, {STREAM: "0"}, count=BATCH):
            if not list(got)[0][1]:
                break  # none of ours pending: a killed writer's entries were all read again
            self.handle_batch(got)
        last_reap = 0.0
        while not stop.is_set():
            if time.monotonic() - last_reap > REAP_EVERY:
                last_reap = time.monotonic()
                if n := self.frontier.reap():
                    log.warning("re-queued %d requests of workers that stopped answering", n)
                _, claimed, *_ = r.xautoclaim(STREAM, GROUP, CONSUMER, CLAIM_IDLE_MS, count=BATCH)
                self.handle_entries(claimed)
            got = r.xreadgroup(GROUP, CONSUMER, {STREAM: ">"}, count=BATCH, block=1000)
            if not got and until_empty:
                return
            self.handle_batch(got)

    def handle_batch(self, got) -> None:
        for _stream, entries in got or []:
            self.handle_entries(entries)

    def handle_entries(self, entries) -> None:
        """Articles (and backlog bookkeeping) are stored in one transaction per read, then all
        acknowledged at once; a run's end or error is handled in stream order between batches."""
        batch: list[tuple] = []
        for entry_id, fields in entries:
            entry, problem = self.parse(fields)
            if problem is not None:
                self.flush(batch)
                batch = []
                self.malformed(entry_id, entry, problem)
                self.frontier.r.xack(STREAM, GROUP, entry_id)
            elif entry is None or entry.get("type") in STORED:  # None: deleted meanwhile
                batch.append((entry_id, entry))
            else:
                self.flush(batch)
                batch = []
                self.handle(entry_id, entry)
        self.flush(batch)

    def parse(self, fields) -> tuple[dict | None, Exception | None]:
        if fields is None:
            return None, None
        entry = None
        try:
            raw = fields.get(b"json") or fields.get("json")
            if raw is None:
                raise ValueError("no json field")
            entry = json.loads(raw)
            if not isinstance(entry, dict):
                raise ValueError("not a JSON object")
            kind = entry.get("type")
            if kind not in STORED and kind not in ("error", "done"):
                raise ValueError(f"unknown entry type {kind!r}")
        except Exception as exc:  # noqa: BLE001 - one bad entry never stops the writer
            return entry, exc
        return entry, None

    def flush(self, batch: list[tuple]) -> None:
        """One SQLite transaction for the batch (each entry in a savepoint, so a malformed one is
        rolled back alone), then its Redis bookkeeping and acknowledgements in one round trip.
        Killed before the acknowledgement, the batch is read again and each entry already
        stored is found by its URL: nothing is stored twice."""
        if not batch:
            return
        conn = self.conn
        after: list[Callable] = []
        bad: list[tuple] = []
        with db.write(conn):
            for entry_id, entry in batch:
                if entry is None:
                    continue
                try:
                    with db.write(conn):  # a savepoint inside the batch's transaction
                        after.extend(self.apply(entry))
                except sqlite3.OperationalError:
                    raise  # locked, full disk: the batch stays pending and is read again
                except Exception as error:  # noqa: BLE001 - one bad entry never stops the writer
                    bad.append((entry_id, entry, error))
        pipe = self.frontier.r.pipeline(transaction=False)
        for action in after:
            action(pipe)
        pipe.execute()
        for entry_id, entry, problem in bad:
            self.malformed(entry_id, entry, problem)
        self.frontier.r.xack(STREAM, GROUP, *[entry_id for entry_id, _ in batch])

    def handle(self, entry_id, entry: dict) -> None:
        """A run's error or end, after everything before it in the stream is stored."""
        try:
            if entry["type"] == "error":
                self.note_error(entry["run"], entry["message"], entry.get("index", False))
            else:
                self.finish(int(entry["run"]), entry["source"])
        except RETRY_ERRORS:
            raise
        except sqlite3.OperationalError:
            raise
        except Exception as exc:  # noqa: BLE001 - one bad entry never stops the writer
            self.malformed(entry_id, entry, exc)
        self.frontier.r.xack(STREAM, GROUP, entry_id)

    def malformed(self, entry_id, entry, exc: Exception) -> None:
        message = f"malformed stream entry {_text(entry_id)}: {type(exc).__name__}: {exc}"
        log.warning(message)
        r = self.frontier.r
        run = entry.get("run") if isinstance(entry, dict) else None
        if isinstance(run, int):
            self.note_error(run, message, False)
        else:
            r.rpush(f"{PREFIX}:writer-errors", message)
            r.ltrim(f"{PREFIX}:writer-errors", -100, -1)

    # -- what an entry does in the archive (inside the batch's transaction) -----------------

    def apply(self, entry: dict) -> list[Callable]:
        """The entry's SQL; returns what to tell Redis once the transaction committed."""
        kind, conn = entry["type"], self.conn
        if kind == "article":
            return self.store(entry)
        source = entry["source"]
        if kind == "gnews":
            return self.gnews(entry)
        if kind == "backlog":
            items = [(str(url), dict(hints)) for url, hints in entry["items"]]
            db.add_to_backlog(conn, source, items)
        elif kind == "settle":
            db.settle_backlog(conn, source, str(entry["url"]))
        elif kind == "retry":
            url = str(entry["url"])
            attempts = db.retry_backlog(conn, source, url, str(entry.get("message") or ""))
            if attempts >= MAX_ATTEMPTS:
                db.settle_backlog(conn, source, url)
                run, message = entry.get("run"), f"{url}: given up after {attempts} failed crawls"
                if isinstance(run, int):
                    return [lambda pipe: pipe.rpush(f"{PREFIX}:run-errors:{run}", message)]
        return []

    def store(self, entry: dict) -> list[Callable]:
        """As the local pipeline stores: the article, its flags and its story link at once."""
        article, also = entry["article"], entry.get("also") or []
        if not isinstance(article, dict) or not article.get("url"):
            raise ValueError("article without url")
        conn = self.conn
        stored = db.store_article(conn, article, also_urls=also)
        if stored.created:
            store_flags(conn, stored.article_id, entry.get("flags") or [])
            if article.get("resolved", 1):
                for other in db.find_unresolved(conn, article["title"]):
                    db.link_same_story(conn, other, stored.article_id)
            elif same := db.find_resolved(conn, article["title"] or ""):
                db.link_same_story(conn, stored.article_id, same)
        if entry.get("backlog"):
            db.settle_backlog(conn, entry["source"], entry["backlog"])
        if entry.get("via"):
            db.gnews.link_item(conn, entry["via"], article["url"])  # the Google News item
        urls = [u for u in [article["url"], *also] if u]
        run = entry.get("run")

        def tell(pipe) -> None:
            pipe.sadd(KNOWN, *urls)
            if run is not None:
                field = "new" if stored.created else "duplicates"
                pipe.hincrby(f"{PREFIX}:run:{run}", field, 1)

        if stored.created:
            self.stored += 1
        return [tell]

    def note_error(self, run: int, message: str, index: bool) -> None:
        pipe = self.frontier.r.pipeline()
        pipe.rpush(f"{PREFIX}:run-errors:{run}", message)
        if index:
            pipe.hset(f"{PREFIX}:run:{run}", "failed", 1)
        pipe.execute()

    def finish(self, run: int, source: str) -> None:
        r = self.frontier.r
        stats = {_text(k): _text(v) for k, v in r.hgetall(f"{PREFIX}:run:{run}").items()}
        errors = [_text(e) for e in r.lrange(f"{PREFIX}:run-errors:{run}", 0, -1)]
        row = self.conn["crawl_runs"].get(run) if self._run_exists(run) else None
        self.keep_settled_validators(run, source)
        if row is not None and row["status"] == "running":
            db.finish_run(
                self.conn,
                run,
                status="failed" if stats.get("failed") else "ok",
                requests=int(stats.get("requests", 0)),
                new_articles=int(stats.get("new", 0)),
                duplicates=int(stats.get("duplicates", 0)),
                error_messages=errors,
                newest_item_at=stats.get("newest"),
            )
        pipe = r.pipeline()
        pipe.delete(
            f"{PREFIX}:run:{run}",
            f"{PREFIX}:run-errors:{run}",
            f"{BUDGET}{run}",
            f"{DOCS}{run}",
            f"{GNEWS_BACKLOG}{run}",
        )
        pipe.hdel(ACTIVE, source)
        pipe.execute()
        if self.on_run_finished is not None and row is not None and row["status"] == "running":
            self.on_run_finished(source, run)

    def gnews(self, entry: dict) -> list[Callable]:
        """A worker's Google News link resolution, into the archive's token cache."""
        conn, op = self.conn, entry["op"]
        if op == "note_tokens":
            items = [(str(t), str(link), when) for t, link, when in entry["items"]]
            db.gnews.note_tokens(conn, entry["source"], items)
        elif op == "mark_resolved":
            token, url = str(entry["token"]), str(entry["url"])
            db.gnews.mark_resolved(conn, token, url)
            return [lambda pipe: pipe.hset(GNEWS_RESOLVED, token, url)]
        elif op == "mark_failed":
            db.gnews.mark_failed(conn, str(entry["token"]), str(entry["error"]))
        elif op == "link_item":
            db.gnews.link_item(conn, str(entry["link"]), str(entry["url"]))
        else:
            raise ValueError(f"unknown gnews operation {op!r}")
        return []

    def keep_settled_validators(self, run: int, source: str) -> None:
        """The run's documents whose items are all stored or failed for good (nothing of theirs
        left in the backlog) keep their validators; the others are fetched in full next cycle,
        so a 304 never hides an article that was not fetched."""
        found = self.frontier.documents(run)
        docs = {
            url: Document(
                validators=tuple(d["validators"]) if d.get("validators") else None,
                items=set(d.get("items") or []),
                children=list(d.get("children") or []),
                read=bool(d.get("read")),
                cut=bool(d.get("cut")),
            )
            for url, d in found.items()
        }
        conn = self.conn
        for url in settled_documents(docs, lambda items: db.waiting(conn, source, items)):
            etag, modified = docs[url].validators or (None, None)
            self.frontier.save_validators(url, etag, modified)

    def _run_exists(self, run: int) -> bool:
        return bool(self.conn.execute("SELECT 1 FROM crawl_runs WHERE id = ?", [run]).fetchone())


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
