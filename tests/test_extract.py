"""Article extraction on small pages written for these tests, and the `mediawatch extract` command."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from conftest import Completed, invoke
from mediawatch.scrapers.extract import ExtractionError, check_selector, extract
from mediawatch.scrapers.extract_clean import clean_authors
from mediawatch.scrapers.language import detect_language

PAGES = Path(__file__).resolve().parent / "pages"
ROOT = PAGES.parent.parent


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def html_page(head: str, body: str = "", lang: str = "") -> str:
    paragraphs = "".join(
        f"<p>{sentence} The provincial government said the matter would be reviewed by a committee "
        "of officials and elders, and that a report would be published before the end of the month.</p>"
        for sentence in (
            "Work on the eastern bay road resumed on Monday.",
            "Fishermen were consulted.",
        )
    )
    lang_attr = f' lang="{lang}"' if lang else ""
    return f"<!DOCTYPE html><html{lang_attr}><head>{head}</head><body><article>{body}{paragraphs}</article></body></html>"


# ------------------------------------------------------------------ metadata first


def test_json_ld_article_gives_headline_date_authors_and_language():
    got = extract(
        page("jsonld_article.html"),
        url="https://tribune.com.pk/story/2500100/levies?utm_source=rss",
    )
    assert got.title == "Levies personnel martyred in Kech attack"
    assert got.published_at == "2026-11-20T18:40:00Z"  # 23:40 in Pakistan is 18:40 UTC
    assert got.published_local == "2026-11-20T23:40:00+05:00"
    assert got.date_source == "jsonld"
    assert got.authors == ["Mohammad Zafar", "Saleem Shahid"]
    assert got.language == "en"
    assert got.section == "Balochistan"
    assert (
        got.canonical_url
        == "https://tribune.com.pk/story/2500100/levies-personnel-martyred-in-kech-attack"
    )
    assert got.lead_image == "https://tribune.com.pk/images/kech-checkpost.jpg"


def test_body_is_the_article_paragraphs_without_navigation_or_footer():
    got = extract(page("jsonld_article.html"), url="https://tribune.com.pk/story/2500100/levies")
    paragraphs = got.text.split("\n")
    assert paragraphs[0].startswith("Two Levies personnel were martyred")  # not the headline again
    assert paragraphs[-1].startswith("The provincial home minister condemned the attack")
    assert "search operation was launched at dawn" in got.text
    assert "All rights reserved" not in got.text
    assert "Home" not in paragraphs


def test_open_graph_only_page():
    got = extract(page("og_only.html"), url="https://www.dawn.com/news/1870001/gwadar")
    assert got.title == "Gwadar port handles first CPEC transit cargo"
    assert got.published_at == "2026-11-19T06:15:00Z"
    assert got.date_source == "meta"
    assert got.authors == ["Behram Baloch", "Khaleeq Kiani"]  # "By A and B" split
    assert got.language == "en"  # og:locale en_GB
    assert got.section == "Business"
    # rel=canonical as declared (absolute); tracking parameters go in canonicalize()
    assert got.canonical_url.startswith("https://www.dawn.com/news/1870001/gwadar-port-handles")
    assert "berthed at Gwadar on Tuesday" in got.text


def test_site_name_is_cut_from_the_title_tag_and_date_only_becomes_midnight_utc():
    got = extract(
        page("title_suffix.html"), url="https://thebalochistanpost.net/2026/11/byc-rally/"
    )
    assert got.title == "BYC holds rally in Turbat against enforced disappearances"
    assert got.published_at == "2026-11-18T00:00:00Z"


@pytest.mark.parametrize(
    ("title", "url", "expected"),
    [
        (
            "Quetta roads reopen after protest - Samaa TV",
            "https://www.samaa.tv/news/1",
            "Quetta roads reopen after protest",
        ),
        (
            "Dawn | Quetta roads reopen after protest",
            "https://www.dawn.com/news/1",
            "Quetta roads reopen after protest",
        ),
        (
            "Quetta roads reopen | Pakistan | Dawn.com | 21.11.2026",
            "https://www.dawn.com/news/1",
            "Quetta roads reopen",  # the section after the bar goes too
        ),
        # a colon inside a headline is not a site separator
        (
            "CPEC: second phase starts slowly",
            "https://thediplomat.com/2026/11/x/",
            "CPEC: second phase starts slowly",
        ),
    ],
)
def test_title_cleaning_without_declared_site_name(title, url, expected):
    got = extract(html_page(f"<title>{title}</title>"), url=url)
    assert got.title == expected


def test_title_agreed_by_two_sources_wins_over_a_suffixed_one():
    head = '<meta property="og:title" content="Gwadar fishermen protest | Balochistan">'
    got = extract(html_page(head, "<h1>Gwadar fishermen protest</h1>"), url="https://example.org/a")
    assert got.title == "Gwadar fishermen protest"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-11-21T15:27:00+05:00", "2024-11-21T10:27:00Z"),
        ("2024-11-21T10:27:00.123Z", "2024-11-21T10:27:00Z"),
        ("2024-11-21 10:27:00", "2024-11-21T10:27:00Z"),  # no zone given: taken as UTC
        ("Thu, 21 Nov 2024 10:27:00 +0000", "2024-11-21T10:27:00Z"),
        ("2024-11-21", "2024-11-21T00:00:00Z"),
    ],
)
def test_dates_are_normalised_to_utc(value, expected):
    head = f'<meta property="article:published_time" content="{value}">'
    assert extract(html_page(head), url="https://example.org/a").published_at == expected


def test_implausible_dates_are_not_taken():
    head = '<meta property="article:published_time" content="2999-01-01T00:00:00Z">'
    assert extract(html_page(head), url="https://example.org/a").published_at is None


# ------------------------------------------------------------------ authors


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["By Jane Doe and John Roe"], ["Jane Doe", "John Roe"]),
        (["Jane Doe, John Roe; Ali Khan"], ["Jane Doe", "John Roe", "Ali Khan"]),
        (["https://www.facebook.com/janedoe", "Jane Doe"], ["Jane Doe"]),
        (["Staff", "admin", "Jane Doe"], ["Jane Doe"]),
        (["Web Desk"], ["Web Desk"]),  # a desk byline is what the outlet says: kept
        (["Jane Doe", "jane doe"], ["Jane Doe"]),
        (["jane@example.com (Jane Doe)"], ["Jane Doe"]),
    ],
)
def test_author_cleaning(raw, expected):
    assert clean_authors(raw) == expected


def test_citation_author_last_first_is_read_as_a_name():
    head = '<meta name="citation_author" content="Baloch, Shahzad"><meta name="citation_author" content="Khan, Ayesha">'
    got = extract(html_page(head), url="https://journal.example/article/1")
    assert got.authors == ["Shahzad Baloch", "Ayesha Khan"]


def test_an_author_that_is_only_the_site_name_gives_way_to_the_byline():
    head = '<meta property="og:site_name" content="Quetta Voice"><meta name="author" content="Quetta Voice">'
    body = '<div class="byline">By <a rel="author" href="/author/ali">Ali Raza</a></div>'
    got = extract(html_page(head, body), url="https://quettavoice.example/news/1")
    assert got.authors == ["Ali Raza"]


# ------------------------------------------------------------------ language


def test_urdu_page_without_lang_attribute_is_detected_as_urdu():
    got = extract(page("urdu.html"), url="https://www.express.pk/story/1")
    assert got.language == "ur"
    assert got.title == "بلوچستان: کیچ میں چیک پوسٹ پر حملہ، دو اہلکار ہلاک"
    assert "تربت" in got.text


def test_urdu_page_declaring_english_by_template_default_is_urdu():
    html = page("urdu.html").replace(b"<html>", b'<html lang="en-US">')
    assert extract(html, url="https://www.express.pk/story/1").language == "ur"


def test_source_language_is_used_when_the_page_declares_none():
    got = extract(html_page("<title>Gwadar</title>"), url="https://example.org/a", language="en")
    assert got.language == "en"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("بلوچستان میں سیکیورٹی فورسز نے کارروائی کی", "ur"),
        ("عمران خان کی رہائی کا مطالبہ", "ur"),
        ("Security forces launched an operation in Balochistan on Monday", "en"),
        ("حکومت پاکستان روز دوشنبه اعلام کرد که عملیات نظامی در بلوچستان آغاز شده است", "fa"),
        (
            "وقالت الحكومة الباكستانية في بيان إن العملية العسكرية في بلوشستان بدأت يوم الاثنين",
            "ar",
        ),
        ("पाकिस्तान सरकार ने कहा कि बलूचिस्तान में अभियान शुरू हुआ", "hi"),
        ("中巴经济走廊第二阶段建设进展缓慢", "zh"),
        ("", None),
        ("   \n ", None),
    ],
)
def test_detect_language_on_short_news_text(text, expected):
    assert detect_language(text) == expected


# ------------------------------------------------------------------ selectors

SELECTORS = {
    "title": "h2.real-headline",
    "body": "div.story-text",
    "date": "//span[@class='stamp']/text()",
    "author": ".writer a",
}


def test_source_selectors_override_generic_extraction():
    url = "https://myind.net/Home/viewArticle/pakistan-launches-military-offensive"
    generic = extract(page("selectors.html"), url=url)
    got = extract(page("selectors.html"), url=url, selectors=SELECTORS)
    assert generic.title != got.title
    assert (
        got.title
        == "Pakistan launches military offensive in Balochistan amid mounting Chinese pressure"
    )
    assert got.text == (
        "Pakistan has launched a military offensive against separatist groups in Balochistan.\n"
        "The operation follows attacks on Chinese nationals working on CPEC projects."
    )
    assert got.published_at == "2024-11-21T10:27:00Z"
    assert got.date_source == "selector"
    assert got.authors == ["Ayesha Rahman"]


def test_selector_that_matches_nothing_leaves_the_field_to_generic_extraction():
    got = extract(
        page("og_only.html"),
        url="https://www.dawn.com/news/1",
        selectors={"title": ".nope", "body": "//main"},
    )
    assert got.title == "Gwadar port handles first CPEC transit cargo"
    assert "berthed at Gwadar" in got.text


def test_selectors_speak_the_same_css_as_listing_links():
    """`selectors:` and `links:` are both parsel (Scrapy) CSS: ::text and ::attr() work in both."""
    url = "https://myind.net/Home/viewArticle/pakistan-launches-military-offensive"
    got = extract(
        page("selectors.html"),
        url=url,
        selectors={
            "title": "h2.real-headline::text",
            "body": "div.story-text",
            "date": "span.stamp::text",
            "author": ".writer a::attr(href)",
        },
    )
    assert got.title.startswith("Pakistan launches military offensive in Balochistan")
    assert got.published_at == "2024-11-21T10:27:00Z"
    assert got.authors == ["/author/1"]
    assert check_selector("meta[name=author]::attr(content)") is None
    assert "invalid" in check_selector("a::attr(")


def test_broken_selector_is_reported_by_check_and_does_not_break_extraction():
    assert check_selector("div.story-text") is None
    assert check_selector("//span[@class='stamp']") is None
    assert "invalid" in check_selector("div[[")
    assert "invalid" in check_selector("//span[")
    got = extract(
        page("og_only.html"), url="https://www.dawn.com/news/1", selectors={"title": "div[["}
    )
    assert got.title == "Gwadar port handles first CPEC transit cargo"


# ------------------------------------------------------------------ not a page


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"   \n  ",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b'{"title": "not a page"}',
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title></channel></rss>',
        b"just a line of plain text, no markup at all",
        "",
    ],
)
def test_non_html_input_raises_extraction_error(content):
    with pytest.raises(ExtractionError):
        extract(content, url="https://example.org/a")


def test_wrong_input_type_raises_extraction_error():
    with pytest.raises(ExtractionError):
        extract(None)  # type: ignore[arg-type]


def test_page_without_an_article_is_not_an_error():
    got = extract("<html><head><title>Login</title></head><body><form></form></body></html>")
    assert got.title == "Login"
    assert got.text == ""


# ------------------------------------------------------------------ the command


def mediawatch(*args: str, input: bytes | None = None) -> Completed:
    """`mediawatch` as run in the checkout (in this process: it reads files and stdin only)."""
    return invoke(*args, input=input, cwd=ROOT, text=False)


def test_cli_single_page_from_gzip_file(tmp_path):
    gz = tmp_path / "page.html.gz"
    gz.write_bytes(gzip.compress(page("jsonld_article.html")))
    result = mediawatch(
        "extract", str(gz), "--url", "https://tribune.com.pk/story/2500100/x?fbclid=1"
    )
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert {"title", "text", "published", "authors", "language", "canonical_url"} <= set(got)
    assert got["title"] == "Levies personnel martyred in Kech attack"
    assert got["published"] == "2026-11-20T23:40:00+05:00"
    assert got["published_at"] == "2026-11-20T18:40:00Z"
    assert got["authors"] == ["Mohammad Zafar", "Saleem Shahid"]
    assert got["language"] == "en"
    assert (
        got["canonical_url"]
        == "https://tribune.com.pk/story/2500100/levies-personnel-martyred-in-kech-attack"
    )


def test_cli_reads_stdin_and_reports_a_non_html_page_in_one_line(tmp_path):
    result = mediawatch("extract", "-", input=page("urdu.html"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["language"] == "ur"

    not_html = tmp_path / "report.pdf"
    not_html.write_bytes(b"%PDF-1.7\n")
    result = mediawatch("extract", str(not_html))
    assert result.returncode == 1
    assert result.stderr.decode().strip().splitlines() == [
        f"error: {not_html}: not HTML (binary, JSON or a feed)"
    ]


def test_cli_batch_answers_every_line_and_survives_bad_ones(tmp_path):
    gz = tmp_path / "og.html.gz"
    gz.write_bytes(gzip.compress(page("og_only.html")))
    pdf = tmp_path / "file.pdf"
    pdf.write_bytes(b"%PDF-1.4 binary")
    lines = [
        {
            "id": "a",
            "url": "https://www.dawn.com/news/1870001/gwadar?utm_source=x",
            "path": str(gz),
        },
        {"id": "b", "url": "https://www.express.pk/story/1", "path": str(PAGES / "urdu.html")},
        {"id": "c", "url": "https://example.org/x", "path": str(tmp_path / "missing.html")},
        {"id": "d", "path": str(pdf)},
        {"id": 5, "path": str(PAGES / "title_suffix.html")},
    ]
    stdin = ("\n".join(json.dumps(line) for line in lines) + "\nnot json\n").encode()
    result = mediawatch("extract", "--batch", input=stdin)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [a["id"] for a in answers] == ["a", "b", "c", "d", 5, None]
    assert answers[0]["title"] == "Gwadar port handles first CPEC transit cargo"
    assert (
        answers[0]["canonical_url"]
        == "https://www.dawn.com/news/1870001/gwadar-port-handles-first-cpec-transit-cargo"
    )
    assert answers[0]["published"] == "2026-11-19T06:15:00Z"
    assert answers[1]["language"] == "ur"
    assert "error" in answers[2] and "missing.html" in answers[2]["error"]
    assert "error" in answers[3] and "title" not in answers[3]
    assert answers[4]["title"] == "BYC holds rally in Turbat against enforced disappearances"
    assert "invalid JSON" in answers[5]["error"]


# ------------------------------------------------------------------ rules that generalise beyond news sites


def test_blog_headline_is_the_printed_h1_not_the_seo_title():
    head = (
        '<meta property="og:title" content="Best Dates Farms Near Turbat 2026 | Top 10 Picks">'
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "BlogPosting",'
        ' "headline": "Best Dates Farms Near Turbat 2026 | Top 10 Picks"}</script>'
    )
    got = extract(
        html_page(head, "<h1>Ten date farms worth a visit near Turbat</h1>"),
        url="https://blog.example/p",
    )
    assert got.title == "Ten date farms worth a visit near Turbat"
    assert got.title_source == "h1"


def test_news_article_headline_stays_the_publishers_og_title():
    head = (
        '<meta property="og:title" content="Gwadar fishermen end their sit-in">'
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",'
        ' "headline": "Gwadar fishermen end their sit-in"}</script>'
    )
    body = "<h1>Live: Gwadar fishermen end sit-in after talks with the provincial government</h1>"
    got = extract(html_page(head, body), url="https://news.example/a")
    assert got.title == "Gwadar fishermen end their sit-in"


def test_a_site_name_h1_is_not_the_headline():
    head = "<title>How to reach Ziarat in winter - Baloch Travel Notes</title>"
    got = extract(
        html_page(head, "<h1>Baloch Travel Notes</h1>"), url="https://travelnotes.example/z"
    )
    assert got.title == "How to reach Ziarat in winter"


def test_author_given_by_reference_in_a_json_ld_graph():
    head = """<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
      {"@type": "Article", "@id": "https://x.example/a#article", "headline": "Ziarat in winter",
       "author": {"@id": "https://x.example/#/schema/person/1"}},
      {"@type": "Person", "@id": "https://x.example/#/schema/person/1", "name": "Shazia Baloch"}]}
    </script>"""
    got = extract(html_page(head), url="https://x.example/a")
    assert got.authors == ["Shazia Baloch"]
    assert got.author_source == "jsonld"


def test_byline_from_a_link_to_the_authors_page():
    body = (
        '<p class="meta">Posted in Travel by <a href="/author/naveed-ahmed/">Naveed Ahmed</a></p>'
    )
    got = extract(html_page("<title>Ziarat in winter</title>", body), url="https://x.example/a")
    assert got.authors == ["Naveed Ahmed"]


def test_written_by_line_and_credentials_stay_with_the_name():
    body = "<p>Written by Dr. Sana Qureshi, MBBS, FCPS</p>"
    got = extract(html_page("<title>Dengue in Kech</title>", body), url="https://x.example/a")
    assert got.authors == ["Dr. Sana Qureshi, MBBS, FCPS"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["Updated January"], []),
        (["Written By"], []),
        (["page.head.extra.author"], []),
        (["Jane Doe, MS, RD"], ["Jane Doe, MS, RD"]),
        (["Jane Doe, AP"], ["Jane Doe", "AP"]),
        (["Jan Kowalski"], ["Jan Kowalski"]),
    ],
)
def test_author_cleaning_drops_dates_and_placeholders(raw, expected):
    assert clean_authors(raw) == expected


def test_without_metadata_the_date_in_the_url_is_taken():
    got = extract(html_page("<title>Kech</title>"), url="https://x.example/2026/11/18/kech-road/")
    assert got.published_at == "2026-11-18T00:00:00Z"
    assert got.date_source == "url"


def test_without_metadata_a_time_element_keeps_its_time_and_zone():
    body = '<p><time datetime="2026-11-20T02:00:00+05:00">20 November 2026</time></p>'
    got = extract(html_page("<title>Kech</title>", body), url="https://x.example/kech")
    assert got.published_at == "2026-11-19T21:00:00Z"
    assert got.published_local == "2026-11-20T02:00:00+05:00"
    assert got.date_precision == "instant"


def test_without_metadata_the_date_printed_on_the_page_beats_a_copyright_year():
    body = "<p class='date'>Published November 18, 2026</p>"
    page_html = html_page("<title>Kech</title>", body).replace(
        "</body>", "<footer>© 2019 Example</footer></body>"
    )
    got = extract(page_html, url="https://x.example/kech")
    assert got.published_at == "2026-11-18T00:00:00Z"
    assert got.date_source == "page-text"


# ------------------------------------------------------------------ article times, through a crawl

TIMES_SOURCE = """
  - {name: article-times, kind: feed, outlet: Times, url: "{{base}}/times/feed.xml", tags: [times]}
"""


@pytest.mark.slow
def test_article_times_keep_the_most_precise_trustworthy_value(tmp_path, replay_site):
    """A page time with a zone beats the feed; a page day takes the feed's time on that day."""
    from datetime import UTC, datetime, timedelta

    from conftest import TEST_SOURCES, Workspace, write_config

    folder = write_config(tmp_path / "config", replay_site.base, TEST_SOURCES + TIMES_SOURCE)
    ws = Workspace(folder, tmp_path / "archive.db", replay_site)
    ws.run("crawl", "article-times", check=True)
    stored = {
        row["url"].rsplit("/", 1)[-1]: row
        for row in ws.rows("SELECT url, published_at, date_source FROM articles")
    }
    assert set(stored) == {
        "exact-time-on-the-page",
        "only-a-day-on-the-page",
        "feed-time-on-another-day",
    }

    # <time datetime="2026-11-20T02:00:00+05:00"> is 21:00 UTC the day before, not midnight
    exact = stored["exact-time-on-the-page"]
    assert exact["published_at"] == "2026-11-19T21:00:00Z"
    assert exact["date_source"] == "time-element"

    # the page says only which day; the feed's time (26 hours ago) falls on it and is kept
    day_only = stored["only-a-day-on-the-page"]
    feed_time = datetime.fromisoformat(day_only["published_at"].replace("Z", "+00:00"))
    assert abs(feed_time - (datetime.now(UTC) - timedelta(hours=26))) < timedelta(minutes=30)
    assert day_only["date_source"] == "feed"

    # a feed time on another day than the page's is not the publication time: the day stays
    other = stored["feed-time-on-another-day"]
    assert other["published_at"] == "2026-11-02T00:00:00Z"
    assert other["date_source"] == "meta"


def test_blog_headline_keeps_the_case_and_dashes_printed_in_its_h1():
    head = '<meta property="og:title" content="How To Reach Ziarat - A Winter Guide">'
    got = extract(
        html_page(head, "<h1>How to Reach Ziarat: A Winter Guide</h1>"),
        url="https://blog.example/ziarat",
    )
    assert got.title == "How to Reach Ziarat: A Winter Guide"


def test_blog_headline_without_what_the_seo_title_adds_before_or_after_it():
    head = '<meta property="og:title" content="Best Tents of 2026, Tested &amp; Reviewed">'
    got = extract(html_page(head, "<h1>Best Tents of 2026</h1>"), url="https://gear.example/t")
    assert got.title == "Best Tents of 2026"
    head = '<meta property="og:title" content="Field Notes Blog: Camping Near Hingol">'
    got = extract(html_page(head, "<h1>Camping Near Hingol</h1>"), url="https://notes.example/h")
    assert got.title == "Camping Near Hingol"


def test_news_headline_keeps_its_metadata_form_beside_a_kicker_in_the_h1():
    head = (
        '<meta property="og:title" content="Fishermen end sit-in at Gwadar port">'
        '<script type="application/ld+json">{"@type": "NewsArticle",'
        ' "headline": "Fishermen end sit-in at Gwadar port"}</script>'
    )
    got = extract(
        html_page(head, "<h1>After talks: Fishermen end sit-in at Gwadar port</h1>"),
        url="https://news.example/g",
    )
    assert got.title == "Fishermen end sit-in at Gwadar port"


def test_headline_is_the_h1_the_metadata_confirms_not_the_logo_h1_before_it():
    head = '<meta property="og:title" content="A Winter Guide To The Juniper Forest Of Ziarat">'
    body = "<h1>Baloch Travel Notes</h1><h1>A winter guide to the juniper forest of Ziarat</h1>"
    got = extract(html_page(head, body), url="https://travelnotes.example/j")
    assert got.title == "A winter guide to the juniper forest of Ziarat"


def test_a_blog_post_in_a_category_still_has_its_printed_h1_as_headline():
    head = (
        '<meta property="og:title" content="Ziarat Travel Tips For 2026">'
        '<meta property="article:section" content="Travel Blog">'
        '<script type="application/ld+json">{"@type": "BlogPosting",'
        ' "headline": "Ziarat Travel Tips For 2026"}</script>'
    )
    got = extract(
        html_page(head, "<h1>Seven travel tips for Ziarat this winter</h1>"),
        url="https://blog.example/ziarat-tips",
    )
    assert got.title == "Seven travel tips for Ziarat this winter"


def test_byline_in_the_articles_own_footer_on_a_page_whose_body_class_says_footer():
    page_html = (
        '<!DOCTYPE html><html><head><meta property="og:title" content="Ziarat in winter"></head>'
        '<body class="single-post footer-widgets-visible"><div class="author">Admin</div>'
        "<article><h1>Ziarat in winter</h1>"
        + "<p>The juniper forest of Ziarat is quiet in winter, and the road is open most days"
        " of the month, the district administration said on Monday.</p>"
        * 3
        + '<footer class="entry-footer"><span class="entry-author-name">Shazia Baloch</span>'
        "</footer></article><footer>About this site</footer></body></html>"
    )
    got = extract(page_html, url="https://blog.example/ziarat")
    assert got.authors == ["Shazia Baloch"]


def test_byline_in_an_element_its_class_calls_the_authors():
    body = (
        '<div class="author">Admin</div><h1>Ziarat in winter</h1><p class="post-meta">'
        '<span class="post-author vcard"><a href="/team">Shazia Baloch</a></span> | 3 March 2026</p>'
    )
    got = extract(html_page("", body), url="https://blog.example/ziarat")
    assert got.authors == ["Shazia Baloch"]


def test_date_labelled_published_on_the_page_beats_an_earlier_date():
    body = (
        "<h1>Ziarat in winter</h1><p>Updated on 30 September 2022</p>"
        "<p>This guide was originally published on 26 September 2019 and revised since.</p>"
    )
    got = extract(html_page("", body), url="https://guides.example/ziarat")
    assert got.published_at.startswith("2019-09-26")
    assert got.date_source == "page-text"


def test_a_guide_that_shows_only_its_revision_day_is_dated_by_it():
    head = (
        '<script type="application/ld+json">{"@type": "BlogPosting", "headline": "Ziarat in winter",'
        ' "datePublished": "2019-09-26T10:00:00+00:00", "dateModified": "2025-12-03T08:00:00+00:00"}'
        "</script>"
    )
    body = "<h1>Ziarat in winter</h1><p>Last updated December 3, 2025</p>"
    got = extract(html_page(head, body), url="https://guides.example/ziarat")
    assert got.published_at.startswith("2025-12-03")
    # the same page showing its first publication keeps it
    shown = body + "<p>First published September 26, 2019</p>"
    assert extract(html_page(head, shown), url="https://guides.example/z").published_at.startswith(
        "2019-09-26"
    )


def test_news_keeps_its_publication_date_beside_a_shown_revision():
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Kech attack",'
        ' "datePublished": "2026-11-20T10:00:00+05:00", "dateModified": "2026-11-22T08:00:00+05:00"}'
        "</script>"
    )
    body = "<h1>Kech attack</h1><p>Updated November 22, 2026</p>"
    got = extract(html_page(head, body), url="https://news.example/kech")
    assert got.published_at.startswith("2026-11-20")


def test_page_author_answers_as_trafilaturas_byline_heuristic():
    from lxml import html as lxml_html
    from mediawatch.scrapers.extract_byline import page_author
    from trafilatura.metadata import extract_author

    pages = [
        '<div class="comments"><span class="author">A Commenter</span></div>'
        '<p class="byline">By <time>3 May</time> Shazia Baloch</p>',
        '<div id="author-box"><h3>Saleem Shahid</h3></div><span class="writer">Other Name</span>',
        '<aside class="sidebar"><a rel="author">Side Bar</a></aside><author>Mohammad Zafar</author>',
        '<p class="post-meta"><span class="author vcard"><a href="/u">whova</a></span></p>',
        "<p>No byline here at all, only a paragraph of text.</p>",
    ]
    for body in pages:
        tree = lxml_html.fromstring(f"<html><body>{body}</body></html>")
        assert page_author(tree) == extract_author(tree), body


def test_headline_without_what_follows_a_bar_even_when_the_site_is_not_named():
    head = '<meta property="og:title" content="The Ultimate Winter Checklist | Ziarat Tyres">'
    got = extract(html_page(head), url="https://tyres.example/checklist")
    assert got.title == "The Ultimate Winter Checklist"
    # a short kicker before the bar is the headline's own first part
    head = '<meta property="og:title" content="BUDGET 3.0 | Province gets funds for new roads">'
    got = extract(html_page(head), url="https://news.example/budget")
    assert got.title == "BUDGET 3.0 | Province gets funds for new roads"


def test_a_capitals_only_h1_does_not_replace_the_metadata_spelling():
    head = '<meta property="og:title" content="Tips for Online Success in Turbat">'
    got = extract(
        html_page(head, "<h1>TIPS FOR ONLINE SUCCESS IN TURBAT</h1>"), url="https://edu.example/t"
    )
    assert got.title == "Tips for Online Success in Turbat"


def test_site_name_before_a_bar_and_the_bare_address_are_cut_from_the_headline():
    head = (
        '<meta property="og:title" content="Gym Equipment: What You Need to Know - Quetta Fitness'
        ' | 24/7 Gyms Near Me">'
    )
    got = extract(html_page(head), url="https://www.quettafitness.example/gym-equipment")
    assert got.title == "Gym Equipment: What You Need to Know"
    got = extract(
        html_page("<title>hingolnotes.com Camping by the River</title>"),
        url="https://hingolnotes.com/camping",
    )
    assert got.title == "Camping by the River"


def test_a_capitals_only_h1_gives_way_to_the_same_words_in_the_title_tag():
    got = extract(
        html_page(
            "<title>Weekend Coding Agent | Focus Labs</title>", "<h1>WEEKEND<br>CODING AGENT</h1>"
        ),
        url="https://focus.example/reports/agent",
    )
    assert got.title == "Weekend Coding Agent"


def test_an_h1_with_its_subtitle_in_a_second_line_is_not_the_headline():
    head = '<meta property="og:title" content="Best Note Apps: Top Tools in 2026">'
    body = (
        '<h1>The Best Note Apps<span class="block">Top Note-taking Tools and Todo Lists</span></h1>'
    )
    got = extract(html_page(head, body), url="https://apps.example/notes")
    assert got.title == "Best Note Apps: Top Tools in 2026"
    body = (
        '<h1><span class="entry-title-primary">What Tutoring is.</span> '
        '<span class="entry-subtitle">Choosing a good tutor</span></h1>'
    )
    head = '<meta property="og:title" content="What Tutoring is. - Choosing a good tutor">'
    got = extract(html_page(head, body), url="https://blogs.example/tutoring")
    assert got.title == "What Tutoring is. - Choosing a good tutor"


def test_the_h1_that_extends_the_metadata_title_with_its_subtitle_is_the_headline():
    head = '<meta property="og:title" content="House Renovation Costs in Quetta">'
    body = "<h1>House Renovation Costs in Quetta: Room-by-Room Breakdown</h1>"
    got = extract(html_page(head, body), url="https://build.example/costs")
    assert got.title == "House Renovation Costs in Quetta: Room-by-Room Breakdown"


def test_the_h1_spelled_as_the_json_ld_headline_beats_og_title():
    ld = {"@type": "NewsArticle", "headline": "The Best Film of 2025, According to Critics"}
    head = (
        '<meta property="og:title" content="The best film of 2025, according to critics">'
        f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    )
    body = "<h1>The Best Film of 2025, According to Critics</h1>"
    got = extract(html_page(head, body), url="https://news.example/film")
    assert got.title == "The Best Film of 2025, According to Critics"


def test_a_question_h1_without_the_tagline_metadata_adds_and_a_mangled_title_repaired():
    head = '<meta property="og:title" content="What Is Mesh WiFi? Our 2026 Exclusive Guide">'
    got = extract(html_page(head, "<h1>What is Mesh WiFi?</h1>"), url="https://net.example/mesh")
    assert got.title == "What is Mesh WiFi?"
    mangled = "A DIY Investor’s Guide to Retirement".encode().decode("latin-1")
    got = extract(html_page("", f"<h1>{mangled}</h1>"), url="https://money.example/guide")
    assert got.title == "A DIY Investor’s Guide to Retirement"


def test_a_metadata_title_without_the_label_it_adds_after_a_dash():
    head = '<meta property="og:title" content="15 Language Learning Apps Compared - Personally Tested">'
    got = extract(html_page(head, ""), url="https://learn.example/apps")
    assert got.title == "15 Language Learning Apps Compared"
    head = "<title>2025 Top Insurance Company Performance Rankings - Infographic</title>"
    got = extract(html_page(head, ""), url="https://ratings.example/top")
    assert got.title == "2025 Top Insurance Company Performance Rankings"
    # the printed headline keeps its words, and so does news, and a longer tail is a subtitle
    printed = "<h1>Transitioning to a plant-based diet – tips and tricks</h1>"
    got = extract(html_page("", printed), url="https://food.example/plant-based")
    assert got.title == "Transitioning to a plant-based diet – tips and tricks"
    news = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
        '"Budget talks in Quetta - minister resigns"}</script>'
    )
    got = extract(html_page(news, ""), url="https://news.example/budget")
    assert got.title == "Budget talks in Quetta - minister resigns"
    head = '<meta property="og:title" content="What Tutoring is. - Choosing a good tutor">'
    got = extract(html_page(head, ""), url="https://blogs.example/tutoring")
    assert got.title == "What Tutoring is. - Choosing a good tutor"


def test_fullwidth_signs_in_a_latin_headline_are_plain_but_kept_in_japanese():
    head = '<meta property="og:title" content="How Does Robot Vacuum Mapping Work？">'
    got = extract(html_page(head, "<h1>How Does Robot Vacuum Mapping Work？</h1>"))
    assert got.title == "How Does Robot Vacuum Mapping Work?"
    japanese = "フジテレビ問題でスポーツ界にも大激震！協賛企業が撤退"
    head = f'<meta property="og:title" content="{japanese}">'
    got = extract(html_page(head, f"<h1>{japanese}</h1>", lang="ja"))
    assert got.title == japanese


def test_a_moment_given_in_utc_is_told_in_the_zone_the_page_states_it_in():
    head = '<meta property="article:published_time" content="2025-12-19T03:05:00+00:00">'
    body = '<time datetime="2025-12-18T19:05:00-08:00">December 18, 2025</time>'
    got = extract(html_page(head, body), url="https://collie.example/2025/12/18/post")
    assert got.published_at == "2025-12-19T03:05:00Z"  # the same instant
    assert got.published_local == "2025-12-18T19:05:00-08:00"  # on the day readers saw


def test_a_day_shown_before_the_one_metadata_declares_and_never_shows_is_the_publication():
    head = '<meta property="article:published_time" content="2025-11-05T00:00:00+00:00">'
    body = "<h1>What cleaning costs in Quetta</h1><p>By Sana Baloch January 31, 2024</p>"
    got = extract(html_page(head, body), url="https://clean.example/costs")
    assert got.published_at.startswith("2024-01-31")
    # news keeps what its metadata declares
    news = head + '<meta property="article:section" content="Balochistan">'
    got = extract(html_page(news, body), url="https://news.example/costs")
    assert got.published_at.startswith("2025-11-05")
    # and a page that shows the declared day too keeps it
    shown = body + "<p>Published November 5, 2025</p>"
    got = extract(html_page(head, shown), url="https://clean.example/costs")
    assert got.published_at.startswith("2025-11-05")


def test_a_day_written_year_first_with_dots_is_read_on_the_page():
    body = (
        "<h1>Programming languages</h1><p>Essay - Published: 2025.12.17 | 9 min</p>"
        "<p>Talk registration closes on 3 March 2026.</p>"
    )
    got = extract(html_page("", body), url="https://essays.example/languages")
    assert got.published_at.startswith("2025-12-17")


def test_the_articles_own_time_element_beats_a_sidebar_list_of_other_posts():
    sidebar = "".join(
        f'<li><a href="/p{n}">Post {n}</a><span class="field-content">'
        f'<time datetime="2025-0{n}-10T12:00:00Z">0{n}/10/2025</time></span></li>'
        for n in range(1, 5)
    )
    body = (
        f"<aside><ul>{sidebar}</ul></aside><h1>Candidate experience</h1>"
        '<div class="node__meta"><time datetime="2017-03-01T12:00:00Z">03/01/2017</time></div>'
    )
    got = extract(html_page("", body), url="https://actuaries.example/newsletter-article/x")
    assert got.published_at == "2017-03-01T12:00:00Z"


# ------------------------------------------------------------------ body: what the page adds around the article

_PROSE = (
    "The provincial government said the work on the coastal highway near Ormara would be reviewed"
    " by a committee of officials and elders before the end of the month, and that the contractors"
    " would publish their schedule for the remaining sections of the road."
)


def test_the_authors_note_that_closes_an_article_is_not_article_text():
    head = (
        '<script type="application/ld+json">{"@context": "https://schema.org",'
        ' "@type": "BlogPosting", "headline": "Ormara road works", "author":'
        ' {"@type": "Person", "name": "Sadia Rind"}}</script>'
    )
    paragraphs = "".join(f"<p>{n}. {_PROSE}</p>" for n in range(1, 6))
    bio = (
        "<p>Sadia Rind is a freelance writer based in Karachi who covers infrastructure and"
        " fisheries along the Makran coast.</p>"
    )
    page_html = f"<html><head>{head}</head><body><article>{paragraphs}{bio}</article></body></html>"
    got = extract(page_html, url="https://blog.example/ormara")
    assert got.authors == ["Sadia Rind"]
    assert "freelance writer based in Karachi" not in got.text
    assert got.text.split("\n")[-1].startswith("5. The provincial government")


def test_a_paragraph_about_the_author_in_the_middle_of_the_article_stays():
    head = (
        '<script type="application/ld+json">{"@context": "https://schema.org",'
        ' "@type": "BlogPosting", "headline": "Ormara road works", "author":'
        ' {"@type": "Person", "name": "Sadia Rind"}}</script>'
    )
    first = f"<p>1. {_PROSE}</p>"
    own = "<p>Sadia Rind is the reporter who first drove the new road, in March, from Ormara.</p>"
    rest = "".join(f"<p>{n}. {_PROSE}</p>" for n in range(2, 7))
    page_html = (
        f"<html><head>{head}</head><body><article>{first}{own}{rest}</article></body></html>"
    )
    got = extract(page_html, url="https://blog.example/ormara")
    assert "first drove the new road" in got.text


def test_doubly_encoded_utf8_is_read_back_into_words():
    text = "The Earth’s coast — as the fishermen’s union says — is “shrinking” at Gwadar café."
    # what the site stored: each UTF-8 byte read as Windows-1252 (Latin-1 where it has no letter)
    garbled = "".join(
        bytes([byte]).decode("cp1252") if byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(byte)
        for byte in text.encode("utf-8")
    )
    assert "Earthâ€™s" in garbled
    page_html = html_page("<title>Coast</title>", f"<p>{garbled} {_PROSE}</p>").encode("utf-8")
    got = extract(page_html, url="https://x.example/coast")
    assert text in got.text
    assert "â€" not in got.text


def test_a_page_with_a_real_a_circumflex_is_left_as_it_is():
    text = "Le pâté de la côte: à Gwadar, le marché ouvre tôt et ferme à midi."
    page_html = html_page("<title>Marché</title>", f"<p>{text} {_PROSE}</p>").encode("utf-8")
    assert extract(page_html, url="https://x.example/m").text.startswith(text)


def test_a_late_written_by_line_ends_the_article_and_furniture_lines_go():
    paragraphs = "".join(f"<p>{n}. {_PROSE}</p>" for n in range(1, 6))
    body = (
        "<p>6 min read</p><p>Last updated: March 3, 2026</p>"
        f"{paragraphs}<p>Written by Sadia Rind</p>"
        "<p>Sadia writes about roads, ports and the people who use them on the Makran coast.</p>"
    )
    page_html = f"<html><head><title>Ormara road works</title></head><body><article>{body}</article></body></html>"
    got = extract(page_html, url="https://blog.example/ormara")
    lines = got.text.split("\n")
    assert lines[0].startswith("1. The provincial government")
    assert lines[-1].startswith("5. The provincial government")


def test_sections_after_an_also_read_heading_stay_when_long_paragraphs_follow():
    long_paragraph = " ".join([_PROSE] * 2)
    body = (
        "".join(f"<p>{n}. {_PROSE}</p>" for n in range(1, 5))
        + "<p>Related:</p><p>Fishing:</p><p>Boats. "
        + long_paragraph
        + "</p>"
        + "<p>Schools:</p><p>Classes. "
        + long_paragraph
        + "</p>"
    )
    page_html = (
        f"<html><head><title>Ormara</title></head><body><article>{body}</article></body></html>"
    )
    got = extract(page_html, url="https://blog.example/ormara")
    assert "Boats. The provincial" in got.text
    assert "Classes. The provincial" in got.text


def test_a_closing_list_of_other_posts_without_a_heading_is_not_article_text():
    teasers = "".join(
        f"<h3>Road works in {town} this winter</h3><p>What the new road means for the"
        f" fishermen and the traders of {town}, in five short answers.</p>"
        for town in ("Pasni", "Jiwani", "Turbat")
    )
    body = "".join(f"<p>{n}. {_PROSE}</p>" for n in range(1, 6)) + teasers
    page_html = (
        f"<html><head><title>Ormara</title></head><body><article>{body}</article></body></html>"
    )
    got = extract(page_html, url="https://blog.example/ormara")
    assert "Road works in Pasni" not in got.text
    assert got.text.split("\n")[-1].startswith("5. The provincial government")


def test_questions_with_their_answers_closing_an_article_stay():
    faq = "".join(
        f"<h3>When will the road to {town} open</h3><p>The contractors expect to open the"
        f" section to {town} in the spring, weather permitting.</p>"
        for town in ("Pasni", "Jiwani", "Turbat")
    ).replace("open</h3>", "open?</h3>")
    body = "".join(f"<p>{n}. {_PROSE}</p>" for n in range(1, 6)) + faq
    page_html = (
        f"<html><head><title>Ormara</title></head><body><article>{body}</article></body></html>"
    )
    got = extract(page_html, url="https://blog.example/ormara")
    assert "When will the road to Turbat open?" in got.text


def test_banners_from_one_template_count_once_when_two_extractions_are_compared():
    from mediawatch.scrapers.extract_body import distinct_chars

    banner = "Free shipping on orders over {}. For rates and timelines see our international page"
    banners = "\n".join(banner.format(price) for price in ("$40", "€65", "480kr", "¥990"))
    article = "The promotion gives ten per cent off a set of three to five products in all stores."
    assert distinct_chars(banners) == len(banner.format("$40"))
    assert distinct_chars(f"{banners}\n{article}") < 2 * len(article) + len(banners) // 2
    assert distinct_chars(f"{article}\n{article.upper()}") == 2 * len(article)


def test_a_late_article_sources_list_is_not_article_text():
    sources = (
        "<h2>Article Sources</h2><ul><li>Planning Commission (2025). Coastal highway review.</li>"
        "<li>Port authority annual report, Gwadar, 2024.</li></ul>"
    )
    body = "".join(f"<p>{n}. {_PROSE}</p>" for n in range(1, 6)) + sources
    page_html = (
        f"<html><head><title>Ormara</title></head><body><article>{body}</article></body></html>"
    )
    got = extract(page_html, url="https://blog.example/ormara")
    assert "Planning Commission" not in got.text
    assert got.text.split("\n")[-1].startswith("5. The provincial government")
