"""One URL per article: declared canonical URLs on the same site, tracking parameters removed."""

from __future__ import annotations

import pytest
from mediawatch.scrapers.canonical import canonicalize, same_site, strip_tracking


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://www.dawn.com/news/1870001/gwadar?utm_source=twitter&utm_medium=social&utm_campaign=x",
            "https://www.dawn.com/news/1870001/gwadar",
        ),
        (
            "https://tribune.com.pk/story/2500100?fbclid=IwAR0abc",
            "https://tribune.com.pk/story/2500100",
        ),
        (
            "https://example.com/a?gclid=1&dclid=2&msclkid=3&mc_cid=4&mc_eid=5&igshid=6&yclid=7&_ga=8",
            "https://example.com/a",
        ),
        ("https://example.com/a?ref_src=twsrc%5Etfw&cmpid=rss&ocid=msn", "https://example.com/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a?UTM_Source=x&id=5", "https://example.com/a?id=5"),
    ],
)
def test_tracking_parameters_and_fragment_are_removed(url, expected):
    assert strip_tracking(url) == expected


def test_other_parameters_keep_their_order_and_encoding():
    url = "https://example.com/search?q=Gwadar%20port&utm_source=x&page=2&lang=ur#top"
    assert strip_tracking(url) == "https://example.com/search?q=Gwadar%20port&page=2&lang=ur"


def test_host_is_lower_cased_and_default_port_dropped():
    assert strip_tracking("HTTPS://WWW.Dawn.COM:443/News/1") == "https://www.dawn.com/News/1"
    assert strip_tracking("http://Example.com:80/a") == "http://example.com/a"
    assert strip_tracking("http://127.0.0.1:8123/a?utm_term=x") == "http://127.0.0.1:8123/a"
    assert strip_tracking("https://example.com") == "https://example.com/"


def test_declared_canonical_on_the_same_site_wins():
    page = "https://www.dawn.com/news/1870001/gwadar?utm_source=rss"
    declared = "https://www.dawn.com/news/1870001/gwadar-port-handles-first-cpec-transit-cargo"
    assert canonicalize(page, declared) == declared


@pytest.mark.parametrize(
    ("page", "declared", "expected"),
    [
        # AMP and mobile hosts point to the main one
        (
            "https://amp.dawn.com/news/1",
            "https://www.dawn.com/news/1",
            "https://www.dawn.com/news/1",
        ),
        ("https://m.geo.tv/latest/9", "https://www.geo.tv/latest/9", "https://www.geo.tv/latest/9"),
        # www. prefix ignored, http upgraded to https
        ("https://dawn.com/news/1", "http://www.dawn.com/news/1", "https://www.dawn.com/news/1"),
        ("http://dawn.com/news/1", "https://www.dawn.com/news/1", "https://www.dawn.com/news/1"),
        # relative declarations are resolved against the page, and cleaned too
        (
            "https://tribune.com.pk/x?id=1",
            "/story/2500100/a?utm_source=fb",
            "https://tribune.com.pk/story/2500100/a",
        ),
        # two-part public suffixes
        (
            "https://www.bbc.co.uk/urdu/a",
            "https://news.bbc.co.uk/urdu/a",
            "https://news.bbc.co.uk/urdu/a",
        ),
    ],
)
def test_same_site_declarations(page, declared, expected):
    assert canonicalize(page, declared) == expected


@pytest.mark.parametrize(
    ("page", "declared"),
    [
        # a syndicated copy declaring the original elsewhere stays under its own URL
        ("https://www.brecorder.com/news/40000001", "https://www.dawn.com/news/1870001"),
        # different registrable domains under a shared (private) suffix
        ("https://one.blogspot.com/2026/11/a.html", "https://two.blogspot.com/2026/11/a.html"),
        ("https://www.bbc.co.uk/news/1", "https://www.itv.co.uk/news/1"),
        # a CMS that points every article at the home page
        ("https://thebalochistanpost.net/2026/11/rally/", "https://thebalochistanpost.net/"),
        # not a web address
        ("https://example.com/a", "javascript:void(0)"),
        ("https://example.com/a", "mailto:desk@example.com"),
        ("https://example.com/a", "   "),
    ],
)
def test_other_declarations_are_ignored(page, declared):
    assert canonicalize(page, declared) == strip_tracking(page)


def test_no_declaration_gives_the_cleaned_page_url():
    assert (
        canonicalize("https://WWW.Geo.tv/latest/9?utm_source=gn#x") == "https://www.geo.tv/latest/9"
    )


def test_loopback_replay_site_is_one_site():
    assert same_site("http://127.0.0.1:8000/a", "http://127.0.0.1:8000/b")
    assert canonicalize("http://127.0.0.1:8000/a?fbclid=1", "/b") == "http://127.0.0.1:8000/b"
    assert not same_site("http://127.0.0.1:8000/a", "https://www.dawn.com/a")
