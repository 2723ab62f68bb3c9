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


def test_a_headline_printed_in_sentence_case_keeps_the_title_case_the_metadata_gives():
    head = """<title>How Much Should I Pay For Snow Clearing in Quetta? | Clear Roads</title>
    <meta property="og:title" content="How Much Should I Pay For Snow Clearing in Quetta?">"""
    body = "<h1>How much should I pay for snow clearing in Quetta?</h1>"
    got = extract(html_page(head, body), url="https://roads.example/snow-clearing-cost")
    assert got.title == "How Much Should I Pay For Snow Clearing in Quetta?"


def test_an_h1_that_lowercases_only_the_small_words_keeps_its_spelling():
    head = '<meta property="og:title" content="Video Review And Approval To Publish">'
    body = "<h1>Video Review and Approval to Publish</h1>"
    got = extract(html_page(head, body), url="https://video.example/review-approval")
    assert got.title == "Video Review and Approval to Publish"


def test_a_title_written_as_a_sentence_gives_way_to_the_headline_another_source_states():
    head = """<title>Here are the six ways to cross the Bolan Pass.</title>
    <meta property="og:title" content="Here are the six ways to cross the Bolan Pass.">
    <script type="application/ld+json">{"@context": "https://schema.org", "@type": "Article",
      "headline": "6 Ways to Cross the Bolan Pass in Winter"}</script>"""
    got = extract(html_page(head, "<p>Text.</p>"), url="https://pass.example/bolan")
    assert got.title == "6 Ways to Cross the Bolan Pass in Winter"


def test_a_headline_ending_in_a_stop_stays_when_no_source_words_it_otherwise():
    head = '<meta property="og:title" content="Things to Know Before Visiting Gwadar">'
    body = "<h1>Things to Know Before Visiting Gwadar.</h1>"
    got = extract(html_page(head, body), url="https://travel.example/gwadar")
    assert got.title == "Things to Know Before Visiting Gwadar."


def test_a_headline_ending_in_an_abbreviation_is_no_sentence():
    head = """<meta property="og:title" content="Quetta Mining Contract Goes to Bolan Minerals Inc.">
    <script type="application/ld+json">{"@context": "https://schema.org", "@type": "Article",
      "headline": "Bolan Minerals wins the Quetta contract"}</script>"""
    got = extract(html_page(head, "<p>Text.</p>"), url="https://mining.example/contract")
    assert got.title == "Quetta Mining Contract Goes to Bolan Minerals Inc."
