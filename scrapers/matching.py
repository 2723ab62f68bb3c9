"""Pipeline step: flag a stored article with the watchlist's topics (the matcher is compiled once per crawl)."""

from __future__ import annotations

import db


def flag_article(conn, matcher, article_id: int, title: str | None, text: str | None) -> list[str]:
    if matcher is None:
        return []
    found = matcher.match(title or "", text or "")
    db.store_matches(conn, article_id, [m.to_dict() for m in found])
    return [m.topic for m in found]
