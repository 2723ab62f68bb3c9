"""Surges: article counts for a topic, entity or topic per outlet over a time window, and the
episodes (one row from a surge's start to its end) that keep alerts to one per episode.

Times are publication times (fetch time when undated). The current window counts news only;
baselines count backfilled history too.
"""

from __future__ import annotations

from typing import Any

from mediawatch.db.connection import inserted_id, write
from mediawatch.db.deliveries import STORY_ARTICLE

_WHEN = "COALESCE(a.published_at, a.fetched_at)"


def _what(topic: str | None, entity: str | None) -> tuple[str, list[Any]]:
    if entity:
        return (
            "EXISTS (SELECT 1 FROM json_each(m.entities) e "
            "WHERE lower(json_extract(e.value, '$.name')) = lower(?))",
            [entity],
        )
    return "m.topic = ?", [topic]


def counts(
    db,
    *,
    topic: str | None,
    entity: str | None,
    per_outlet: bool,
    start: str,
    end: str,
    backfilled: bool,
) -> dict[str, int]:
    """Distinct articles in [start, end) by key: the outlet when per_outlet, else one key ''."""
    what, params = _what(topic, entity)
    key = "COALESCE(a.outlet, a.source)" if per_outlet else "''"
    sql = f"""
        SELECT {key} AS k, count(DISTINCT a.id) FROM matches m JOIN articles a ON a.id = m.article_id
        WHERE {what} AND a.same_as IS NULL AND {_WHEN} >= ? AND {_WHEN} < ?
        {"" if backfilled else "AND a.backfilled = 0"}
        GROUP BY k
    """
    return {k: n for k, n in db.execute(sql, [*params, start, end])}


def daily_counts(db, *, topic, entity, outlet: str | None, start: str, end: str) -> dict[str, int]:
    """Articles per day (YYYY-MM-DD) in [start, end), history included: the alert's chart."""
    what, params = _what(topic, entity)
    extra, more = ("AND COALESCE(a.outlet, a.source) = ?", [outlet]) if outlet else ("", [])
    sql = f"""
        SELECT substr({_WHEN}, 1, 10) AS day, count(DISTINCT a.id)
        FROM matches m JOIN articles a ON a.id = m.article_id
        WHERE {what} AND a.same_as IS NULL AND {_WHEN} >= ? AND {_WHEN} < ? {extra}
        GROUP BY day
    """
    return {d: n for d, n in db.execute(sql, [*params, start, end, *more])}


def window_rows(
    db, *, topic, entity, outlet: str | None, start: str, end: str, text_chars: int = 600
) -> list[dict[str, Any]]:
    """The window's articles (news only) in the shape digests group into stories, best first."""
    what, params = _what(topic, entity)
    extra, more = ("AND COALESCE(a.outlet, a.source) = ?", [outlet]) if outlet else ("", [])
    sql = f"""
        SELECT m.article_id, max(m.score) AS score, m.snippets, m.terms, m.entities,
               m.matched_at, {STORY_ARTICLE}
        FROM matches m JOIN articles a ON a.id = m.article_id
        WHERE {what} AND a.same_as IS NULL AND a.backfilled = 0
          AND {_WHEN} >= ? AND {_WHEN} < ? {extra}
        GROUP BY a.id
        ORDER BY score DESC, {_WHEN} DESC
    """
    cursor = db.execute(sql, [text_chars, *params, start, end, *more])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def open_episodes(db, surge: str) -> dict[str, dict[str, Any]]:
    cursor = db.execute(
        "SELECT * FROM surge_episodes WHERE surge = ? AND ended_at IS NULL", [surge]
    )
    names = [d[0] for d in cursor.description]
    return {row[names.index("key")]: dict(zip(names, row, strict=True)) for row in cursor}


def start_episode(
    db, surge: str, key: str, now: str, count: int, baseline_rate: float, p_value: float | None
) -> int:
    with write(db):
        return inserted_id(
            db.table("surge_episodes").insert(
                {
                    "surge": surge,
                    "key": key,
                    "started_at": now,
                    "last_checked_at": now,
                    "count": count,
                    "peak": count,
                    "baseline_rate": baseline_rate,
                    "p_value": p_value,
                }
            )
        )


def update_episode(db, episode_id: int, now: str, count: int) -> None:
    with write(db):
        db.execute(
            "UPDATE surge_episodes SET last_checked_at = ?, peak = max(peak, ?) WHERE id = ?",
            [now, count, episode_id],
        )


def end_episode(db, episode_id: int, now: str) -> None:
    with write(db):
        db.execute(
            "UPDATE surge_episodes SET ended_at = ?, last_checked_at = ? WHERE id = ?",
            [now, now, episode_id],
        )


def current_episodes(db) -> list[dict[str, Any]]:
    """Surges going on now, for `status`; [] on an archive from before surges."""
    import sqlite3

    try:
        cursor = db.execute(
            "SELECT surge, key, started_at, count, peak, baseline_rate, last_checked_at "
            "FROM surge_episodes WHERE ended_at IS NULL ORDER BY started_at"
        )
    except sqlite3.OperationalError:
        return []
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
