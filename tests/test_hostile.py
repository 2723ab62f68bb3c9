"""Hostile sites (tests/site/hostile/): each attack is crawled for real and must end as a bounded,
recorded run, never as a stall, a blow-up or a silent success."""

from __future__ import annotations

import codecs

import pytest
from mediawatch.scrapers.extract import extract
from mediawatch.scrapers.feeds import MAX_TITLE_CHARS, FeedError, parse_feed
from mediawatch.scrapers.resolver import address_verdict
from mediawatch.scrapers.sitemaps import SitemapError, parse_sitemap
from mediawatch.scrapers.xmlsafe import decode, strip_dtd

from mediawatch.replay import render_placeholders

MIB = 1024 * 1024


def fetched(ws, prefix: str) -> list[str]:
    return [p for _, p, _ in ws.site.log.entries if p.startswith(prefix)]


# -- 3. entities declared in UTF-16 / UTF-32 ----------------------------------------------------


@pytest.mark.slow
def test_a_utf16_feed_declaring_an_entity_is_an_error_of_its_run(workspace):
    ws = workspace
    ws.site.log.clear()
    result = ws.run("crawl", "utf16-entities", timeout=120)
    assert result.returncode == 1, result.stderr
    (run,) = ws.runs("utf16-entities")
    assert run["status"] == "failed"
    assert any("entity bomb" in e for e in run["error_messages"]), run["error_messages"]
    # refused before any item was followed, and nothing oversized reached the archive
    assert fetched(ws, "/hostile/utf16-entities.xml")
    assert not fetched(ws, "/hostile/entity-article")
    assert not ws.rows("SELECT 1 FROM articles WHERE length(title) > ?", [MAX_TITLE_CHARS])


def _entity_feed(refs: int) -> str:
    return (
        '<?xml version="1.0" encoding="{enc}"?>\n<!DOCTYPE rss [\n<!ENTITY a "'
        + "A" * 2000
        + '">\n]>\n<rss version="2.0"><channel><title>t</title><item><title>'
        + "&a;" * refs
        + "</title><link>https://example.org/1</link></item></channel></rss>"
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("codec", "bom"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-16-le", b""),
        ("utf-16-be", b""),
        ("utf-32-le", codecs.BOM_UTF32_LE),
        ("utf-32-be", b""),
    ],
)
def test_entity_bombs_are_refused_in_every_unicode_encoding(codec, bom):
    body = bom + _entity_feed(2000).replace("{enc}", codec.upper()).encode(codec)
    with pytest.raises(FeedError, match="entity bomb"):
        parse_feed(body)
    sitemap = (
        '<?xml version="1.0" encoding="{enc}"?><!DOCTYPE u [<!ENTITY a "'.replace("{enc}", codec)
        + "A" * 2000
        + '">]><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://e.org/'
        + "&a;" * 2000
        + "</loc></url></urlset>"
    )
    with pytest.raises(SitemapError, match="entity bomb"):
        parse_sitemap(bom + sitemap.encode(codec))


def test_a_utf16_feed_without_tricks_is_read_with_its_text_intact():
    doc = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//'
        'DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">'
        '<rss version="2.0"><channel><title>بی بی سی اردو</title><item><title>کوئٹہ میں'
        " دھماکہ</title><link>https://example.org/ur/1</link></item></channel></rss>"
    )
    feed = parse_feed(doc.encode("utf-16"), "application/rss+xml; charset=utf-16")
    assert feed.title == "بی بی سی اردو"
    assert [(e.link, e.title) for e in feed.entries] == [
        ("https://example.org/ur/1", "کوئٹہ میں دھماکہ")
    ]


def test_what_a_parser_hands_on_is_bounded():
    title = "x" * (10 * MAX_TITLE_CHARS)
    items = "".join(
        f"<item><title>{title}</title><link>https://e.org/{i}</link></item>" for i in range(3000)
    )
    feed = parse_feed(f'<rss version="2.0"><channel>{items}</channel></rss>'.encode())
    assert 0 < len(feed.entries) <= 2000
    assert all(len(e.title) == MAX_TITLE_CHARS for e in feed.entries)


def test_declared_charset_and_http_charset_are_used_in_that_order():
    latin = '<?xml version="1.0" encoding="iso-8859-1"?><r>Quetta café</r>'.encode("latin-1")
    assert "café" in decode(latin, "application/xml; charset=utf-8")
    assert "café" in decode("<r>café</r>".encode("cp1252"), "text/xml; charset=windows-1252")
    assert "café" in decode("<r>café</r>".encode(), "")


# -- 4. linear DTD stripping, parsing off the reactor thread --------------------------------------


@pytest.mark.slow
def test_a_megabyte_of_doctype_declarations_does_not_stall_the_crawl(workspace):
    ws = workspace
    ws.site.log.clear()
    result = ws.run("crawl", "doctype-flood", "dawn-home", timeout=170)
    assert result.returncode == 0, result.stderr
    # the feed before the flood was read and followed; the other source was crawled alongside
    assert fetched(ws, "/hostile/flood-article")
    assert ws.runs("doctype-flood")[-1]["status"] == "ok"
    assert ws.runs("dawn-home")[-1]["new_articles"] > 0


@pytest.mark.parametrize(
    "unit",
    ["<!DOCTYPE ", "<!ENTITY ", "<!DOCTYPE [", '<!DOCTYPE ["', "<!DOCTYPE [<!--", '<!ENTITY x "'],
)
def test_dtd_stripping_takes_five_mib_of_hostile_markup(unit):
    """Each unit opens a declaration that never closes: a backtracking regex retried the rest of the
    document at every one (quadratic: hours for 5 MiB); a forward scan reads it once."""
    head = '<rss version="2.0"><channel><title>kept</title></channel></rss>'
    kept, removed = strip_dtd(head + unit * (5 * MIB // len(unit)))
    assert kept == head
    assert len(removed) >= 5 * MIB - len(unit)


def test_declarations_are_removed_whole_and_the_rest_is_kept():
    doc = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "x>]y"><!-- ]> --><!ENTITY b \'>\'>]>'
        "<rss><title>&a;&b;</title></rss><!ENTITY c 'z'>tail"
    )
    kept, removed = strip_dtd(doc)
    assert kept == '<?xml version="1.0"?><rss><title>&a;&b;</title></rss>tail'
    assert removed.count("<!ENTITY") == 3


# -- 5. sitemap indexes ------------------------------------------------------------------------


@pytest.mark.slow
def test_a_sitemap_index_maze_is_bounded_by_visits_depth_and_budget(workspace):
    ws = workspace
    ws.site.log.clear()
    result = ws.run("crawl", "sitemap-maze", "sitemap-chain", timeout=150)
    assert result.returncode == 0, result.stderr
    maze = fetched(ws, "/hostile/maze/")
    assert 20 < len(maze) <= 50  # the default max_sitemaps
    assert len(set(maze)) == len(maze)  # the index listing itself is not fetched again
    (run,) = ws.runs("sitemap-maze")
    assert any("max_sitemaps" in e for e in run["error_messages"]), run["error_messages"]
    # one new child per level: stopped by depth, not by the (raised) budget
    chain = fetched(ws, "/hostile/chain/")
    assert len(chain) == 4
    (run,) = ws.runs("sitemap-chain")
    assert any("nested more than 3 levels" in e for e in run["error_messages"])


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{name: s, kind: sitemap, url: 'https://e.org/s.xml', max_sitemaps: 0}", "must be an"),
        ("{name: f, kind: feed, url: 'https://e.org/f.xml', max_sitemaps: 5}", "only a sitemap"),
    ],
)
def test_max_sitemaps_is_validated_like_other_source_keys(workspace, entry, message):
    path = workspace.config_dir / "sources.yaml"
    path.write_text(f"sources:\n  - {entry}\n", encoding="utf-8")
    result = workspace.run("crawl", "--all")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert "sources.yaml:2: sources[0].max_sitemaps: " + message in last, last


# -- 6. the unspecified addresses are this machine ---------------------------------------------


@pytest.mark.parametrize("address", ["0.0.0.0", "::", "0.1.2.3", "::ffff:127.0.0.1"])
def test_unspecified_and_mapped_addresses_count_as_loopback(address):
    assert address_verdict(address, allow_loopback=False, allow_private=True)
    assert address_verdict(address, allow_loopback=True, allow_private=False) is None


@pytest.mark.slow
def test_allow_private_does_not_open_the_machine_itself(workspace):
    ws = workspace
    port = ws.site.base.rsplit(":", 1)[1]
    (ws.config_dir / "sources.yaml").write_text(
        "crawler:\n  allow_private: true\n  download_delay: 0\n  autothrottle: false\nsources:\n"
        f"  - {{name: zeros, kind: feed, url: 'http://0.0.0.0:{port}/dawn/feeds/home.xml'}}\n"
        f"  - {{name: zero, kind: feed, url: 'http://0:{port}/dawn/feeds/home.xml'}}\n",
        encoding="utf-8",
    )
    ws.site.log.clear()
    result = ws.run("crawl", "zeros", "zero")
    assert result.returncode == 1, result.stderr
    for name in ("zeros", "zero"):
        (run,) = ws.runs(name)
        assert run["status"] == "failed"
        assert any(
            "refused" in e and "0.0.0.0 is an unspecified address" in e
            for e in run["error_messages"]
        ), run["error_messages"]
    assert ws.site.log.entries == []


# -- 7. one slow URL -----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_slow_url_is_given_up_within_its_time_limit_and_recorded(workspace):
    ws = workspace
    (ws.config_dir / "sources.yaml").write_text(
        render_placeholders(
            "crawler:\n  allow_loopback: true\n  download_delay: 0\n  autothrottle: false\n"
            "  timeout: 1\nsources:\n"
            "  - {name: slow, kind: feed, url: '{{base}}/hostile/slow.xml'}\n",
            ws.site.base,
        ),
        encoding="utf-8",
    )
    before = ws.site.arrivals("/hostile/slow.xml")
    result = ws.run("crawl", "slow")
    assert result.returncode == 1, result.stderr
    # three attempts (two retries) before; the 1.5 s limit leaves room for at most two
    assert 1 <= ws.site.arrivals("/hostile/slow.xml") - before <= 2
    (run,) = ws.runs("slow")
    assert run["status"] == "failed"
    assert any(
        "time limit per URL" in e and "last attempt: timed out" in e for e in run["error_messages"]
    ), run["error_messages"]


# -- 14. UTF-16 article pages -------------------------------------------------------------------


@pytest.mark.slow
def test_utf16_article_pages_are_decoded_and_extracted(workspace):
    ws = workspace
    ws.run("crawl", "utf16-pages", check=True)
    (run,) = ws.runs("utf16-pages")
    assert run["status"] == "ok" and run["error_messages"] == [], run["error_messages"]
    rows = {
        r["url"].rsplit("/", 1)[1]: r
        for r in ws.rows("SELECT url, title, text, language FROM articles")
    }
    assert rows["utf16-bom"]["title"] == "Gwadar fishermen protest trawler incursions"
    assert "trawlers from Sindh" in rows["utf16-bom"]["text"]
    assert rows["utf16-nobom"]["title"] == "Turbat traders close markets over border crossing"
    assert "Iran border crossing" in rows["utf16-nobom"]["text"]
    assert {r["language"] for r in rows.values()} == {"en"}


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_extract_reads_wide_encodings(codec):
    html = (
        "<html><head><title>کوئٹہ میں دھماکہ</title></head><body><article>"
        + "<p>کوئٹہ میں ایک دھماکے میں چار افراد ہلاک ہو گئے، پولیس نے بتایا کہ تحقیقات جاری ہیں۔</p>"
        * 4
        + "</article></body></html>"
    )
    page = extract(html.encode(codec), url="https://e.org/ur/1")
    assert page.title == "کوئٹہ میں دھماکہ"
    assert "تحقیقات" in page.text
