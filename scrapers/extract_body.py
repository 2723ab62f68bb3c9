"""What follows the article on its page, cut from the extracted body.

trafilatura's recall focus keeps whatever its class-name rules do not recognise, and the blocks
that most often come after an article (related links, 'more from', newsletter and follow boxes,
the author's bio) are announced by a heading of their own: from that heading on, the rest is the
page's, not the article's.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from lxml import etree

# A heading announcing the page's own material. Only whole headings (the line is nothing else),
# so a sentence that starts with 'Subscribe' is not one.
_AFTER_ARTICLE = re.compile(
    r"^(?:"
    r"(?:you )?(?:may|might|will|'ll) also (?:like|love|enjoy|be interested in)(?: these)?"
    r"|you (?:may|might) (?:also )?(?:like|enjoy)"
    r"|read (?:this )?next|up next|what to read next|keep reading"
    r"|more (?:from|by) (?:the )?\S+(?: \S+)?|more (?:stories|articles|news|posts|reading|to read)"
    r"|(?:most )?popular (?:posts|articles|stories)|trending(?: now| stories| posts)?"
    r"|(?:latest|recent) (?:posts|articles|stories|news)|other (?:posts|articles) you"
    r" (?:may|might) like"
    r"|share(?: this)?(?: (?:article|post|story|page|content))?(?: on)?|follow us(?: on .{1,30})?"
    r"|subscribe(?: to (?:our|the) (?:newsletter|blog|podcast)| now| today)?|sign up for (?:our|the)"
    r" newsletter|(?:our |join (?:our|the) )?newsletter|stay (?:in touch|connected|informed)"
    r"|about the authors?|about (?:the )?(?:writer|contributor)s?|meet the authors?"
    r"|(?:written|reviewed|edited|fact[- ]checked)(?: and \w+)? by(?:\W.{0,60})?"
    r"|(?:article )?sources|references (?:&|and) (?:sources|citations)|works cited|further reading"
    r"|(?:leave a|post a) (?:reply|comment)|comments?|\d+ comments?|join the (?:conversation|discussion)"
    r"|(?:did you find|was) this (?:article|page|post|content) (?:helpful|useful)\??"
    r"|(?:rate|how was) this (?:article|issue|post|page)\??"
    r")\W*$",
    re.I,
)
# A heading that may also head a box inside the article ('Also read:' and two links), after which
# the article goes on: it ends the article only when no run of prose follows.
_LINKS_BOX = re.compile(
    r"^(?:related(?: (?:posts?|articles?|stories|story|content|reading|links|news|topics|resources"
    r"|guides|items|videos|coverage))?(?: that may interest you)?|also read|see also|read more"
    r"|explore more(?: .{1,40})?|recommended(?: for you| reading| articles| posts| stories)?"
    r"|lesen sie (?:auch|mehr)|mehr zum thema|passend zum artikel|das könnte sie auch interessieren"
    r"|(?:à )?lire aussi|lea también|leia também|leggi anche|lees (?:ook|meer)|läs (?:också|mer)"
    r"|les også|læs også|czytaj (?:też|także|więcej)|čtěte také|przeczytaj (?:też|także)"
    r")\W*$",
    re.I,
)
# A table of contents: its list repeats the article's own headings.
_CONTENTS = re.compile(
    r"^(?:table of contents|contents|in this (?:article|post|guide)|jump to|on this page"
    r"|inhalt(?:sverzeichnis)?|sommaire|índice|indice|spis treści)\W*$",
    re.I,
)
# The page's furniture around the article, alone on its line: a table of contents' heading without
# its list, reading time, the 'last updated' stamp, skip links and ad labels.
_FURNITURE = re.compile(
    r"^(?:(?:table of )?contents|in this article|on this page"
    r"|[\W\d]*\d+\s*min(?:ute)?s?\.? read|(?:estimated )?reading time\b.*"
    r"|(?:last )?(?:updated|published|posted|modified)(?: on)?:?\s+\w+.{0,25}\d{4}.{0,12}"
    r"|skip to (?:main )?content|skip navigation|advertisement|back to (?:blog|top|all posts|articles)"
    r")\W*$",
    re.I,
)
# The page's footer and consent banner: nothing after them is the article's.
_PAGE_END = re.compile(
    r"^(?:(?:copyright\s*)?(?:©|\(c\))|copyright \d{4}|all rights reserved)"
    r"|^(?:we|this (?:web)?site|our (?:web)?site) uses? cookies\b"
    r"|^by (?:continuing to (?:use|browse)|using) (?:this|our) (?:web)?site\b",
    re.I,
)
# A picture's credit line ('Photo: Jane Doe', 'A view of the bay. Image credit: Getty').
_CREDIT = re.compile(
    r"(?:^|[.!?)]\s+|\s)(?:(?:photo|image|picture|video)s?(?: credit)?(?: by)?|credits?"
    r"|courtesy(?: of)?)\s*:\s*[^\s\d|$%]+(?:\s+[^\s|$%]+){0,5}$",
    re.I,
)
MIN_BEFORE = 0.4  # a heading ends the article only once this share of its text came before it
MAX_HEADING_WORDS = 10
MAX_END_WORDS = 60  # a footer line or cookie notice is short; a paragraph about cookies is not
MAX_CREDIT_WORDS = 40
PROSE_WORDS = 15  # two paragraphs this long in a row: the article goes on after the heading
LONG_PROSE_WORDS = 50  # ... or one paragraph this long: longer than any teaser's blurb
REPEAT_WORDS = 12  # a block this long seen twice is one block printed twice (a 'republish' copy)


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _prose_follows(children, words: list[int], start: int) -> bool:
    """Two long paragraphs in a row after start: the article itself, not a list of teasers (each
    teaser is a heading and one blurb)."""
    for i in range(start + 1, len(children) - 1):
        if children[i].tag == "p" and words[i] >= LONG_PROSE_WORDS:
            return True
        if (
            children[i].tag == "p"
            and children[i + 1].tag == "p"
            and words[i] >= PROSE_WORDS
            and words[i + 1] >= PROSE_WORDS
        ):
            return True
    return False


def trim(body) -> bool:
    """Take out of body (trafilatura's result tree) what is the page's, not the article's; True if
    anything went. From a heading that announces after-article material on, the rest (for a
    links box that the article goes on after, the heading and the short lines under it); from a
    copyright line or cookie notice on, the rest; picture credits; a block printed twice."""
    children = _blocks(body)
    texts = [_text(child) for child in children]
    words = [len(text.split()) for text in texts]
    total = sum(len(text) for text in texts)
    before = 0
    drop: list = []
    seen: set[str] = set()
    for i, child in enumerate(children):
        text, late = texts[i], before >= MIN_BEFORE * total
        before += len(text)
        heading = child.tag in ("head", "p") and words[i] <= MAX_HEADING_WORDS
        if heading and late and _AFTER_ARTICLE.match(text):
            drop.extend(children[i:])
            break
        if heading and (_LINKS_BOX.match(text) or _AFTER_ARTICLE.match(text)):
            if late and not _prose_follows(children, words, i):
                drop.extend(children[i:])
                break
            drop.append(child)
            for j in range(i + 1, len(children)):
                if children[j].tag == "list":  # the box's links
                    drop.append(children[j])
                    break
                if children[j].tag == "head" or words[j] >= PROSE_WORDS:
                    break
                drop.append(children[j])
        elif (
            heading
            and i + 1 < len(children)
            and children[i + 1].tag == "list"
            and _CONTENTS.match(text)
        ):
            drop.extend(children[i : i + 2])
        elif heading and _FURNITURE.match(text):
            drop.append(child)
        elif late and child.tag == "p" and words[i] <= MAX_END_WORDS and _PAGE_END.match(text):
            drop.extend(children[i:])
            break
        elif child.tag == "p" and words[i] <= MAX_CREDIT_WORDS and _CREDIT.search(text):
            drop.append(child)
        elif words[i] >= REPEAT_WORDS:
            if text in seen:
                drop.append(child)
            seen.add(text)
    for child in dict.fromkeys(drop):
        _remove(child)
    return bool(drop)


def _blocks(element) -> list:
    """The paragraphs, headings, lists and tables in reading order: trafilatura keeps some frames
    as <div> elements holding them."""
    found = []
    for child in element:
        if child.tag == "div" and len(child) and not (child.text or "").strip():
            found.extend(_blocks(child))
        else:
            found.append(child)
    return found


def _remove(element) -> None:
    """Out of its parent, with the loose text that follows it there (an lxml tail): in trafilatura's
    result that text belongs to what is dropped, as its rules drop it too."""
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def told(tokens: list[str], said: list[str], share: float = 0.5) -> bool:
    """Most of these words' four-word runs are already in the text's opening (said: its words):
    a description that repeats the article's opening (or all of it, headline included) adds
    nothing printed above it."""
    runs = {tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3)}
    opening = said[: 4 * len(tokens) + 40]
    found = {tuple(opening[i : i + 4]) for i in range(len(opening) - 3)}
    return bool(runs) and len(runs & found) >= share * len(runs)


_WORD = re.compile(r"\w+")
TEMPLATE_WORDS = 6  # lines ending in the same words come from one template


def distinct_chars(text: str) -> int:
    """Characters of text, each line that ends like an earlier one (a banner repeated with
    another price or country) counted once: what a longer extraction really adds."""
    seen: set[tuple[str, ...]] = set()
    total = 0
    for line in text.split("\n"):
        key = tuple(_WORD.findall(line)[-TEMPLATE_WORDS:])
        if key not in seen:
            seen.add(key)
            total += len(line)
    return total


def printed_chars(tree) -> int:
    """Characters of text in the paragraphs (<p>) of a page or of one of its elements: what an
    article page prints as prose, to tell an extraction that took only a small part of it."""
    return sum(len(text.strip()) for text in tree.xpath(".//p//text()"))


BIO_LINES = 3  # an author's note sits in the article's last few paragraphs
BIO_BEFORE = 0.6  # ... after most of its text


def without_bio(text: str, authors: list[str]) -> str:
    """The text without the author's note that closes it ('Jane Doe is a reporter who covers ...'):
    a paragraph in the last few that opens with the name of an author credited in the byline is
    about the writer, not the story."""
    names = [name for name in authors if len(name.split()) >= 2]
    if not names:
        return text
    lines = text.split("\n")
    if len(lines) < 4:
        return text
    cut = None
    for at in range(len(lines) - 1, max(len(lines) - 1 - BIO_LINES, 0), -1):
        line = lines[at]
        if any(line.startswith(name) and len(line) > len(name) + 20 for name in names):
            cut = at
    if cut is None or len("\n".join(lines[:cut])) < BIO_BEFORE * len(text):
        return text
    return "\n".join(lines[:cut])


TEASER_PAIRS = 3  # a run of this many headline + blurb pairs closing the text is a teaser list
TEASER_BLURB_WORDS = 35
_NOT_A_TEASER_HEADLINE = re.compile(r"[.:;,!?]$|^(?:- |Q\b)")


def _teaser_headline(line: str) -> bool:
    """A link's headline: a few words, no sentence or question mark at its end (a question
    with its answer is an FAQ, which is the article's), not a list item."""
    return 2 <= len(line.split()) <= MAX_HEADING_WORDS + 4 and not _NOT_A_TEASER_HEADLINE.search(
        line
    )


def _teaser_blurb(line: str) -> bool:
    return 6 <= len(line.split()) <= TEASER_BLURB_WORDS and not line.startswith("- ")


def without_teasers(text: str) -> str:
    """The text without the list of other posts that closes it when no heading announces it:
    three or more pairs of a headline and a one-sentence blurb, after most of the text."""
    lines = text.split("\n")
    end, pairs = len(lines), 0
    while end >= 2 and _teaser_blurb(lines[end - 1]) and _teaser_headline(lines[end - 2]):
        end, pairs = end - 2, pairs + 1
    kept = "\n".join(lines[:end])
    if pairs < TEASER_PAIRS or len(kept) < MIN_BEFORE * len(text):
        return text
    return kept


# a "boilerplate" container holding this share of the page's <p> text is the article
KEPT_SHARE = 0.6
KEPT_MIN_CHARS = 500  # ... on a page with at least this much of it


@contextmanager
def unmarked(tree, total: int):
    """True if any container of tree had its class and id taken off (for the duration): one that
    trafilatura's boilerplate tokens would discard although it holds most of the page's prose.

    The tokens match parts of names ("bar" in a site's "bard" wrapper, "embed" in a site builder's
    rich-text block, "sidebar" in a "content-has-sidebar" layout, "slide" in a listicle): dropping
    such a container drops the article with it, and the extractor then takes what is left over.
    total: the page's printed_chars.
    """
    from trafilatura.xpaths import OVERALL_DISCARD_XPATH

    taken: list = []
    if total >= KEPT_MIN_CHARS:
        found = cast("list[etree._Element]", OVERALL_DISCARD_XPATH[0](tree))
        for element in found:
            if element.tag in ("div", "section") and printed_chars(element) >= KEPT_SHARE * total:
                taken.append((element, element.get("class"), element.get("id")))
                for name in ("class", "id"):
                    element.attrib.pop(name, "")
    try:
        yield bool(taken)
    finally:
        for element, cls, ident in taken:
            if cls is not None:
                element.set("class", cls)
            if ident is not None:
                element.set("id", ident)
