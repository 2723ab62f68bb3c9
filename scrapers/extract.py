"""Article extraction: one HTML page in, headline, body text, date, authors and language out.

Page metadata first (JSON-LD, Open Graph, <meta>), because publishers state it for search engines and
it beats layout guessing; trafilatura for the body and htmldate for dates the metadata lacks; a source's
own CSS/XPath selectors override both for the fields they match. No Scrapy and no SQL here: the crawl
pipeline, the `extract` command and the benchmark all call extract() alike.
"""

from __future__ import annotations

import contextlib
import logging
import re
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urljoin, urlsplit

from mediawatch.scrapers import mojibake
from mediawatch.scrapers.extract_authors import page_authors
from mediawatch.scrapers.extract_body import (
    distinct_chars,
    printed_chars,
    told,
    trim,
    unmarked,
    without_bio,
    without_teasers,
)
from mediawatch.scrapers.extract_clean import (
    clean_title,
    is_site_name,
    local_iso,
    norm,
    parse_date,
    shortest_agreed,
    site_names,
    split_title,
)
from mediawatch.scrapers.extract_dates import (
    published_before,
    same_moment_locally,
    shown_date,
    shown_days,
    time_days,
    updated_date,
    url_date,
)
from mediawatch.scrapers.extract_meta import (
    NEWS_TYPES,
    NOT_NEWS,
    PageMeta,
    harvest,
    ld_image,
    ld_language,
    ld_value,
    types,
)
from mediawatch.scrapers.extract_select import (
    SELECTOR_FIELDS,
    check_selector,
    select_date,
    select_texts,
)
from mediawatch.scrapers.language import detect_language, normalise_declared, plausible
from mediawatch.scrapers.xmlsafe import charset_of, decode_unicode, unicode_family
from mediawatch.times import utc_iso

__all__ = ["SELECTOR_FIELDS", "Extracted", "ExtractionError", "check_selector", "extract"]

LOG = logging.getLogger(__name__)

MAX_HTML_BYTES = 20 * 1024 * 1024
SHORT_BODY_CHARS = 1000  # below this, the recall pass may have missed the article: try balanced
LOW_SHARE = 0.3  # ... and below this share of the page's paragraph text
# the balanced text replaces recall's when it holds this much more distinct text
BALANCED_GAIN = 1.3
KEPT_GAIN = 1.1  # ... and a retry with a boilerplate-named container kept, when 10% longer
KEPT_BELOW = 0.4  # a text under this share of the page's <p> text may miss a dropped container

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
    "published",
    "published_at",
    "published-date",
    "published-time",
    "publisheddate",
    "og:publish_date",
    "publish_time",
    "date-pub",
    "cxenseparse:publishtime",
    "content:publishdate",
    "prism.publicationdate",
    "date",
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
    # "instant" (time and zone), "time" (a time without a zone, taken as UTC) or "day"
    date_precision: str | None = None
    # which rule gave each field (for `bench/extract.py --show` and debugging a source)
    title_source: str | None = None
    author_source: str | None = None
    body_source: str | None = None


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
    if mojibake.suspect(raw):
        # not UTF-8 at all: trafilatura's decoder guesses, as for any page
        with contextlib.suppress(UnicodeDecodeError):
            page = mojibake.repaired(raw[:MAX_HTML_BYTES].decode("utf-8"))
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


def _body(tree, url: str | None) -> tuple[str, str]:
    """Recall first: a missed paragraph may be the one naming a watched topic.

    trafilatura's recall focus also skips its readability comparison once the text is long, which
    makes it the faster pass; a short result gets the balanced pass too, and the longer text wins
    when it is clearly longer (lines printed from one template, such as a row of shipping banners,
    counted once).
    So does a result that holds little of the page's paragraph text: recall mode took the first
    block its rules name (a summary box, a teaser list), where the balanced pass compares it with
    readability's and jusText's choice.
    """
    text, source = _trafilatura_text(tree, url, favor_recall=True), "recall"
    printed = printed_chars(tree)
    if len(text) < SHORT_BODY_CHARS or len(text) < LOW_SHARE * printed:
        balanced = _trafilatura_text(tree, url, favor_recall=False)
        if distinct_chars(balanced) > BALANCED_GAIN * distinct_chars(text):
            text, source = balanced, "balanced"
    if len(text) < KEPT_BELOW * printed:  # only then look for a dropped container with the rest
        with unmarked(tree, printed) as taken:
            kept = _trafilatura_text(tree, url, favor_recall=True) if taken else ""
        if distinct_chars(kept) > KEPT_GAIN * distinct_chars(text):
            text, source = kept, "unmarked"
    if not text.strip():
        source = "readability"
        from trafilatura.external import try_readability
        from trafilatura.utils import trim

        try:  # on a copy: readability rewrites the tree it reads, and metadata is read after
            fallback = try_readability(deepcopy(tree))
            text = "\n".join(
                t
                for t in (trim(p.text_content()) for p in fallback.iter("p", "h2", "h3", "li"))
                if t
            )
        except Exception:  # readability is a last resort; its failures are not ours
            text = ""
    return _paragraphs(text), source


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
    if doc is None:
        return ""
    # trafilatura types the result for both as_dict values; as_dict=False gives a Document
    body = doc.body  # type: ignore[union-attr]
    if body is None or not trim(body):
        return doc.text or ""  # type: ignore[union-attr]
    from trafilatura.xml import xmltotxt

    return xmltotxt(body, False)


def _paragraphs(text: str) -> str:
    lines = (" ".join(line.split()) for line in (text or "").splitlines())
    return "\n".join(line for line in lines if line)


_WORD = re.compile(r"\w+")
_ANCHOR_TEXT = (
    "//body//text()[contains(., $anchor)][not(ancestor::script or ancestor::style"
    " or ancestor::noscript or ancestor::template)]"
)


def _with_lead(tree, text: str, description: str) -> str:
    """The standfirst (the page's description, shown above the article) when extraction skipped it.

    Only when it is printed on the page: a description that is only a <meta> tag is not article text.
    """
    tokens = _WORD.findall(description)
    if len(tokens) < 8:
        return text
    words, said = " ".join(tokens), _WORD.findall(text)
    if words in " ".join(said) or told(tokens, said):
        return text
    # Joining and tokenising the whole page is the costly part: only the text nodes holding the
    # description's rarest-looking word (its longest among the first five) are looked at, each
    # with the few elements around it.
    anchor = max(tokens[:5], key=len)
    span = len(description)
    for found in tree.xpath(_ANCHOR_TEXT, anchor=anchor)[:50]:
        element = found.getparent()
        for _ in range(4):
            if element is None:
                break
            content = element.text_content()
            if len(content) > 4 * span:  # a large block: only the text around the anchor
                at = content.find(anchor)
                content = content[max(0, at - 2 * span) : at + 2 * span] if at >= 0 else ""
            if words in " ".join(_WORD.findall(content)):
                return f"{description}\n{text}"
            if len(content) >= 4 * span:
                break
            element = element.getparent()
    return text


def _without_headline(text: str, title: str | None) -> str:
    """The body without the headline that extraction often keeps as its first line."""
    first, _, rest = text.partition("\n")
    if title and rest and norm(first) == norm(title):
        return rest
    return text


def _title(
    pm: PageMeta, names: set[str], sections: set[str], selected: str | None
) -> tuple[str | None, str | None]:
    """(headline, rule): _chosen_title without what follows a ' | ' after a headline of three
    words or more: what sites append there (a brand, a section, an SEO tagline) is not part of
    it, even when the site's name is not declared anywhere to recognise it."""
    title, rule = _chosen_title(pm, names, sections, selected)
    if title and rule != "selector":
        head, bar, _ = title.partition(" | ")
        if bar and len(head.split()) >= 3:
            # what stood before the bar may end with the site's name too ('X - Site | Tagline')
            return mojibake.repaired(clean_title(head, names, sections) or head.strip()), rule
        if rule in _METADATA_TITLES and not _is_news(pm):
            title = _without_tagline(title)
        return mojibake.repaired(_without_domain(title, names)), rule
    return title, rule


_METADATA_TITLES = {"og:title", "jsonld", "microdata", "twitter:title", "title-tag", "meta-title"}
_DASH_TAIL = re.compile(r"\s[-–—]\s+(\S+(?:\s+\S+){0,2})$")


def _without_tagline(title: str) -> str:
    """A metadata title without the few words it appends after a dash to a headline of three
    words or more ('... Compared - Personally Tested', '... Rankings - Infographic', 'Gym
    Workouts for Beginners — Strength Training'): a label for search results. The printed <h1>
    keeps its words, and so does news, where a dash joins a headline's two clauses."""
    tail = _DASH_TAIL.search(title)
    if tail and len(title[: tail.start()].split()) >= 3:
        return title[: tail.start()].rstrip()
    return title


_DOMAIN_WORD = re.compile(r"^(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$", re.I)


def _without_domain(title: str, names: set[str]) -> str:
    """Without the site's address printed before or after the headline with no separator
    ('davidbau.com Vibe Coding'): an address is never part of a headline about something else."""
    words = title.split()
    if len(words) < 3:
        return title
    for at in (0, -1):
        if _DOMAIN_WORD.match(words[at]) and norm(words[at].lower().removeprefix("www.")) in names:
            rest = words[1:] if at == 0 else words[:-1]
            return " ".join(rest)
    return title


def _chosen_title(
    pm: PageMeta, names: set[str], sections: set[str], selected: str | None
) -> tuple[str | None, str | None]:
    """(headline, rule): _ranked_title's choice, unless another source spells or states the same
    headline better (_title_cased, _as_headline)."""
    title, rule, cleaned = _ranked_title(pm, names, sections, selected)
    if not title or not rule or rule == "selector":
        return title, rule
    if rule in ("h1", "h1+jsonld"):
        title, rule = _title_cased(title, rule, cleaned)
    return _as_headline(title, rule, cleaned)


def _title_cased(h1: str, rule: str, cleaned: list[tuple[str, str | None]]) -> tuple[str, str]:
    """The metadata's spelling of a headline the page prints in sentence case ('How much should I
    pay for cleaning in Quetta?' against 'How Much Should I Pay For Cleaning in Quetta?') when
    the metadata is typed title case: it capitalises the content words and leaves a small word
    ('in', 'to', 'of') in lower case, which no template does. Metadata in which every word is
    capitalised ('A Winter Guide To The Forest Of Ziarat') is a template's, and an <h1> that
    differs from it only in the small words ('Review and Approval') minds them: the <h1> stays."""
    mine = h1.split()
    for other, value in cleaned:
        if other == "h1" or not value or value == h1 or value.casefold() != h1.casefold():
            continue
        theirs = value.split()
        if len(theirs) != len(mine) or not any(w.isalpha() and w.islower() for w in theirs[1:]):
            continue
        raised = lowered = 0
        for a, b in zip(mine[1:], theirs[1:], strict=True):
            if len(a) >= 4 and a != b:
                raised += a[0].islower() and b[0].isupper()
                lowered += a[0].isupper() and b[0].islower()
        if raised >= 2 and not lowered:
            return value, other
    return h1, rule


_SENTENCE_STOP = re.compile(r"(\w*[a-z]{2})\s?\.$")
_ABBREVIATIONS = {"inc", "ltd", "co", "corp", "bros", "jr", "sr", "st", "ave", "etc", "vs", "no"}


def _as_headline(title: str, rule: str, cleaned: list[tuple[str, str | None]]) -> tuple[str, str]:
    """A title written as a sentence with a full stop ('Here are the six types of HR outsourcing.')
    is a social-media teaser, not a headline: another source that words it otherwise as a
    headline wins. Another source with the same words is only the teaser without its stop."""
    stop = _SENTENCE_STOP.search(title)
    if not stop or stop[1].casefold() in _ABBREVIATIONS:  # 'Bolan Minerals Inc.'
        return title, rule
    for other, value in cleaned:
        if (
            value
            and not value.rstrip().endswith(".")
            and norm(value) != norm(title)
            and len(value.split()) >= 3
        ):
            return value, other
    return title, rule


def _ranked_title(
    pm: PageMeta, names: set[str], sections: set[str], selected: str | None
) -> tuple[str | None, str | None, list[tuple[str, str | None]]]:
    """(headline, rule, the cleaned candidates). The publisher's metadata first; the headline
    printed on the page (<h1>) when another source confirms it, or, outside news articles, when
    metadata carries an SEO variant of it."""
    if selected:
        return clean_title(selected, names, sections), "selector", []
    article = pm.article
    # a news article (by its JSON-LD type, or a newspaper section in article:section on a page
    # that does not call itself a blog post) keeps its metadata headline: there the <h1> often
    # carries a kicker or a longer print headline
    news = _is_news(pm)
    headline = ld_value(article, "headline", "name") if article else None
    raw = [  # og:title first: the publisher's chosen headline; JSON-LD's is often the SEO variant
        ("og:title", pm.first("og:title")),
        ("jsonld", headline),
        ("microdata", pm.itemprop.get("headline")),
        ("twitter:title", pm.first("twitter:title")),
        ("h1", pm.h1[0] if pm.h1 else None),
        ("title-tag", pm.title_tag),
        ("meta-title", pm.first("title", "dc.title", "parsely-title", "sailthru.title")),
    ]
    h1_raw = _headline_h1(pm.h1, raw, names)
    logo = next(iter(pm.h1), None)
    if logo and logo != h1_raw and _names_the_site(" ".join(logo.split()), raw, names):
        names = names | {norm(logo)}  # the first <h1> is the site's logo: cut it from the titles
    raw = [(rule, h1_raw if rule == "h1" else value) for rule, value in raw]
    if h1_raw and _names_the_site(" ".join(h1_raw.split()), raw, names):
        names = names | {norm(h1_raw)}  # the <h1> is the site's logo: cut it from the titles too
        raw = [(rule, value) for rule, value in raw if rule != "h1"]
    cleaned = [(rule, clean_title(value, names, sections)) for rule, value in raw]
    candidates = [(rule, value) for rule, value in cleaned if value]
    if not candidates:
        return None, None, cleaned
    rule, best = candidates[0]
    if rule == "h1" and _shouted(best):  # the page's styling: another source spells the words
        spelled = [(r, v.partition(" | ")[0].strip()) for r, v in candidates[1:]]
        rule, best = next(
            ((r, v) for r, v in spelled if norm(v) == norm(best) and not _shouted(v)),
            (rule, best),
        )
    agreed = shortest_agreed(best, [value for _, value in candidates[1:]])
    if agreed != best:
        rule, best = next(r for r, v in candidates[1:] if v == agreed), agreed
    h1 = dict(cleaned).get("h1")
    spelled_alike = [dict(cleaned).get("jsonld"), dict(cleaned).get("microdata")]
    if h1 and h1 != best and not _shouted(h1) and h1 in spelled_alike:
        # the printed headline spelled letter for letter as the JSON-LD headline: og:title alone
        # differs (an SEO or social variant, or its own capitalisation)
        return h1, "h1+jsonld", cleaned
    if (
        not h1
        or _shouted(h1)
        or h1_raw in pm.h1_lines
        or norm(h1) == norm(best)
        and (news or _quotes(h1) == _quotes(best))
    ):
        return best, rule, cleaned
    if not news and (norm(h1) == norm(best) or _cut_of(h1, best) or _extends(h1, best)):
        # the printed headline as readers see it (quotes, case, dashes), without what metadata
        # added around it
        return h1, "h1", cleaned
    confirmed = [dict(cleaned).get("jsonld"), dict(cleaned).get("microdata")]
    if any(value and norm(value) == norm(h1) for value in confirmed):
        return h1, "h1+jsonld", cleaned
    if not news and _rewritten_headline(h1, best, cleaned):
        return h1, "h1", cleaned
    return best, rule, cleaned


_QUOTES = str.maketrans("‘’‚‛“”„‟", "''''\"\"\"\"")


def _shouted(text: str) -> bool:
    """An <h1> in capitals only (a style, not the headline's spelling)."""
    return text.isupper() and sum(ch.isalpha() for ch in text) >= 8


def _quotes(text: str) -> str:
    """Text with typographic quotes made plain: which of the two a page prints is no evidence."""
    return text.translate(_QUOTES)


def _headline_h1(h1s: list[str], raw: list[tuple[str, str | None]], names: set[str]) -> str | None:
    """The <h1> that carries the headline: the first that metadata confirms (a page may open with
    its logo or a section name in an <h1>), else the first that does not name the site."""
    if not h1s:
        return None
    declared = [norm(value) for rule, value in raw if rule != "h1" and value]
    for h1 in h1s:
        key = norm(h1)
        if len(key) >= 10 and any(key in value for value in declared):
            return h1
    for h1 in h1s:
        if not _names_the_site(" ".join(h1.split()), raw, names):
            return h1
    return h1s[0]


_CUT_AFTER = re.compile(r"^\s*(?:[|,:;–—·•(\[]|-\s|\s-)")
_CUT_BEFORE = re.compile(r"(?:[|:–—·•]|\s-)\s*$")


def _cut_of(h1: str, best: str) -> bool:
    """The printed <h1> is the metadata title without what the metadata added before or after it
    ('Best Hammocks of 2026, Tested & Reviewed', 'Garnix Blog: Hardware-Attested Nix Builds')."""
    if len(_WORD.findall(h1)) < 3 or len(h1) >= len(best):
        return False
    if best.startswith(h1) or h1[-1] in "?!" and best.casefold().startswith(h1.casefold()):
        # after a question or exclamation the next words are a tagline ('What Is Mesh WiFi?
        # Our 2026 Guide')
        return (
            h1[-1] in "?!"
            and best[len(h1) : len(h1) + 1] == " "
            or bool(_CUT_AFTER.match(best[len(h1) :]))
        )
    if best.endswith(h1):
        return bool(_CUT_BEFORE.search(best[: -len(h1)]))
    return False


_SUBTITLE = re.compile(r"^(?:[:,]|\s[-–—])\s+\w+\W+\w")


def _extends(h1: str, best: str) -> bool:
    """The printed <h1> is the metadata title with its subtitle ('House Renovation Costs in the
    Bay Area: Room-by-Room Breakdown'): metadata shortened the headline for search results."""
    return (
        len(_WORD.findall(best)) >= 3
        and h1.startswith(best)
        and bool(_SUBTITLE.match(h1[len(best) :]))
    )


def _names_the_site(h1: str, raw: list[tuple[str, str | None]], names: set[str]) -> bool:
    """An <h1> that is the site's name (a logo), or what metadata titles append after the headline
    ('Headline | <h1>'), is not the headline."""
    if is_site_name(h1, names):
        return True
    if len(h1.split()) > 5:
        return False  # a site's name is short; a long segment after a kicker is the headline
    key = norm(h1)
    for rule, value in raw:
        if rule != "h1" and value:
            segments = split_title(value)
            if len(segments) > 1 and norm(segments[-1]) == key:
                return True
    return False


_SENTENCE_END = re.compile(r"\w[.?!](?=\s+[A-Z])|\w[.?!]$")


def _rewritten_headline(h1: str, best: str, cleaned: list[tuple[str, str | None]]) -> bool:
    """The <h1> is a headline of its own that metadata reworded (a news article's metadata is
    kept: there the <h1> often carries a kicker or a longer print headline)."""
    words = _WORD.findall(h1.casefold())
    if len(words) < 4 or norm(h1) in norm(best) or norm(best) in norm(h1):
        return False
    if len(h1) > 100 and len(_SENTENCE_END.findall(h1)) >= 2:
        return False  # a paragraph of sentences set in an <h1> (a standfirst), no headline
    mine = set(words)
    for rule, value in cleaned:
        if rule == "h1" or not value:
            continue
        theirs = set(_WORD.findall(value.casefold()))
        if theirs and len(mine & theirs) / min(len(mine), len(theirs)) >= 0.3:
            return True
    return False


def _date(pm: PageMeta, tree, url: str | None, selected) -> tuple:
    """(moment, has_time, source): the declared date as the page shows it (_as_shown), told in
    the page's own time zone when it gave the moment in UTC and states the same moment
    elsewhere with its offset (a day written in UTC is the next day for a Californian evening
    post)."""
    found = _declared_date(pm, tree, url, selected)
    if found[2] in ("jsonld", "meta", "microdata"):
        found = _as_shown(pm, tree, found, url) if not _is_news(pm) else _moved(pm, tree, found)
    moment, has_time, source = found
    if moment is not None and has_time and moment.utcoffset() == timedelta(0):
        stated = [*tree.xpath("//time/@datetime")[:12], *_declared_values(pm)]
        moment = same_moment_locally(moment, stated)
    return moment, has_time, source


def _declared_values(pm: PageMeta, with_microdata: bool = True) -> list[str]:
    """Every publication date the page's metadata states, in the order _declared_date asks."""
    values = [ld_value(pm.article, "datePublished") if pm.article else None]
    values += [value for key in DATE_META for value in pm.meta.get(key, ())]
    if with_microdata:
        values.append(pm.itemprop.get("datePublished"))
    return [value for value in values if value]


def _as_shown(pm: PageMeta, tree, found: tuple, url: str | None = None) -> tuple:
    """When the page never shows the declared day: another declared publication date that it
    shows (JSON-LD and <meta> disagree, the page's text settles it), else a day it shows before
    the declared one (metadata moved with a republish or a migration; the page kept printing
    the original day). Not for news, whose metadata is kept (live pages show their updates)."""
    if found[0].date() in time_days(tree):
        return found
    labelled = published_before(tree, found[0].date())
    if labelled is not None:
        return labelled, False, "page-published"
    days = shown_days(tree)
    if not days or found[0].date() in days:
        return found
    declared = _declared_shown(pm, days)
    if declared is not None:
        return declared
    revised = _shown_update(pm, tree, found)
    if revised is not None:
        return revised
    shown = shown_date(tree)
    if shown is None or shown[0].date() >= _earliest_day(found):
        return found
    in_url = url_date(url)  # the address agrees with the metadata: the shown day is another's
    if in_url is None or in_url.date() != found[0].date():
        return shown[0], shown[1], f"{shown[2]}-earlier"
    return found


EARLIER_SHOWN = timedelta(days=2)

EARLIEST_ZONE = timedelta(hours=-12)  # the westernmost UTC offset of the world's clocks


def _earliest_day(found: tuple) -> date:
    """The earliest day a shown date may fall on and still be the declared moment told in some
    time zone, or a day's edition: a shown day before it is another date (the original
    publication). A moment with a time and a zone lies on no day before the one it has at UTC-12;
    for a bare day, a day before may be its edition's or its zone's."""
    moment, has_time = found[0], found[1]
    if has_time and moment.tzinfo is not None:
        return (moment.astimezone(UTC) + EARLIEST_ZONE).date()
    return (moment - EARLIER_SHOWN).date() + timedelta(days=1)


def _shown_update(pm: PageMeta, tree, found: tuple) -> tuple | None:
    """The day the page labels as its revision ('Updated on Jul 4, 2024'), when it lies after the
    declared publication and no later than the declared revision: a guide that shows readers only
    its revision is dated by it (as in _shown_revision), and the metadata's revision stamp moved
    on with later saves that changed nothing a reader sees. Read only when the page states one."""
    revisions = [revised[0].date() for revised in _revisions(pm)]
    if not revisions:
        return None
    revised = updated_date(tree)
    if revised is None or not found[0].date() < revised.date() <= max(revisions):
        return None
    return revised, False, "page-updated"


def _declared_shown(pm: PageMeta, days: set) -> tuple | None:
    """Another publication date the head's metadata declares that the page shows (microdata
    sits in the body, often on a list of other posts)."""
    for value in _declared_values(pm, with_microdata=False):
        parsed = parse_date(value)
        if parsed and parsed[0].date() in days:
            return (*parsed, "declared-shown")
    return None


def _moved(pm: PageMeta, tree, found: tuple) -> tuple:
    """A news article's metadata kept, unless two of its publication dates lie days apart and the
    page shows only the other one (the article was moved or republished, and one tag followed):
    a day's difference is an edition's date or a time zone, where the metadata is kept. The
    page's text is read only when the metadata disagrees so."""
    day = found[0].date()
    apart = [
        parsed
        for value in _declared_values(pm, with_microdata=False)
        if (parsed := parse_date(value)) and abs(parsed[0].date() - day) >= EARLIER_SHOWN
    ]
    if not apart or day in time_days(tree):
        return found
    days = shown_days(tree)
    if day in days:
        return found
    return next(((*p, "declared-shown") for p in apart if p[0].date() in days), found)


def _is_news(pm: PageMeta) -> bool:
    """A news article by its JSON-LD type, or a newspaper section in article:section on a page
    that does not call itself a blog post."""
    kinds = types(pm.article)
    return bool(kinds & NEWS_TYPES) or bool(pm.first("article:section") and not kinds & NOT_NEWS)


def _declared_date(pm: PageMeta, tree, url: str | None, selected) -> tuple:
    """(moment, has_time, source) from the first source that gives a plausible date."""
    if selected is not None:
        return (*selected, "selector")
    found = _declared_published(pm)
    if found is not None:
        return _shown_revision(pm, tree, found) or found
    day = url_date(url)
    if day is not None:
        return day, False, "url"
    shown = shown_date(tree)
    if shown is not None:
        return shown
    found = _htmldate(tree, url)
    if found[0] is None:
        shown = shown_date(tree, numeric=True)
        if shown is not None:
            return shown
    return found


def _declared_published(pm: PageMeta) -> tuple | None:
    """(moment, has_time, source): the publication date the metadata states, JSON-LD first."""
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
    return None


MODIFIED_META = ("datemodified", "updated")


def _revisions(pm: PageMeta) -> list[tuple]:
    """Every revision date the metadata states, parsed: JSON-LD's dateModified, then <meta>."""
    values = [ld_value(ld, "dateModified") for ld in (pm.article, pm.page) if ld]
    values += [value for key in MODIFIED_META for value in pm.meta.get(key, ())]
    return [parsed for value in values if value and (parsed := parse_date(value))]


def _shown_revision(pm: PageMeta, tree, published: tuple) -> tuple | None:
    """A guide or blog post that shows readers only its revision day ('Updated March 3') is dated
    by it: the first publication is a detail of its history. News keeps its publication date."""
    if types(pm.article) & NEWS_TYPES:
        return None
    shown = None
    for revised in _revisions(pm):
        if revised[0].date() <= published[0].date():
            continue
        if shown is None:
            shown = shown_days(tree)
            if published[0].date() in shown:
                return None
        if revised[0].date() in shown:
            return (*revised, "modified-shown")
        local = _local_day(revised, shown)
        if local is not None:
            return local, False, "modified-shown"
    return None


def _local_day(moment: tuple, days: set) -> datetime | None:
    """The day a page shows for a moment stated in UTC, when it shows it in its own zone (a time
    in the small hours of UTC is still the evening before in the Americas)."""
    when, has_time = moment[0], moment[1]
    if not has_time or when.utcoffset() != timedelta(0):
        return None
    for hours in (-12, 14):
        day = (when + timedelta(hours=hours)).date()
        if day != when.date() and day in days:
            return datetime(day.year, day.month, day.day)
    return None


def _htmldate(tree, url: str | None) -> tuple:
    """htmldate's look at elements, attributes and scripts, without its extensive search: on pages
    without a date that search mostly returns the copyright year as 1 January (which would then
    outrank the feed's true time), costs up to 0.2 s a page and loads dateparser's every locale
    (over a second once per crawl process); the full dates it finds in text, shown_date finds."""
    from htmldate import find_date

    try:
        found = find_date(tree, url=url, original_date=True, extensive_search=False)
    except Exception:  # htmldate gives up in many ways; no date is an answer
        found = None
    parsed = parse_date(found)
    return (*parsed, "htmldate") if parsed else (None, False, None)


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
    body_source = "selector"
    if not text:
        text, body_source = _body(tree, url)

    section = (ld_value(article, "articleSection") if article else None) or pm.first(*SECTION_META)
    names = site_names(
        [*pm.all(*SITE_NAME_META), *pm.ld_names, pm.first("twitter:site") or ""], host
    )
    sections = {norm(section)} if section and len(norm(section)) >= 2 else set()
    title, title_source = _title(pm, names, sections, sel_title[0] if sel_title else None)

    moment, has_time, date_source = _date(pm, tree, url, sel_date)
    published_at = published_local = precision = None
    if moment is not None:
        published_at = utc_iso(moment)
        published_local = local_iso(moment) if has_time else published_at
        precision = "day" if not has_time else "instant" if moment.tzinfo else "time"

    image = pm.first(
        "og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"
    )
    if not image and article:
        image = ld_image(article)
    description = pm.first("og:description", "description", "twitter:description", "dc.description")
    if not description and article:
        description = ld_value(article, "description")

    authors, author_source = page_authors(pm, tree, sel_author, names)
    text = _without_headline(text, title)
    if not sel_body:
        text = without_teasers(without_bio(text, authors))
    if description and not sel_body:
        text = _with_lead(tree, text, " ".join(description.split()))

    return Extracted(
        title=title,
        text=text,
        published_at=published_at,
        authors=authors,
        language=_language(pm, text or title or "", language),
        canonical_url=canonical,
        lead_image=_absolute(image, url or canonical),
        section=" ".join(section.split()) if section else None,
        description=" ".join(description.split()) if description else None,
        date_source=date_source,
        published_local=published_local,
        date_precision=precision,
        title_source=title_source,
        author_source=author_source,
        body_source=body_source,
    )
