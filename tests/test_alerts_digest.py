"""Selection, story grouping, templates, the file outbox, schedules and operator alerts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

from alerts_helpers import NOW, SEED_TEXT, SEED_TITLE, add_article, schedules_from, seeded_archive
from mediawatch.db import deliveries

from mediawatch import alerts

CONFIG = """
digests:
  - name: desk
    title: Desk digest
    topics: [balochistan, cpec, bla]
    every: 24h
{extra}
"""


def config(tmp_path, extra=""):
    return schedules_from(CONFIG.format(extra=extra), tmp_path)


def section(digest, topic):
    return next(s for s in digest.sections if s.topic == topic)


def test_copies_of_a_story_from_other_outlets_are_shown_once_with_also_reported_by(tmp_path):
    archive = seeded_archive(tmp_path)
    # a search-feed copy with the outlet in the title, a re-cased reprint, the same text under
    # another headline, and a different story on the same topic
    add_article(
        archive,
        url="https://news.google.com/articles/abc",
        title=f"{SEED_TITLE} - The Express Tribune",
        outlet="The Express Tribune",
        published_at="2024-11-21T11:00:00Z",
        topics={"bla": "BLA"},
    )
    add_article(
        archive,
        url="https://www.dailytimes.com.pk/1234",
        title=SEED_TITLE.title(),
        outlet="Daily Times",
        text="Reprinted. " + SEED_TEXT,
        topics={"bla": "BLA"},
    )
    add_article(
        archive,
        url="https://www.thenews.com.pk/5678",
        title="Army to move against separatists as Beijing presses Islamabad",
        outlet="The News",
        text=SEED_TEXT,
        topics={"bla": "BLA"},
    )
    add_article(
        archive,
        url="https://www.dawn.com/news/999",
        title="BLA claims attack on Quetta railway station",
        outlet="Dawn",
        text="The Balochistan Liberation Army (BLA) claimed the suicide bombing in Quetta.",
        topics={"bla": "BLA"},
        score=0.5,
    )

    digest = alerts.build_digest(archive, config(tmp_path).digest("desk"), NOW)

    bla = section(digest, "bla")
    assert [s.lead.title for s in bla.stories] == [
        SEED_TITLE,
        "BLA claims attack on Quetta railway station",
    ]
    assert set(bla.stories[0].also_outlets) == {"The Express Tribune", "Daily Times", "The News"}
    assert bla.stories[1].also == ()
    assert len(digest.items) == 5 and all(shown for _, _, shown in digest.items)
    message = alerts.render_digest(digest)
    assert "Also reported by" in message.html
    assert 'href="https://www.dailytimes.com.pk/1234"' in message.html
    assert "Also reported by: " in message.text


def test_stories_are_ordered_by_score_then_time_and_capped_at_max_items(tmp_path):
    archive = seeded_archive(tmp_path)
    for i, (score, hour) in enumerate([(1.0, 8), (1.0, 11), (2.0, 6), (0.5, 11)]):
        add_article(
            archive,
            url=f"https://example.org/cpec/{i}",
            title=f"CPEC story number {i} about a different power plant {i * 37}",
            text=f"CPEC item {i}",
            published_at=f"2024-11-21T{hour:02d}:00:00Z",
            topics={"cpec": "CPEC"},
            score=score,
        )
    schedules = config(tmp_path, "    max_items: 3")

    result = alerts.run_digest(archive, schedules, "desk", NOW, dry_run=True)

    cpec = section(result.digest, "cpec")
    assert [s.lead.url[-1] for s in cpec.stories if "example.org" in s.lead.url] == ["2", "1"]
    assert cpec.stories[0].lead.title == SEED_TITLE  # score 3
    assert cpec.more == 2
    assert "and 2 more matching articles not listed" in result.message.text
    # every selected article counts as covered: the next digest does not bring back the rest
    alerts.run_digest(archive, schedules, "desk", NOW)
    assert alerts.run_digest(archive, schedules, "desk", NOW + timedelta(hours=1)).digest.empty


def test_an_article_older_than_the_lookback_is_never_sent_as_news(tmp_path):
    archive = seeded_archive(tmp_path)
    old = add_article(
        archive,
        url="https://example.org/old",
        title="Old CPEC report, flagged only now after a watchlist change",
        text="CPEC financing.",
        published_at="2024-11-17T09:00:00Z",
        topics={"cpec": "CPEC"},
    )
    schedules = config(tmp_path)

    digest = alerts.run_digest(archive, schedules, "desk", NOW).digest
    assert old not in {aid for aid, _, _ in digest.items}

    # rematch does not make it news either; an explicit --since does bring it
    alerts.run_digest(archive, schedules, "desk", NOW + timedelta(hours=1))
    wide = alerts.run_digest(
        archive, schedules, "desk", NOW, dry_run=True, since=NOW - timedelta(days=7)
    )
    assert [aid for aid, _, _ in wide.digest.items] == [old]


def test_min_score_and_languages_filter_the_selection(tmp_path):
    archive = seeded_archive(tmp_path)
    add_article(
        archive,
        url="https://example.org/ur",
        title="بلوچستان میں فوجی آپریشن کا اعلان",
        text="بلوچستان BLA",
        language="ur",
        topics={"bla": "BLA"},
        score=5.0,
    )
    add_article(
        archive,
        url="https://example.org/weak",
        title="A passing mention of CPEC in a travel piece",
        text="CPEC road",
        topics={"cpec": "CPEC"},
        score=0.2,
    )
    add_article(
        archive,
        url="https://example.org/en-pk",
        title="Gwadar port security tightened after BLA threat",
        text="BLA threat",
        language="en-PK",
        topics={"bla": "BLA"},
        score=2.0,
    )
    schedules = config(tmp_path, "    min_score: 1\n    languages: [en]")

    digest = alerts.build_digest(archive, schedules.digest("desk"), NOW)

    titles = {s.lead.title for sec in digest.sections for s in sec.stories}
    assert titles == {SEED_TITLE, "Gwadar port security tightened after BLA threat"}


def test_an_article_is_sent_once_per_subscription_even_when_flagged_again(tmp_path):
    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path)
    first = alerts.run_digest(archive, schedules, "desk", NOW)
    ((article_id, topics, shown),) = first.digest.items
    assert set(topics) == {"balochistan", "cpec", "bla"} and shown

    from mediawatch import db

    db.store_matches(archive, article_id, [{"topic": "cpec", "score": 9.0}])  # re-flagged
    assert alerts.run_digest(archive, schedules, "desk", NOW + timedelta(minutes=5)).digest.empty
    assert deliveries.delivered_article_ids(archive, "desk") == {article_id}


def test_without_a_channel_digests_land_in_the_outbox_beside_the_archive(tmp_path):
    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path)

    result = alerts.run_digest(archive, schedules, "desk", NOW)

    assert [a.channel for a in result.attempts] == ["outbox"]
    outbox = tmp_path / "outbox"
    (eml,) = outbox.glob("*.eml")
    (html,) = outbox.glob("*.html")
    (body,) = outbox.glob("*.json")
    mail = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert mail["Subject"] == "[mediawatch] Desk digest: 1 new story (balochistan, cpec, bla)"
    assert mail.get_content_type() == "multipart/alternative"
    page = html.read_text()
    assert page.count(SEED_TITLE) == 3 and page.count('src="data:image/png;base64,') == 3
    assert json.loads(body.read_text())["stories"] == 1
    # a retry writes the same files again, it does not add new ones
    assert eml.name.startswith("20241121T120000Z-desk-msg_")


def test_an_empty_digest_is_sent_only_when_the_subscription_asks(tmp_path):
    archive = seeded_archive(tmp_path)
    quiet = config(tmp_path)
    alerts.run_digest(archive, quiet, "desk", NOW)
    assert not alerts.run_digest(archive, quiet, "desk", NOW + timedelta(days=1)).sent

    notice = config(tmp_path, "    empty_notice: true")
    result = alerts.run_digest(archive, notice, "desk", NOW + timedelta(days=1))
    assert result.sent and result.message.kind == "empty"
    assert result.message.subject == "[mediawatch] Desk digest: nothing new"
    assert "Nothing new on balochistan, cpec, bla since" in result.message.text
    assert json.loads(result.message.json_body)["type"] == "empty"


def test_user_templates_replace_the_built_in_ones(tmp_path):
    archive = seeded_archive(tmp_path)
    folder = tmp_path / "my-templates"
    folder.mkdir()
    (folder / "subject.txt").write_text("Desk: {{ stories }} | {{ top_story.lead.outlet }}\n")
    schedules = config(tmp_path, "templates: my-templates")

    message = alerts.run_digest(archive, schedules, "desk", NOW, dry_run=True).message

    assert message.subject == "Desk: 1 | Myind"
    assert SEED_TITLE in message.html  # the other templates are still the built-in ones


def test_bad_highlight_offsets_and_non_http_links_are_dropped(tmp_path):
    archive = seeded_archive(tmp_path)
    from mediawatch import db

    article_id = add_article(
        archive, url="data:text/html,<b>x</b>", title="CPEC loan talks", text="CPEC loan"
    )
    db.store_matches(
        archive,
        article_id,
        [
            {
                "topic": "cpec",
                "score": 1,
                "snippets": [
                    {"text": "CPEC loan", "highlights": [[0, 4], [2, 99], ["a", 1], [5, 9]]}
                ],
            }
        ],
    )
    message = alerts.run_digest(archive, config(tmp_path), "desk", NOW, dry_run=True).message
    assert '<mark style="background:#ffe27a;color:inherit;">CPEC</mark> <mark' in message.html
    assert "data:text/html" not in message.html


def test_scheduled_digests_run_when_due_and_once_after_downtime(tmp_path):
    archive = seeded_archive(tmp_path)
    schedules = schedules_from(
        """
digests:
  - name: morning
    topics: [bla]
    cron: "0 7 * * *"
    timezone: Asia/Karachi
""",
        tmp_path,
    )
    (first,) = alerts.run_due(archive, schedules, NOW, new_cron="now")  # as `run --once` does
    assert first.sent
    assert alerts.run_due(archive, schedules, NOW + timedelta(hours=13)) == []
    add_article(
        archive,
        url="https://example.org/next",
        title="BLA claims a new attack near Turbat",
        text="BLA attack",
        published_at="2024-11-22T01:00:00Z",
        topics={"bla": "BLA"},
    )
    # 07:00 Karachi is 02:00 UTC; the daemon was down until 09:00 UTC: one digest, not several
    later = NOW + timedelta(hours=21)
    (second,) = alerts.run_due(archive, schedules, later)
    assert second.sent and second.digest.story_count == 1
    assert alerts.run_due(archive, schedules, later + timedelta(minutes=1)) == []
    assert len(deliveries.list_deliveries(archive)) == 2
    assert deliveries.last_digests(archive)["morning"]["created_at"] == "2024-11-22T09:00:00Z"


def test_a_cron_digest_that_never_ran_is_first_sent_at_its_next_fire_time(tmp_path):
    archive = seeded_archive(tmp_path)
    schedules = schedules_from(
        """
digests:
  - name: daily
    topics: [bla]
    cron: "0 7 * * *"
    timezone: Asia/Karachi
  - name: hourly
    topics: [bla]
    every: 1h
""",
        tmp_path,
    )
    # the daemon starts at 17:00 Karachi (12:00 UTC): the interval digest goes out, the daily waits
    assert [r.subscription for r in alerts.run_due(archive, schedules, NOW)] == ["hourly"]
    assert [r.subscription for r in alerts.run_due(archive, schedules, NOW)] == []
    almost = NOW + timedelta(hours=13, minutes=59)
    assert "daily" not in [r.subscription for r in alerts.run_due(archive, schedules, almost)]
    # 07:00 Karachi is 02:00 UTC the next day: its first run, with the article
    seven = datetime(2024, 11, 22, 2, 0, tzinfo=UTC)
    results = {r.subscription: r for r in alerts.run_due(archive, schedules, seven)}
    assert results["daily"].sent and results["daily"].digest.story_count == 1
    assert deliveries.last_digests(archive)["daily"]["created_at"] == "2024-11-22T02:00:00Z"


def test_operator_alerts_go_to_the_ops_channels_once_per_key(tmp_path):
    archive = seeded_archive(tmp_path)
    schedules = config(tmp_path)
    key = "source-failing:dawn:2024-11-21T11:00:00Z"

    first = alerts.notify_ops(
        archive, schedules, "Source dawn is failing", "3 runs failed: HTTP 503", key=key, now=NOW
    )
    again = alerts.notify_ops(
        archive, schedules, "Source dawn is failing", "4 runs failed", key=key, now=NOW
    )

    assert first.sent and again is None
    (body,) = (tmp_path / "outbox").glob("*-ops-*.json")
    assert json.loads(body.read_text())["subject"] == "Source dawn is failing"
    assert "ops" not in deliveries.last_digests(archive)
