"""schedules.yaml: when to crawl, who gets which digest, housekeeping and operator alerts.

The alerts room owns its part of the file (mediawatch.alerts.config: channels, digests, delivery,
templates, surges); the spine adds crawl jobs, housekeeping, operator-alert thresholds and the
cluster, as declarative models validated once at start and on SIGHUP. yamlfile.validate() turns
an error into `file:line: key: message`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, PlainValidator, ValidationInfo, model_validator

from mediawatch.alerts.config import (
    DEFAULT_CHANNEL,
    SCHEDULE_KEYS,
    AlertsConfig,
    AppriseChannel,
    Channel,
    Delivery,
    EmailChannel,
    FileChannel,
    NoticeChannels,
    Schedule,
    Subscription,
    WebhookChannel,
    file_time_zone,
    schedule_of,
)
from mediawatch.errors import ConfigError
from mediawatch.matcher.configmodel import (
    ConfigModel,
    Count,
    Flag,
    Identifier,
    check,
    duration,
    listed,
    located,
    names,
    read_duration,
    read_text,
    section,
    unique_names,
)
from mediawatch.scrapers.sources import Source, SourcesConfig
from mediawatch.yamlfile import YamlDoc, load_yaml, validate

# The lead's guarantee: rate-limited search sources carry a tag equal to their kind.
MIN_GAP = {"gdelt": 15 * 60, "gnews": 30 * 60}
# A source is "failing" after this many failed runs in a row (ops.fail_after): the one threshold
# that status, sources, operator alerts and the Datasette canned query all use.
DEFAULT_FAIL_AFTER = 3


def _scheduled(data: Any) -> Any:
    """A mapping without its schedule keys (read apart by schedule_of)."""
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if k not in SCHEDULE_KEYS}
    return data


class CrawlJob(ConfigModel):
    """One entry of `crawls:`: which sources (names or tags), how often, how long at most."""

    extra_keys = SCHEDULE_KEYS

    name: Identifier
    sources: Annotated[tuple[str, ...], names()] = ()
    schedule: Schedule = Field(default=Schedule(every=600), exclude=True)
    timeout: Annotated[float, duration()] = 600.0

    @model_validator(mode="wrap")
    @classmethod
    def _from_file(
        cls, data: Any, handler: Callable[[Any], CrawlJob], info: ValidationInfo
    ) -> CrawlJob:
        job = handler(_scheduled(data))
        if not job.sources:
            raise located(("sources",), "list at least one source name or tag")
        schedule = schedule_of(data, info)
        if not job.timeout or job.timeout < 1:
            raise located(("timeout",), "must be at least 1s")
        return job.model_copy(update={"schedule": schedule})


def _never_or_days(value: Any) -> float | None:
    """A duration of at least a day, or null / false meaning "never"."""
    if value is None or value is False:
        return None
    seconds = read_duration(value)
    if seconds < 86400:
        raise located((), "must be at least 1d (or null for never)")
    return seconds


NeverOrDays = Annotated[float | None, PlainValidator(_never_or_days)]


class Housekeeping(ConfigModel):
    extra_keys = SCHEDULE_KEYS

    schedule: Schedule = Field(default=Schedule(cron="30 3 * * *"), exclude=True)
    optimize_fts: Flag = True
    prune_crawl_runs_after: NeverOrDays = 90 * 86400
    text_retention: NeverOrDays = None

    @model_validator(mode="wrap")
    @classmethod
    def _from_file(
        cls, data: Any, handler: Callable[[Any], Housekeeping], info: ValidationInfo
    ) -> Housekeeping:
        found = handler(_scheduled(data))
        schedule = schedule_of(data, info, required=False)
        default = Schedule(cron="30 3 * * *", timezone=file_time_zone(info))
        return found.model_copy(update={"schedule": schedule or default})


class Ops(NoticeChannels):
    """Operator alerts: where they go and when a failing or stale source deserves one."""

    subscription: Annotated[str | None, check(read_text)] = None  # its channels, not `channels`
    fail_after: Count = DEFAULT_FAIL_AFTER
    # None: each source's own stale_after from sources.yaml
    stale_after: Annotated[float | None, check(read_duration)] = None
    notify_recovery: Flag = True

    @model_validator(mode="after")
    def _one_way(self) -> Ops:
        if self.subscription is not None and "channels" in self.model_fields_set:
            raise located(("subscription",), "give either subscription or channels")
        return self


def _redis(value: Any) -> str:
    """`cluster: {redis: redis://host:6379/0}`: the Redis that workers and the writer share."""
    url = read_text(value)
    if urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        raise located((), f"must be a redis:// URL, got {url!r}")
    return url


class Cluster(ConfigModel):
    redis: Annotated[str, check(_redis)]


def _cluster(value: Any) -> str:
    return Cluster.model_validate(value).redis


class Schedules(AlertsConfig):
    """The whole of schedules.yaml (the alerts room's sections and the spine's)."""

    max_concurrent_crawls: Count = Field(default_factory=lambda: os.cpu_count() or 1)
    crawls: Annotated[tuple[CrawlJob, ...], listed(), unique_names("crawl job")] = ()
    ops: Annotated[Ops, section(Ops)] = Field(default_factory=dict, validate_default=True)
    housekeeping: Annotated[Housekeeping, section(Housekeeping)] = Field(
        default_factory=dict, validate_default=True
    )
    # `cluster: {redis: URL}`: crawl in workers (see cluster.py)
    cluster_redis: Annotated[str | None, check(_cluster)] = Field(default=None, alias="cluster")
    doc: YamlDoc | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _ops_subscription(self) -> Schedules:
        name = self.ops.subscription
        if name is None:
            return self
        digest = next((d for d in self.digests if d.name == name), None)
        if digest is None:
            raise located(("ops", "subscription"), f"no digest named {name!r}")
        return self.model_copy(
            update={"ops": self.ops.model_copy(update={"channels": digest.channels})}
        )


def load_schedules(path: Path) -> Schedules:
    return parse_schedules(load_yaml(path))


def parse_schedules(doc: YamlDoc) -> Schedules:
    if doc.data is None:
        doc.data = {}
    found = validate(doc, Schedules)
    return found.model_copy(update={"path": doc.path, "doc": doc})


def check_references(
    schedules: Schedules,
    sources: SourcesConfig | None = None,
    topics: Collection[str] | None = None,
) -> None:
    """Cross-check against sources.yaml (names, tags, rate limits) and the watchlist's topics.

    Kept apart from parsing so schedules.yaml can be read alone (e.g. by `mediawatch digest`).
    """
    doc = schedules.doc
    assert doc is not None, "check_references needs a Schedules parsed from a file"
    if sources is not None:
        for i, job in enumerate(schedules.crawls):
            for j, word in enumerate(job.sources):
                hits = [s for s in sources.sources if s.name == word or word in s.tags]
                if not hits:
                    raise doc.error(
                        ("crawls", i, "sources", j),
                        f"no source or tag named {word!r} in {sources.path}",
                    )
                for s in hits:
                    limit = MIN_GAP.get(s.kind)
                    if limit and job.schedule.min_gap() < limit:
                        raise doc.error(
                            ("crawls", i, "every" if job.schedule.every else "cron"),
                            f"source {s.name!r} ({s.kind}) may be polled at most every "
                            f"{int(limit // 60)} minutes (jitter counts against the gap)",
                        )
    if topics is not None:
        for i, rule in enumerate(schedules.surges):
            if rule.topic is not None and rule.topic not in topics:
                raise doc.error(("surges", i, "topic"), f"unknown topic {rule.topic!r}")
        for i, sub in enumerate(schedules.digests):
            for j, topic in enumerate(sub.topics):
                if topic not in topics:
                    raise doc.error(
                        ("digests", i, "topics", j),
                        f"unknown topic {topic!r} (watchlist topics: {', '.join(sorted(topics))})",
                    )


def job_sources(job: CrawlJob, sources: SourcesConfig) -> list[Source]:
    """The enabled sources a crawl job names (directly or by tag), in sources.yaml order."""
    words = set(job.sources)
    return [s for s in sources.sources if s.enabled and (s.name in words or words & set(s.tags))]


def unpolled_sources(schedules: Schedules, sources: SourcesConfig) -> list[Source]:
    """Enabled sources that no crawl job selects: they would never be crawled by the daemon."""
    polled = {s.name for job in schedules.crawls for s in job_sources(job, sources)}
    return [s for s in sources.sources if s.enabled and s.name not in polled]


@dataclass(frozen=True)
class MissingSecret:
    channel: str
    variable: str
    key: str  # password_env | secret_env | url_env
    used_by: tuple[str, ...]  # digests (and "ops") that send through the channel

    def describe(self) -> str:
        users = ", ".join(self.used_by) or "nothing yet"
        return (
            f"channel {self.channel}: environment variable {self.variable} ({self.key}) is not "
            f"set; deliveries to it wait until it is (used by: {users})"
        )


def secret_variables(channel: Channel) -> list[tuple[str, str]]:
    """(key, variable) pairs a channel reads from the environment when it sends."""
    if isinstance(channel, EmailChannel) and channel.username and channel.password_env:
        return [("password_env", channel.password_env)]
    if isinstance(channel, WebhookChannel) and channel.secret_env:
        return [("secret_env", channel.secret_env)]
    if isinstance(channel, AppriseChannel) and channel.url_env:
        return [("url_env", channel.url_env)]
    return []


def missing_secrets(
    schedules: Schedules, environ: Mapping[str, str] | None = None
) -> list[MissingSecret]:
    """Secrets named in schedules.yaml but absent from the environment (empty counts as absent,
    except an SMTP password, which may be empty)."""
    environ = os.environ if environ is None else environ
    out: list[MissingSecret] = []
    for name, channel in schedules.channels.items():
        users = [d.name for d in schedules.digests if channel in d.channels]
        if channel in schedules.ops.channels:
            users.append("ops")
        for key, variable in secret_variables(channel):
            value = environ.get(variable)
            if value is None or (value == "" and key != "password_env"):
                out.append(MissingSecret(name, variable, key, tuple(users)))
    return out


__all__ = [
    "AppriseChannel",
    "Channel",
    "ConfigError",
    "CrawlJob",
    "DEFAULT_CHANNEL",
    "Delivery",
    "EmailChannel",
    "FileChannel",
    "Housekeeping",
    "Ops",
    "Schedule",
    "Schedules",
    "Subscription",
    "WebhookChannel",
    "check_references",
    "job_sources",
    "missing_secrets",
    "unpolled_sources",
    "load_schedules",
    "parse_schedules",
]
