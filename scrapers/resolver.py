"""Address safety at connection time: the address Scrapy connects to is the one we checked.

A check before the request (resolve, judge, then let the downloader resolve again) leaves a gap a
host can use to answer a public address first and a private one next (DNS rebinding). Judging the
resolver's own answer closes it: Twisted connects to exactly the address this resolver returns.
IP literals never reach a resolver; AddressSafetyMiddleware judges those.
"""

from __future__ import annotations

import ipaddress

from scrapy.resolver import CachingThreadedResolver
from twisted.internet.error import DNSLookupError

# Twisted's name resolution turns a resolver's error into "no results", so the reason is kept here
# for describe_failure (one resolver per crawl process).
_REFUSED: dict[str, str] = {}
THIS_HOST = ipaddress.ip_network("0.0.0.0/8")  # "this host on this network" (RFC 1122)


def refusal_of(host: str | None) -> str | None:
    """Why the resolver refused this host name in this process, or None."""
    return _REFUSED.get(host or "")


def address_verdict(address: str, allow_loopback: bool, allow_private: bool) -> str | None:
    """Why this address may not be fetched from ("169.254.169.254 is a link-local address")."""
    addr = ipaddress.ip_address(address.split("%")[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if addr.is_loopback:
        return None if allow_loopback else f"{addr} is a loopback address"
    if addr.is_unspecified or addr in THIS_HOST:
        # connecting to 0.0.0.0 or :: reaches this machine's own services, as loopback does
        return (
            None
            if allow_loopback
            else f"{addr} is an unspecified address (it reaches this machine)"
        )
    if addr.is_link_local:
        return f"{addr} is a link-local address"
    if (addr.is_private or addr.is_reserved or addr.is_multicast or addr.is_unspecified) and (
        not allow_private
    ):
        return f"{addr} is a private or reserved address"
    return None


class SafeResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing answers that point at loopback, private or link-local
    addresses (cached answers are judged again, so a setting cannot be bypassed by the cache)."""

    def __init__(
        self, reactor, cache_size: int, timeout: float, allow_loopback: bool, allow_private: bool
    ):
        super().__init__(reactor, cache_size, timeout)
        self.allow_loopback = allow_loopback
        self.allow_private = allow_private

    @classmethod
    def from_crawler(cls, crawler, reactor):
        s = crawler.settings
        return cls(
            reactor,
            s.getint("DNSCACHE_SIZE") if s.getbool("DNSCACHE_ENABLED") else 0,
            s.getfloat("DNS_TIMEOUT"),
            s.getbool("MEDIAWATCH_ALLOW_LOOPBACK"),
            s.getbool("MEDIAWATCH_ALLOW_PRIVATE"),
        )

    def getHostByName(self, name: str, timeout=()):
        answer = super().getHostByName(name, timeout)
        answer.addCallback(self._judge, name)
        return answer

    def _judge(self, address: str, name: str) -> str:
        reason = address_verdict(address, self.allow_loopback, self.allow_private)
        if reason:
            _REFUSED[name] = reason
            raise DNSLookupError(f"{name}: {reason}")
        return address
