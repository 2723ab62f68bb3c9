"""Downloader middlewares for what Scrapy lacks: address safety, Retry-After, conditional GET, and a
time limit per URL across retries."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from urllib.parse import urlsplit

from mediawatch.scrapers.archive import archive_of
from mediawatch.scrapers.resolver import address_verdict
from mediawatch.times import retry_after
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from twisted.internet.error import TCPTimedOutError, TimeoutError

from mediawatch import db

MAX_RETRY_AFTER = 120.0
RETRY_AFTER_TIMES = 2
URL_TIME_FACTOR = 1.5  # one URL may take this many download timeouts in all, retries included


class PrivateAddressRefused(IgnoreRequest):
    """A request (or a redirect) pointed at a private, loopback or link-local address."""


def literal_refusal(host: str, allow_loopback: bool, allow_private: bool) -> str | None:
    """Why a host given as an IP address may not be fetched from, or None.

    Names are judged by SafeResolver when they are resolved for the connection itself."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None
    return address_verdict(host, allow_loopback, allow_private)


class AddressSafetyMiddleware:
    """Refuses loopback, private and link-local IP literals, redirects included (they pass here
    again); host names are refused by SafeResolver, which sees the address actually connected to."""

    def __init__(self, allow_loopback: bool, allow_private: bool):
        self.allow_loopback = allow_loopback
        self.allow_private = allow_private

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        return cls(s.getbool("MEDIAWATCH_ALLOW_LOOPBACK"), s.getbool("MEDIAWATCH_ALLOW_PRIVATE"))

    def process_request(self, request):
        host = urlsplit(request.url).hostname
        if not host:
            raise PrivateAddressRefused(f"no host in {request.url}")
        reason = literal_refusal(host, self.allow_loopback, self.allow_private)
        if reason:
            raise PrivateAddressRefused(f"refused {request.url}: {reason}")
        return None


class RetryAfterMiddleware:
    """On 429/503 with Retry-After, waits as asked (up to a cap) and tries again, before RetryMiddleware."""

    def __init__(self, cap: float):
        self.cap = cap

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getfloat("MEDIAWATCH_MAX_RETRY_AFTER", MAX_RETRY_AFTER))

    async def process_response(self, request, response):
        if response.status not in (429, 503):
            return response
        delay = retry_after(response.headers.get(b"Retry-After"))
        tries = request.meta.get("retry_after_tries", 0)
        if delay is None or delay > self.cap or tries >= RETRY_AFTER_TIMES:
            return response
        await asyncio.sleep(delay)
        retry = request.replace(dont_filter=True)
        retry.meta["retry_after_tries"] = tries + 1
        if "url_first_attempt" in retry.meta:  # waiting as asked is not the URL being slow
            retry.meta["url_first_attempt"] += delay
        return retry


def add_validators(request, saved: dict) -> None:
    """Conditional GET: send back the ETag and Last-Modified the document last came with."""
    if saved.get("etag"):
        request.headers.setdefault(b"If-None-Match", saved["etag"].encode("latin-1"))
    if saved.get("last_modified"):
        request.headers.setdefault(b"If-Modified-Since", saved["last_modified"].encode("latin-1"))


class ConditionalGetMiddleware:
    """Sends the ETag / Last-Modified kept per feed URL, and keeps new ones, so unchanged feeds cost a 304."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.enabled = bool(crawler.settings.get("MEDIAWATCH_DB_PATH"))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        if not request.meta.get("conditional") or not self.enabled:
            return None
        source = request.meta["source_name"]
        saved = db.validators(archive_of(self.crawler), source)
        add_validators(request, saved.get(request.url, {}))
        return None

    def process_response(self, request, response):
        if request.meta.get("conditional") and self.enabled and response.status == 200:
            etag = response.headers.get(b"ETag")
            modified = response.headers.get(b"Last-Modified")
            request.meta["validators"] = (
                etag.decode("latin-1") if etag else None,
                modified.decode("latin-1") if modified else None,
            )
        return response


class UrlTimeLimitExceeded(IgnoreRequest):
    """One URL used up its time across attempts; it is not tried again in this run."""


class UrlTimeLimitMiddleware:
    """Caps the total time one URL may take across retries (and redirects, which copy its meta).

    Without it a slow URL cost three timeouts (two retries). Each attempt's timeout is cut to what is
    left of the URL's budget, and a failed attempt that leaves too little for another is not retried:
    the error names the time limit. Sits after DownloadTimeoutMiddleware (350), so the timeout is
    known, and before RetryMiddleware (550) for exceptions, so it answers first.
    """

    def __init__(self, limit: float, timeout: float):
        self.limit = limit
        self.min_attempt = timeout / 4

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        timeout = s.getfloat("DOWNLOAD_TIMEOUT")
        limit = s.getfloat("MEDIAWATCH_URL_TIME_LIMIT") or URL_TIME_FACTOR * timeout
        return cls(limit, timeout)

    def process_request(self, request):
        now = time.monotonic()
        first = request.meta.setdefault("url_first_attempt", now)
        left = self.limit - (now - first)
        if left < self.min_attempt and now > first:
            raise UrlTimeLimitExceeded(self._message(now - first))
        timeout = request.meta.get("download_timeout") or self.limit
        request.meta["download_timeout"] = max(0.1, min(timeout, left))
        return None

    def process_exception(self, request, exception):
        spent = time.monotonic() - request.meta.get("url_first_attempt", time.monotonic())
        if self.limit - spent < self.min_attempt and not isinstance(exception, IgnoreRequest):
            timed_out = isinstance(
                exception, DownloadTimeoutError | TimeoutError | TCPTimedOutError
            )
            reason = "timed out" if timed_out else (str(exception) or type(exception).__name__)
            raise UrlTimeLimitExceeded(f"{self._message(spent)}; last attempt: {reason}")
        return None

    def _message(self, spent: float) -> str:
        return (
            f"gave up after {spent:.1f} s (time limit per URL, retries included: {self.limit:g} s)"
        )


# Scrapy's get_meta_refresh reads the first 4096 characters of the page; this many bytes hold at
# least that many in any encoding (at most 4 bytes a character).
META_REFRESH_HEAD_BYTES = 4 * 4096


class HeadMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, judged on the page's first 16 KiB.

    Scrapy's own decodes the whole page (response.text) to read its first 4096 characters, and
    the decoded copy stays on the response until the page is stored: CPU on every page, and
    memory for every page waiting for the pipeline. The same rule is applied to a copy of the
    response cut to its head, in the encoding of the whole page.
    """

    # without Scrapy's deprecated spider argument, which it warns about on a middleware's method
    def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if not isinstance(response, HtmlResponse) or len(response.body) <= META_REFRESH_HEAD_BYTES:
            return super().process_response(request, response)
        head = response.replace(
            body=response.body[:META_REFRESH_HEAD_BYTES], encoding=response.encoding
        )
        answer = super().process_response(request, head)
        return response if answer is head else answer
