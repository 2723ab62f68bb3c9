"""Pages that need JavaScript: fetched with scrapy-playwright driving the system Chromium.

Only a crawl that includes a source with `render:` gets these settings (runner.py): other crawls
never import Playwright nor start a browser. Rendered requests keep Scrapy's robots.txt, retries,
politeness and page budget; in the browser:

- every request the page makes passes `BrowserGuard` (scrapy-playwright's abort hook): anything
  but http(s) is refused, and so is any target whose address is link-local, or loopback/private
  unless the crawler allows those -- and even then only on the page's own origin (scheme, host,
  port): with `allow_loopback` a page on 127.0.0.1:8000 may load 127.0.0.1:8000/app.js but not
  127.0.0.1:6379. Host names are resolved and judged here; Chromium resolves them again when it
  connects, so unlike plain fetches a name that changes its answer in between is not caught.
  WebSockets are refused; service workers are blocked; images, media and fonts are not loaded
  (`browser_block`);
- one fresh browser context per page, closed as soon as the page is read (no cookies, storage or
  cache carried between pages); at most `browser_max_open` pages at once; a page that has not
  loaded within `browser_page_timeout` is cut and recorded as an error of the run;
- the browser is restarted after `browser_restart_after` pages (new pages wait until the open
  ones are done) and after a crash (scrapy-playwright relaunches a disconnected browser); V8's heap is
  capped per renderer.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import logging
from urllib.parse import urlsplit

from mediawatch.scrapers.resolver import address_verdict
from mediawatch.scrapers.stats import BROWSER_RESTARTS

logger = logging.getLogger(__name__)

CHROMIUM_ARGS = [
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--dns-prefetch-disable",
    "--renderer-process-limit=2",
    "--js-flags=--max-old-space-size=256",
]
HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"


def scrapy_settings(crawler, base: dict) -> dict:
    """The settings a crawl with render sources adds (crawler: the `crawler:` config section)."""
    middlewares = dict(base.get("DOWNLOADER_MIDDLEWARES") or {})
    # closest to the downloader: its process_response/process_exception run first, so the page
    # is closed before retries or errbacks see the outcome
    middlewares["mediawatch.scrapers.render.RenderMiddleware"] = 950
    return {
        "DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER},
        "DOWNLOADER_MIDDLEWARES": middlewares,
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {
            "executable_path": crawler.browser_path,
            "headless": True,
            "args": CHROMIUM_ARGS,
        },
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": crawler.browser_page_timeout * 1000,
        "PLAYWRIGHT_MAX_CONTEXTS": crawler.browser_max_open,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 1,
        "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": True,
        "PLAYWRIGHT_ABORT_REQUEST": BrowserGuard(
            crawler.allow_loopback, crawler.allow_private, frozenset(crawler.browser_block)
        ),
        "MEDIAWATCH_BROWSER_RESTART_AFTER": crawler.browser_restart_after,
    }


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


class BrowserGuard:
    """Decides, for every request a rendered page makes, whether it is refused (True) or allowed."""

    def __init__(self, allow_loopback: bool, allow_private: bool, blocked: frozenset[str]):
        self.allow_loopback = allow_loopback
        self.allow_private = allow_private
        self.blocked = blocked
        self.origins: dict[int, tuple] = {}  # id(page) -> the origin of the page's own URL

    async def guard_page(self, page, request) -> None:
        """scrapy-playwright's page init callback: without it every request of the page is refused."""
        await page.route_web_socket("**/*", lambda ws: ws.close())
        key = id(page)
        self.origins[key] = _origin(request.url)
        page.on("close", lambda _page: self.origins.pop(key, None))

    async def __call__(self, request) -> bool:
        if request.resource_type in self.blocked:
            return True
        reason = await self.refusal(request)
        if reason:
            logger.warning("browser request refused %s: %s", request.url[:200], reason)
            return True
        return False

    async def refusal(self, request) -> str | None:
        url = request.url
        scheme, host, port = _origin(url)
        if scheme not in ("http", "https"):
            return f"{scheme}: is not http(s)"
        try:
            origin = self.origins.get(id(request.frame.page))
        except Exception:  # noqa: BLE001 - a worker's request has no page to judge it by
            origin = None
        if origin is None:
            return "not made by a guarded page"
        try:
            addresses = [str(ipaddress.ip_address(host.strip("[]")))]
        except ValueError:
            try:
                found = await asyncio.get_running_loop().getaddrinfo(host, port)
            except OSError as exc:
                return f"cannot resolve {host}: {exc}"
            addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
        for address in addresses:
            if reason := address_verdict(address, self.allow_loopback, self.allow_private):
                return reason
            ip = ipaddress.ip_address(address.split("%")[0])
            if (ip.is_loopback or ip.is_private) and (scheme, host, port) != origin:
                return f"{address} is not public and not the page's own origin"
        return None


class RenderMiddleware:
    """Sends the pages of `render:` sources through the browser, one context per page, and closes it."""

    _names = itertools.count(1)

    def __init__(self, crawler):
        self.crawler = crawler
        self.guard: BrowserGuard = crawler.settings["PLAYWRIGHT_ABORT_REQUEST"]
        self.restart_after = crawler.settings.getint("MEDIAWATCH_BROWSER_RESTART_AFTER", 50)
        self.open = 0
        self.since_restart = 0
        self.restarted = asyncio.Event()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def wants_browser(self, request) -> bool:
        spider = self.crawler.spider
        if hasattr(spider, "sources"):  # a cluster worker: any source's request, callbacks by name
            source = spider.sources.get(request.meta.get("mw_source"))
            article = request.meta.get("mw_cb") == "parse_article"
        else:
            source = getattr(spider, "source", None)
            article = request.callback == getattr(spider, "parse_article", None)
        if source is None or not source.render or request.method != "GET":
            return False
        if article:
            return source.renders("article")
        # a feed, sitemap or API answer is data, never rendered: only a listing source's pages
        return (
            source.kind == "listing" and "source_name" in request.meta and source.renders("listing")
        )

    async def process_request(self, request):
        for key in ("playwright_page", "mediawatch_page_open"):  # a retry starts a new page
            request.meta.pop(key, None)
        if not self.wants_browser(request):
            return None
        while self.since_restart >= self.restart_after:  # let open pages finish, restart, go on
            await self.restarted.wait()
        request.meta["playwright"] = True
        request.meta["playwright_include_page"] = True  # so this middleware can close it
        request.meta["playwright_context"] = f"render-{next(self._names)}"
        request.meta["playwright_context_kwargs"] = {
            "service_workers": "block",
            "accept_downloads": False,
        }
        request.meta["playwright_page_init_callback"] = self.guard.guard_page
        request.meta["mediawatch_page_open"] = True
        self.open += 1
        return None

    async def process_response(self, request, response):
        await self._close(request)
        return response

    async def process_exception(self, request, exception):
        await self._close(request)
        return None

    async def _close(self, request) -> None:
        if not request.meta.get("playwright"):
            return
        page = request.meta.pop("playwright_page", None)
        if request.meta.pop("mediawatch_page_open", False):
            self.open -= 1
            self.since_restart += 1
        if page is not None:
            try:
                await page.context.close()
            except Exception as exc:  # noqa: BLE001 - a crashed browser has closed it already
                logger.debug("closing a browser context: %s", exc)
        if self.since_restart >= self.restart_after and self.open == 0:
            try:
                await self._restart_browser()
            finally:
                self.since_restart = 0
                self.restarted.set()
                self.restarted = asyncio.Event()

    async def _restart_browser(self) -> None:
        """Close the browser; scrapy-playwright launches a fresh one for the next page."""
        handler = self.crawler.engine.downloader.handlers._handlers.get("http")
        browser = getattr(handler, "browser", None)
        if browser is not None:
            logger.info("restarting the browser after %d page(s)", self.restart_after)
            self.crawler.stats.inc_value(BROWSER_RESTARTS)
            await browser.close()
