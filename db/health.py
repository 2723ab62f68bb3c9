"""The daemon's own SQL: operator-alert state per source, and housekeeping.

`sources.health_state` holds the problems an operator was last told about ("failing", "stale",
or both, comma-separated; NULL or "" when healthy), so one alert goes out when a problem starts
and one when it ends, across restarts, never one per run.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import sqlite_utils
from mediawatch.db.connection import utc_iso, write


def health_states(db) -> dict[str, frozenset[str]]:
    """Per source: the set of problems last reported to the operator."""
    try:
        rows = db.execute("SELECT name, health_state FROM sources").fetchall()
    except sqlite3.OperationalError:
        return {}
    return {name: _flags(state) for name, state in rows}


def set_health_state(db: sqlite_utils.Database, source: str, problems: frozenset[str]) -> None:
    with write(db):
        db.execute(
            "UPDATE sources SET health_state = ?, updated_at = ? WHERE name = ?",
            [",".join(sorted(problems)), utc_iso(), source],
        )


def _flags(state: str | None) -> frozenset[str]:
    return frozenset(f for f in (state or "").split(",") if f)


def last_crawl_starts(db) -> dict[str, str]:
    """Per source: when its latest crawl run started (so a restart does not poll too soon)."""
    try:
        rows = db.execute("SELECT source, max(started_at) FROM crawl_runs GROUP BY source")
    except sqlite3.OperationalError:
        return {}
    return {source: started for source, started in rows.fetchall() if started}


def running_runs(db) -> list[dict[str, Any]]:
    """Crawl runs still marked running (the crawl is in progress, or its process died)."""
    cursor = db.execute(
        "SELECT id, source, started_at, pid FROM crawl_runs WHERE status = 'running' ORDER BY id"
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# ------------------------------------------------------------------ housekeeping


def last_maintenance(db, task: str) -> str | None:
    """When `task` last finished (UTC ISO), or None if it never ran on this archive."""
    row = db.execute("SELECT last_run_at FROM maintenance_runs WHERE task = ?", [task]).fetchone()
    return row[0] if row else None


def record_maintenance(db: sqlite_utils.Database, task: str, at: str, result: dict) -> None:
    with write(db):
        db.table("maintenance_runs").upsert(
            {"task": task, "last_run_at": at, "result": json.dumps(result)}, pk="task"
        )


def optimize_fts(db: sqlite_utils.Database) -> None:
    """Merge the full-text index's segments (what FTS5 'optimize' does), then let SQLite
    refresh its planner statistics."""
    with write(db):
        db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')")
    db.execute("PRAGMA optimize")


def prune_crawl_runs(db: sqlite_utils.Database, before: str) -> int:
    """Delete finished crawl-run records that started before `before` (UTC ISO)."""
    with write(db):
        cursor = db.execute(
            "DELETE FROM crawl_runs WHERE started_at < ? AND status != 'running'", [before]
        )
        return cursor.rowcount


def drop_old_text(db: sqlite_utils.Database, before: str, batch: int = 500) -> int:
    """Empty the text of articles published (or, undated, fetched) before `before`, keeping the
    row, its title, URL, date and matches. In batches, so crawls are not locked out for long."""
    total = 0
    while True:
        with write(db):
            cursor = db.execute(
                "UPDATE articles SET text = NULL WHERE id IN (SELECT id FROM articles "
                "WHERE text IS NOT NULL AND COALESCE(published_at, fetched_at) < ? LIMIT ?)",
                [before, batch],
            )
            changed = cursor.rowcount
        total += changed
        if changed < batch:
            return total
