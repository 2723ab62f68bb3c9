"""The crawler's own rules, each checked directly: address safety, Retry-After, feeds, sitemaps, Google News."""

from __future__ import annotations

import email.utils
import time

import pytest
from mediawatch.scrapers.feeds import FeedError, parse_feed
from mediawatch.scrapers.gnews import decode_link, encode_link, is_gnews_link, split_title
from mediawatch.scrapers.middlewares import literal_refusal
from mediawatch.scrapers.resolver import address_verdict
from mediawatch.scrapers.sitemaps import SitemapError, parse_sitemap
from mediawatch.times import retry_after


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("169.254.169.254", "link-local"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("::1", "loopback"),
        ("127.0.0.1", "loopback"),
        ("fe80::1%eth0", "link-local"),
    ],
)
def test_private_and_local_addresses_are_refused_by_default(address, words):
    reason = address_verdict(address, allow_loopback=False, allow_private=False)
    assert reason and words in reason


def test_loopback_is_allowed_only_by_explicit_setting():
    assert address_verdict("127.0.0.1", allow_loopback=True, allow_private=False) is None
    # link-local (cloud metadata) stays refused even then
    assert address_verdict("169.254.169.254", allow_loopback=True, allow_private=True)


def test_public_address_is_allowed():
    assert address_verdict("93.184.215.14", allow_loopback=False, allow_private=False) is None


def test_ip_literals_are_judged_before_the_request_and_names_when_resolved():
    assert "loopback" in literal_refusal("127.0.0.1", allow_loopback=False, allow_private=False)
    # a name is left to SafeResolver, which judges the address the connection really uses
    assert literal_refusal("localhost", allow_loopback=False, allow_private=False) is None


def test_retry_after_in_seconds_and_as_http_date():
    assert retry_after(b"7") == 7.0
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= retry_after(later) <= 31
    assert retry_after(b"soon") is None


def test_json_feed_and_atom_03_are_read():
    feed = parse_feed(
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": ['
        b'{"id": "1", "url": "https://example.org/a", "title": "A", '
        b'"date_published": "2026-11-27T10:00:00+05:00", "authors": [{"name": "Ayesha"}]}]}',
        "application/feed+json",
    )
    assert feed.kind == "json"
    entry = feed.entries[0]
    assert (entry.link, entry.title, entry.published_at) == (
        "https://example.org/a",
        "A",
        "2026-11-27T05:00:00Z",
    )
    assert entry.authors == ["Ayesha"]
    atom = parse_feed(
        b'<?xml version="1.0"?><feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>S</title>'
        b'<entry><title>E</title><link rel="alternate" type="text/html" href="https://e.org/1"/>'
        b"<issued>2026-11-27T10:00:00Z</issued></entry></feed>"
    )
    assert atom.entries[0].link == "https://e.org/1"
    assert atom.entries[0].published_at == "2026-11-27T10:00:00Z"


def test_billion_laughs_feed_stays_small():
    decl = (
        '<!ENTITY a "'
        + "x" * 1000
        + '">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    )
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [{decl}]><rss version="2.0"><channel><title>&i;</title>'
        "<item><title>&i;</title><link>https://example.org/x</link></item></channel></rss>"
    ).encode()
    try:
        feed = parse_feed(body)
    except FeedError:
        return  # rejected cleanly is fine too
    assert all(len(e.title or "") < 10_000 for e in feed.entries)


def test_xxe_feed_reads_no_file():
    body = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<rss version="2.0"><channel><title>t</title><item><title>&x;</title>'
        b"<link>https://example.org/x</link></item></channel></rss>"
    )
    try:
        feed = parse_feed(body)
    except FeedError:
        return
    assert all("root:" not in (e.title or "") for e in feed.entries)


def test_not_a_feed_is_a_feed_error():
    with pytest.raises(FeedError):
        parse_feed(b"<html><body>Hello</body></html>", "text/html")
    with pytest.raises(FeedError):
        parse_feed(b"{not json", "application/json")


def test_news_sitemap_gives_publication_date_and_title_newest_first():
    entries = parse_sitemap(
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        b"<url><loc>https://e.org/old</loc><lastmod>2026-11-01</lastmod></url>"
        b"<url><loc>https://e.org/new</loc><news:news><news:publication_date>2026-11-27T15:00:00+05:00"
        b"</news:publication_date><news:title>New one</news:title></news:news></url></urlset>"
    )
    assert [e.loc for e in entries] == ["https://e.org/new", "https://e.org/old"]
    assert entries[0].published_at == "2026-11-27T10:00:00Z" and entries[0].title == "New one"


def test_sitemap_entities_are_not_expanded():
    body = (
        b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://e.org/&x;</loc>'
        b"</url></urlset>"
    )
    for entry in parse_sitemap(body):
        assert "root:" not in entry.loc
    with pytest.raises(SitemapError):
        parse_sitemap(b"<rss><channel/></rss>")


def test_google_news_links():
    old = (
        "https://news.google.com/rss/articles/"
        + encode_link("https://www.dawn.com/news/1")
        + "?oc=5"
    )
    assert is_gnews_link(old)
    assert decode_link(old) == "https://www.dawn.com/news/1"
    opaque = "https://news.google.com/rss/articles/CBMiAU_yqLOpaqueToken123?oc=5"
    assert decode_link(opaque) is None
    assert split_title("Quetta blast kills four - DAWN.COM", "DAWN.COM") == (
        "Quetta blast kills four",
        "DAWN.COM",
    )
    assert split_title("Quetta blast kills four - Geo News", None) == (
        "Quetta blast kills four",
        "Geo News",
    )


def _meta_refresh_middleware():
    from mediawatch.scrapers.middlewares import HeadMetaRefreshMiddleware
    from scrapy.utils.test import get_crawler

    return HeadMetaRefreshMiddleware.from_crawler(get_crawler())


def test_meta_refresh_in_a_large_pages_head_redirects():
    from scrapy import Request
    from scrapy.http import HtmlResponse

    body = (
        '<html><head><meta charset="utf-8"><meta http-equiv="refresh" '
        'content="0; url=/news/moved-here"><title>Qu\u00e9tta</title></head><body>'
        + "<p>\u0628\u0644\u0648\u0686\u0633\u062a\u0627\u0646 words</p>" * 5000
        + "</body></html>"
    ).encode()
    assert len(body) > 100_000
    request = Request("https://example.org/news/old")
    response = HtmlResponse(request.url, body=body, request=request)
    answer = _meta_refresh_middleware().process_response(request, response)
    assert isinstance(answer, Request)
    assert answer.url == "https://example.org/news/moved-here"


def test_a_large_page_without_meta_refresh_passes_whole_and_undecoded():
    from scrapy import Request
    from scrapy.http import HtmlResponse

    body = (
        b'<html><head><meta charset="utf-8"><title>T</title></head><body>'
        + b"<p>Gwadar port</p>" * 20000
        + b'<meta http-equiv="refresh" content="0; url=/too-late"></body></html>'
    )
    request = Request("https://example.org/news/a")
    response = HtmlResponse(request.url, body=body, request=request)
    answer = _meta_refresh_middleware().process_response(request, response)
    assert answer is response
    assert answer.body == body
    # the page was not decoded whole for the check (the copy would stay with it until stored)
    assert response._cached_ubody is None
