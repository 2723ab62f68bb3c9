"""schedules.yaml: the shipped default, clear located errors, schedules and cross-checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alerts_helpers import schedules_from
from mediawatch.scrapers.sources import Source, SourcesConfig

from mediawatch.config import load_schedules
from mediawatch.errors import ConfigError
from mediawatch.schedules import (
    EmailChannel,
    FileChannel,
    Schedule,
    WebhookChannel,
    check_references,
)

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_schedules_poll_every_kind_within_limits_and_write_digests_to_the_outbox():
    schedules = load_schedules(ROOT)
    by_tag = {tag: job for job in schedules.crawls for tag in job.sources}
    assert set(by_tag) == {"feed", "sitemap", "listing", "gnews", "gdelt"}
    for job in schedules.crawls:
        assert 10 * 60 <= job.schedule.every <= 30 * 60
        assert job.timeout < job.schedule.every
    assert by_tag["feed"].schedule.every < by_tag["sitemap"].schedule.every
    assert by_tag["gdelt"].schedule.min_gap() >= 15 * 60
    assert by_tag["gnews"].schedule.min_gap() >= 30 * 60

    daily = schedules.digest("daily")
    assert set(daily.topics) == {"balochistan", "cpec", "bla", "sistan-baluchestan"}
    assert daily.schedule.cron and not daily.immediate
    bla = schedules.digest("bla-alerts")
    assert bla.immediate and bla.topics == ("bla",)
    for channels in (daily.channels, bla.channels, schedules.ops.channels):
        assert [type(c) for c in channels] == [FileChannel]
    assert schedules.max_concurrent_crawls >= 1


def test_shipped_gdelt_and_gnews_jobs_pass_the_rate_limit_check():
    schedules = load_schedules(ROOT)
    sources = SourcesConfig(
        ROOT / "sources.yaml",
        None,
        tuple(
            Source(
                name=f"s-{kind}", kind=kind, url="https://example.org/", outlet="x", tags=(kind,)
            )
            for kind in ("feed", "sitemap", "listing", "gnews", "gdelt")
        ),
    )
    check_references(schedules, sources, {"balochistan", "cpec", "bla", "sistan-baluchestan"})


def test_channels_are_parsed_with_defaults_and_secrets_stay_names(tmp_path):
    schedules = schedules_from(
        """
channels:
  desk:
    type: email
    host: smtp.example.org
    username: mw
    password_env: MW_SMTP_PASSWORD
    from: "mediawatch <mw@example.org>"
    to: desk@example.org
  hook:
    type: webhook
    url: https://hooks.example.org/mw
    secret_env: MW_HOOK_SECRET
digests:
  - name: morning
    topics: [bla]
    every: 6h
    channels: [desk, hook]
  - name: plain
    topics: [cpec]
    immediate: true
""",
        tmp_path,
    )
    desk, hook = schedules.digest("morning").channels
    assert isinstance(desk, EmailChannel) and desk.port == 587 and desk.security == "starttls"
    assert desk.to == ("desk@example.org",) and desk.password_env == "MW_SMTP_PASSWORD"
    assert isinstance(hook, WebhookChannel) and hook.timeout == 10.0
    # no channel named: the file outbox beside the archive
    (default,) = schedules.digest("plain").channels
    assert isinstance(default, FileChannel)
    assert default.resolve(tmp_path / "db") == tmp_path / "db" / "outbox"
    assert schedules.digest("plain").lookback == 48 * 3600


BAD = [
    (
        "digests:\n  - name: d\n    topics: [bla]\n    every: 1h\n    colour: red\n",
        5,
        "digests[0].colour",
        "unknown key",
    ),
    ("timezone: Mars/Olympus\n", 1, "timezone", "unknown time zone"),
    (
        "digests:\n  - name: d\n    topics: [bla]\n    cron: '0 25 * * *'\n",
        4,
        "digests[0].cron",
        "invalid cron",
    ),
    (
        "digests:\n  - name: d\n    topics: [bla]\n    cron: '0 7 * *'\n",
        4,
        "digests[0].cron",
        "Wrong number of fields",
    ),
    ("digests:\n  - name: d\n    topics: [bla]\n", 2, "digests[0]", "needs a schedule"),
    (
        "digests:\n  - name: d\n    topics: [bla]\n    every: 1h\n    cron: '0 7 * * *'\n",
        5,
        "digests[0].cron",
        "not both",
    ),
    (
        "digests:\n  - name: d\n    topics: [bla]\n    immediate: true\n    every: 1h\n",
        4,
        "digests[0].immediate",
        "no every/cron",
    ),
    (
        "digests:\n  - name: d\n    topics: [bla]\n    immediate: true\n    empty_notice: true\n",
        5,
        "digests[0].empty_notice",
        "scheduled",
    ),
    (
        "digests:\n  - name: d\n    topics: [bla]\n    every: 1h\n    channels: [pager]\n",
        5,
        "digests[0].channels[0]",
        "unknown channel 'pager'",
    ),
    (
        "digests:\n  - name: d\n    topics: [bla]\n    every: 1h\n    lookback: two days\n",
        5,
        "digests[0].lookback",
        "duration",
    ),
    (
        "digests:\n  - name: d\n    topics: [bla]\n    every: 1h\n    languages: [english]\n",
        5,
        "digests[0].languages[0]",
        "ISO 639",
    ),
    (
        "digests:\n  - name: d\n    topics: []\n    every: 1h\n",
        3,
        "digests[0].topics",
        "at least one",
    ),
    (
        "digests:\n  - name: d\n    topics: [bla]\n    every: 1h\n  - name: d\n    topics: [bla]\n    every: 2h\n",
        5,
        "digests[1].name",
        "duplicate",
    ),
    (
        "crawls:\n  - name: feeds\n    sources: [feed]\n    every: 0s\n",
        4,
        "crawls[0].every",
        "at least 1s",
    ),
    (
        "crawls:\n  - name: feeds\n    sources: [feed]\n    every: 10m\n    jitter: 20m\n",
        5,
        "crawls[0].jitter",
        "shorter",
    ),
    ("crawls:\n  - name: feeds\n    every: 10m\n", 2, "crawls[0].sources", "at least one"),
    (
        "channels:\n  m:\n    type: email\n    host: h\n    to: [a@b.c]\n",
        2,
        "channels.m.from",
        "required",
    ),
    (
        "channels:\n  m:\n    type: email\n    host: h\n    from: a@b.c\n    to: [a@b.c]\n    username: u\n",
        2,
        "channels.m.password_env",
        "NAME of the environment",
    ),
    (
        "channels:\n  m:\n    type: email\n    host: h\n    from: a@b.c\n    to: [a@b.c]\n    username: u\n    password_env: 'hunter2!'\n",
        8,
        "channels.m.password_env",
        "NAME of an environment",
    ),
    (
        "channels:\n  m:\n    type: email\n    host: h\n    from: a@b.c\n    to: [a@b.c]\n    security: tls\n",
        7,
        "channels.m.security",
        "starttls, ssl, none",
    ),
    (
        "channels:\n  h:\n    type: webhook\n    url: ftp://example.org/x\n",
        4,
        "channels.h.url",
        "http",
    ),
    ("channels:\n  c:\n    type: apprise\n", 2, "channels.c", "urls or url_env"),
    ("channels:\n  c:\n    type: pigeon\n", 3, "channels.c.type", "must be one of"),
    ("ops:\n  subscription: nobody\n", 2, "ops.subscription", "no digest named"),
    (
        "housekeeping:\n  prune_crawl_runs_after: 5m\n",
        2,
        "housekeeping.prune_crawl_runs_after",
        "at least 1d",
    ),
    ("delivery:\n  retry_first: 10m\n  retry_max: 1m\n", 3, "delivery.retry_max", "shorter"),
    ("digests: [\n", None, None, ""),
]


@pytest.mark.parametrize(("text", "line", "key", "message"), BAD)
def test_invalid_schedules_name_file_line_and_key(tmp_path, text, line, key, message):
    with pytest.raises(ConfigError) as caught:
        schedules_from(text, tmp_path)
    error = caught.value
    assert error.path == str(tmp_path / "schedules.yaml")
    if line is not None:
        assert str(error).startswith(f"{tmp_path / 'schedules.yaml'}:{line}: {key}: ")
    assert message in str(error)


def test_references_to_sources_and_topics_are_checked_with_their_line(tmp_path):
    schedules = schedules_from(
        """
crawls:
  - name: feeds
    sources: [feed, dawn-sitemap]
    every: 10m
  - name: gdelt
    sources: [gdelt]
    every: 5m
digests:
  - name: d
    topics: [bla, tibet]
    every: 1h
""",
        tmp_path,
    )
    feed = Source(
        name="dawn", kind="feed", url="https://dawn.com/feed", outlet="Dawn", tags=("feed",)
    )
    gdelt = Source(
        name="gd",
        kind="gdelt",
        url="https://api.gdeltproject.org/",
        outlet="GDELT",
        tags=("gdelt",),
    )
    sources = SourcesConfig(tmp_path / "sources.yaml", None, (feed, gdelt))
    with pytest.raises(
        ConfigError,
        match=r"schedules.yaml:4: crawls\[0\].sources\[1\]: no source or tag named 'dawn-sitemap'",
    ):
        check_references(schedules, sources)
    sources = SourcesConfig(
        tmp_path / "sources.yaml",
        None,
        (
            feed,
            Source(
                name="dawn-sitemap", kind="sitemap", url="https://dawn.com/s.xml", outlet="Dawn"
            ),
            gdelt,
        ),
    )
    with pytest.raises(
        ConfigError,
        match=r":8: crawls\[1\].every: source 'gd' \(gdelt\) may be polled at most every 15 minutes",
    ):
        check_references(schedules, sources)
    with pytest.raises(ConfigError, match=r":11: digests\[0\].topics\[1\]: unknown topic 'tibet'"):
        check_references(schedules, None, {"bla", "cpec"})


def test_cron_schedules_fire_in_their_time_zone_and_catch_up_once():
    daily = Schedule(cron="0 7 * * *", timezone="Asia/Karachi")
    noon = datetime(2024, 11, 21, 12, 0, tzinfo=UTC)
    # 07:00 in Karachi is 02:00 UTC
    assert daily.next_after(noon) == datetime(2024, 11, 22, 2, 0, tzinfo=UTC)
    assert daily.due(None, noon)  # never ran: due at once
    assert not daily.due(noon, noon + timedelta(hours=13))
    assert daily.due(noon, noon + timedelta(hours=14))
    # down for three days: due (once, the caller records the run)
    assert daily.due(noon, noon + timedelta(days=3))
    every = Schedule(every=900, jitter=60)
    assert every.due(noon, noon + timedelta(minutes=15)) and not every.due(
        noon, noon + timedelta(minutes=14)
    )
    assert every.min_gap() == 840
    trigger = daily.trigger()
    assert trigger.get_next_fire_time(None, noon) == datetime(2024, 11, 22, 2, 0, tzinfo=UTC)
    assert Schedule(every=600, jitter=30).trigger().jitter == 30
