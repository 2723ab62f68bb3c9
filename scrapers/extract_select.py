"""A source's own selectors (sources.yaml `selectors:`): CSS, or XPath when it starts with / or (.

They exist for outlets where generic extraction gets a field wrong, so a selector that matches wins.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from lxml import etree
from mediawatch.scrapers.extract_clean import parse_date

LOG = logging.getLogger(__name__)

SELECTOR_FIELDS = ("body", "title", "date", "author")
_DROP = ("script", "style", "noscript", "template", "svg", "button", "form", "iframe", "select")
_BLOCKS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dt", "dd", "figcaption", "tr",
}  # fmt: skip


def _text(element: etree._Element) -> str:
    """All the text inside `element`."""
    # lxml-stubs type itertext() str | bytes; a parsed document's text is always str
    return "".join(element.itertext())  # type: ignore[arg-type]


def is_xpath(selector: str) -> bool:
    return selector.lstrip().startswith(("/", "("))


@lru_cache(maxsize=512)
def _compile(selector: str):
    if is_xpath(selector):
        return etree.XPath(selector.strip())
    from lxml.cssselect import CSSSelector

    return CSSSelector(selector.strip())


def check_selector(selector: str) -> str | None:
    """None when the selector compiles, else the reason: for validating sources.yaml at start."""
    if not isinstance(selector, str) or not selector.strip():
        return "empty selector"
    try:
        _compile(selector)
    except Exception as exc:  # cssselect and lxml raise their own parse errors
        kind = "XPath" if is_xpath(selector) else "CSS selector"
        return f"invalid {kind}: {exc}"
    return None


def _matches(tree, selector: str | None) -> list:
    if not selector or not isinstance(selector, str) or not selector.strip():
        return []
    try:
        found = _compile(selector)(tree)
    except Exception as exc:  # a broken selector must not break the page; config checks report it
        LOG.warning("selector %r failed: %s", selector, exc)
        return []
    if not isinstance(found, list):
        found = [found]
    return found


def _block_text(node) -> list[str]:
    """Paragraphs of an element: its block descendants, or its whole text when it has none."""
    node = etree.fromstring(etree.tostring(node))  # a copy: the page tree stays intact
    for bad in node.xpath(".//" + " | .//".join(_DROP)):
        bad.drop_tree() if hasattr(bad, "drop_tree") else bad.getparent().remove(bad)
    blocks = [
        b for b in node.iter(*_BLOCKS) if not any(a.tag in _BLOCKS for a in b.iterancestors())
    ]
    texts = [" ".join(_text(b).split()) for b in blocks] if blocks else []
    if not blocks:
        texts = [" ".join(line.split()) for line in _text(node).splitlines()]
    return [t for t in texts if t]


def select_texts(tree, selector: str | None, blocks: bool = False) -> list[str]:
    """Texts of what the selector matches (attribute and string results of XPath taken as they are)."""
    texts: list[str] = []
    for item in _matches(tree, selector):
        if isinstance(item, str):
            value = " ".join(item.split())
            if value:
                texts.append(value)
        elif isinstance(item, etree._Element):
            if blocks:
                texts.extend(_block_text(item))
            else:
                value = " ".join(_text(item).split()) or (item.get("content") or "").strip()
                if value:
                    texts.append(value)
    return texts


def select_date(tree, selector: str | None):
    """(moment, has_time) from the first match: its datetime/content attribute, else its text."""
    for item in _matches(tree, selector):
        if isinstance(item, str):
            values: list[str | None] = [item]
        elif isinstance(item, etree._Element):
            values = [item.get("datetime"), item.get("content"), _text(item)]
        else:
            continue
        for value in values:
            if value and value.strip():
                parsed = parse_date(value) or _localised(value)
                if parsed:
                    return parsed
    return None


def _localised(value: str):
    """Dates written out in the page's language ('21 نومبر 2024'), only for selector matches."""
    try:
        import dateparser
    except ImportError:
        return None
    try:
        moment = dateparser.parse(value, settings={"RETURN_AS_TIMEZONE_AWARE": False})
    except Exception:  # dateparser fails in its own ways on odd strings
        return None
    return parse_date(moment) if moment else None
