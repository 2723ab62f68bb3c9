"""Crawl runs and source health: what each crawl did, and whether a source is failing or stale."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils
from mediawatch.db.connection import inserted_id, parse_iso, utc_iso, write

MAX_ERROR_MESSAGES = 50


def sync_sources(db: sqlite_utils.Database, sources: list[dict[str, Any]]) -> None:
    """Make the sources table list the configured sources (health columns are kept)."""
    with write(db):
        for s in sources:
            db.table("sources").upsert(
                {k: s[k] for k in ("name", "kind", "url", "outlet", "enabled")}, pk="name"
            )


def start_run(db: sqlite_utils.Database, source: str) -> int:
    with write(db):
        return inserted_id(
            db.table("crawl_runs").insert(
                {"source": source, "started_at": utc_iso(), "status": "running", "pid": os.getpid()}
            )
        )


def finish_run(
    db: sqlite_utils.Database,
    run_id: int,
    *,
    status: str,
    requests: int,
    new_articles: int,
    duplicates: int,
    error_messages: list[str],
    newest_item_at: str | None = None,
) -> None:
    """Close a run and update the source's health in the same transaction."""
    now = utc_iso()
    with write(db):
        run = db.table("crawl_runs").get(run_id)
        db.table("crawl_runs").update(
            run_id,
            {
                "finished_at": now,
                "status": status,
                "requests": requests,
                "new_articles": new_articles,
                "duplicates": duplicates,
                "errors": len(error_messages),
                "error_messages": json.dumps(error_messages[:MAX_ERROR_MESSAGES]),
            },
        )
        _update_health(db, run["source"], status, now, error_messages, newest_item_at)


def fail_stale_runs(db: sqlite_utils.Database, source: str | None = None, reason: str = "") -> int:
    """Mark runs still 'running' whose process is gone (killed, crashed) as failed."""
    import psutil

    where = "status = 'running'" + (" AND source = ?" if source else "")
    params = [source] if source else []
    failed = 0
    for run in list(db.table("crawl_runs").rows_where(where, params)):
        if run["pid"] and psutil.pid_exists(run["pid"]) and run["pid"] != os.getpid():
            continue
        message = reason or "crawl process ended without finishing the run"
        now = utc_iso()
        with write(db):
            db.table("crawl_runs").update(
                run["id"],
                {
                    "status": "failed",
                    "finished_at": now,
                    "errors": (run["errors"] or 0) + 1,
                    "error_messages": json.dumps([message]),
                },
            )
            _update_health(db, run["source"], "failed", now, [message], None)
        failed += 1
    return failed


def record_failed_run(
    db: sqlite_utils.Database, source: str, started_at: str, pid: int | None, message: str
) -> int:
    """A run the crawl process never recorded (killed or crashed before it could): failed, so
    failure counts and operator alerts see it."""
    now = utc_iso()
    with write(db):
        run_id = inserted_id(
            db.table("crawl_runs").insert(
                {
                    "source": source,
                    "started_at": started_at,
                    "finished_at": now,
                    "status": "failed",
                    "errors": 1,
                    "error_messages": json.dumps([message]),
                    "pid": pid,
                }
            )
        )
        _update_health(db, source, "failed", now, [message], None)
    return run_id


def sources_with_runs(db: sqlite_utils.Database, pid: int, since: str) -> set[str]:
    """Sources the process `pid` recorded a run for since `since` (pids are reused: hence since)."""
    return {
        r[0]
        for r in db.execute(
            "SELECT DISTINCT source FROM crawl_runs WHERE pid = ? AND started_at >= ?",
            [pid, since],
        )
    }


def _update_health(db, source, status, now, errors, newest_item_at) -> None:
    current = db.execute(
        "SELECT consecutive_failures, newest_item_at FROM sources WHERE name = ?", [source]
    ).fetchone()
    if current is None:
        db.table("sources").insert({"name": source})
        current = (0, None)
    changes: dict[str, Any] = {"last_run_at": now, "updated_at": now}
    if status == "failed":
        changes["consecutive_failures"] = (current[0] or 0) + 1
        changes["last_error_at"] = now
        changes["last_error"] = errors[0] if errors else "failed"
    else:
        changes["consecutive_failures"] = 0
        changes["last_success_at"] = now
        if errors:
            changes["last_error_at"] = now
            changes["last_error"] = errors[0]
    if newest_item_at and (not current[1] or newest_item_at > current[1]):
        changes["newest_item_at"] = newest_item_at
    db.table("sources").update(source, changes)


def validators(db: sqlite_utils.Database, source: str) -> dict[str, dict[str, str]]:
    row = db.execute("SELECT validators FROM sources WHERE name = ?", [source]).fetchone()
    return json.loads(row[0]) if row and row[0] else {}


def save_validator(db: sqlite_utils.Database, source: str, url: str, etag, last_modified) -> None:
    """Keep ETag / Last-Modified per feed URL so an unchanged feed costs one 304."""
    with write(db):
        row = db.execute("SELECT validators FROM sources WHERE name = ?", [source]).fetchone()
        if row is None:
            db.table("sources").insert({"name": source})
            current = {}
        else:
            current = json.loads(row[0] or "{}")
        entry = {k: v for k, v in (("etag", etag), ("last_modified", last_modified)) if v}
        if entry:
            current[url] = entry
        else:
            current.pop(url, None)
        db.table("sources").update(source, {"validators": json.dumps(current)})


def last_run_started(db: sqlite_utils.Database, source: str, exclude_run: int | None = None):
    """Start time of the source's previous run (to pace APIs that allow one call every few seconds)."""
    row = db.execute(
        "SELECT max(started_at) FROM crawl_runs WHERE source = ? AND id != ?",
        [source, exclude_run or -1],
    ).fetchone()
    return row[0] if row else None


def source_health(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    """Per source: the health columns plus the newest item's age in hours and new articles in 24 h."""
    now = datetime.now(UTC)
    out: dict[str, dict[str, Any]] = {}
    counts = dict(
        db.execute(
            "SELECT source, count(*) FROM articles WHERE fetched_at >= ? GROUP BY source",
            [utc_iso(now - timedelta(days=1))],
        ).fetchall()
    )
    for row in db.table("sources").rows:
        newest = parse_iso(row.get("newest_item_at"))
        row["newest_item_age_hours"] = (
            round((now - newest).total_seconds() / 3600, 2) if newest else None
        )
        row["new_articles_24h"] = counts.get(row["name"], 0)
        out[row["name"]] = row
    return out


def archive_marks(db: sqlite_utils.Database) -> dict[str, int]:
    """The newest crawl run and article ids: what a later archive_counts(after=...) counts from."""
    run = db.execute("SELECT coalesce(max(id), 0) FROM crawl_runs").fetchone()[0]
    article = db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]
    return {"run": run, "article": article}


def archive_counts(
    db: sqlite_utils.Database, after: dict[str, int] | None = None
) -> dict[str, Any]:
    """Totals a person checks first: articles, unresolved items, flagged articles per topic, runs;
    with `after` (archive_marks taken earlier), only what came since."""
    run0, article0 = (after["run"], after["article"]) if after else (0, 0)
    articles = db.execute(
        "SELECT count(*) FROM articles WHERE resolved = 1 AND id > ?", [article0]
    ).fetchone()[0]
    unresolved = db.execute(
        "SELECT count(*) FROM articles WHERE resolved = 0 AND id > ?", [article0]
    ).fetchone()[0]
    topics = dict(
        db.execute(
            "SELECT topic, count(*) FROM matches WHERE article_id > ? GROUP BY topic ORDER BY topic",
            [article0],
        ).fetchall()
    )
    runs = [
        dict(zip(("source", "status", "new_articles", "errors"), r, strict=True))
        for r in db.execute(
            "SELECT source, status, new_articles, errors FROM crawl_runs WHERE id > ? "
            "ORDER BY source, id",
            [run0],
        )
    ]
    return {"articles": articles, "unresolved": unresolved, "topics": topics, "runs": runs}
