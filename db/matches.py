"""Matches: one row per (article, topic), replaced as a whole when an article is re-flagged."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlite_utils
from mediawatch.db.connection import utc_iso, write


def store_matches(
    db: sqlite_utils.Database, article_id: int, matches: Iterable[dict[str, Any]]
) -> tuple[set[str], set[str]]:
    """Replace the article's flags; returns (topics added, topics removed)."""
    rows = []
    now = utc_iso()
    for m in matches:
        rows.append(
            {
                "article_id": article_id,
                "topic": m["topic"],
                "score": float(m["score"]),
                "entities": json.dumps(m.get("entities", []), ensure_ascii=False),
                "terms": json.dumps(m.get("terms", []), ensure_ascii=False),
                "snippets": json.dumps(m.get("snippets", []), ensure_ascii=False),
                "matched_at": now,
            }
        )
    with write(db):
        before = {
            r[0] for r in db.execute("SELECT topic FROM matches WHERE article_id = ?", [article_id])
        }
        after = {r["topic"] for r in rows}
        removed = before - after
        for topic in removed:
            db.execute(
                "DELETE FROM matches WHERE article_id = ? AND topic = ?", [article_id, topic]
            )
        for row in rows:
            if row["topic"] in before:
                # keep matched_at of a flag that stays, so "new flag" stays meaningful for digests
                row.pop("matched_at")
                db.table("matches").update((article_id, row["topic"]), row)
            else:
                db.table("matches").insert(row)
    return after - before, removed
