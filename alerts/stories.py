"""Story grouping: the same story from several outlets is shown once, with "also reported by".

Same story = the same article (a search-feed item linked with same_as), the same text (content
hash), a near-identical title or near-identical opening text (rapidfuzz). Candidates are compared
only with story leads that share a word n-gram, so the cost stays near linear in the matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process, utils

TITLE_CUTOFF = 90.0  # token_sort_ratio of normalised titles
TEXT_CUTOFF = 90.0  # ratio of the normalised opening text
MIN_TITLE = 20  # shorter titles ("Live updates") are too generic to group on
MIN_TEXT = 120
TEXT_CHARS = 200
_NUMBER = re.compile(r"\d+")
_SUFFIX = re.compile(r"\s+[-|\u2013\u2014:]\s+([^-|\u2013\u2014:]{2,60})$")


@dataclass
class Candidate:
    item: Any  # alerts.digest.Item
    story_key: int  # same_as or the article id
    content_hash: str | None
    title_key: str
    text_key: str


def normalise_title(title: str, outlet: str) -> str:
    """Lowercase words without the " - Outlet" tail that search feeds and syndication add."""
    match = _SUFFIX.search(title)
    if match and outlet and match.group(1).strip().lower() == outlet.strip().lower():
        title = title[: match.start()]
    return utils.default_process(title)


def group_stories(
    candidates: list[Candidate], max_stories: int
) -> tuple[list[tuple[Candidate, list[Candidate]]], list[Candidate]]:
    """Walk candidates best first; each joins an earlier story or starts one while room is left.

    Returns ([(lead, copies)], not listed).
    """
    stories: list[tuple[Candidate, list[Candidate]]] = []
    by_key: dict[int, int] = {}
    by_hash: dict[str, int] = {}
    titles = _Index(fuzz.token_sort_ratio, TITLE_CUTOFF, 2)
    texts = _Index(fuzz.ratio, TEXT_CUTOFF, 4)
    numbers: list[frozenset[str]] = []
    more: list[Candidate] = []
    for c in candidates:
        title = normalise_title(c.title_key, c.item.outlet)
        title = title if len(title) >= MIN_TITLE else ""
        text = utils.default_process(c.text_key[:TEXT_CHARS]) if c.text_key else ""
        text = text if len(text) >= MIN_TEXT else ""
        index = by_key.get(c.story_key, by_key.get(c.item.article_id))
        if index is None and c.content_hash:
            index = by_hash.get(c.content_hash)
        if index is None and title:
            index = titles.best(title)
            # "Blast kills 3" and "Blast kills 26" are two stories, however alike the words
            if index is not None and numbers[index] != _numbers(title):
                index = None
        if index is None and text:
            index = texts.best(text)
        if index is None:
            if len(stories) >= max_stories:
                more.append(c)
                continue
            index = len(stories)
            stories.append((c, []))
            titles.add(index, title)
            texts.add(index, text)
            numbers.append(_numbers(title))
        else:
            stories[index][1].append(c)
        by_key.setdefault(c.story_key, index)
        by_key.setdefault(c.item.article_id, index)
        if c.content_hash:
            by_hash.setdefault(c.content_hash, index)
    return stories, more


class _Index:
    """Story leads' strings, found through shared word n-grams before rapidfuzz scores them:
    two strings this alike always share one, and most unrelated ones share none, so a
    candidate is scored against a handful of stories instead of all of them."""

    def __init__(self, scorer, cutoff: float, n: int):
        self.scorer, self.cutoff, self.n = scorer, cutoff, n
        self.strings: dict[int, str] = {}
        self.postings: dict[str, list[int]] = {}

    def _grams(self, value: str) -> set[str]:
        words = value.split()
        if len(words) <= self.n:
            return {" ".join(words)}
        return {" ".join(words[i : i + self.n]) for i in range(len(words) - self.n + 1)}

    def add(self, index: int, value: str) -> None:
        if not value:
            return
        self.strings[index] = value
        for gram in self._grams(value):
            self.postings.setdefault(gram, []).append(index)

    def best(self, value: str) -> int | None:
        near: set[int] = set()
        for gram in self._grams(value):
            near.update(self.postings.get(gram, ()))
        if not near:
            return None
        hit = process.extractOne(
            value,
            {i: self.strings[i] for i in sorted(near)},
            scorer=self.scorer,
            processor=None,
            score_cutoff=self.cutoff,
        )
        return hit[2] if hit else None


def _numbers(title: str) -> frozenset[str]:
    return frozenset(_NUMBER.findall(title))
