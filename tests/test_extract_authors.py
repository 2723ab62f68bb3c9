"""Authors on pages from sites of every kind: organisations credited in JSON-LD, the 'Written by'
label of link previews, and author fields labelled on the page."""

from __future__ import annotations

from mediawatch.scrapers.extract import extract
from test_extract import html_page


def test_an_organisation_credited_in_json_ld_keeps_its_whole_name():
    head = """<title>Unapproved weight-loss drugs</title>
    <script type="application/ld+json">{"@context": "https://schema.org", "@type": "Article",
      "headline": "Unapproved weight-loss drugs", "author": {"@type": "Organization",
      "name": "Center for Drug Evaluation and Research"}}</script>"""
    got = extract(html_page(head), url="https://agency.example/drugs/weight-loss")
    assert got.authors == ["Center for Drug Evaluation and Research"]


def test_a_firm_named_after_two_partners_keeps_its_whole_name():
    head = """<script type="application/ld+json">{"@context": "https://schema.org",
      "@type": "BlogPosting", "headline": "What to do after a car crash",
      "author": {"@type": "Organization", "name": "Morgan &amp; Morgan"}}</script>"""
    got = extract(html_page(head), url="https://law.example/blog/after-a-crash")
    assert got.authors == ["Morgan & Morgan"]


def test_people_credited_together_in_json_ld_are_still_two_authors():
    head = """<script type="application/ld+json">{"@context": "https://schema.org",
      "@type": "Article", "headline": "Ziarat in winter",
      "author": {"@type": "Person", "name": "Shazia Baloch and Naveed Ahmed"}}</script>"""
    got = extract(html_page(head), url="https://x.example/a")
    assert got.authors == ["Shazia Baloch", "Naveed Ahmed"]


def test_the_written_by_label_of_a_link_preview_names_the_author():
    head = """<title>Tuning queries on a busy database</title>
    <meta name="twitter:label1" content="Written by">
    <meta name="twitter:data1" content="Nadia Rind">
    <meta name="twitter:label2" content="Est. reading time">
    <meta name="twitter:data2" content="9 minutes">"""
    got = extract(html_page(head), url="https://blog.example/post/queries")
    assert got.authors == ["Nadia Rind"]
    assert got.author_source == "twitter-label"


def test_other_link_preview_labels_name_no_author():
    head = """<title>Tuning queries on a busy database</title>
    <meta name="twitter:label1" content="Est. reading time">
    <meta name="twitter:data1" content="9 minutes">"""
    got = extract(html_page(head), url="https://blog.example/post/queries")
    assert got.authors == []


def test_an_author_field_names_the_author_in_the_element_after_its_label():
    body = '<div class="meta"><h3>Author</h3><p> Lisa Baloch</p></div>'
    got = extract(html_page("<title>Winter in Ziarat</title>", body), url="https://x.example/a")
    assert got.authors == ["Lisa Baloch"]


def test_an_author_field_lists_each_author():
    body = (
        "<div><h6>Author(s)</h6><ul><li><a href='/library/?a=1'>John A. Mengal</a></li>"
        "<li><a href='/library/?a=2'>Sana Qureshi</a></li></ul></div>"
    )
    got = extract(html_page("<title>Winter in Ziarat</title>", body), url="https://x.example/a")
    assert got.authors == ["John A. Mengal", "Sana Qureshi"]


def test_a_contributors_label_names_the_author_beside_it():
    body = "<div class='tags'><strong>Contributors:</strong> Janet Rind</div>"
    got = extract(html_page("<title>Winter in Ziarat</title>", body), url="https://x.example/a")
    assert got.authors == ["Janet Rind"]


def test_an_author_field_in_the_comments_names_no_author():
    body = "<div class='comments'><strong>Author:</strong> Some Reader</div>"
    got = extract(html_page("<title>Winter in Ziarat</title>", body), url="https://x.example/a")
    assert got.authors == []


def test_a_login_handle_declared_as_author_gives_way_to_the_byline_on_the_page():
    head = '<title>Winter in Ziarat</title><meta name="author" content="andrew.keaveney">'
    body = '<p class="meta">By <a href="/author/denise-baloch/">Denise Baloch</a></p>'
    got = extract(html_page(head, body), url="https://x.example/a")
    assert got.authors == ["Denise Baloch"]


def test_an_agency_declared_in_lower_case_is_no_login_handle():
    head = '<title>Winter in Ziarat</title><meta name="author" content="dpa">'
    body = '<p class="meta">By <a href="/author/denise-baloch/">Denise Baloch</a></p>'
    got = extract(html_page(head, body), url="https://x.example/a")
    assert got.authors == ["dpa"]


def test_a_login_handle_stays_when_the_page_names_nobody_else():
    head = '<title>Winter in Ziarat</title><meta name="author" content="andrew.keaveney">'
    got = extract(html_page(head), url="https://x.example/a")
    assert got.authors == ["andrew.keaveney"]


def test_by_name_after_the_posts_time_names_the_author():
    body = (
        '<div class="node__meta"><time datetime="2017-03-01T12:00:00Z">03/01/2017</time>'
        " by Agatha Rind, Committee Liaison</div>"
    )
    got = extract(html_page("<title>Winter in Ziarat</title>", body), url="https://x.example/a")
    assert got.authors[0] == "Agatha Rind"


def test_a_see_all_link_in_the_authors_box_is_no_name():
    body = (
        '<div class="author-box"><a class="author-link" href="/author/">See all</a></div>'
        '<p class="byline">By <a href="/about/sarah-baloch/">Sarah Rudell Baloch</a></p>'
    )
    got = extract(html_page("<title>Winter in Ziarat</title>", body), url="https://x.example/a")
    assert got.authors == ["Sarah Rudell Baloch"]


BIO = (
    "is a growth-focused writer who covers travel, roads and weather in the mountain districts"
    " of the province, and has reported from Ziarat, Kalat and Khuzdar for ten years."
)


def test_the_name_heading_an_author_box_names_the_author():
    body = (
        '<div class="blog_author-box"><img alt="" src="/a.jpg">'
        f'<div class="name">Lauren Mengal</div><p>Lauren Mengal {BIO}</p></div>'
    )
    got = extract(html_page("<title>Winter in Ziarat</title>", body), url="https://x.example/a")
    assert got.authors == ["Lauren Mengal"]


def test_an_author_box_skips_its_dates_and_follow_links():
    body = (
        '<div class="post-author"><span>Jul 11 2025</span><a href="/x">Follow Sarah</a>'
        f"<h4>Sarah Rind</h4><p>Sarah Rind {BIO}</p></div>"
    )
    got = extract(html_page("<title>Winter in Ziarat</title>", body), url="https://x.example/a")
    assert got.authors == ["Sarah Rind"]


def test_by_a_linked_name_followed_by_other_links_names_the_linked_author():
    body = (
        '<p>By <a href="/magazine/contributor/a_j_mengal">A. J. Mengal</a>'
        ' <a href="/digital/issue-4">View In Digital Edition</a></p>'
    )
    got = extract(html_page("<title>Winter in Ziarat</title>", body), url="https://x.example/a")
    assert got.authors == ["A. J. Mengal"]


def test_by_two_linked_names_keeps_both():
    body = '<p>By <a href="/p/1">Sana Rind</a> and <a href="/p/2">Ali Mengal</a></p>'
    got = extract(html_page("<title>Winter in Ziarat</title>", body), url="https://x.example/a")
    assert got.authors == ["Sana Rind", "Ali Mengal"]
