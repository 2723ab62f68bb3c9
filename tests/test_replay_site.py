"""The replay site keeps what it computes from a file (ETag, whether it holds placeholders) once
the file has settled, and serves what a fresh read would: a file rewritten is served new."""

from __future__ import annotations

import os
import time
import urllib.request
from urllib.error import HTTPError

from mediawatch.replay import ReplaySite


def fetch(url: str, etag: str | None = None) -> tuple[int, bytes, str | None]:
    request = urllib.request.Request(url, headers={"If-None-Match": etag} if etag else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read(), answer.headers.get("ETag")
    except HTTPError as exc:
        return exc.code, exc.read(), exc.headers.get("ETag")


def settle(path, age: float = 60.0) -> None:
    """Backdate the file, as if written a minute ago (the site keeps facts of settled files)."""
    then = time.time() - age
    os.utime(path, (then, then))


def test_a_settled_page_is_served_byte_for_byte_and_a_rewrite_is_served_new(tmp_path):
    page = tmp_path / "a.html"
    page.write_bytes(
        "<html><body><p>première version {{ not a placeholder</p></body></html>".encode()
    )
    settle(page)
    with ReplaySite([tmp_path]) as site:
        first = [fetch(site.url("/a.html")) for _ in range(3)]
        assert {(status, body) for status, body, _ in first} == {(200, page.read_bytes())}
        etag = first[0][2]
        assert etag and {e for _, _, e in first} == {etag}
        assert fetch(site.url("/a.html"), etag)[0] == 304

        page.write_bytes(
            page.read_bytes().replace("première".encode(), "dernière".encode())
        )  # same size
        status, body, new_etag = fetch(site.url("/a.html"), etag)
        assert (status, body) == (200, page.read_bytes())
        assert new_etag != etag
        settle(page, age=30)  # settled again, as a different version
        assert fetch(site.url("/a.html"))[1] == page.read_bytes()
        assert fetch(site.url("/a.html"), new_etag)[0] == 304


def test_a_settled_feed_with_placeholders_is_rendered_on_every_request(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text("<rss><link>{{base}}/a</link><pubDate>{{ago:1h:iso}}</pubDate></rss>")
    settle(feed)
    with ReplaySite([tmp_path]) as site:
        for _ in range(2):
            status, body, _ = fetch(site.url("/feed.xml"))
            assert status == 200
            assert f"<link>{site.base}/a</link>".encode() in body
            assert b"{{" not in body
