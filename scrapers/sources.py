"""sources.yaml, the scrapers room's configuration: what to collect and how politely.

Declarative models (matcher.configmodel): the field checks say what each key may hold, the
validators below only the rules between keys. The spine's loader turns an error into
`file:line: key: message`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from mediawatch.matcher.configmodel import (
    ConfigModel,
    Count,
    Flag,
    Identifier,
    OptionalText,
    Seconds,
    Text,
    Url,
    check,
    from_file,
    http_url_problem,
    located,
    names,
    number,
    read_names,
    read_text,
    text,
)
from mediawatch.scrapers.extract_select import SELECTOR_FIELDS, check_selector
from pydantic import BeforeValidator, Field, PlainValidator, ValidationInfo, model_validator

KINDS = ("feed", "sitemap", "listing", "gnews", "gdelt", "wayback")
SEARCH_KINDS = ("gnews", "gdelt")
GNEWS_ENDPOINT = "https://news.google.com/rss/search"
GDELT_ENDPOINT = "https://api.gdeltproject.org/api/v2/doc/doc"
WAYBACK_ENDPOINT = "https://web.archive.org/cdx/search/cdx"
GNEWS_ARTICLE_PAGE = "https://news.google.com/rss/articles/"
GNEWS_BATCHEXECUTE = "https://news.google.com/_/DotsSplashUi/data/batchexecute"
RENDER_MODES = ("browser", "listing", "article")
DEFAULT_USER_AGENT = "mediawatch/0.1 (+{contact})"
BROWSER_RESOURCE_TYPES = (
    "document",
    "stylesheet",
    "image",
    "media",
    "font",
    "script",
    "texttrack",
    "xhr",
    "fetch",
    "eventsource",
    "websocket",
    "manifest",
    "other",
)
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")


class UnknownSourceError(LookupError):
    """A crawl named a source or tag that sources.yaml does not define."""


def _browser_block(value: Any) -> tuple[str, ...]:
    kinds = read_names(value)
    allowed = [k for k in BROWSER_RESOURCE_TYPES if k != "document"]
    for kind in kinds:
        if kind not in allowed:
            raise located((), f"{kind!r} is not one of: {', '.join(allowed)}")
    return tuple(kinds)


class CrawlerConfig(ConfigModel):
    """Crawler-wide politeness and safety settings (the `crawler:` section)."""

    contact_url: Url = "https://github.com/mediawatch/mediawatch"
    user_agent: Text = ""
    obey_robots: Flag = True
    download_delay: Annotated[float, number(0)] = 2.0
    max_download_size: Annotated[int, number(1024, integer=True)] = 5 * 1024 * 1024
    timeout: Annotated[float, number(1)] = 30.0
    max_pages: Count = 100
    stale_after: Seconds = 48 * 3600
    lookback: Seconds = 48 * 3600
    allow_loopback: Flag = False
    allow_private: Flag = False
    autothrottle: Flag = True
    concurrent_per_host: Count = 2
    browser_path: Text = "/usr/bin/chromium"
    browser_page_timeout: Seconds = 30.0
    browser_max_open: Count = 2
    browser_restart_after: Count = 50
    # resource types a browser never loads
    browser_block: Annotated[tuple[str, ...], PlainValidator(_browser_block)] = (
        "image",
        "media",
        "font",
    )

    @property
    def agent(self) -> str:
        return self.user_agent or DEFAULT_USER_AGENT.format(contact=self.contact_url)


class GnewsResolve(ConfigModel):
    """How a gnews source turns opaque links into publisher URLs (Google's two endpoints)."""

    article_page: Url = GNEWS_ARTICLE_PAGE  # the token is appended
    batchexecute: Url = GNEWS_BATCHEXECUTE
    interval: Seconds = 5.0  # seconds between two resolutions of this source
    budget: Annotated[int, number(0, integer=True)] = 20  # per run; the rest wait for the next


def _resolve(value: Any) -> GnewsResolve | None:
    """`resolve: false` keeps opaque links unresolved; a mapping overrides endpoints and pace."""
    if isinstance(value, bool):
        return GnewsResolve() if value else None
    return GnewsResolve.model_validate(value)


def _selectors(value: Any) -> dict[str, str]:
    """A source's own selectors (raw lxml CSS or XPath), each compiled here to check it."""
    found = SelectorFields.model_validate(value or {})
    out = found.model_dump(exclude_none=True)
    for key, selector in out.items():
        if reason := check_selector(selector):
            raise located((key,), reason)
    return out


class SelectorFields(ConfigModel):
    body: OptionalText = None
    title: OptionalText = None
    date: OptionalText = None
    author: OptionalText = None


assert tuple(SelectorFields.model_fields) == SELECTOR_FIELDS


def _language(value: Any) -> str:
    code = read_text(value)
    if not LANGUAGE_CODE.match(code):
        raise located((), "must be a language code such as en or ur")
    return code


def listing_selector_problem(selector: str) -> str | None:
    """Listing selectors are Scrapy's (CSS with ::attr(), or XPath); compile one to check it."""
    from parsel import Selector

    page = Selector(text="<html><body></body></html>")
    try:
        page.xpath(selector) if selector.startswith(("/", "(")) else page.css(selector)
    except Exception as exc:  # parsel raises cssselect's and lxml's own errors
        return f"invalid selector: {exc}"
    return None


class Source(ConfigModel):
    """One entry of `sources:`. Keys that only build another (a search source's query, hl, gl,
    ceid, timespan, maxrecords) are read by the validator and not kept."""

    extra_keys = ("hl", "gl", "ceid", "timespan", "maxrecords")

    name: Identifier
    kind: Annotated[str, text(KINDS)]
    url: Text = ""  # a search source's URL is built from `query`
    outlet: Text = ""  # default: the URL's host
    language: Annotated[str | None, check(_language)] = None
    tags: Annotated[tuple[str, ...], names()] = ()  # the kind is added as a tag
    selectors: Annotated[dict[str, str], PlainValidator(_selectors)] = Field(default_factory=dict)
    download_delay: Annotated[float | None, number(0)] = None
    enabled: Flag = True
    max_pages: Count = 100  # default: crawler.max_pages
    lookback: Seconds = 48 * 3600  # default: crawler.lookback
    stale_after: Seconds = 48 * 3600  # default: crawler.stale_after
    links: OptionalText = None
    next_page: OptionalText = None
    max_listing_pages: Count = 1
    max_sitemaps: Count = 50  # sitemap documents (index included) fetched per run
    query: OptionalText = None
    patterns: Annotated[tuple[str, ...], names()] = ()  # wayback: URL patterns for the CDX API
    endpoint: OptionalText = None  # wayback: the CDX API
    resolve: Annotated[GnewsResolve | None, check(_resolve)] = None  # gnews only
    render: Annotated[str | None, text(RENDER_MODES)] = None  # browser | listing | article

    def renders(self, page: str) -> bool:
        """Whether this source's `page` ("listing" or "article") is fetched in a browser."""
        return self.render == "browser" or self.render == page

    @model_validator(mode="wrap")
    @classmethod
    def _from_file(cls, data: Any, handler: Any, info: ValidationInfo) -> Source:
        """The rules between keys, and the values one key derives from others; only for a
        mapping as written in the file (a Source built in code is taken as given)."""
        source: Source = handler(data)
        return source._checked(data) if from_file(info) else source

    def _checked(self, raw: dict[str, Any]) -> Source:
        given = self.model_fields_set
        kind = self.kind
        change: dict[str, Any] = {}
        if kind in SEARCH_KINDS:
            change["url"] = self._search_url(raw)
        elif "url" not in given:
            raise located(("url",), "is required")
        elif problem := http_url_problem(self.url):
            raise located(("url",), problem)
        if kind == "listing":
            if self.links is None:
                raise located(("links",), "is required")
            for key in ("links", "next_page"):
                selector = getattr(self, key)
                if selector and (reason := listing_selector_problem(selector)):
                    raise located((key,), reason)
        elif "links" in given or "next_page" in given:
            raise located(("links",), "only a listing source takes links / next_page")
        if kind != "sitemap" and "max_sitemaps" in given:
            raise located(("max_sitemaps",), "only a sitemap source takes max_sitemaps")
        url = change.get("url", self.url)
        if "outlet" not in given:
            change["outlet"] = urlsplit(url).hostname or self.name
        if kind == "wayback":
            change["patterns"] = self.patterns or (f"{urlsplit(url).hostname}/*",)
            endpoint = self.endpoint or WAYBACK_ENDPOINT
            if problem := http_url_problem(endpoint):
                raise located(("endpoint",), problem)
            change["endpoint"] = endpoint
        else:
            if "patterns" in given:
                raise located(("patterns",), "only a wayback source takes patterns")
            change["endpoint"] = None
        if kind == "gnews":
            if "resolve" not in given:
                change["resolve"] = GnewsResolve()
        elif "resolve" in given:
            raise located(("resolve",), "only a gnews source takes resolve")
        if self.render == "listing" and kind != "listing":
            raise located(("render",), "render: listing needs a listing source")
        # every source carries a tag equal to its kind, so `sources: [feed]` picks every feed
        change["tags"] = tuple(dict.fromkeys([*self.tags, kind]))
        return self.model_copy(update=change)

    def _search_url(self, raw: dict[str, Any]) -> str:
        """A gnews or gdelt source's feed URL, built from its query and options."""
        if self.query is None:
            raise located(("query",), "is required")
        if "url" in self.model_fields_set:
            raise located(("url",), f"a {self.kind} source is built from query; use endpoint")
        keys = ("hl", "gl", "ceid") if self.kind == "gnews" else ("maxrecords", "timespan")
        option = SearchOptions.model_validate({k: raw[k] for k in keys if k in raw})
        params: dict[str, str]
        if self.kind == "gnews":
            endpoint = self.endpoint or GNEWS_ENDPOINT
            params = {"q": self.query, "hl": option.hl, "gl": option.gl, "ceid": option.ceid}
        else:
            endpoint = self.endpoint or GDELT_ENDPOINT
            params = {
                "query": self.query,
                "mode": "ArtList",
                "format": "json",
                "maxrecords": str(option.maxrecords),
                "timespan": option.timespan,
                "sort": "DateDesc",
            }
        if problem := http_url_problem(endpoint):
            raise located(("endpoint",), problem)
        return f"{endpoint}?{urlencode(params)}"


class SearchOptions(ConfigModel):
    """The query options of a search source (gnews: hl, gl, ceid; gdelt: maxrecords, timespan)."""

    hl: Text = "en-PK"
    gl: Text = "PK"
    ceid: Text = "PK:en"
    maxrecords: Count = 250
    timespan: Text = "24h"


def _listed(value: Any) -> Any:
    if not isinstance(value, list) or not value:
        raise located((), "must be a non-empty list of sources")
    return value


class SourcesFile(ConfigModel):
    """The whole of sources.yaml."""

    crawler: Annotated[CrawlerConfig, check(CrawlerConfig.model_validate)] = Field(
        default_factory=CrawlerConfig
    )
    sources: Annotated[tuple[Source, ...], BeforeValidator(_listed)] = Field(
        default=(), validate_default=True
    )

    @model_validator(mode="after")
    def _unique_and_defaults(self) -> SourcesFile:
        """Names are unique; a source without its own max_pages, lookback or stale_after takes
        the crawler's."""
        seen: set[str] = set()
        for i, source in enumerate(self.sources):
            if source.name in seen:
                raise located(("sources", i, "name"), f"duplicate source name {source.name!r}")
            seen.add(source.name)
        inherited = ("max_pages", "lookback", "stale_after")
        sources = tuple(
            s.model_copy(
                update={
                    k: getattr(self.crawler, k) for k in inherited if k not in s.model_fields_set
                }
            )
            for s in self.sources
        )
        return self.model_copy(update={"sources": sources})


@dataclass(frozen=True)
class SourcesConfig:
    """sources.yaml as the crawl reads it: the file's path, crawler settings and sources."""

    path: Path
    crawler: CrawlerConfig
    sources: tuple[Source, ...]

    def by_name(self) -> dict[str, Source]:
        return {s.name: s for s in self.sources}

    def select(self, names_or_tags: list[str]) -> list[Source]:
        """Sources named, or tagged, by any of the given words; unknown words are an error."""
        chosen: dict[str, Source] = {}
        for word in names_or_tags:
            hits = [s for s in self.sources if s.name == word or word in s.tags]
            if not hits:
                raise UnknownSourceError(f"no source or tag named {word!r} in {self.path}")
            for s in hits:
                chosen[s.name] = s
        return list(chosen.values())
