"""Publication dates on pages written for these tests: what a reader of the page would call its date."""

from __future__ import annotations

from mediawatch.scrapers.extract import extract
from test_extract import html_page


def ld(kind: str, published: str, modified: str | None = None) -> str:
    revised = f', "dateModified": "{modified}"' if modified else ""
    return (
        f'<script type="application/ld+json">{{"@type": "{kind}", "headline": "Ziarat in winter",'
        f' "datePublished": "{published}"{revised}}}</script>'
    )


def test_a_page_without_a_date_gets_none_not_its_copyright_year():
    page_html = html_page("<title>Ziarat in winter</title>", "<h1>Ziarat in winter</h1>").replace(
        "</body>",
        "<footer><p>Copyright © 2025 Example Travel. All rights reserved.</p></footer></body>",
    )
    got = extract(page_html, url="https://guides.example/ziarat")
    assert got.published_at is None  # a copyright year as 1 January would outrank the feed's time
    assert got.date_source is None


def test_a_meta_named_published_gives_the_date():
    got = extract(html_page('<meta name="published" content="July 17, 2025">'))
    assert got.published_at == "2025-07-17T00:00:00Z"
    assert got.date_source == "meta"


def test_a_date_in_numbers_under_the_headline_is_read_day_first_after_a_dot():
    body = '<h1>Which lawnmower for which lawn?</h1><span class="h5">17.05.2021</span>'
    got = extract(html_page("", body), url="https://shop.example/blog/lawnmowers")
    assert got.published_at == "2021-05-17T00:00:00Z"


def test_a_date_in_numbers_with_slashes_is_read_month_first():
    body = (
        '<h1>The best electric cars</h1><ul><li class="articleHeader__date">'
        "<span>2/24/2026</span></li></ul>"
    )
    got = extract(html_page("", body), url="https://cars.example/reviews/best-electric")
    assert got.published_at == "2026-02-24T00:00:00Z"


def test_a_time_element_in_numbers_with_dashes_is_read_day_first():
    body = (
        '<h1>A pixel-perfect UI pipeline</h1><p>Bence Kovacs <time datetime="02-12-2025">'
        "02-12-2025</time></p>"
    )
    got = extract(html_page("", body), url="https://audio.example/blog/ui-pipeline")
    assert got.published_at == "2025-12-02T00:00:00Z"


def test_a_byline_under_the_headline_beats_a_date_widget_in_the_site_header():
    body = (
        "<p>Friday, December 19, 2025</p><h1>What are taxes and how do they work?</h1>"
        "<p>By The Currency editors 12.12.2025</p>"
    )
    got = extract(html_page("", body), url="https://money.example/the-currency/taxes")
    assert got.published_at == "2025-12-12T00:00:00Z"
    assert got.date_source == "page-byline"


def test_the_authors_last_published_post_is_not_this_posts_date():
    body = (
        "<h1>Lessons from a failed startup</h1><p>7 min read · Dec 30, 2013</p>"
        "<footer><p>Written by Sergio · Last published Apr 8, 2024</p></footer>"
    )
    head = '<meta property="article:published_time" content="2024-08-07T12:01:51Z">'
    got = extract(html_page(head, body), url="https://blog.example/lessons")
    assert got.published_at.startswith("2013-12-30")


def test_a_byline_published_before_the_metadatas_day_wins_over_it():
    head = ld("BlogPosting", "2025-08-21T10:00:00+00:00", "2025-08-20T10:00:00+00:00")
    body = (
        "<h1>Ziarat in winter</h1><p>By Claire Wilson, Published Apr 26, 2023 "
        "Updated Aug 21, 2025 Reading time 9 min</p>"
    )
    got = extract(html_page(head, body), url="https://guides.example/ziarat")
    assert got.published_at.startswith("2023-04-26")
    assert got.date_source == "page-published"


def test_a_meta_date_modified_the_page_shows_alone_dates_a_guide():
    head = (
        '<meta name="datePublished" content="2024-11-22T22:28:12Z">'
        '<meta name="dateModified" content="2025-10-08T21:33:14Z">'
    )
    body = "<h1>Ziarat in winter</h1><p>Trevor Jackins · 9 min read · Updated October 8, 2025</p>"
    got = extract(html_page(head, body), url="https://guides.example/ziarat")
    assert got.published_at.startswith("2025-10-08")
    assert got.date_source == "modified-shown"
    # article:modified_time is not enough: it moves with every change of the site's template
    template = head.replace('name="dateModified"', 'property="article:modified_time"')
    kept = extract(html_page(template, body), url="https://guides.example/ziarat")
    assert kept.published_at.startswith("2024-11-22")


def test_a_revision_in_the_small_hours_of_utc_is_shown_on_the_day_before():
    head = ld("BlogPosting", "2025-01-04T00:00:00Z", "2025-12-16T01:52:13Z")
    body = "<h1>Ziarat in winter</h1><p>By Ludo Fourrage · Last Updated: December 15th 2025</p>"
    got = extract(html_page(head, body), url="https://guides.example/ziarat")
    assert got.published_at == "2025-12-15T00:00:00Z"
    assert got.date_precision == "day"
    assert got.date_source == "modified-shown"


def test_a_date_with_a_month_named_in_german_or_spanish_is_read():
    german = "<h1>Welcher Mähroboter für welchen Rasen?</h1><p>Redaktion, 17. Mai 2021</p>"
    got = extract(html_page("", german, lang="de"), url="https://shop.example/blog/maehroboter")
    assert got.published_at == "2021-05-17T00:00:00Z"
    spanish = "<h1>Qué robot cortacésped elegir</h1><p>Publicado el 3 de mayo de 2024</p>"
    got = extract(html_page("", spanish, lang="es"), url="https://shop.example/blog/robot")
    assert got.published_at == "2024-05-03T00:00:00Z"


def test_the_dates_of_a_page_nested_past_libxslts_depth_are_still_read():
    from datetime import date

    from lxml import html
    from mediawatch.scrapers.extract_dates import shown_days

    root = html.fromstring("<html><body><p>Ziarat in winter</p></body></html>")
    node = root.find("body")
    for _ in range(6000):  # deeper than libxslt recurses: the text is walked in Python instead
        node = html.etree.SubElement(node, "div")
    node.text = "Published 3 May 2024"
    assert date(2024, 5, 3) in shown_days(root)


def test_a_cms_stamp_with_the_months_short_name_between_dashes_is_read():
    body = "<h1>Choosing plumbing material</h1><p>By: FlowGuard EMEA on 04-ago-2021 5:11:10</p>"
    got = extract(html_page("", body), url="https://pipes.example/blog/choosing-material")
    assert got.published_at == "2021-08-04T00:00:00Z"
    english = "<h1>Choosing plumbing material</h1><p>Posted 12-Mar-2024 by the editors</p>"
    got = extract(html_page("", english), url="https://pipes.example/blog/choosing-material")
    assert got.published_at == "2024-03-12T00:00:00Z"
    # a product code or a file name is no date
    code = "<h1>Choosing plumbing material</h1><p>Part no. item-12-mar-2024-b in stock</p>"
    got = extract(html_page("", code), url="https://pipes.example/blog/choosing-material")
    assert got.published_at is None


def test_news_metadata_moved_years_ago_gives_way_to_the_date_the_page_shows():
    """JSON-LD kept the first publication of 2018 when the article was republished; <meta> and
    the byline carry the new day."""
    head = ld("NewsArticle", "2018-04-03T16:50:31Z") + (
        '<meta property="article:published_time" content="2025-12-19T18:06:00Z">'
    )
    body = "<h1>Ziarat in winter</h1><p>By Amanda Furrer Updated: Dec 19, 2025 1:06 PM EST</p>"
    got = extract(html_page(head, body), url="https://news.example/ziarat")
    assert got.published_at.startswith("2025-12-19")
    assert got.date_source == "declared-shown"


def test_news_metadata_a_day_apart_is_kept_whichever_day_the_page_shows():
    """A print edition's date (or another zone's day) in <meta>: the news article keeps JSON-LD."""
    head = ld("NewsArticle", "2024-04-25T19:30:04+02:00") + (
        '<meta name="date" content="2024-04-26">'
    )
    body = "<h1>Ziarat in winter</h1><p>Ausgabe vom 26.04.2024</p>"
    got = extract(html_page(head, body), url="https://news.example/ziarat")
    assert got.published_local.startswith("2024-04-25")
    assert got.date_source == "jsonld"


def test_a_byline_a_day_before_a_moment_no_time_zone_reaches_is_the_publication():
    """JSON-LD's 22:02 UTC on the 19th is the 19th or the 20th anywhere on earth: a byline's
    18 December is the day the post went out (the metadata is a later save), not a zone's day."""
    head = ld("BlogPosting", "2025-12-19T22:02:58Z")
    body = "<h1>Ziarat in winter</h1><div><div>Dec 18, 2025</div><div>6 min read</div></div>"
    got = extract(html_page(head, body), url="https://guides.example/ziarat")
    assert got.published_at.startswith("2025-12-18")
    assert got.date_source == "page-byline-earlier"
    # 03:00 UTC on the 19th is still the 18th in the Americas: the metadata's moment, kept
    early = extract(html_page(ld("BlogPosting", "2025-12-19T03:00:00Z"), body))
    assert early.published_at.startswith("2025-12-19")
    # and an address that gives the metadata's day outweighs the text
    dated = extract(html_page(head, body), url="https://guides.example/2025/12/19/ziarat")
    assert dated.published_at.startswith("2025-12-19")


def test_a_revision_the_page_labels_between_the_declared_dates_dates_a_guide():
    """The metadata says published 2020 and revised 2025 (a template's save); readers see only
    'Updated on Jul 4, 2024': the guide is dated by the revision it shows."""
    head = ld("Article", "2020-12-20T13:09:14+00:00", "2025-11-06T15:10:54+00:00")
    body = (
        "<h1>Ziarat in winter</h1><p>David Hartshorne &bull; "
        '<date class="post-date">Updated on Jul 4, 2024</date> &bull; 28 min read</p>'
    )
    got = extract(html_page(head, body), url="https://guides.example/ziarat")
    assert got.published_at.startswith("2024-07-04")
    assert got.date_source == "page-updated"
    # a revision shown after the metadata's last one is not this page's (a widget, a related post)
    late = body.replace("Jul 4, 2024", "Dec 4, 2025")
    kept = extract(html_page(head, late), url="https://guides.example/ziarat")
    assert kept.published_at.startswith("2020-12-20")
    # without a declared revision the metadata's publication stands
    bare = extract(html_page(ld("Article", "2020-12-20T13:09:14+00:00"), body))
    assert bare.published_at.startswith("2020-12-20")
