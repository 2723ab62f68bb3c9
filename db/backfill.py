"""Backfill bookkeeping: each job's queue of index documents and article URLs, and period reads.

A job is one source over one period. Every document (sitemap, API window, CDX page) and every
article URL found enters the queue once; each leaves it (`done`) when fetched. A killed backfill
starts from what is still pending, so nothing is fetched twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from mediawatch.db.connection import write
from mediawatch.db.deliveries import STORY_COLUMNS
from mediawatch.times import utc_iso


def job_key(source: str, start: str, end: str) -> str:
    return f"{source}|{start}|{end}"


def queue(db, job: str, entries: Iterable[tuple[str, str, dict[str, Any] | None]]) -> list[str]:
    """Add (url, kind, hints) entries not yet queued; returns the URLs that were new."""
    now = utc_iso()
    added = []
    with write(db):
        for url, kind, hints in entries:
            cursor = db.execute(
                "INSERT OR IGNORE INTO backfill_queue (job, url, kind, hints, state, added_at) "
                "VALUES (?, ?, ?, ?, 'pending', ?)",
                [job, url, kind, json.dumps(hints or {}, ensure_ascii=False), now],
            )
            if cursor.rowcount:
                added.append(url)
    return added


def finish_doc(
    db, job: str, doc_url: str, found: Sequence[tuple[str, str, dict | None]]
) -> list[str]:
    """A document was read: queue what it listed and mark it done, in one transaction, so a
    kill between the two cannot lose its URLs. Returns the URLs that were new to the job."""
    with write(db):
        added = queue(db, job, found)
        mark_done(db, job, [doc_url])
    return added


def mark_done(db, job: str, urls: Iterable[str]) -> None:
    with write(db):
        for url in urls:
            db.execute(
                "UPDATE backfill_queue SET state = 'done' WHERE job = ? AND url = ?", [job, url]
            )


def pending(db, job: str, kind: str) -> list[tuple[str, dict[str, Any]]]:
    rows = db.execute(
        "SELECT url, hints FROM backfill_queue WHERE job = ? AND kind = ? AND state = 'pending' "
        "ORDER BY rowid",
        [job, kind],
    ).fetchall()
    return [(url, json.loads(hints or "{}")) for url, hints in rows]


def progress(db, job: str) -> dict[str, int]:
    """{'doc_done': n, 'doc_pending': n, 'article_done': n, 'article_pending': n}."""
    out = {f"{k}_{s}": 0 for k in ("doc", "article") for s in ("done", "pending")}
    for kind, state, n in db.execute(
        "SELECT kind, state, count(*) FROM backfill_queue WHERE job = ? GROUP BY kind, state",
        [job],
    ):
        out[f"{kind}_{state}"] = n
    return out


def period_matches(
    db,
    topics: Sequence[str],
    *,
    start: str,
    end: str,
    min_score: float = 0.0,
    text_chars: int = 600,
) -> list[dict[str, Any]]:
    """Every match of the topics published in [start, end), backfilled or not, best first:
    what `digest NAME --from --to` shows."""
    if not topics:
        return []
    marks = ",".join("?" * len(topics))
    sql = f"""
        SELECT {STORY_COLUMNS}
        FROM matches m JOIN articles a ON a.id = m.article_id
        WHERE m.topic IN ({marks}) AND m.score >= ?
          AND COALESCE(a.published_at, a.fetched_at) >= ?
          AND COALESCE(a.published_at, a.fetched_at) < ?
        ORDER BY m.score DESC, COALESCE(a.published_at, a.fetched_at) DESC
    """
    cursor = db.execute(sql, [text_chars, *topics, min_score, start, end])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
