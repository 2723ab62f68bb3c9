"""Who wrote a page: declared authors first (JSON-LD, <meta>, citation, microdata, link-preview
labels), then the bylines the page shows, when the declared ones only name the site or a login.

Kept apart from extract.py: the byline rules are many small guesses about markup, and each new one
is weighed on its own (bench/extract.py, per field)."""

from __future__ import annotations

import re

from mediawatch.scrapers.extract_byline import page_author
from mediawatch.scrapers.extract_clean import (
    clean_authors,
    is_site_name,
    joins_names,
    looks_like_person,
)
from mediawatch.scrapers.extract_meta import PageMeta, ld_authors

AUTHOR_META = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "article.author",
    "content_author",
)


def page_authors(
    pm: PageMeta, tree, selected: list[str] | None, names: set[str]
) -> tuple[list[str], str | None]:
    """(authors, rule). Declared authors first; when they only name the site itself, a byline on
    the page wins."""
    if selected:
        found = clean_authors(selected)
        if found:
            return _people_first(found, names), "selector"
    declared: list[str] = []
    rule = None
    if pm.article:
        declared, rule = _ld_declared(ld_authors(pm.article, pm.ld_ids)), "jsonld"
    if not declared:
        declared = clean_authors(
            [v for v in pm.all(*AUTHOR_META) if not v.startswith(("http:", "https:"))]
        )
        rule = "meta"
    if not declared:
        declared, rule = clean_authors(pm.all("citation_author"), inverted=True), "citation"
    if not declared and pm.itemprop.get("author"):
        declared, rule = clean_authors([pm.itemprop["author"]]), "microdata"
    if not declared:
        declared, rule = clean_authors(_labelled_author(pm)), "twitter-label"
    # a login handle ('andrew.keaveney', 'KatieS') is who posted the page, often not who wrote it
    handles = bool(declared) and all(_handle(name) for name in declared)
    if declared and not handles and not all(is_site_name(name, names) for name in declared):
        return _people_first(declared, names), rule
    byline, site_byline = _page_byline(tree, names)
    byline_rule = "page-byline"  # marked up as the author's: trusted as it stands
    if not byline:
        byline, byline_rule = _byline(tree), "byline"
    byline = [name for name in byline if not is_site_name(name, names)]
    guessed = byline_rule == "byline" or handles  # a name must look like one to win
    if guessed and declared and not any(looks_like_person(n) for n in byline):
        return declared, rule
    if byline:
        return byline, byline_rule
    if declared:
        return declared, rule
    # a byline naming the site itself ("By EcoFlow") still says who wrote it
    return site_byline, "page-byline" if site_byline else None


_HANDLE = re.compile(r"[a-z][._\d@][a-z\d]|[a-z][A-Z]$")  # 'jane.doe', 'jdoe_22', 'KatieS'


def _handle(name: str) -> bool:
    """One token that reads as a user name, not a person's name (nor an agency's: 'dpa', 'AFP')."""
    return " " not in name and bool(_HANDLE.search(name))


def _ld_declared(credited: list[tuple[str, bool]]) -> list[str]:
    """Cleaned names of JSON-LD authors. An Organization's name is one name: 'Center for Drug
    Evaluation and Research' is not two authors, whatever 'and' and commas it holds, and the
    firm 'Morgan & Morgan' is not 'Morgan'."""
    found: list[str] = []
    for name, is_org in credited:
        parts = clean_authors([name])
        if is_org and parts and joins_names(name):
            parts = [" ".join(name.split())]
        found.extend(part for part in parts if part not in found)
    return found


_WRITTEN_BY = {"written by", "author", "authors", "by"}


def _labelled_author(pm: PageMeta) -> list[str]:
    """The name shown beside a 'Written by' label in link previews (twitter:label1 / data1, which
    WordPress SEO plugins fill from the post's author where they give no other author tag)."""
    for number in range(1, 5):
        label = pm.first(f"twitter:label{number}")
        if label and label.strip().rstrip(":").strip().casefold() in _WRITTEN_BY:
            value = pm.first(f"twitter:data{number}")
            return [value] if value else []
    return []


def _people_first(found: list[str], names: set[str]) -> list[str]:
    """Without the site's own name when real authors are named beside it."""
    others = [name for name in found if not is_site_name(name, names)]
    return others or found


_AUTHOR_LINKS = (
    "//body//a[@rel='author' or contains(@href, '/author/') or contains(@href, '/authors/')"
    " or contains(@href, '?author=')]"
)
_AUTHOR_CLASSES = (
    "//body//*[contains(@class, 'author-name') or contains(@class, 'author__name')"
    " or contains(@class, 'authorname') or contains(@class, 'byline')]"
)
# any element its class calls the author's ('author vcard', 'blog_author-text', 'at-author'),
# after the precise ones: its text is often the name alone
_AUTHOR_MARKED = (
    "//body//*[contains(translate(@class, 'AUTHOR', 'author'), 'author')"
    " and not(contains(@class, 'avatar'))]"
)
_BY_TEXT = re.compile(
    r"^(?:written |posted |words )?by:?\s+(.{2,80}?)(?:\s+(?:on|at|[|•·,–—-])\s.*)?$", re.I
)
_BY_ALONE = re.compile(r"^(?:written |posted |words )?by:?$", re.I)
_BYLINE_BLOCKS = ("p", "span", "div", "address", "li", "small", "h3", "h4", "h5", "h6")
# a field label with the name beside it: '<h3>Author</h3><p>Name</p>', '<dt>Authors</dt><dd>...',
# '<strong>Contributors:</strong> Name'
_FIELD_LABEL = re.compile(
    r"^(?:authors?|author\(s\)|contributors?|contributor\(s\)|(?:article|written|words) by)\s*:?$",
    re.I,
)
_FIELD_LEADS = ("author", "contrib", "article by", "written by", "words by")
_FIELD_TAGS = (
    "dt",
    "th",
    "strong",
    "b",
    "label",
    "p",
    "span",
    "div",
    *(f"h{n}" for n in range(2, 7)),
)


def _page_byline(tree, names: set[str]) -> tuple[list[str], list[str]]:
    """(people, site): a byline as readers see it (a link to the author's page, an element marked
    as the author's name, or a short 'By Name' line, outside comments, navigation and footers);
    `site` is the first byline that names only the site itself, for when nobody else is named."""
    site: list[str] = []

    def take(found: list[str]) -> list[str]:
        people = [name for name in found if not is_site_name(name, names)]
        if found and not people and not site:
            site.extend(found)
        return people

    for path in (_AUTHOR_LINKS, _AUTHOR_CLASSES, _AUTHOR_MARKED):
        # an element only loosely marked as the author's must hold a name that looks like one
        plausible = looks_like_person if path is _AUTHOR_MARKED else _plausible_name
        for node in tree.xpath(path)[:8]:
            if _outside_article(node):
                continue
            text = " ".join(node.text_content().split())
            if 80 < len(text) <= 600 and path is _AUTHOR_MARKED:  # a box: a name and a bio
                text = _name_in_box(node)
            if 1 < len(text) <= 80:
                found = take([name for name in clean_authors([text]) if plausible(name)])
                if found:
                    return found, site
    for node in tree.iter(*_BYLINE_BLOCKS):
        lead = (node.text or "").lstrip()[:8].lower()
        if not lead.startswith(("by", "written", "posted", "words")):
            continue  # cheap test first: text_content() of every <div> would cost O(page²)
        text = " ".join(node.text_content().split())
        if len(text) > 100 or _outside_article(node):
            continue
        match = _BY_TEXT.match(text)
        name_text = match[1] if match else None
        if not match and _BY_ALONE.match(text):  # "Written by" with the name in the next element
            following = node.getnext()
            name_text = (
                " ".join(following.text_content().split()) if following is not None else None
            )
        # 'By <a>A. J. Neal</a> View in digital edition': the link alone is the name
        for candidate in (name_text, _linked_name(node) if match else None):
            if candidate and len(candidate) <= 80:
                found = take(
                    [
                        name
                        for name in clean_authors([candidate])
                        if _plausible_name(name) and _capitalised(name)
                    ]
                )
                if found:
                    return found, site
    found = take(_labelled_field(tree) or _dated_byline(tree))
    return found, site


def _linked_name(node) -> str | None:
    """The text of the link that follows 'By' at once ('By <a href=...>Name</a> ...')."""
    if not _BY_ALONE.match(" ".join((node.text or "").split())):
        return None
    first = next(iter(node), None)
    if first is None or first.tag != "a":
        return None
    return " ".join(first.text_content().split()) or None


def _dated_byline(tree) -> list[str]:
    """'by Name' right after the post's <time>, in the same line ('<time>03/01/2017</time> by
    Agatha Caleo, Candidate Representative'): the dateline that opens many blog posts."""
    for stamp in tree.iter("time"):
        tail = " ".join((stamp.tail or "").split())
        if not tail.lower().startswith("by ") or len(tail) > 100 or _outside_article(stamp):
            continue
        match = _BY_TEXT.match(tail)
        found = [
            name
            for name in clean_authors([match[1]] if match else [])
            if _plausible_name(name) and _capitalised(name)
        ]
        if found:
            return found
    return []


def _name_in_box(node) -> str:
    """An author box holds the name in an element of its own above the bio ('<div
    class="author-box"><h3>Lauren Vetter</h3><p>Lauren Vetter is a ...</p>'): its first short one."""
    for inner in node.iterdescendants():
        if not isinstance(inner.tag, str):
            continue
        text = " ".join(inner.text_content().split())
        if (
            1 < len(text) <= 40
            and looks_like_person(text)
            and not _BOX_LINK.match(text)
            and not any(ch.isdigit() for ch in text)
        ):
            return text
    return ""


# the box's links and labels: 'Follow Sarah', 'About Sara Harberson', 'More from Jane'
_BOX_LINK = re.compile(r"^(?:follow|about|meet|contact|more|view|see|read|email|visit)\b", re.I)


def _labelled_field(tree) -> list[str]:
    """Names given as the value of an 'Author' / 'Contributors' field: in the label's own tail,
    else in the element after it (each item of a list)."""
    for node in tree.iter(*_FIELD_TAGS):
        if not (node.text or "").lstrip()[:12].lower().startswith(_FIELD_LEADS):
            continue
        if not _FIELD_LABEL.match(" ".join(node.text_content().split())):
            continue
        if _outside_article(node):
            continue
        values = [" ".join((node.tail or "").split())]
        following = node.getnext()
        if not values[0] and following is not None:
            items = following.xpath("./li") if following.tag in ("ul", "ol") else [following]
            values = [" ".join(item.text_content().split()) for item in items]
        found = [
            name
            for name in clean_authors([value for value in values if 1 < len(value) <= 80])
            if _plausible_name(name) and _capitalised(name)
        ]
        if found:
            return found
    return []


def _outside_article(node) -> bool:
    """In navigation, comments, related links or the site's footer. Classes on <body> describe the
    whole page ('footer-widgets-visible'), and an <article>'s own footer holds its byline."""
    chain = []
    for element in (node, *node.iterancestors()):
        if element.tag in ("body", "html"):
            break
        chain.append(element)
    in_article = any(element.tag == "article" for element in chain)
    for element in chain:
        if element.tag == "nav":
            return True
        marks = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
        if "comment" in marks or "related" in marks or "menu" in marks:
            return True
        if (element.tag == "footer" or "footer" in marks) and not in_article:
            return True
    return False


def _plausible_name(name: str) -> bool:
    words = name.split()
    return 1 <= len(words) <= 5 and not any(ch.isdigit() for ch in name.split(",")[0])


def _capitalised(name: str) -> bool:
    """Names in scripts with case start their words with capitals ('By batching ...' is prose)."""
    return all(not w[0].islower() for w in name.split())


def _byline(tree) -> list[str]:
    try:
        found = page_author(tree)
    except Exception:  # heuristics over odd markup; a missing byline is an answer
        found = None
    return clean_authors(found.split(";")) if found else []
