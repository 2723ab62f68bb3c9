"""What a page says about itself: JSON-LD, Open Graph, <meta> tags and microdata.

Publishers fill these for search engines and social networks, so they are usually more reliable than
anything guessed from the layout; extract.py asks here first.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "analysisnewsarticle",
    "askpublicnewsarticle",
    "backgroundnewsarticle",
    "opinionnewsarticle",
    "reportagenewsarticle",
    "reviewnewsarticle",
    "report",
    "blogposting",
    "liveblogposting",
    "scholarlyarticle",
    "techarticle",
    "satiricalarticle",
    "advertisercontentarticle",
    "socialmediaposting",
    "discussionforumposting",
}
NEWS_TYPES = {t for t in ARTICLE_TYPES if "news" in t} | {"liveblogposting", "report"}
# articles that say they are not news: their <h1> is the headline, their metadata the SEO variant
NOT_NEWS = {
    "blogposting",
    "techarticle",
    "scholarlyarticle",
    "socialmediaposting",
    "discussionforumposting",
    "advertisercontentarticle",
}
PAGE_TYPES = {"webpage", "itempage", "collectionpage", "medicalwebpage", "videoobject"}

_GLUED = re.compile(r"(?:[^\W\d_]|[)\]?!.])\x00(?=[^\W\d_])")  # text running on across elements
_H1_LINES = (
    ".//br | .//*[contains(translate(@class, 'SUBTILE', 'subtile'), 'subtitle')"
    " or contains(translate(@class, 'SUBHEADING', 'subheading'), 'subheading')]"
)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")


@dataclass
class PageMeta:
    meta: dict[str, list[str]] = field(
        default_factory=dict
    )  # lower-cased name/property -> contents
    article: dict = field(default_factory=dict)  # the JSON-LD article object, if any
    page: dict = field(default_factory=dict)  # a JSON-LD WebPage object, for dates when no article
    ld_names: list[str] = field(default_factory=list)  # publisher / WebSite / Organization names
    ld_ids: dict[str, dict] = field(default_factory=dict)  # JSON-LD objects by @id (Yoast graphs)
    html_lang: str | None = None
    canonical: str | None = None
    title_tag: str | None = None
    h1: list[str] = field(default_factory=list)
    # <h1>s laid out in lines (a <br>, or words glued across elements: 'Alternatives<span>Top'):
    # a headline with its subtitle, which is no headline as one string
    h1_lines: set[str] = field(default_factory=set)
    itemprop: dict[str, str] = field(
        default_factory=dict
    )  # microdata datePublished, author, headline

    def first(self, *names: str) -> str | None:
        for name in names:
            for value in self.meta.get(name, ()):
                if value and value.strip():
                    return value.strip()
        return None

    def all(self, *names: str) -> list[str]:
        found: list[str] = []
        for name in names:
            found.extend(v.strip() for v in self.meta.get(name, ()) if v and v.strip())
        return found


def _text(node) -> str:
    return " ".join(node.text_content().split())


def _load_json(raw: str):
    raw = _CDATA.sub("", raw.strip())
    if raw.startswith("<!--"):
        raw = raw[4:]
    if raw.endswith("-->"):
        raw = raw[:-3]
    raw = raw.strip().rstrip(";")
    for attempt in (raw, _TRAILING_COMMA.sub(r"\1", raw)):
        try:
            return json.loads(attempt, strict=False)
        except ValueError:
            continue
    return None


def types(obj: dict) -> set[str]:
    kind = obj.get("@type")
    if isinstance(kind, str):
        kind = [kind]
    if not isinstance(kind, list):
        return set()
    return {k.rsplit("/", 1)[-1].lower() for k in kind if isinstance(k, str)}


def _walk(data, out: list[dict], depth: int = 0) -> None:
    """Top-level objects, @graph members and mainEntity: not the related-article lists deeper down."""
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            _walk(item, out, depth + 1)
    elif isinstance(data, dict):
        out.append(data)
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            inner = data.get(key)
            if isinstance(inner, dict | list):
                _walk(inner, out, depth + 1)


def _same_page(obj: dict, urls: set[str]) -> bool:
    for key in ("url", "@id", "mainEntityOfPage"):
        value = obj.get(key)
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if isinstance(value, str) and value.split("#")[0].rstrip("/") in urls:
            return True
    return False


def _name(value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        name = value.get("name")
        return name if isinstance(name, str) else None
    return None


def _pick_article(objects: list[dict], urls: set[str]) -> dict:
    articles = [o for o in objects if types(o) & ARTICLE_TYPES]
    if not articles:
        return {}

    def rank(obj: dict) -> tuple:
        return (
            _same_page(obj, urls),
            bool(obj.get("headline")),
            bool(obj.get("datePublished")),
            bool(obj.get("articleBody")),
        )

    return max(articles, key=rank)  # max keeps the first of equals


def _in_navigation(node) -> bool:
    """An <h1> inside <nav> or a breadcrumb trail names a section, not the article."""
    for element in (node, *node.iterancestors()):
        if element.tag == "nav" or "breadcrumb" in (element.get("class") or "").lower():
            return True
    return False


def _links_home(node, text: str, url: str | None) -> bool:
    """An <h1> that is wholly a link to the site's home page (or sits inside one) is the site's
    logo ('<h1><a href="/">Antoyo's Blog</a></h1>'), not the headline: a headline links to its
    article, if anywhere."""
    links = node.xpath(".//a[@href]") or node.xpath("ancestor::a[@href][1]")
    if len(links) != 1 or _text(links[0]) != text:
        return False
    href = links[0].get("href").strip()
    target = urlsplit(urljoin(url or "", href))
    if url and target.netloc and target.netloc.lower() != urlsplit(url).netloc.lower():
        return False
    return target.path in ("", "/") and not target.query and not target.fragment


def harvest(tree, url: str | None = None) -> PageMeta:
    """Collect the page's self-description in one pass over <head> and the JSON-LD scripts."""
    pm = PageMeta()
    root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    pm.html_lang = lang.strip() if lang else None

    for node in tree.iter("meta"):
        key = node.get("property") or node.get("name") or node.get("itemprop")
        if not key:
            equiv = node.get("http-equiv")
            key = f"http-equiv:{equiv}" if equiv else None
        content = node.get("content")
        if key and content is not None:
            pm.meta.setdefault(key.strip().lower(), []).append(html.unescape(content))
        itemprop = node.get("itemprop")
        if itemprop and content:
            pm.itemprop.setdefault(itemprop.strip(), content.strip())

    for node in tree.iter("link"):
        rel = (node.get("rel") or "").lower().split()
        if "canonical" in rel and node.get("href") and pm.canonical is None:
            pm.canonical = node.get("href").strip()

    title = tree.find(".//title")
    if title is not None:
        pm.title_tag = _text(title)
    for node in tree.iter("h1"):
        if len(pm.h1) == 3:
            break
        if _in_navigation(node):
            continue
        text = _text(node)
        if not text or _links_home(node, text, url):
            continue
        pieces = "\x00".join(node.itertext())
        glued = any(pieces[m.end()].isupper() for m in _GLUED.finditer(pieces))
        if glued or node.xpath(_H1_LINES):
            text = " ".join(pieces.replace("\x00", " ").split())
            pm.h1_lines.add(text)
        pm.h1.append(text)

    for node in tree.xpath(
        '//*[@itemprop="datePublished" or @itemprop="headline" or @itemprop="author"]'
    ):
        prop = node.get("itemprop")
        if prop in pm.itemprop or node.tag == "meta":
            continue
        value = node.get("datetime") or node.get("content") or _text(node)
        if prop == "author" and node.xpath('.//*[@itemprop="name"]'):
            value = _text(node.xpath('.//*[@itemprop="name"]')[0])
        if value:
            pm.itemprop[prop] = value
    if "datePublished" not in pm.itemprop:
        stamped = tree.xpath("//time[@pubdate][@datetime]")
        if stamped:
            pm.itemprop["datePublished"] = stamped[0].get("datetime")

    objects: list[dict] = []
    for script in tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
        if script.text:
            data = _load_json(script.text)
            if data is not None:
                _walk(data, objects)
    urls = {u.split("#")[0].rstrip("/") for u in (url, pm.canonical) if u}
    pm.ld_ids = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str) and len(o) > 1}
    pm.article = _pick_article(objects, urls)
    pages = [o for o in objects if types(o) & PAGE_TYPES and o.get("datePublished")]
    pm.page = pages[0] if pages else {}
    names: list[str] = []
    publisher = _name(pm.article.get("publisher")) if pm.article else None
    if publisher:
        names.append(publisher)
    for obj in objects:
        kinds = types(obj)
        if kinds & {"website", "organization", "newsmediaorganization"}:
            for key in ("name", "alternateName"):
                value = obj.get(key)
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str):
                        names.append(item)
        if kinds & ARTICLE_TYPES and isinstance(obj.get("publisher"), dict):
            pub = _name(obj["publisher"])
            if pub:
                names.append(pub)
    pm.ld_names = [html.unescape(n).strip() for n in names if n and n.strip()]
    return pm


def ld_value(obj: dict, *keys: str) -> str | None:
    """The first string value among keys (lists give their first string, objects their name)."""
    for key in keys:
        value = obj.get(key)
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, str | dict)), None)
        if isinstance(value, dict):
            value = value.get("name") or value.get("url") or value.get("@value")
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip():
            return html.unescape(value).strip()
    return None


def ld_authors(obj: dict, ids: dict[str, dict] | None = None) -> list[tuple[str, bool]]:
    """(name, is_organisation) for each author (else creator) of the article, in the page's order.

    An author given only as {"@id": ...} is looked up among the page's JSON-LD objects (`ids`)."""
    found: list[tuple[str, bool]] = []
    for key in ("author", "creator"):
        value = obj.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and not item.get("name") and ids:
                ref = item.get("@id")
                if isinstance(ref, str):
                    item = ids.get(ref, item)
            if isinstance(item, str):
                found.append((html.unescape(item), False))
            elif isinstance(item, dict):
                name = item.get("name")
                if isinstance(name, list):
                    name = next((n for n in name if isinstance(n, str)), None)
                if not isinstance(name, str):
                    given, family = item.get("givenName"), item.get("familyName")
                    name = " ".join(p for p in (given, family) if isinstance(p, str)) or None
                if name:
                    is_org = bool(
                        types(item) & {"organization", "newsmediaorganization", "corporation"}
                    )
                    found.append((html.unescape(name), is_org))
        if found:
            break
    return found


def ld_image(obj: dict) -> str | None:
    value = obj.get("image") or obj.get("thumbnailUrl")
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value.strip() if isinstance(value, str) and value.strip() else None


def ld_language(obj: dict) -> str | None:
    value = obj.get("inLanguage")
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    return value if isinstance(value, str) else None
