"""schedules.yaml: when to crawl, who gets which digest, housekeeping and operator alerts.

Parsed once (at start and on SIGHUP) into frozen dataclasses; every error names file, line and key.
Channels are defined once under `channels:` and referred to by name from digests and `ops:`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mediawatch.errors import ConfigError
from mediawatch.surge_config import parse_surges
from mediawatch.yamlfile import NAME_RE, NAME_RULE, Checker, KeyPath, YamlDoc, load_yaml

LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")
DEFAULT_CHANNEL = "outbox"
# The lead's guarantee: rate-limited search sources carry a tag equal to their kind.
MIN_GAP = {"gdelt": 15 * 60, "gnews": 30 * 60}
# A digest is read by people: `every: 1s` is a typo for 1m or 1h, not a wish for 3,600 mails an
# hour. The daemon's own tests lower the bound through MEDIAWATCH_MIN_DIGEST_EVERY (seconds).
MIN_DIGEST_EVERY = 60.0


def _seconds(value: float) -> str:
    return f"{value / 60:g}m" if value >= 60 and value % 60 == 0 else f"{value:g}s"


def min_digest_every() -> float:
    try:
        return float(os.environ.get("MEDIAWATCH_MIN_DIGEST_EVERY") or MIN_DIGEST_EVERY)
    except ValueError:
        return MIN_DIGEST_EVERY


@dataclass(frozen=True)
class Schedule:
    """`every: 15m` or `cron: "0 7 * * *"` (in `timezone`), plus up to `jitter` seconds of delay."""

    every: float | None = None
    cron: str | None = None
    timezone: str = "UTC"
    jitter: float = 0.0

    def trigger(self, jitter: bool = True):
        """An APScheduler 3 trigger for this schedule (the daemon adds jobs with it)."""
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        extra = int(self.jitter) if jitter and self.jitter else None
        if self.cron:
            trigger = CronTrigger.from_crontab(self.cron, timezone=ZoneInfo(self.timezone))
            trigger.jitter = extra  # from_crontab takes no jitter argument
            return trigger
        return IntervalTrigger(seconds=self.every, timezone=ZoneInfo(self.timezone), jitter=extra)

    def next_after(self, moment: datetime) -> datetime:
        """The first time this schedule fires strictly after `moment` (no jitter), in UTC."""
        if self.every:
            return (moment + timedelta(seconds=self.every)).astimezone(UTC)
        trigger = self.trigger(jitter=False)
        fire = trigger.get_next_fire_time(None, moment + timedelta(seconds=1))
        return fire.astimezone(UTC)

    def next_run(self, last_run: datetime | None, now: datetime) -> datetime:
        """When the daemon runs it next (no jitter): the first fire after its last run, or now
        if that is past; never run: at once for `every:`, the next fire time for `cron:`."""
        if last_run is None:
            return self.next_after(now) if self.cron else now.astimezone(UTC)
        return max(self.next_after(last_run), now.astimezone(UTC))

    def due(self, last_run: datetime | None, now: datetime) -> bool:
        """True when the schedule fired since `last_run` (a never-run schedule is due at once)."""
        if last_run is None:
            return True
        return self.next_after(last_run) <= now

    def min_gap(self) -> float:
        """Shortest time between two runs, to check rate limits (jitter can shorten a gap)."""
        if self.every:
            return max(self.every - self.jitter, 0.0)
        trigger = self.trigger(jitter=False)
        moment = datetime(2024, 1, 1, tzinfo=UTC)
        previous = trigger.get_next_fire_time(None, moment)
        gap = float("inf")
        for _ in range(200):
            nxt = trigger.get_next_fire_time(previous, previous + timedelta(seconds=1))
            if nxt is None:
                break
            gap = min(gap, (nxt - previous).total_seconds())
            previous = nxt
        return max(gap - self.jitter, 0.0)


@dataclass(frozen=True)
class CrawlJob:
    name: str
    sources: tuple[str, ...]
    schedule: Schedule
    timeout: float


@dataclass(frozen=True)
class EmailChannel:
    name: str
    host: str
    port: int
    security: str  # starttls | ssl | none
    sender: str  # the `from:` key
    to: tuple[str, ...]
    username: str | None = None
    password_env: str | None = None
    list_unsubscribe: str | None = None
    timeout: float = 30.0
    type: str = "email"


@dataclass(frozen=True)
class WebhookChannel:
    name: str
    url: str
    secret_env: str | None = None
    timeout: float = 10.0
    type: str = "webhook"


@dataclass(frozen=True)
class AppriseChannel:
    name: str
    urls: tuple[str, ...] = ()
    url_env: str | None = None
    type: str = "apprise"

    def resolved_urls(self) -> list[str]:
        """The configured URLs plus those in the environment variable (space or comma separated)."""
        return list(self.urls) + self.env_urls()

    def env_urls(self) -> list[str]:
        """The URLs in the `url_env` variable (space or comma separated); [] when unset."""
        if not self.url_env:
            return []
        return [u for u in re.split(r"[\s,]+", os.environ.get(self.url_env, "")) if u]


@dataclass(frozen=True)
class FileChannel:
    name: str
    folder: str | None = None  # None: "outbox" beside the archive
    type: str = "file"

    def resolve(self, archive_dir: Path) -> Path:
        """The outbox folder; relative folders are relative to the archive's folder."""
        folder = Path(self.folder).expanduser() if self.folder else Path("outbox")
        return folder if folder.is_absolute() else Path(archive_dir) / folder


Channel = EmailChannel | WebhookChannel | AppriseChannel | FileChannel


@dataclass(frozen=True)
class Subscription:
    name: str
    topics: tuple[str, ...]
    channels: tuple[Channel, ...]
    title: str = ""
    min_score: float = 0.0
    languages: tuple[str, ...] = ()
    lookback: float = 48 * 3600
    max_items: int = 50
    schedule: Schedule | None = None
    immediate: bool = False
    empty_notice: bool = False
    timezone: str = "UTC"

    @property
    def display_title(self) -> str:
        return self.title or self.name


@dataclass(frozen=True)
class Housekeeping:
    schedule: Schedule = field(default_factory=lambda: Schedule(cron="30 3 * * *"))
    optimize_fts: bool = True
    prune_crawl_runs_after: float | None = 90 * 86400
    text_retention: float | None = None


# A source is "failing" after this many failed runs in a row (ops.fail_after): the one threshold
# that status, sources, operator alerts and the Datasette canned query all use.
DEFAULT_FAIL_AFTER = 3


@dataclass(frozen=True)
class Ops:
    """Operator alerts: where they go and when a failing or stale source deserves one."""

    channels: tuple[Channel, ...]
    subscription: str | None = None
    fail_after: int = DEFAULT_FAIL_AFTER
    stale_after: float | None = None  # None: each source's own stale_after from sources.yaml
    notify_recovery: bool = True


@dataclass(frozen=True)
class Delivery:
    """Retry policy for transient failures: exponential backoff with jitter, then give up."""

    retry_first: float = 60.0
    retry_max: float = 3600.0
    give_up_after: float = 24 * 3600.0


@dataclass(frozen=True)
class Schedules:
    path: Path
    timezone: str
    crawls: tuple[CrawlJob, ...]
    digests: tuple[Subscription, ...]
    channels: dict[str, Channel]
    housekeeping: Housekeeping
    ops: Ops
    delivery: Delivery
    max_concurrent_crawls: int
    templates: Path | None = None
    cluster_redis: str | None = None  # `cluster: {redis: URL}`: crawl in workers (see cluster.py)
    doc: YamlDoc | None = field(default=None, compare=False, repr=False)
    surges: tuple = ()  # alerts.surges.SurgeRule, read by mediawatch/surge_config.py

    def digest(self, name: str) -> Subscription:
        for sub in self.digests:
            if sub.name == name:
                return sub
        from mediawatch.alerts import AlertError

        known = ", ".join(s.name for s in self.digests) or "none"
        raise AlertError(f"no digest named {name!r} in {self.path} (known: {known})")

    @property
    def immediate(self) -> tuple[Subscription, ...]:
        return tuple(s for s in self.digests if s.immediate)

    @property
    def scheduled(self) -> tuple[Subscription, ...]:
        return tuple(s for s in self.digests if s.schedule is not None)


def load_schedules(path: Path) -> Schedules:
    return parse_schedules(load_yaml(path))


_TOP_KEYS = {
    "timezone",
    "max_concurrent_crawls",
    "crawls",
    "channels",
    "digests",
    "housekeeping",
    "ops",
    "delivery",
    "templates",
    "surges",
    "cluster",
}


def parse_schedules(doc: YamlDoc) -> Schedules:
    check = Checker(doc)
    top = check.mapping(doc.data if doc.data is not None else {}, ())
    check.known_keys(top, (), _TOP_KEYS)
    tz = _timezone(check, top, (), "UTC")
    cores = os.cpu_count() or 1
    max_crawls = check.number(top, (), "max_concurrent_crawls", cores, 1, True) or cores
    channels = _channels(check, top.get("channels"))
    crawls = _crawls(check, top.get("crawls"), tz)
    digests = _digests(check, top.get("digests"), tz, channels)
    ops = _ops(check, top.get("ops"), channels, {d.name for d in digests}, digests)
    templates = None
    if top.get("templates") is not None:
        folder = Path(check.string(top, (), "templates")).expanduser()
        templates = folder if folder.is_absolute() else doc.path.parent / folder
        if not templates.is_dir():
            raise doc.error(("templates",), f"folder {templates} does not exist")
    return Schedules(
        path=doc.path,
        timezone=tz,
        crawls=crawls,
        digests=digests,
        channels=channels,
        housekeeping=_housekeeping(check, top.get("housekeeping"), tz),
        ops=ops,
        delivery=_delivery(check, top.get("delivery")),
        max_concurrent_crawls=int(max_crawls),
        templates=templates,
        cluster_redis=_cluster(check, top.get("cluster")),
        doc=doc,
        surges=parse_surges(check, top.get("surges"), channels, _channel_refs),
    )


def _cluster(check: Checker, raw: Any) -> str | None:
    """`cluster: {redis: redis://host:6379/0}`: the Redis that workers and the writer share."""
    if raw is None:
        return None
    kp = ("cluster",)
    value = check.mapping(raw, kp)
    check.known_keys(value, kp, {"redis"})
    url = check.string(value, kp, "redis")
    if urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        raise check.doc.error((*kp, "redis"), f"must be a redis:// URL, got {url!r}")
    return url


def check_references(schedules: Schedules, sources=None, topics: set[str] | None = None) -> None:
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


def job_sources(job: CrawlJob, sources) -> list:
    """The enabled sources a crawl job names (directly or by tag), in sources.yaml order."""
    words = set(job.sources)
    return [s for s in sources.sources if s.enabled and (s.name in words or words & set(s.tags))]


def unpolled_sources(schedules: Schedules, sources) -> list:
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


def missing_secrets(schedules: Schedules, environ=None) -> list[MissingSecret]:
    """Secrets named in schedules.yaml but absent from the environment (empty counts as absent,
    except an SMTP password, which may be empty)."""
    environ = os.environ if environ is None else environ
    out = []
    for name, channel in schedules.channels.items():
        users = [d.name for d in schedules.digests if channel in d.channels]
        if channel in schedules.ops.channels:
            users.append("ops")
        for key, variable in secret_variables(channel):
            value = environ.get(variable)
            if value is None or (value == "" and key != "password_env"):
                out.append(MissingSecret(name, variable, key, tuple(users)))
    return out


# ---------------------------------------------------------------- sections


def _timezone(check: Checker, raw: dict, kp: KeyPath, default: str) -> str:
    if raw.get("timezone") is None:
        return default
    name = check.string(raw, kp, "timezone")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise check.doc.error(
            (*kp, "timezone"), f"unknown time zone {name!r} (use an IANA name such as Asia/Karachi)"
        ) from None
    return name


def _name(check: Checker, raw: dict, kp: KeyPath, seen: set[str], what: str) -> str:
    name = check.identifier(raw, kp, "name")
    if name in seen:
        raise check.doc.error((*kp, "name"), f"duplicate {what} name {name!r}")
    seen.add(name)
    return name


def _schedule(
    check: Checker, raw: dict, kp: KeyPath, tz: str, required: bool = True
) -> Schedule | None:
    every, cron = raw.get("every"), raw.get("cron")
    if every is not None and cron is not None:
        raise check.doc.error((*kp, "cron"), "give either every or cron, not both")
    jitter = check.duration(raw, kp, "jitter", 0) or 0.0
    zone = _timezone(check, raw, kp, tz)
    if every is not None:
        seconds = check.duration(raw, kp, "every", None)
        if not seconds or seconds < 1:  # seconds are for tests; rate limits are checked apart
            raise check.doc.error((*kp, "every"), "must be at least 1s")
        if jitter >= seconds:
            raise check.doc.error((*kp, "jitter"), "must be shorter than the interval")
        return Schedule(every=seconds, timezone=zone, jitter=jitter)
    if cron is not None:
        expr = check.string(raw, kp, "cron")
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(expr, timezone=ZoneInfo(zone))
        except ValueError as exc:
            raise check.doc.error(
                (*kp, "cron"), f"invalid cron expression {expr!r}: {exc}"
            ) from None
        return Schedule(cron=expr, timezone=zone, jitter=jitter)
    if required:
        raise check.doc.error(kp, "needs a schedule: every (e.g. 15m) or cron (e.g. '0 7 * * *')")
    return None


def _list(check: Checker, raw: Any, key: str) -> list:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise check.doc.error((key,), "must be a list")
    return raw


_CRAWL_KEYS = {"name", "sources", "every", "cron", "timezone", "jitter", "timeout"}


def _crawls(check: Checker, raw: Any, tz: str) -> tuple[CrawlJob, ...]:
    jobs, seen = [], set()
    for i, item in enumerate(_list(check, raw, "crawls")):
        kp = ("crawls", i)
        item = check.mapping(item, kp)
        check.known_keys(item, kp, _CRAWL_KEYS)
        name = _name(check, item, kp, seen, "crawl job")
        sources = check.string_list(item, kp, "sources")
        if not sources:
            raise check.doc.error((*kp, "sources"), "list at least one source name or tag")
        schedule = _schedule(check, item, kp, tz)
        timeout = check.duration(item, kp, "timeout", "10m")
        if not timeout or timeout < 1:
            raise check.doc.error((*kp, "timeout"), "must be at least 1s")
        jobs.append(CrawlJob(name, tuple(sources), schedule, timeout))
    return tuple(jobs)


_CHANNEL_KEYS = {
    "email": {
        "type",
        "host",
        "port",
        "security",
        "username",
        "password_env",
        "from",
        "to",
        "list_unsubscribe",
        "timeout",
    },
    "webhook": {"type", "url", "secret_env", "timeout"},
    "apprise": {"type", "urls", "url_env"},
    "file": {"type", "folder"},
}
_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _channels(check: Checker, raw: Any) -> dict[str, Channel]:
    out: dict[str, Channel] = {}
    if raw is not None:
        raw = check.mapping(raw, ("channels",))
        for name, spec in raw.items():
            kp = ("channels", name)
            if not isinstance(name, str) or not NAME_RE.match(name):
                raise check.doc.error(kp, f"channel names: {NAME_RULE}")
            out[name] = _channel(check, spec, kp, name)
    out.setdefault(DEFAULT_CHANNEL, FileChannel(DEFAULT_CHANNEL))
    return out


def _channel(check: Checker, spec: Any, kp: KeyPath, name: str) -> Channel:
    spec = check.mapping(spec, kp)
    kind = check.string(spec, kp, "type", choices=tuple(_CHANNEL_KEYS))
    check.known_keys(spec, kp, _CHANNEL_KEYS[kind])
    if kind == "file":
        folder = check.string(spec, kp, "folder", None)
        return FileChannel(name, folder)
    if kind == "webhook":
        url = check.string(spec, kp, "url")
        check.http_url((*kp, "url"), url)
        return WebhookChannel(
            name,
            url,
            secret_env=_env_name(check, spec, kp, "secret_env"),
            timeout=check.number(spec, kp, "timeout", 10.0, 0.1),
        )
    if kind == "apprise":
        urls = check.string_list(spec, kp, "urls")
        url_env = _env_name(check, spec, kp, "url_env")
        if not urls and not url_env:
            raise check.doc.error(kp, "an apprise channel needs urls or url_env")
        for j, url in enumerate(urls):
            if "://" not in url:
                raise check.doc.error((*kp, "urls", j), "must be an Apprise URL like ntfy://topic")
        return AppriseChannel(name, tuple(urls), url_env)
    security = check.string(spec, kp, "security", "starttls", choices=("starttls", "ssl", "none"))
    port = check.number(spec, kp, "port", _DEFAULT_PORTS[security], 1, True)
    if port > 65535:
        raise check.doc.error((*kp, "port"), "must be a TCP port (1-65535)")
    to = check.string_list(spec, kp, "to")
    if not to:
        raise check.doc.error((*kp, "to"), "is required (one address or a list)")
    sender = check.string(spec, kp, "from")
    for key, addresses in (("from", [sender]), ("to", to)):
        for address in addresses:
            if "@" not in address or any(c in address for c in "\r\n"):
                raise check.doc.error((*kp, key), f"not an email address: {address!r}")
    username = check.string(spec, kp, "username", None)
    password_env = _env_name(check, spec, kp, "password_env")
    if username and not password_env:
        raise check.doc.error(
            (*kp, "password_env"),
            "is required with username: the NAME of the environment variable holding the password",
        )
    unsubscribe = check.string(spec, kp, "list_unsubscribe", None)
    if unsubscribe and any(c in unsubscribe for c in "\r\n"):
        raise check.doc.error((*kp, "list_unsubscribe"), "must be one line")
    return EmailChannel(
        name,
        host=check.string(spec, kp, "host"),
        port=int(port),
        security=security,
        sender=sender,
        to=tuple(to),
        username=username,
        password_env=password_env,
        list_unsubscribe=unsubscribe,
        timeout=check.number(spec, kp, "timeout", 30.0, 0.1),
    )


def _env_name(check: Checker, spec: dict, kp: KeyPath, key: str) -> str | None:
    name = check.string(spec, kp, key, None)
    if name is not None and not _ENV_RE.match(name):
        raise check.doc.error(
            (*kp, key), "must be the NAME of an environment variable (secrets never go in YAML)"
        )
    return name


def _channel_refs(
    check: Checker, raw: dict, kp: KeyPath, channels: dict[str, Channel]
) -> tuple[Channel, ...]:
    names = check.string_list(raw, kp, "channels")
    if not names:
        return (channels[DEFAULT_CHANNEL],)
    out = []
    for j, name in enumerate(names):
        if name not in channels:
            raise check.doc.error(
                (*kp, "channels", j),
                f"unknown channel {name!r} (defined: {', '.join(sorted(channels))})",
            )
        if channels[name] in out:
            raise check.doc.error((*kp, "channels", j), f"channel {name!r} listed twice")
        out.append(channels[name])
    return tuple(out)


_DIGEST_KEYS = {
    "name",
    "title",
    "topics",
    "min_score",
    "languages",
    "lookback",
    "max_items",
    "channels",
    "every",
    "cron",
    "timezone",
    "jitter",
    "immediate",
    "empty_notice",
}


def _digests(
    check: Checker, raw: Any, tz: str, channels: dict[str, Channel]
) -> tuple[Subscription, ...]:
    subs, seen = [], set()
    for i, item in enumerate(_list(check, raw, "digests")):
        kp = ("digests", i)
        item = check.mapping(item, kp)
        check.known_keys(item, kp, _DIGEST_KEYS)
        name = _name(check, item, kp, seen, "digest")
        topics = check.string_list(item, kp, "topics")
        if not topics:
            raise check.doc.error((*kp, "topics"), "list at least one watchlist topic")
        languages = [x.lower() for x in check.string_list(item, kp, "languages")]
        for j, lang in enumerate(languages):
            if not LANGUAGE_RE.match(lang):
                raise check.doc.error(
                    (*kp, "languages", j), f"{lang!r} is not an ISO 639 code such as en or ur"
                )
        immediate = check.boolean(item, kp, "immediate", False)
        schedule = _schedule(check, item, kp, tz, required=not immediate)
        if schedule is not None and schedule.every and schedule.every < min_digest_every():
            raise check.doc.error(
                (*kp, "every"),
                f"at least {_seconds(min_digest_every())} between two digests "
                f"(got {_seconds(schedule.every)}); for each article as it comes, use "
                "immediate: true",
            )
        if immediate and schedule is not None:
            raise check.doc.error(
                (*kp, "immediate"), "an immediate digest has no every/cron schedule"
            )
        empty_notice = check.boolean(item, kp, "empty_notice", False)
        if immediate and empty_notice:
            raise check.doc.error(
                (*kp, "empty_notice"), "only scheduled digests can send an empty notice"
            )
        lookback = check.duration(item, kp, "lookback", "48h")
        if not lookback:
            raise check.doc.error((*kp, "lookback"), "must be longer than 0")
        subs.append(
            Subscription(
                name=name,
                title=check.string(item, kp, "title", ""),
                topics=tuple(dict.fromkeys(topics)),
                channels=_channel_refs(check, item, kp, channels),
                min_score=float(check.number(item, kp, "min_score", 0.0)),
                languages=tuple(languages),
                lookback=lookback,
                max_items=int(check.number(item, kp, "max_items", 50, 1, True)),
                schedule=schedule,
                immediate=immediate,
                empty_notice=empty_notice,
                timezone=_timezone(check, item, kp, tz),
            )
        )
    return tuple(subs)


_HOUSEKEEPING_KEYS = {
    "every",
    "cron",
    "timezone",
    "jitter",
    "optimize_fts",
    "prune_crawl_runs_after",
    "text_retention",
}


def _housekeeping(check: Checker, raw: Any, tz: str) -> Housekeeping:
    kp = ("housekeeping",)
    if raw is None:
        return Housekeeping(schedule=Schedule(cron="30 3 * * *", timezone=tz))
    raw = check.mapping(raw, kp)
    check.known_keys(raw, kp, _HOUSEKEEPING_KEYS)
    schedule = _schedule(check, raw, kp, tz, required=False) or Schedule(
        cron="30 3 * * *", timezone=tz
    )
    return Housekeeping(
        schedule=schedule,
        optimize_fts=check.boolean(raw, kp, "optimize_fts", True),
        prune_crawl_runs_after=_optional_duration(check, raw, kp, "prune_crawl_runs_after", "90d"),
        text_retention=_optional_duration(check, raw, kp, "text_retention", None),
    )


def _optional_duration(check: Checker, raw: dict, kp: KeyPath, key: str, default) -> float | None:
    """A duration, or null / false / absent-with-no-default meaning "never"."""
    if key in raw and raw[key] in (None, False):
        return None
    seconds = check.duration(raw, kp, key, default)
    if seconds is not None and seconds < 86400:
        raise check.doc.error((*kp, key), "must be at least 1d (or null for never)")
    return seconds


_OPS_KEYS = {"channels", "subscription", "fail_after", "stale_after", "notify_recovery"}


def _ops(
    check: Checker, raw: Any, channels: dict[str, Channel], digest_names: set[str], digests
) -> Ops:
    kp = ("ops",)
    if raw is None:
        return Ops(channels=(channels[DEFAULT_CHANNEL],))
    raw = check.mapping(raw, kp)
    check.known_keys(raw, kp, _OPS_KEYS)
    subscription = check.string(raw, kp, "subscription", None)
    if subscription is not None and "channels" in raw:
        raise check.doc.error((*kp, "subscription"), "give either subscription or channels")
    if subscription is not None:
        if subscription not in digest_names:
            raise check.doc.error((*kp, "subscription"), f"no digest named {subscription!r}")
        chosen = next(d for d in digests if d.name == subscription).channels
    else:
        chosen = _channel_refs(check, raw, kp, channels)
    stale = raw.get("stale_after")
    return Ops(
        channels=chosen,
        subscription=subscription,
        fail_after=int(check.number(raw, kp, "fail_after", DEFAULT_FAIL_AFTER, 1, True)),
        stale_after=None if stale is None else check.duration(raw, kp, "stale_after", None),
        notify_recovery=check.boolean(raw, kp, "notify_recovery", True),
    )


def _delivery(check: Checker, raw: Any) -> Delivery:
    kp = ("delivery",)
    if raw is None:
        return Delivery()
    raw = check.mapping(raw, kp)
    check.known_keys(raw, kp, {"retry_first", "retry_max", "give_up_after"})
    first = check.duration(raw, kp, "retry_first", "1m")
    most = check.duration(raw, kp, "retry_max", "1h")
    give_up = check.duration(raw, kp, "give_up_after", "24h")
    if not first or first < 1:
        raise check.doc.error((*kp, "retry_first"), "must be at least 1s")
    if most < first:
        raise check.doc.error((*kp, "retry_max"), "must not be shorter than retry_first")
    return Delivery(first, most, give_up)


__all__ = [
    "AppriseChannel",
    "Channel",
    "ConfigError",
    "CrawlJob",
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
