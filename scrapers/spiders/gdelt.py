"""GDELT DOC 2.0 API (ArtList, JSON): paced at 6 s or more, rate-limit text detected even with status 200."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from mediawatch.db.crawls import last_run_started
from mediawatch.scrapers.feeds import MAX_TITLE_CHARS
from mediawatch.scrapers.items import Hints
from mediawatch.scrapers.spiders.base import NewsSpider

from mediawatch import db

MIN_DELAY = 6.0


def seendate_iso(text: str | None) -> str | None:
    """GDELT's '20261128T001500Z' -> ISO 8601. This is when GDELT saw the article, not publication."""
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y%m%dT%H%M%SZ").strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return None


class GdeltSpider(NewsSpider):
    name = "gdelt"

    async def start_index(self):
        await asyncio.sleep(self.wait_for_pace())
        yield self.index_request(self.source.url, self.parse_api, conditional=False)

    def wait_for_pace(self) -> float:
        """Seconds to wait so two API calls from this archive are at least MIN_DELAY apart."""
        last = db.parse_iso(last_run_started(self.archive, self.source.name, self.run_id))
        if last is None:
            return 0.0
        elapsed = (datetime.now(UTC) - last).total_seconds()
        return max(0.0, min(MIN_DELAY, MIN_DELAY - elapsed))

    def parse_api(self, response):
        text = response.text.strip() if hasattr(response, "text") else ""
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            self.index_failed = True
            reason = "rate limited" if "limit requests" in text.lower() else "not JSON"
            self.record_error(f"{response.url}: GDELT answer {reason}: {text[:120]!r}")
            return
        articles = data.get("articles", []) if isinstance(data, dict) else []
        candidates = []
        for a in articles:
            if not isinstance(a, dict) or not isinstance(a.get("url"), str):
                continue
            seen = seendate_iso(a.get("seendate"))
            title = t[:MAX_TITLE_CHARS] if isinstance(t := a.get("title"), str) else None
            outlet = d[:MAX_TITLE_CHARS] if isinstance(d := a.get("domain"), str) else None
            candidates.append((a["url"], Hints(title=title, outlet=outlet, seen_at=seen)))
            self.note_item_date(seen)
        yield from self.follow_articles(candidates)
