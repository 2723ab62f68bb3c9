"""The article body without what the page prints around it: after-article blocks that a heading
announces, inserted 'Also read' boxes, footers and cookie notices, picture credits, repeats."""

from __future__ import annotations

from mediawatch.scrapers.extract import extract

URL = "https://coastal-herald.example/2026/11/gwadar-desalination-plant"

ARTICLE = [
    "The desalination plant in Gwadar began delivering water to the old town on Monday, the port"
    " authority said, after two years of delays caused by power shortages and a dispute over tariffs.",
    "Residents of the fishing wards, who have bought water from tankers for most of the decade, said"
    " the first deliveries were welcome but warned that the supply had failed twice during tests.",
    "Officials said the plant would produce five million gallons a day once the second unit is"
    " connected, enough for the town's needs until the new housing schemes are completed.",
    "The provincial government said it would review the tariff after three months of operation and"
    " publish the accounts of the water board, which has been criticised for missed targets.",
    "A committee of elders and officials will meet every fortnight to hear complaints about"
    " distribution, and the port authority promised to publish the delivery schedule online.",
    "Engineers from the contractor said the membranes had been replaced after the failed tests and"
    " that a standby generator would keep the plant running through the evening power cuts.",
    "Traders in the fish market said a steady supply would let them reopen the ice factory, which"
    " closed in the summer when the tankers could not keep up with demand.",
    "The water board said it would lay new pipes to the wards on the eastern bay next year, once the"
    " federal grant for the scheme has been released by the planning ministry.",
]


def page(inner: str, head: str = "") -> str:
    return (
        "<!DOCTYPE html><html lang='en'><head><title>Gwadar plant starts deliveries</title>"
        f"{head}</head><body><div class='wrap'><h1>Gwadar plant starts deliveries</h1>{inner}"
        "</div></body></html>"
    )


def paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


def assert_article_whole(text: str) -> None:
    for paragraph in ARTICLE:
        assert paragraph in text


def test_a_heading_announcing_related_stories_ends_the_article():
    teasers = "".join(
        f"<h3>{title}</h3><p>{blurb}</p>"
        for title, blurb in (
            (
                "Port traffic doubles in a year",
                "Container traffic at the port has doubled since last autumn, figures show.",
            ),
            (
                "Fishermen protest trawler licences",
                "Hundreds of boats stayed in harbour on Friday in protest at new licences.",
            ),
        )
    )
    got = extract(
        page(paragraphs(ARTICLE) + f"<div><h2>You may also like</h2>{teasers}</div>"), URL
    )
    assert_article_whole(got.text)
    assert "Container traffic" not in got.text
    assert "You may also like" not in got.text


def test_the_authors_bio_under_its_heading_is_not_article_text():
    bio = (
        "<h3>About the author</h3><p>Saima Baloch reports on water and energy in Balochistan for"
        " the Coastal Herald and teaches journalism at the university in Turbat.</p>"
    )
    got = extract(page(paragraphs(ARTICLE) + bio), URL)
    assert_article_whole(got.text)
    assert "teaches journalism" not in got.text


def test_an_also_read_box_inside_the_article_goes_and_the_article_goes_on():
    box = (
        "<p>Also read:</p><ul><li>Power cuts return to Turbat</li>"
        "<li>Tanker prices rise again in Pasni</li></ul>"
    )
    got = extract(page(paragraphs(ARTICLE[:2]) + box + paragraphs(ARTICLE[2:])), URL)
    assert_article_whole(got.text)
    assert "Also read" not in got.text
    assert "Tanker prices rise again" not in got.text


def test_a_cookie_notice_and_the_copyright_line_end_the_article():
    tail = (
        "<p>We use cookies on our website to give you the most relevant experience by remembering"
        " your preferences and repeat visits.</p><p>Necessary cookies are absolutely essential for"
        " the website to function properly and are stored in your browser.</p>"
        "<p>© 2026 Coastal Herald. All rights reserved.</p>"
    )
    got = extract(page(paragraphs(ARTICLE) + tail), URL)
    assert_article_whole(got.text)
    assert "cookies" not in got.text
    assert "All rights reserved" not in got.text


def test_picture_credits_are_not_article_text():
    credit = "<p>The intake pipes at the shore. Photo: Jameel Ahmed</p>"
    got = extract(page(paragraphs(ARTICLE[:3]) + credit + paragraphs(ARTICLE[3:])), URL)
    assert_article_whole(got.text)
    assert "Jameel Ahmed" not in got.text


def test_a_block_printed_twice_counts_once():
    republish = (
        f"<section><h4>Republish this article</h4><div>{paragraphs(ARTICLE[:2])}</div></section>"
    )
    got = extract(page(paragraphs(ARTICLE) + republish), URL)
    assert_article_whole(got.text)
    assert got.text.count(ARTICLE[0]) == 1


def test_a_description_repeating_the_opening_is_not_printed_again_above_it():
    # the page prints its description (the headline and the opening, run together) in a box
    # beside the article: the article already says all of it
    description = f"Gwadar plant starts deliveries {ARTICLE[0]} {ARTICLE[1][:120]}"
    head = f'<meta name="description" content="{description}">'
    summary = f"<div class='sidebar'><p>{description}</p></div>"
    got = extract(page(summary + paragraphs(ARTICLE), head), URL)
    assert_article_whole(got.text)
    assert got.text.count("began delivering water to the old town") == 1


def test_an_article_in_a_container_named_like_boilerplate_is_still_the_article():
    # "embed" (a site builder's rich-text block), "sidebar" (a layout "with-sidebar"): parts of
    # names that trafilatura's boilerplate tokens match, on the container holding the article
    # container holding most of the article, after an opening outside it
    for name in ("rich-text w-embed", "layout-with-sidebar", "page-footer"):
        inner = f"{paragraphs(ARTICLE[:2])}<div class='{name}'>{paragraphs(ARTICLE[2:])}</div>"
        got = extract(page(inner), URL)
        assert_article_whole(got.text)


def test_a_small_box_named_like_boilerplate_still_goes():
    box = "<div class='newsletter-embed'><p>Sign up for our weekly water bulletin today.</p></div>"
    got = extract(page(paragraphs(ARTICLE[:4]) + box + paragraphs(ARTICLE[4:])), URL)
    assert_article_whole(got.text)
    assert "weekly water bulletin" not in got.text
