"""Headlines on pages from sites of every kind: the site's logo set in an <h1> is not one."""

from __future__ import annotations

from mediawatch.scrapers.extract import extract
from test_extract import html_page


def test_an_h1_linking_to_the_home_page_is_the_logo_not_the_headline():
    head = "<title>rustc_codegen_gcc: Progress Report #39</title>"
    body = '<header><a href="/"><h1>Antoyo Notes</h1></a></header>'
    got = extract(html_page(head, body), url="https://blog.example/progress-report-39")
    assert got.title == "rustc_codegen_gcc: Progress Report #39"


def test_the_headline_h1_after_a_logo_h1_is_read_beside_the_metadata():
    head = """<title>Winter Roads Reopen | Ziarat Travel</title>
    <meta property="og:title" content="Winter Roads Reopen | Ziarat Travel">
    <script type="application/ld+json">{"@context": "https://schema.org", "@type": "BlogPosting",
      "headline": "Winter Roads Into Ziarat Reopen Early"}</script>"""
    body = (
        '<header><h1 class="logo"><a href="https://ziarat.example/">Ziarat Travel</a></h1></header>'
        "<h1>Winter Roads Into Ziarat Reopen Early</h1>"
    )
    got = extract(html_page(head, body), url="https://ziarat.example/2026/roads")
    assert got.title == "Winter Roads Into Ziarat Reopen Early"


def test_an_h1_linking_to_its_own_article_is_still_the_headline():
    body = '<h1><a href="/2026/roads">Winter Roads Into Ziarat Reopen Early</a></h1>'
    got = extract(
        html_page("<title>Ziarat Travel</title>", body), url="https://z.example/2026/roads"
    )
    assert got.title == "Winter Roads Into Ziarat Reopen Early"


def test_sentences_set_in_an_h1_are_a_standfirst_not_the_headline():
    head = """<title>The 10 Best Home Renovation Projects of 2026 | Reno Notes</title>
    <meta property="og:title" content="The 10 Best Home Renovation Projects of 2026 | Reno Notes">"""
    body = (
        "<h1>Learn which home renovation projects pay back the most. Get expert tips on how to"
        " weigh the cost of each project against the value it adds to your home.</h1>"
    )
    got = extract(html_page(head, body), url="https://reno.example/best-projects")
    assert got.title == "The 10 Best Home Renovation Projects of 2026"
