"""What goes into a digest: the subscription's undelivered matches, grouped by topic and story.

`build_digest` only reads: it is a function of the archive rows and `now`, so a dry run, a
preview and the real run show the same thing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mediawatch.alerts.sanitize import clean_url, strip_controls, strip_controls_keeping_spans
from mediawatch.alerts.stories import Candidate, group_stories
from mediawatch.db import deliveries as store
from mediawatch.db.connection import utc_iso

if TYPE_CHECKING:  # types only
    from mediawatch.alerts.config import Subscription

COVERAGE_DAYS = 14
MAX_SNIPPETS = 2


@dataclass(frozen=True)
class Snippet:
    text: str
    highlights: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Item:
    """One flagged article as the digest shows it; every text field is untrusted."""

    article_id: int
    url: str
    title: str
    outlet: str
    published_at: str | None
    fetched_at: str | None
    language: str | None
    authors: tuple[str, ...]
    score: float
    snippets: tuple[Snippet, ...]
    terms: tuple[str, ...]

    @property
    def when(self) -> str | None:
        return self.published_at or self.fetched_at


@dataclass(frozen=True)
class Story:
    """One story: the best-scoring article, and the other outlets' copies of it."""

    lead: Item
    also: tuple[Item, ...] = ()

    @property
    def also_outlets(self) -> tuple[str, ...]:
        """Other outlets that carried it, once each, in the order they were found."""
        seen = {self.lead.outlet.lower()}
        out = []
        for item in self.also:
            if item.outlet.lower() not in seen:
                seen.add(item.outlet.lower())
                out.append(item.outlet)
        return tuple(out)

    @property
    def also_items(self) -> tuple[Item, ...]:
        """One copy per other outlet (for links)."""
        seen = {self.lead.outlet.lower()}
        out = []
        for item in self.also:
            if item.outlet.lower() not in seen:
                seen.add(item.outlet.lower())
                out.append(item)
        return tuple(out)


@dataclass(frozen=True)
class Section:
    topic: str
    stories: tuple[Story, ...]
    more: int  # matching articles not listed (beyond max_items)
    coverage: tuple[tuple[str, int], ...]  # (YYYY-MM-DD, flagged articles), oldest first

    @property
    def articles(self) -> int:
        return sum(1 + len(s.also) for s in self.stories) + self.more


@dataclass(frozen=True)
class Digest:
    subscription: Subscription
    generated_at: datetime
    since: datetime
    sections: tuple[Section, ...]
    # every article this digest covers: (article_id, topics, listed?)
    items: tuple[tuple[int, tuple[str, ...], bool], ...]

    @property
    def empty(self) -> bool:
        return not self.items

    @property
    def story_count(self) -> int:
        """Stories listed, a story filed under several topics counted once."""
        return len({story.lead.article_id for s in self.sections for story in s.stories})

    @property
    def topics_with_news(self) -> tuple[str, ...]:
        return tuple(s.topic for s in self.sections if s.stories or s.more)


def build_digest(
    db, subscription: Subscription, now: datetime | None = None, *, since: datetime | None = None
) -> Digest:
    """Select what the subscription has not been sent yet, grouped by topic, then by story.

    `since` overrides the look-back window (an article published before it is never news).
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    since = (since or now - timedelta(seconds=subscription.lookback)).astimezone(UTC)
    rows = store.undelivered(
        db,
        subscription.name,
        subscription.topics,
        min_score=subscription.min_score,
        languages=subscription.languages,
        since=utc_iso(since),
    )
    first_day = (now - timedelta(days=COVERAGE_DAYS - 1)).date()
    counts = store.coverage(
        db,
        subscription.topics,
        min_score=subscription.min_score,
        languages=subscription.languages,
        since=first_day.isoformat() + "T00:00:00Z",
    )
    days = [(first_day + timedelta(days=i)).isoformat() for i in range(COVERAGE_DAYS)]

    return assemble(subscription, rows, days, counts, now, since)


def assemble(
    subscription: Subscription,
    rows: list[dict[str, Any]],
    days: list[str],
    counts: dict[str, dict[str, int]],
    end: datetime,
    start: datetime,
) -> Digest:
    """Matched rows grouped by topic, then by story, with the coverage chart's counts per day;
    shared by the news digest and the period digest so both read the same."""
    by_topic: dict[str, list[Candidate]] = {t: [] for t in subscription.topics}
    for row in rows:
        by_topic[row["topic"]].append(_candidate(row))

    sections = []
    covered: dict[int, list[str]] = {}
    shown: set[int] = set()
    for topic in subscription.topics:
        stories, more = group_stories(by_topic[topic], subscription.max_items)
        for c in by_topic[topic]:
            covered.setdefault(c.item.article_id, []).append(topic)
        for lead, also in stories:
            shown.add(lead.item.article_id)
            shown.update(c.item.article_id for c in also)
        sections.append(
            Section(
                topic=topic,
                stories=tuple(
                    Story(lead.item, tuple(c.item for c in also)) for lead, also in stories
                ),
                more=len(more),
                coverage=tuple((d, counts.get(topic, {}).get(d, 0)) for d in days),
            )
        )
    items = tuple((aid, tuple(topics), aid in shown) for aid, topics in covered.items())
    return Digest(subscription, end, start, tuple(sections), items)


def _candidate(row: dict[str, Any]) -> Candidate:
    url = clean_url(row["url"] or "")
    outlet = one_line(row["outlet"]) or one_line(row["source"]) or urlsplit(url).hostname or "?"
    title = one_line(row["title"]) or one_line(row["description"])[:120] or url
    item = Item(
        article_id=row["article_id"],
        url=url,
        title=title,
        outlet=outlet,
        published_at=row["published_at"],
        fetched_at=row["fetched_at"],
        language=one_line(row["language"]) or None,
        authors=tuple(one_line(a) for a in _json_list(row["authors"]) if isinstance(a, str)),
        score=float(row["score"] or 0),
        snippets=_snippets(row["snippets"]),
        terms=_terms(row["terms"]),
    )
    return Candidate(
        item=item,
        story_key=row["same_as"] or row["article_id"],
        content_hash=row["content_hash"],
        title_key=title,
        text_key=row["text_start"] or "",
    )


def one_line(value: Any) -> str:
    """Fold all whitespace (CR and LF included) so a field can never add a line or a header, and
    drop control and bidi characters (a NUL in a Subject, U+202E turning text around)."""
    return " ".join(strip_controls(str(value)).split()) if value else ""


def _json_list(raw: Any) -> list:
    if isinstance(raw, list):
        return raw
    try:
        value = json.loads(raw or "[]")
    except (TypeError, ValueError):
        return []
    return value if isinstance(value, list) else []


def _snippets(raw: Any) -> tuple[Snippet, ...]:
    """Snippets with highlight offsets checked: in range, ordered, not overlapping."""
    out = []
    for entry in _json_list(raw)[:MAX_SNIPPETS]:
        if isinstance(entry, str):
            entry = {"text": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            continue
        text = entry["text"]
        spans, last = [], 0
        for span in sorted(
            s
            for s in entry.get("highlights") or []
            if isinstance(s, list | tuple)
            and len(s) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) for x in s)
        ):
            start, end = span
            if start >= last and start < end <= len(text):
                spans.append((start, end))
                last = end
        out.append(Snippet(*strip_controls_keeping_spans(text, tuple(spans))))
    return tuple(out)


def _terms(raw: Any) -> tuple[str, ...]:
    terms = []
    for entry in _json_list(raw):
        term = entry.get("term") if isinstance(entry, dict) else entry
        if isinstance(term, str) and one_line(term) and one_line(term) not in terms:
            terms.append(one_line(term))
    return tuple(terms[:6])
