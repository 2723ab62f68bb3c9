"""Schema of the archive, created and upgraded by sqlite-utils migrations (append, never edit)."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("mediawatch")


@migrations()
def m001_core(db: sqlite_utils.Database) -> None:
    db.table("sources").create(
        {
            "name": str,
            "kind": str,
            "url": str,
            "outlet": str,
            "enabled": int,
            "last_run_at": str,
            "last_success_at": str,
            "last_error_at": str,
            "last_error": str,
            "consecutive_failures": int,
            "newest_item_at": str,
            "validators": str,
            "health_state": str,
            "updated_at": str,
        },
        pk="name",
        defaults={"consecutive_failures": 0, "enabled": 1, "validators": "{}"},
    )
    db.table("articles").create(
        {
            "id": int,
            "url": str,
            "source": str,
            "outlet": str,
            "title": str,
            "text": str,
            "published_at": str,
            "fetched_at": str,
            "language": str,
            "authors": str,
            "content_hash": str,
            "section": str,
            "lead_image": str,
            "description": str,
            "date_source": str,
            "resolved": int,
            "same_as": int,
            "meta": str,
        },
        pk="id",
        not_null={"url", "source", "fetched_at"},
        defaults={"resolved": 1, "authors": "[]", "meta": "{}"},
    )
    db.table("articles").create_index(["url"], unique=True)
    db.table("articles").create_index(["published_at"])
    db.table("articles").create_index(["source", "published_at"])
    db.table("articles").create_index(["content_hash"])
    db.table("articles").enable_fts(
        ["title", "text"], create_triggers=True, tokenize="unicode61 remove_diacritics 2"
    )
    db.table("fetched_urls").create(
        {"url": str, "article_id": int, "fetched_at": str},
        pk="url",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("crawl_runs").create(
        {
            "id": int,
            "source": str,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "requests": int,
            "new_articles": int,
            "duplicates": int,
            "errors": int,
            "error_messages": str,
            "pid": int,
        },
        pk="id",
        defaults={"requests": 0, "new_articles": 0, "duplicates": 0, "errors": 0},
    )
    db.table("crawl_runs").create_index(["source", "started_at"])
    db.table("matches").create(
        {
            "article_id": int,
            "topic": str,
            "score": float,
            "entities": str,
            "terms": str,
            "snippets": str,
            "matched_at": str,
        },
        pk=("article_id", "topic"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("matches").create_index(["topic", "score"])


@migrations()
def m002_alerts(db: sqlite_utils.Database) -> None:
    """Digest outbox: digests with their items (one row per subscription and article, ever),
    one delivery per channel with its retry state, and when each subscription last ran."""
    db.table("digests").create(
        {
            "id": int,
            "subscription": str,
            "kind": str,  # digest | empty | notice
            "key": str,
            "created_at": str,
            "since": str,
            "items": int,
            "stories": int,
            "subject": str,
            "message": str,  # the rendered message (JSON), so a retry sends the same bytes
        },
        pk="id",
        not_null={"subscription", "kind", "key", "created_at"},
        defaults={"items": 0, "stories": 0},
    )
    db.table("digests").create_index(["key"], unique=True)
    db.table("digests").create_index(["subscription", "created_at"])
    db.table("digest_items").create(
        {
            "subscription": str,
            "article_id": int,
            "digest_id": int,
            "topics": str,
            "shown": int,
        },
        pk=("subscription", "article_id"),
        foreign_keys=[("digest_id", "digests", "id")],
    )
    db.table("digest_items").create_index(["digest_id"])
    db.table("deliveries").create(
        {
            "id": int,
            "digest_id": int,
            "subscription": str,
            "channel": str,
            "channel_type": str,
            "key": str,  # webhook-id / Message-ID: the same on every attempt
            "status": str,  # pending | sent | failed
            "attempts": int,
            "created_at": str,
            "next_attempt_at": str,
            "last_attempt_at": str,
            "sent_at": str,
            "error": str,
        },
        pk="id",
        not_null={"digest_id", "subscription", "channel", "key", "status", "created_at"},
        defaults={"attempts": 0, "status": "pending"},
        foreign_keys=[("digest_id", "digests", "id")],
    )
    db.table("deliveries").create_index(["key"], unique=True)
    db.table("deliveries").create_index(["digest_id", "channel"], unique=True)
    db.table("deliveries").create_index(["status", "next_attempt_at"])
    db.table("deliveries").create_index(["subscription", "status"])
    db.table("subscription_runs").create(
        {"subscription": str, "last_run_at": str, "last_digest_id": int},
        pk="subscription",
    )


@migrations()
def m003_archive_queries(db: sqlite_utils.Database) -> None:
    """Indexes that keep search filters and canned queries fast on a million articles
    (bench/archive.py): topic -> article ids without reading match rows; outlet like source;
    and a narrow copy of each article's dates and outlet, so aggregates over matches need not
    read article rows (published_at sits after the long text, on overflow pages)."""
    db.table("matches").create_index(["topic", "article_id"], if_not_exists=True)
    db.table("articles").create_index(["outlet", "published_at"], if_not_exists=True)
    db.table("articles").create_index(
        ["id", "published_at", "fetched_at", "outlet", "source"],
        index_name="idx_articles_listing",
        if_not_exists=True,
    )


@migrations()
def m004_same_story_index(db: sqlite_utils.Database) -> None:
    """Search leaves out search-feed items already linked to their article; a partial index keeps
    that filter free on a large archive."""
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_articles_same_as ON articles(same_as) "
        "WHERE same_as IS NOT NULL"
    )


@migrations()
def m005_maintenance_runs(db: sqlite_utils.Database) -> None:
    """When housekeeping last ran and what it did, so `run --once` from cron can tell when it is
    due again (the daemon's scheduler keeps no state across runs)."""
    db.table("maintenance_runs").create(
        {"task": str, "last_run_at": str, "result": str},
        pk="task",
        if_not_exists=True,
    )


@migrations()
def m006_deliveries_waiting_for_secret(db: sqlite_utils.Database) -> None:
    """A delivery whose channel lacks its secret (an unset environment variable) waits for it
    instead of failing for good: `waiting_for` names the variable. Deliveries that an older
    version failed for that reason wait again, so setting the variable sends them."""
    import re

    if "waiting_for" not in db.table("deliveries").columns_dict:
        db.table("deliveries").add_column("waiting_for", str)
    missing = re.compile(r"environment variable ([A-Za-z_][A-Za-z0-9_]*) is not set|is (\w+) set")
    rows = db.execute(
        "SELECT id, error FROM deliveries WHERE status = 'failed' AND error IS NOT NULL"
    ).fetchall()
    for delivery_id, error in rows:
        found = missing.search(error)
        if found:
            db.execute(
                "UPDATE deliveries SET status = 'pending', next_attempt_at = NULL, "
                "waiting_for = ? WHERE id = ?",
                [found.group(1) or found.group(2), delivery_id],
            )


@migrations()
def m007_gnews_links(db: sqlite_utils.Database) -> None:
    """Google News tokens and the publisher URL each resolved to, so no token is asked for twice;
    unresolved ones are retried on later runs within the look-back."""
    db.table("gnews_links").create(
        {
            "token": str,
            "source": str,
            "link": str,
            "published_at": str,
            "state": str,  # pending (not tried yet) | resolved | failed (tried, will retry)
            "url": str,
            "attempts": int,
            "last_error": str,
            "first_seen": str,
            "last_try": str,
        },
        pk="token",
        not_null={"source", "link", "state", "first_seen"},
        defaults={"attempts": 0, "state": "pending"},
        if_not_exists=True,
    )
    db.table("gnews_links").create_index(["source", "state"], if_not_exists=True)


@migrations()
def m008_backfill_and_surges(db: sqlite_utils.Database) -> None:
    """History and surges (issue 15): articles a backfill stored carry `backfilled = 1` (never
    news: immediate alerts and digests skip them); `backfill_queue` holds each backfill job's
    index documents and article URLs with their state, so a killed backfill resumes without
    fetching anything twice; `surge_episodes` records each surge from its start to its end."""
    if "backfilled" not in db.table("articles").columns_dict:
        db.table("articles").add_column("backfilled", int, not_null_default=0)
    db.table("backfill_queue").create(
        {
            "job": str,  # source|from|to
            "url": str,
            "kind": str,  # doc | article
            "hints": str,  # JSON: what the index said about the article
            "state": str,  # pending | done
            "added_at": str,
        },
        pk=("job", "url"),
        if_not_exists=True,
    )
    db.table("backfill_queue").create_index(["job", "state"], if_not_exists=True)
    db.table("surge_episodes").create(
        {
            "id": int,
            "surge": str,
            "key": str,  # what was counted: the topic, entity, or topic and outlet
            "started_at": str,
            "ended_at": str,
            "last_checked_at": str,
            "count": int,  # articles in the window when it started
            "peak": int,
            "baseline_rate": float,  # usual articles per window
            "p_value": float,
        },
        pk="id",
        if_not_exists=True,
    )
    db.table("surge_episodes").create_index(["surge", "key", "ended_at"], if_not_exists=True)


@migrations()
def m009_crawl_backlog(db: sqlite_utils.Database) -> None:
    """Article URLs a feed, sitemap or listing named that are not yet settled (stored, judged or
    failed for good): committed before they are requested, so a crawl killed, out of disk, out of
    page budget or turned away by a 503 leaves them for the next crawl, even when the feed then
    answers 304."""
    db.table("crawl_backlog").create(
        {
            "source": str,
            "url": str,
            "hints": str,  # what the feed said (title, date, authors), JSON
            "published_at": str,
            "added_at": str,
            "attempts": int,
            "last_error": str,
        },
        pk=("source", "url"),
        defaults={"attempts": 0},
        if_not_exists=True,
    )


@migrations()
def m010_unresolved_title_index(db: sqlite_utils.Database) -> None:
    """Every stored article looks for unresolved search items with its title (find_unresolved);
    without an index that is a scan of the whole archive per article, which made storing slower
    as the archive grew. The index holds only the few unresolved items still unlinked."""
    db.execute(
        "CREATE INDEX IF NOT EXISTS articles_unresolved_title ON articles (lower(title)) "
        "WHERE resolved = 0 AND same_as IS NULL"
    )
