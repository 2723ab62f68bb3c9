"""What a match hands on to the archive and the digests: scores, entities, terms and snippets."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Score weights by position: a mention in the title or the lead says more than one at the end.
TITLE_WEIGHT = 3.0
LEAD_WEIGHT = 2.0
LEAD_CHARS = 400
FULL_WEIGHT_CHARS = 5000
LATE_WEIGHT = 0.5
DECAY_CHARS = 20000

SNIPPET_BEFORE = 160
SNIPPET_AFTER = 200


def position_weight(
    offset: int, title_len: int, text_start: int, lead_chars: int = LEAD_CHARS
) -> float:
    """Weight of a mention at `offset` of title + "\\n\\n" + text; the lead is the first
    `lead_chars` characters of the text (matcher.salience.lead_chars)."""
    if offset < title_len:
        return TITLE_WEIGHT
    into = offset - text_start
    if into < lead_chars:
        return LEAD_WEIGHT
    if into < FULL_WEIGHT_CHARS:
        return 1.0
    return max(LATE_WEIGHT, 1.0 - (into - FULL_WEIGHT_CHARS) / DECAY_CHARS)


@dataclass
class TopicMatch:
    """One flagged topic of one article.

    All offsets in `entities` are character offsets into ``title + "\\n\\n" + text`` (the original,
    not the normalised text). Snippet highlights are offsets into the snippet's own `text`, so a
    template can mark them while autoescaping the rest.
    """

    topic: str
    score: float
    entities: list[dict] = field(default_factory=list)
    terms: list[dict] = field(default_factory=list)
    snippets: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "score": self.score,
            "entities": self.entities,
            "terms": self.terms,
            "snippets": self.snippets,
        }


def make_snippets(
    original: str, spans: list[tuple[int, int, float]], title_len: int, text_start: int, limit=2
) -> list[dict]:
    """One or two windows around the best-weighted mentions, every mention inside them marked."""
    snippets: list[dict] = []
    covered: list[tuple[int, int]] = []
    ordered = sorted(spans, key=lambda s: (-s[2], s[0]))
    for start, end, _weight in ordered:
        if len(snippets) >= limit:
            break
        for a, b in covered:
            if a <= start < b:
                break
        else:
            covered.append(_snippet_bounds(original, start, end, title_len, text_start))
            snippets.append(_snippet(original, *covered[-1], spans, title_len, text_start))
    return snippets


def _snippet_bounds(
    original: str, start: int, end: int, title_len: int, text_start: int
) -> tuple[int, int]:
    """The window of the snippet around a mention: the title, or a sentence-ish window of it or
    of the text."""
    if start < title_len:
        if title_len > SNIPPET_BEFORE + SNIPPET_AFTER:
            return _window(original, start, end, 0, title_len)
        return 0, title_len
    return _window(original, start, end, text_start, len(original))


_ENDS = (". ", "! ", "? ", "۔", "。", "！", "？", "؟", "\n")
# any of them; no end starts inside another (none starts with a space), so the matches are all
# their occurrences, as str.find/rfind would find them one end at a time
_END = re.compile("|".join(re.escape(mark) for mark in _ENDS))


def _window(original: str, start: int, end: int, floor: int, ceil: int) -> tuple[int, int]:
    """Sentence-ish bounds around a mention, within one part (title or text)."""
    lo = max(floor, start - SNIPPET_BEFORE)
    cut = -1
    for found in _END.finditer(original, lo, start):  # the last end before the mention
        cut = found.start()
    if cut != -1:
        lo = cut + 1
    elif lo > floor:
        space = original.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    hi = min(ceil, end + SNIPPET_AFTER)
    after = _END.search(original, end, hi)  # the first end after it
    if after:
        hi = after.start() + 1
    elif hi < ceil:
        space = original.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    while lo < start and original[lo].isspace():
        lo += 1
    while hi > end and original[hi - 1].isspace():
        hi -= 1
    return lo, hi


def _snippet(original, lo, hi, spans, title_len, text_start) -> dict:
    part_start = 0 if lo < title_len else text_start
    part_end = title_len if lo < title_len else len(original)
    prefix = "…" if lo > part_start else ""
    suffix = (
        "…" if hi < part_end and original[hi - 1 : hi] not in (".", "!", "?", "۔", "。") else ""
    )
    text = prefix + original[lo:hi] + suffix
    marks = sorted(
        {(s - lo + len(prefix), e - lo + len(prefix)) for s, e, _w in spans if lo <= s and e <= hi}
    )
    merged: list[list[int]] = []
    for s, e in marks:
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return {"text": text, "highlights": merged}
