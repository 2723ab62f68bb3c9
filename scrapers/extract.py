"""Article extraction: one HTML page in, headline, body text, date, authors and language out.

Page metadata first (JSON-LD, Open Graph, <meta>), because publishers state it for search engines and
it beats layout guessing; trafilatura for the body and htmldate for dates the metadata lacks; a source's
own CSS/XPath selectors override both for the fields they match. No Scrapy and no SQL here: the crawl
pipeline, the `extract` command and the benchmark all call extract() alike.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field
from urllib.parse import urljoin, urlsplit

from scrapers.extract_clean import (
    clean_authors,
    clean_title,
    is_site_name,
    local_iso,
    looks_like_person,
    norm,
    parse_date,
    shortest_agreed,
    site_names,
    utc_iso,
)
from scrapers.extract_meta import PageMeta, harvest, ld_authors, ld_image, ld_language, ld_value
from scrapers.extract_select import SELECTOR_FIELDS, check_selector, select_date, select_texts
from scrapers.language import detect_language, normalise_declared, plausible
from scrapers.xmlsafe import charset_of, decode_unicode, unicode_family

__all__ = ["SELECTOR_FIELDS", "Extracted", "ExtractionError", "check_selector", "extract"]

LOG = logging.getLogger(__name__)

MAX_HTML_BYTES = 20 * 1024 * 1024
SHORT_BODY_CHARS = 1000  # below this, the recall pass may have missed the article: try balanced

DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "article.published",
    "og:published_time",
    "published_time",
    "parsely-pub-date",
    "sailthru.date",
    "cxenseparse:recs:publishtime",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "citation_publication_date",
    "citation_date",
    "publication_date",
    "publish-date",
    "publish_date",
    "publishdate",
    "pubdate",
    "datepublished",
    "date.release",
    "release_date",
    "date",
)
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
SITE_NAME_META = (
    "og:site_name",
    "application-name",
    "apple-mobile-web-app-title",
    "publisher",
    "copyright",
)
SECTION_META = ("article:section", "parsely-section", "sailthru.section", "section", "og:section")


class ExtractionError(Exception):
    """The input is not an HTML page (empty, binary, a feed, unparseable)."""


@dataclass
class Extracted:
    title: str | None
    text: str
    published_at: str | None  # UTC, "YYYY-MM-DDTHH:MM:SSZ"
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    canonical_url: str | None = None
    lead_image: str | None = None
    section: str | None = None
    description: str | None = None
    date_source: str | None = None
    published_local: str | None = None  # the same moment with the page's own UTC offset

    def as_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------- parsing

_NOT_HTML_START = re.compile(
    rb"^\s*(?:%PDF|PK\x03\x04|\x89PNG|GIF8|\xff\xd8\xff|\{|\[|<\?xml[^>]*>\s*(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF|urlset|sitemapindex)\b)",
    re.S,
)
_HTML_MARK = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|title|meta|div|p|article|main|h1|span)\b", re.I
)


def _to_bytes(page: bytes | str) -> bytes:
    if isinstance(page, str):
        return page.encode("utf-8", "surrogatepass")
    if isinstance(page, bytes | bytearray | memoryview):
        return bytes(page)
    raise ExtractionError(f"not a page: {type(page).__name__}")


def _wide_text(raw: bytes, content_type: str | None) -> str | None:
    """A UTF-16 or UTF-32 page as text, known by its BOM, its charset header or the zero bytes
    around ASCII markup; None for any other page (trafilatura decodes those). Without this its zero
    bytes made every such page look binary."""
    family = unicode_family(raw[:4])
    if family is None:
        declared = charset_of(content_type or "")
        family = declared if declared and declared.startswith(("utf-16", "utf-32")) else None
    if family is None or family == "utf-8":
        return None
    return decode_unicode(raw[:MAX_HTML_BYTES], family).lstrip("\ufeff")


def _parse(page: bytes | str, content_type: str | None = None):
    from trafilatura.utils import load_html

    if isinstance(page, bytes | bytearray | memoryview):
        page = _wide_text(bytes(page), content_type) or page
    raw = _to_bytes(page)
    if not raw.strip():
        raise ExtractionError("empty page")
    head = raw[:4096].lstrip(b"\xef\xbb\xbf")
    if _NOT_HTML_START.match(head) or b"\x00" in head:
        raise ExtractionError("not HTML (binary, JSON or a feed)")
    if not _HTML_MARK.search(raw[:65536]):
        raise ExtractionError("not HTML (no HTML elements)")
    try:
        tree = load_html(page if isinstance(page, str) else raw[:MAX_HTML_BYTES])
    except Exception as exc:  # lxml and the decoders raise a wide range
        raise ExtractionError(f"unparseable HTML: {exc}") from exc
    if tree is None or len(tree) == 0:
        raise ExtractionError("unparseable HTML")
    return tree


# ---------------------------------------------------------------- fields


def _body(tree, url: str | None) -> str:
    """Recall first: a missed paragraph may be the one naming a watched topic.

    trafilatura's recall focus also skips its readability comparison once the text is long, which
    makes it the faster pass; a short result gets the balanced pass too, and the longer text wins.
    """
    text = _trafilatura_text(tree, url, favor_recall=True)
    if len(text) < SHORT_BODY_CHARS:
        balanced = _trafilatura_text(tree, url, favor_recall=False)
        if len(balanced) > len(text):
            text = balanced
    if not text.strip():
        from trafilatura.external import try_readability
        from trafilatura.utils import trim

        try:
            fallback = try_readability(tree)
            text = "\n".join(
                t
                for t in (trim(p.text_content()) for p in fallback.iter("p", "h2", "h3", "li"))
                if t
            )
        except Exception:  # readability is a last resort; its failures are not ours
            text = ""
    return _paragraphs(text)


def _trafilatura_text(tree, url: str | None, favor_recall: bool) -> str:
    import trafilatura

    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        favor_recall=favor_recall,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
    )
    return (doc.text or "") if doc is not None else ""


def _paragraphs(text: str) -> str:
    lines = (" ".join(line.split()) for line in (text or "").splitlines())
    return "\n".join(line for line in lines if line)


_WORD = re.compile(r"\w+")
_VISIBLE_TEXT = "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)]"


def _with_lead(tree, text: str, description: str) -> str:
    """The standfirst (the page's description, shown above the article) when extraction skipped it.

    Only when it is printed on the page: a description that is only a <meta> tag is not article text.
    """
    words = " ".join(_WORD.findall(description))
    if len(words.split()) < 8 or words in " ".join(_WORD.findall(text)):
        return text
    visible = " ".join(_WORD.findall(" ".join(tree.xpath(_VISIBLE_TEXT))))
    return f"{description}\n{text}" if words in visible else text


def _without_headline(text: str, title: str | None) -> str:
    """The body without the headline that extraction often keeps as its first line."""
    first, _, rest = text.partition("\n")
    if title and rest and norm(first) == norm(title):
        return rest
    return text


def _title(pm: PageMeta, names: set[str], sections: set[str], selected: str | None) -> str | None:
    if selected:
        return clean_title(selected, names, sections)
    article = pm.article
    raw = [  # og:title first: the publisher's chosen headline; JSON-LD's is often the SEO variant
        pm.first("og:title"),
        ld_value(article, "headline", "name") if article else None,
        pm.itemprop.get("headline"),
        pm.first("twitter:title"),
        *pm.h1[:1],
        pm.title_tag,
        pm.first("title", "dc.title", "parsely-title", "sailthru.title"),
    ]
    candidates = [c for c in (clean_title(r, names, sections) for r in raw) if c]
    if not candidates:
        return None
    return shortest_agreed(candidates[0], candidates[1:])


def _date(pm: PageMeta, tree, url: str | None, selected) -> tuple:
    """(moment, has_time, source) from the first source that gives a plausible date."""
    if selected is not None:
        return (*selected, "selector")
    if pm.article:
        for key in ("datePublished", "dateCreated", "uploadDate"):
            parsed = parse_date(ld_value(pm.article, key))
            if parsed:
                return (*parsed, "jsonld")
    for key in DATE_META:
        for value in pm.meta.get(key, ()):
            parsed = parse_date(value)
            if parsed:
                return (*parsed, "meta")
    parsed = parse_date(pm.itemprop.get("datePublished"))
    if parsed:
        return (*parsed, "microdata")
    if pm.page:
        parsed = parse_date(ld_value(pm.page, "datePublished"))
        if parsed:
            return (*parsed, "jsonld")
    return _htmldate(tree, url)


def _htmldate(tree, url: str | None) -> tuple:
    from htmldate import find_date

    try:
        found = find_date(tree, url=url, original_date=True, extensive_search=True)
    except Exception:  # htmldate gives up in many ways; no date is an answer
        found = None
    parsed = parse_date(found)
    return (*parsed, "htmldate") if parsed else (None, False, None)


def _authors(pm: PageMeta, tree, selected: list[str] | None, names: set[str]) -> list[str]:
    """Declared authors first; when they only name the site itself, a byline on the page wins."""
    if selected:
        found = clean_authors(selected)
        if found:
            return _people_first(found, names)
    declared: list[str] = []
    if pm.article:
        declared = clean_authors([name for name, _ in ld_authors(pm.article)])
    if not declared:
        declared = clean_authors(
            [v for v in pm.all(*AUTHOR_META) if not v.startswith(("http:", "https:"))]
        )
    if not declared:
        declared = clean_authors(pm.all("citation_author"), inverted=True)
    if not declared and pm.itemprop.get("author"):
        declared = clean_authors([pm.itemprop["author"]])
    if declared and not all(is_site_name(name, names) for name in declared):
        return _people_first(declared, names)
    byline = [name for name in _byline(tree) if not is_site_name(name, names)]
    if declared and not any(looks_like_person(name) for name in byline):
        return declared
    return byline or declared


def _people_first(found: list[str], names: set[str]) -> list[str]:
    """Without the site's own name when real authors are named beside it."""
    others = [name for name in found if not is_site_name(name, names)]
    return others or found


def _byline(tree) -> list[str]:
    from trafilatura.metadata import extract_author

    try:
        found = extract_author(tree)
    except Exception:  # heuristics over odd markup; a missing byline is an answer
        found = None
    return clean_authors(found.split(";")) if found else []


def _language(pm: PageMeta, text: str, hint: str | None) -> str | None:
    sample = text[:4000]
    declared = [
        ld_language(pm.article) if pm.article else None,
        pm.html_lang,
        pm.first("og:locale"),
        pm.first("http-equiv:content-language", "content-language", "language", "dc.language"),
        hint,
    ]
    for value in declared:
        code = normalise_declared(value)
        if code and plausible(code, sample):
            return code
    return detect_language(sample) or normalise_declared(hint)


def _absolute(value: str | None, base: str | None) -> str | None:
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        joined = urljoin(base, value) if base else value
        parts = urlsplit(joined)
    except ValueError:
        return None
    return joined if parts.scheme in ("http", "https") and parts.netloc else None


# ---------------------------------------------------------------- entry point


def extract(
    html: bytes | str,
    url: str | None = None,
    selectors: dict | None = None,
    language: str | None = None,
    content_type: str | None = None,
) -> Extracted:
    """Extract one article page. Raises ExtractionError, and only that, for input that is not a page.

    content_type is the HTTP header, when known: its charset tells a UTF-16 page without BOM."""
    tree = _parse(html, content_type)
    try:
        return _extract(tree, url, selectors or {}, language)
    except ExtractionError:
        raise
    except RecursionError as exc:
        raise ExtractionError("page too deeply nested") from exc
    except Exception as exc:  # a bug or a pathological page must cost one page, not the crawl
        LOG.exception("extraction failed for %s", url)
        raise ExtractionError(f"extraction failed: {type(exc).__name__}: {exc}") from exc


def _extract(tree, url: str | None, selectors: dict, language: str | None) -> Extracted:
    pm = harvest(tree, url)
    canonical = _absolute(pm.canonical, url) or _absolute(pm.first("og:url"), url)
    host = urlsplit(url or canonical or "").hostname
    article = pm.article

    sel_title = select_texts(tree, selectors.get("title"))
    sel_body = select_texts(tree, selectors.get("body"), blocks=True)
    sel_author = select_texts(tree, selectors.get("author"))
    sel_date = select_date(tree, selectors.get("date"))

    text = _paragraphs("\n".join(sel_body)) if sel_body else ""
    if not text:
        text = _body(tree, url)

    section = (ld_value(article, "articleSection") if article else None) or pm.first(*SECTION_META)
    names = site_names(
        [*pm.all(*SITE_NAME_META), *pm.ld_names, pm.first("twitter:site") or ""], host
    )
    sections = {norm(section)} if section and len(norm(section)) >= 2 else set()
    title = _title(pm, names, sections, sel_title[0] if sel_title else None)

    moment, has_time, date_source = _date(pm, tree, url, sel_date)
    published_at = published_local = None
    if moment is not None:
        published_at = utc_iso(moment)
        published_local = local_iso(moment) if has_time else published_at

    image = pm.first(
        "og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"
    )
    if not image and article:
        image = ld_image(article)
    description = pm.first("og:description", "description", "twitter:description", "dc.description")
    if not description and article:
        description = ld_value(article, "description")

    text = _without_headline(text, title)
    if description and not sel_body:
        text = _with_lead(tree, text, " ".join(description.split()))

    return Extracted(
        title=title,
        text=text,
        published_at=published_at,
        authors=_authors(pm, tree, sel_author, names),
        language=_language(pm, text or title or "", language),
        canonical_url=canonical,
        lead_image=_absolute(image, url or canonical),
        section=" ".join(section.split()) if section else None,
        description=" ".join(description.split()) if description else None,
        date_source=date_source,
        published_local=published_local,
    )
