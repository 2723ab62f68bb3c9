"""One line per failed request, and whether trying it again can help: what spiders, the
discovery of feeds and the Google News resolver record for a failure."""

from __future__ import annotations

from urllib.parse import urlsplit

from mediawatch.scrapers.middlewares import UrlTimeLimitExceeded
from mediawatch.scrapers.resolver import refusal_of
from scrapy.exceptions import CannotResolveHostError, DownloadTimeoutError, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError


def is_final(failure) -> bool:
    """Whether fetching the URL again cannot help: a 4xx other than 408/429, a refused address,
    robots.txt, a page over the size limit. Anything else may work next time."""
    if failure.check(HttpError):
        status = failure.value.response.status
        return 400 <= status < 500 and status not in (408, 425, 429)
    if failure.check(UrlTimeLimitExceeded):  # a slow answer may come faster next time
        return False
    if failure.check(IgnoreRequest):  # robots.txt, address safety, offsite
        return True
    if failure.check(DNSLookupError, CannotResolveHostError):
        request = getattr(failure, "request", None)
        return bool(request is not None and refusal_of(urlsplit(request.url).hostname))
    # a cancelled download (the size limit, or a crawl shutting down) is tried again: bounded by
    # MAX_ATTEMPTS, and never mistaken for final when the crawl was only stopped
    message = (str(failure.value) or "").lower()
    return "maxsize" in message or "max size" in message


def describe_failure(failure) -> str:
    """One line naming the URL and what went wrong, for crawl_runs.error_messages."""
    request = getattr(failure, "request", None)
    url = request.url if request is not None else "?"
    exc = failure.value
    if failure.check(HttpError):
        return f"{exc.response.url}: HTTP {exc.response.status}"
    if failure.check(DNSLookupError, CannotResolveHostError):
        host = urlsplit(url).hostname
        if reason := refusal_of(host):
            return f"refused {url}: {host}: {reason}"
        return f"{url}: DNS lookup failed"
    if failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
        return f"{url}: timed out"
    if type(exc).__name__ == "TimeoutError" and type(exc).__module__.startswith("playwright"):
        return f"{url}: timed out in the browser (browser_page_timeout)"
    message = (str(exc) or type(exc).__name__).splitlines()[0]
    lowered = message.lower()
    if "decompression" in lowered and "maxsize" in lowered:
        return f"{url}: larger than the download size limit after decompression"
    if "max size" in lowered or "maxsize" in lowered:
        return f"{url}: larger than the download size limit"
    if type(exc).__name__ == "CancelledError":
        return f"{url}: download cancelled (larger than the download size limit)"
    return f"{url}: {message}"
