"""The digest outbox: what each subscription was sent, what is waiting, what failed and why.

A digest and its items are recorded before anything is sent; each channel gets one delivery row
whose `key` (webhook-id, Message-ID) never changes across retries. An article is recorded at most
once per subscription (primary key), which is what makes "never the same article twice" hold.
Read functions accept a sqlite_utils.Database or a plain (read-only) sqlite3.Connection.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mediawatch.db.connection import inserted_id, write

CHUNK = 500
# What a digest, a period digest or a surge alert reads of an article to group it into stories;
# the one parameter is the length of the text's start.
STORY_ARTICLE = """a.url, a.title, a.outlet, a.source, a.published_at, a.fetched_at, a.language,
    a.authors, a.content_hash, a.same_as, a.description, substr(a.text, 1, ?) AS text_start"""
STORY_COLUMNS = (
    "m.article_id, m.topic, m.score, m.snippets, m.terms, m.entities, m.matched_at, "
    + STORY_ARTICLE
)


def _rows(conn, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    try:
        cursor = conn.execute(sql, list(params))
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):  # an archive from before the alerts migration
            return []
        raise
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def archive_dir(db) -> Path:
    """The folder of the archive file (the default outbox lives beside it)."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return Path(file).parent
    return Path.cwd()


# ------------------------------------------------------------------ selection


def _filters(topics, min_score, languages, since) -> tuple[str, list[Any]]:
    marks = ",".join("?" * len(topics))
    sql = f"m.topic IN ({marks}) AND m.score >= ? AND COALESCE(a.published_at, a.fetched_at) >= ?"
    params: list[Any] = [*topics, min_score, since]
    if languages:
        # the primary subtag, so "en" also takes "en-PK"; an undetected language is left out
        sql += (
            " AND lower(CASE WHEN instr(a.language, '-') > 0 THEN substr(a.language, 1, "
            f"instr(a.language, '-') - 1) ELSE a.language END) IN ({','.join('?' * len(languages))})"
        )
        params += list(languages)
    return sql, params


def undelivered(
    db,
    subscription: str,
    topics: Sequence[str],
    *,
    min_score: float = 0.0,
    languages: Sequence[str] = (),
    since: str,
    text_chars: int = 600,
) -> list[dict[str, Any]]:
    """Matches of the subscription's topics not yet in any of its digests, best and newest first.

    `since` (UTC ISO) bounds the article's publication time (its fetch time when undated).
    """
    if not topics:
        return []
    where, params = _filters(topics, min_score, languages, since)
    sql = f"""
        SELECT {STORY_COLUMNS}
        FROM matches m JOIN articles a ON a.id = m.article_id
        WHERE {where}
          AND a.backfilled = 0  -- history a backfill brought is never news
          AND NOT EXISTS (SELECT 1 FROM digest_items d
                          WHERE d.subscription = ? AND d.article_id = m.article_id)
        ORDER BY m.topic, m.score DESC, COALESCE(a.published_at, a.fetched_at) DESC, m.article_id
    """
    return _rows(db, sql, [text_chars, *params, subscription])


def coverage(
    db,
    topics: Sequence[str],
    *,
    min_score: float = 0.0,
    languages: Sequence[str] = (),
    since: str,
) -> dict[str, dict[str, int]]:
    """Flagged articles per topic per UTC day (YYYY-MM-DD) since `since`."""
    if not topics:
        return {}
    where, params = _filters(topics, min_score, languages, since)
    sql = f"""
        SELECT m.topic, substr(COALESCE(a.published_at, a.fetched_at), 1, 10) AS day, count(*) AS n
        FROM matches m JOIN articles a ON a.id = m.article_id
        WHERE {where} AND a.same_as IS NULL
        GROUP BY m.topic, day
    """
    out: dict[str, dict[str, int]] = {t: {} for t in topics}
    for row in _rows(db, sql, params):
        out[row["topic"]][row["day"]] = row["n"]
    return out


# ------------------------------------------------------------------ outbox


def record_digest(
    db,
    *,
    subscription: str,
    kind: str,
    key: str,
    created_at: str,
    since: str | None,
    items: Iterable[tuple[int, Sequence[str], bool]],
    stories: int,
    subject: str,
    message: dict[str, Any],
    deliveries: Iterable[tuple[str, str, str]],
    next_attempt_at: str,
) -> int | None:
    """Record a digest, its (article, topics, shown) items and one pending delivery per
    (channel, channel_type, key), in one transaction.

    Returns None, recording nothing, when another process recorded one of the articles (or the
    same key) first: the caller builds again from what is left.
    """
    items = list(items)
    with write(db):
        ids = [article_id for article_id, _, _ in items]
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i : i + CHUNK]
            taken = db.execute(
                f"SELECT 1 FROM digest_items WHERE subscription = ? AND article_id IN "
                f"({','.join('?' * len(chunk))}) LIMIT 1",
                [subscription, *chunk],
            ).fetchone()
            if taken:
                return None
        if db.execute("SELECT 1 FROM digests WHERE key = ?", [key]).fetchone():
            return None
        digest_id = inserted_id(
            db.table("digests").insert(
                {
                    "subscription": subscription,
                    "kind": kind,
                    "key": key,
                    "created_at": created_at,
                    "since": since,
                    "items": len(items),
                    "stories": stories,
                    "subject": subject,
                    "message": json.dumps(message, ensure_ascii=False),
                }
            )
        )
        db.table("digest_items").insert_all(
            (
                {
                    "subscription": subscription,
                    "article_id": article_id,
                    "digest_id": digest_id,
                    "topics": json.dumps(list(topics)),
                    "shown": int(shown),
                }
                for article_id, topics, shown in items
            ),
            batch_size=CHUNK,
        )
        for channel, channel_type, delivery_key in deliveries:
            db.table("deliveries").insert(
                {
                    "digest_id": digest_id,
                    "subscription": subscription,
                    "channel": channel,
                    "channel_type": channel_type,
                    "key": delivery_key,
                    "status": "pending",
                    "attempts": 0,
                    "created_at": created_at,
                    "next_attempt_at": next_attempt_at,
                }
            )
        if kind != "notice":
            _mark_run(db, subscription, created_at, digest_id)
    return digest_id


def due_deliveries(db, now: str, digest_id: int | None = None) -> list[dict[str, Any]]:
    """Pending deliveries whose time has come (oldest first), without their message."""
    sql = (
        "SELECT id, digest_id, subscription, channel, channel_type, key, attempts, created_at, "
        "next_attempt_at FROM deliveries WHERE status = 'pending' AND next_attempt_at <= ?"
    )
    params: list[Any] = [now]
    if digest_id is not None:
        sql += " AND digest_id = ?"
        params.append(digest_id)
    return _rows(db, sql + " ORDER BY next_attempt_at, id", params)


def next_attempt_at(db) -> str | None:
    """When the earliest pending delivery is due (for a daemon that wants to sleep until then)."""
    row = _rows(db, "SELECT min(next_attempt_at) AS t FROM deliveries WHERE status = 'pending'")
    return row[0]["t"] if row else None


def claim_delivery(db, delivery_id: int, now: str, lease_until: str) -> dict[str, Any] | None:
    """Take a due delivery for one attempt: counts the attempt and pushes its next time to the
    end of a lease, so a concurrent process leaves it alone and a crash mid-send retries it later.
    Returns the delivery with its digest's message, or None when someone else took it."""
    with write(db):
        cursor = db.execute(
            "UPDATE deliveries SET attempts = attempts + 1, last_attempt_at = ?, "
            "next_attempt_at = ? WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?",
            [now, lease_until, delivery_id, now],
        )
        if cursor.rowcount != 1:
            return None
        rows = _rows(
            db,
            "SELECT d.*, g.message, g.kind, g.created_at AS digest_created_at "
            "FROM deliveries d JOIN digests g ON g.id = d.digest_id WHERE d.id = ?",
            [delivery_id],
        )
    row = rows[0]
    row["message"] = json.loads(row["message"])
    return row


def mark_sent(db, delivery_id: int, now: str) -> None:
    with write(db):
        db.execute(
            "UPDATE deliveries SET status = 'sent', sent_at = ?, error = NULL, "
            "next_attempt_at = NULL, waiting_for = NULL WHERE id = ?",
            [now, delivery_id],
        )


def mark_retry(db, delivery_id: int, next_at: str, error: str) -> None:
    with write(db):
        db.execute(
            "UPDATE deliveries SET next_attempt_at = ?, error = ? WHERE id = ? "
            "AND status = 'pending'",
            [next_at, error, delivery_id],
        )


def mark_failed(db, delivery_id: int, error: str) -> None:
    with write(db):
        db.execute(
            "UPDATE deliveries SET status = 'failed', error = ?, next_attempt_at = NULL, "
            "waiting_for = NULL WHERE id = ?",
            [error, delivery_id],
        )


def mark_waiting(db, delivery_id: int, variable: str, error: str) -> None:
    """Park a delivery until the environment variable it needs is set (no time, no give-up)."""
    with write(db):
        db.execute(
            "UPDATE deliveries SET next_attempt_at = NULL, waiting_for = ?, error = ? "
            "WHERE id = ? AND status = 'pending'",
            [variable, error, delivery_id],
        )


def waiting_variables(db) -> set[str]:
    """Environment variables that parked deliveries wait for."""
    sql = (
        "SELECT DISTINCT waiting_for FROM deliveries "
        "WHERE status = 'pending' AND waiting_for IS NOT NULL"
    )
    return {r["waiting_for"] for r in _rows(db, sql)} if _has_waiting(db) else set()


def wake_waiting(db, variables: Iterable[str], now: str) -> int:
    """Make the deliveries waiting for any of these (now set) variables due at once."""
    variables = list(variables)
    if not variables:
        return 0
    with write(db):
        cursor = db.execute(
            # the give-up clock restarts, as for a failed delivery queued again by hand
            "UPDATE deliveries SET next_attempt_at = ?, created_at = ?, waiting_for = NULL "
            f"WHERE status = 'pending' AND waiting_for IN ({','.join('?' * len(variables))})",
            [now, now, *variables],
        )
        return cursor.rowcount


def _has_waiting(db) -> bool:
    """False on an archive opened read-only before its waiting_for migration ran."""
    try:
        db.execute("SELECT waiting_for FROM deliveries LIMIT 0")
    except sqlite3.OperationalError:
        return False
    return True


def retry_all_failed(db, now: str, subscription: str | None = None) -> list[int]:
    """Queue every failed delivery again (of one subscription, if given); their ids."""
    sql = "SELECT id FROM deliveries WHERE status = 'failed'"
    params: list[Any] = []
    if subscription:
        sql += " AND subscription = ?"
        params.append(subscription)
    return [r["id"] for r in _rows(db, sql, params) if retry_failed(db, r["id"], now)]


def retry_failed(db, delivery_id: int, now: str) -> bool:
    """Put a failed delivery back in the queue (after the operator fixed the channel)."""
    with write(db):
        cursor = db.execute(
            "UPDATE deliveries SET status = 'pending', next_attempt_at = ?, created_at = ? "
            "WHERE id = ? AND status = 'failed'",
            [now, now, delivery_id],
        )
        return cursor.rowcount == 1


def _mark_run(db, subscription: str, now: str, digest_id: int | None) -> None:
    if digest_id is None:
        db.execute(
            "INSERT INTO subscription_runs (subscription, last_run_at) VALUES (?, ?) "
            "ON CONFLICT(subscription) DO UPDATE SET last_run_at = excluded.last_run_at",
            [subscription, now],
        )
    else:
        db.execute(
            "INSERT INTO subscription_runs (subscription, last_run_at, last_digest_id) "
            "VALUES (?, ?, ?) ON CONFLICT(subscription) DO UPDATE SET "
            "last_run_at = excluded.last_run_at, last_digest_id = excluded.last_digest_id",
            [subscription, now, digest_id],
        )


def mark_run(db, subscription: str, now: str) -> None:
    """Remember that a scheduled digest ran (even with nothing to send), so it is not due again."""
    with write(db):
        _mark_run(db, subscription, now, None)


def last_runs(db) -> dict[str, str]:
    return {
        r["subscription"]: r["last_run_at"]
        for r in _rows(db, "SELECT subscription, last_run_at FROM subscription_runs")
    }


def delivered_article_ids(db, subscription: str) -> set[int]:
    return {
        r["article_id"]
        for r in _rows(
            db, "SELECT article_id FROM digest_items WHERE subscription = ?", [subscription]
        )
    }


# ------------------------------------------------------------------ status


def last_digests(db) -> dict[str, dict[str, Any]]:
    """Per subscription, its newest digest (kind digest or empty): id, created_at, items, subject."""
    sql = """
        SELECT g.subscription, g.id, g.kind, g.created_at, g.items, g.stories, g.subject
        FROM digests g
        WHERE g.kind != 'notice' AND g.id = (
            SELECT max(id) FROM digests h WHERE h.subscription = g.subscription AND h.kind != 'notice')
    """
    return {r["subscription"]: r for r in _rows(db, sql)}


def delivery_counts(db) -> dict[str, dict[str, int]]:
    """Per subscription: {'pending': n, 'sent': n, 'failed': n} over all its deliveries."""
    out: dict[str, dict[str, int]] = {}
    sql = "SELECT subscription, status, count(*) AS n FROM deliveries GROUP BY subscription, status"
    for r in _rows(db, sql):
        out.setdefault(r["subscription"], {"pending": 0, "sent": 0, "failed": 0})[r["status"]] = r[
            "n"
        ]
    return out


def list_deliveries(
    db, status: str | None = None, subscription: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Deliveries, newest first, with their digest's subject and item count (no message body).

    status "problems": failed ones and those still pending after an error (retrying, or
    waiting for a secret), which is what someone looking for failures wants to see.
    """
    waiting = "d.waiting_for" if _has_waiting(db) else "NULL AS waiting_for"
    sql = (
        "SELECT d.id, d.digest_id, d.subscription, d.channel, d.channel_type, d.key, d.status, "
        "d.attempts, d.created_at, d.next_attempt_at, d.last_attempt_at, d.sent_at, d.error, "
        f"{waiting}, g.kind, g.subject, g.items, g.stories "
        "FROM deliveries d JOIN digests g ON g.id = d.digest_id"
    )
    where: list[str] = []
    params: list[Any] = []
    if status == "problems":
        where.append("(d.status = 'failed' OR (d.status = 'pending' AND d.error IS NOT NULL))")
    elif status:
        where.append("d.status = ?")
        params.append(status)
    if subscription:
        where.append("d.subscription = ?")
        params.append(subscription)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY d.id DESC LIMIT ?"
    params.append(limit)
    return _rows(db, sql, params)


def get_digest(db, digest_id: int) -> dict[str, Any] | None:
    rows = _rows(db, "SELECT * FROM digests WHERE id = ?", [digest_id])
    if not rows:
        return None
    rows[0]["message"] = json.loads(rows[0]["message"] or "{}")
    return rows[0]
