"""trafilatura's byline heuristic (metadata.extract_author) in one walk over the page.

trafilatura copies the whole tree, prunes comments, sidebars, <time> and <figure> from the copy,
then runs three XPath expressions with regular expressions over every element: about 20 ms a page,
a third of what the rest of our metadata costs. The same rules, read from trafilatura's own
AUTHOR_XPATHS and AUTHOR_DISCARD_XPATHS, applied in a single pass without a copy give the same
answer (checked against trafilatura on both corpora) in a fraction of the time.
"""

from __future__ import annotations

import re

# AUTHOR_XPATHS, three tiers: the first tier with a usable text wins, in document order
_TIER1_TAGS = {"a", "address", "div", "link", "p", "span", "strong"}
_TIER1_CLASS = re.compile(r"author-?name|AuthorName|authorName")
_TIER2_TAGS = {"a", "div", "h3", "h4", "p", "span"}
_TIER2_ID = re.compile(r"author|zuozhe|bianji|xiaobian")
_TIER2_CLASS = re.compile(
    r"author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name"
)
_TIER3_ID = re.compile(r"[Aa]uthor")
_TIER3_CLASS = re.compile(r"[Aa]uthor|screenname|writer|[Bb]yline")
# AUTHOR_DISCARD_XPATHS: these subtrees are not read at all
_DISCARD_TAGS = {"a", "div", "section", "span"}
_DISCARD_ID = re.compile(r"^comments|comment-?list|ProductReviews")
_DISCARD_CLASS = re.compile(
    r"^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram"
    r"|article-(?:share|support)|print|category|meta-date|meta-reviewer"
)
MAX_CHARS = 120


def _discarded(node) -> bool:
    tag = node.tag
    if tag in ("time", "figure"):
        return True
    if "Figure" in (node.get("data-component") or ""):
        return True
    if tag not in _DISCARD_TAGS:
        return False
    ident, cls = node.get("id") or "", node.get("class") or ""
    return (
        ident == "comments"
        or cls in ("comments", "title", "date")
        or bool(_DISCARD_ID.search(ident))
        or bool(_DISCARD_CLASS.search(cls))
    )


def _tier(node) -> int:
    tag = node.tag
    if tag == "author":
        return 1
    cls, ident = node.get("class") or "", node.get("id") or ""
    itemprop = node.get("itemprop") or ""
    if tag in _TIER1_TAGS and (
        node.get("rel") == "author"
        or ident == "author"
        or cls == "author"
        or itemprop == "author name"
        or node.get("data-testid") in ("AuthorCard", "AuthorURL")
        or _TIER1_CLASS.search(cls)
    ):
        return 1
    if tag in _TIER2_TAGS and (
        cls in ("byline", "username", "byl", "BBL")
        or "author" in itemprop
        or _TIER2_ID.search(ident)
        or _TIER2_CLASS.search(cls)
    ):
        return 2
    if (
        "Byline" in (node.get("data-component") or "")
        or "author" in itemprop
        or _TIER3_ID.search(ident)
        or _TIER3_CLASS.search(cls)
    ):
        return 3
    return 0


def _text(node) -> str:
    """The element's text without the discarded subtrees inside it (their tails stay)."""
    parts = [node.text or ""]
    for child in node:
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")
            continue
        if not _discarded(child):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return " ".join(parts)


def page_author(tree) -> str | None:
    """What trafilatura.metadata.extract_author(tree) answers, without copying the tree."""
    from trafilatura.metadata import normalize_authors

    found: dict[int, str] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        if not isinstance(node.tag, str) or _discarded(node):
            continue
        tier = _tier(node)
        if tier and tier not in found:
            content = " ".join(_text(node).split())
            if 2 < len(content) < MAX_CHARS:
                found[tier] = content
                if tier == 1:
                    break
        stack.extend(reversed(node))
    for tier in (1, 2, 3):
        if tier in found:
            return normalize_authors(None, found[tier])
    return None
