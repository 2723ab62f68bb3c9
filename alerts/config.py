"""The alerts room's part of schedules.yaml: channels, digests (subscriptions), delivery retries,
templates, surges, and the schedules they run on.

Declarative models (matcher.configmodel): the field checks say what each key may hold, the
validators only the rules between keys. Sections refer to each other by name (a digest to its
channels), so a file's channels and time zone are left in the validation context for the sections
validated after them. Channels are defined once under `channels:` and referred to by name.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mediawatch.matcher.configmodel import (
    NAME_RE,
    NAME_RULE,
    ConfigModel,
    Count,
    Flag,
    Identifier,
    OptionalText,
    Seconds,
    Text,
    Url,
    check,
    from_file,
    listed,
    located,
    names,
    number,
    read_duration,
    read_names,
    read_text,
    section,
    shared,
    text,
    unique_names,
    within,
)
from pydantic import (
    AfterValidator,
    Field,
    PlainValidator,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticUseDefault

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger

DEFAULT_CHANNEL = "outbox"
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")
_ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
# A digest is read by people: `every: 1s` is a typo for 1m or 1h, not a wish for 3,600 mails an
# hour. The daemon's own tests lower the bound through MEDIAWATCH_MIN_DIGEST_EVERY (seconds).
MIN_DIGEST_EVERY = 60.0


def min_digest_every() -> float:
    try:
        return float(os.environ.get("MEDIAWATCH_MIN_DIGEST_EVERY") or MIN_DIGEST_EVERY)
    except ValueError:
        return MIN_DIGEST_EVERY


def _seconds(value: float) -> str:
    return f"{value / 60:g}m" if value >= 60 and value % 60 == 0 else f"{value:g}s"


# ---------------------------------------------------------------- schedules


@dataclass(frozen=True)
class Schedule:
    """`every: 15m` or `cron: "0 7 * * *"` (in `timezone`), plus up to `jitter` seconds of delay."""

    every: float | None = None
    cron: str | None = None
    timezone: str = "UTC"
    jitter: float = 0.0

    def trigger(self, jitter: bool = True) -> BaseTrigger:
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
        fire: datetime = trigger.get_next_fire_time(None, moment + timedelta(seconds=1))
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


def _time_zone(value: Any) -> str:
    name = read_text(value)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise located(
            (), f"unknown time zone {name!r} (use an IANA name such as Asia/Karachi)"
        ) from None
    return name


TimeZone = Annotated[str, check(_time_zone)]
SCHEDULE_KEYS = ("every", "cron", "timezone", "jitter")


def file_time_zone(info: ValidationInfo) -> str:
    """The file's `timezone:` (validated before the sections that default to it)."""
    return str(shared(info).get("timezone", "UTC"))


class ScheduleKeys(ConfigModel):
    """The keys a job or digest is scheduled with, written beside its other keys."""

    every: Annotated[float | None, check(read_duration)] = None
    cron: OptionalText = None
    timezone: TimeZone | None = None
    jitter: Seconds = 0.0

    def schedule(self, default_zone: str, required: bool = True) -> Schedule | None:
        zone = self.timezone or default_zone
        if self.every is not None and self.cron is not None:
            raise located(("cron",), "give either every or cron, not both")
        if self.every is not None:
            if self.every < 1:  # seconds are for tests; rate limits are checked apart
                raise located(("every",), "must be at least 1s")
            if self.jitter >= self.every:
                raise located(("jitter",), "must be shorter than the interval")
            return Schedule(every=self.every, timezone=zone, jitter=self.jitter)
        if self.cron is not None:
            from apscheduler.triggers.cron import CronTrigger

            try:
                CronTrigger.from_crontab(self.cron, timezone=ZoneInfo(zone))
            except ValueError as exc:
                raise located(("cron",), f"invalid cron expression {self.cron!r}: {exc}") from None
            return Schedule(cron=self.cron, timezone=zone, jitter=self.jitter)
        if required:
            raise located((), "needs a schedule: every (e.g. 15m) or cron (e.g. '0 7 * * *')")
        return None


def schedule_of(data: Any, info: ValidationInfo, required: bool = True) -> Schedule | None:
    """The schedule written in a mapping's every/cron/timezone/jitter keys."""
    keys = {k: data[k] for k in SCHEDULE_KEYS if k in data} if isinstance(data, dict) else {}
    return ScheduleKeys.model_validate(keys).schedule(file_time_zone(info), required)


# ---------------------------------------------------------------- channels


def _env_name(value: Any) -> str:
    name = read_text(value)
    if not _ENV_RE.match(name):
        raise located((), "must be the NAME of an environment variable (secrets never go in YAML)")
    return name


EnvName = Annotated[str | None, check(_env_name)]


def _address(value: Any) -> str:
    if "@" not in value or any(c in value for c in "\r\n"):
        raise located((), f"not an email address: {value!r}")
    return str(value)


class EmailChannel(ConfigModel):
    name: str = Field(default="", exclude=True)  # the key under `channels:`
    type: Literal["email"] = "email"
    host: Text
    port: Count = 0  # default: the security's port
    security: Annotated[str, text(("starttls", "ssl", "none"))] = "starttls"
    username: OptionalText = None
    password_env: EnvName = None
    sender: Annotated[str, text(), AfterValidator(_address)] = Field(alias="from")
    to: Annotated[tuple[str, ...], names()] = ()
    list_unsubscribe: OptionalText = None
    timeout: Annotated[float, number(0.1)] = 30.0

    @model_validator(mode="after")
    def _rules(self) -> EmailChannel:
        if self.port > 65535:
            raise located(("port",), "must be a TCP port (1-65535)")
        if not self.to:
            raise located(("to",), "is required (one address or a list)")
        for address in self.to:
            if "@" not in address or any(c in address for c in "\r\n"):
                raise located(("to",), f"not an email address: {address!r}")
        if self.username and not self.password_env:
            raise located(
                ("password_env",),
                "is required with username: the NAME of the environment variable holding "
                "the password",
            )
        if self.list_unsubscribe and any(c in self.list_unsubscribe for c in "\r\n"):
            raise located(("list_unsubscribe",), "must be one line")
        if not self.port:
            return self.model_copy(update={"port": _DEFAULT_PORTS[self.security]})
        return self


class WebhookChannel(ConfigModel):
    name: str = Field(default="", exclude=True)
    type: Literal["webhook"] = "webhook"
    url: Url
    secret_env: EnvName = None
    timeout: Annotated[float, number(0.1)] = 10.0


class AppriseChannel(ConfigModel):
    name: str = Field(default="", exclude=True)
    type: Literal["apprise"] = "apprise"
    urls: Annotated[tuple[str, ...], names()] = ()
    url_env: EnvName = None

    @model_validator(mode="after")
    def _rules(self) -> AppriseChannel:
        if not self.urls and not self.url_env:
            raise located((), "an apprise channel needs urls or url_env")
        for j, url in enumerate(self.urls):
            if "://" not in url:
                raise located(("urls", j), "must be an Apprise URL like ntfy://topic")
        return self

    def resolved_urls(self) -> list[str]:
        """The configured URLs plus those in the environment variable (space or comma separated)."""
        return list(self.urls) + self.env_urls()

    def env_urls(self) -> list[str]:
        """The URLs in the `url_env` variable (space or comma separated); [] when unset."""
        if not self.url_env:
            return []
        return [u for u in re.split(r"[\s,]+", os.environ.get(self.url_env, "")) if u]


class FileChannel(ConfigModel):
    name: str = Field(default="", exclude=True)
    type: Literal["file"] = "file"
    folder: OptionalText = None  # None: "outbox" beside the archive

    def resolve(self, archive_dir: Path) -> Path:
        """The outbox folder; relative folders are relative to the archive's folder."""
        folder = Path(self.folder).expanduser() if self.folder else Path("outbox")
        return folder if folder.is_absolute() else Path(archive_dir) / folder


Channel = EmailChannel | WebhookChannel | AppriseChannel | FileChannel
CHANNEL_TYPES: dict[str, type[Channel]] = {
    "email": EmailChannel,
    "webhook": WebhookChannel,
    "apprise": AppriseChannel,
    "file": FileChannel,
}


def _channel(name: str, spec: Any, info: ValidationInfo) -> Channel:
    if not isinstance(spec, dict):
        raise located((), "must be a mapping")
    if spec.get("type") is None:
        raise located(("type",), "is required")
    kind = within(("type",), lambda: read_text(spec["type"], tuple(CHANNEL_TYPES)))
    found = CHANNEL_TYPES[kind].model_validate(spec, context=info.context)
    return found.model_copy(update={"name": name})


def _channels(value: Any, info: ValidationInfo) -> dict[str, Channel]:
    """`channels:` by name, plus the default file channel; left in the context for the
    sections that refer to them."""
    if value is not None and not isinstance(value, dict):
        raise located((), "must be a mapping")
    out: dict[str, Channel] = {}
    for name, spec in (value or {}).items():
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise located((name,), f"channel names: {NAME_RULE}")
        out[name] = within((name,), partial(_channel, name, spec, info))
    out.setdefault(DEFAULT_CHANNEL, FileChannel(name=DEFAULT_CHANNEL))
    shared(info)["channels"] = out
    return out


Channels = Annotated[dict[str, Channel], PlainValidator(_channels)]


def _channel_refs(value: Any, info: ValidationInfo) -> tuple[Channel, ...]:
    """Channel names as written -> the channels (none: the default file channel)."""
    if not from_file(info):
        return tuple(value)
    channels: dict[str, Channel] = shared(info).get("channels", {})
    wanted = read_names(value)
    if not wanted:
        return (channels.get(DEFAULT_CHANNEL) or FileChannel(name=DEFAULT_CHANNEL),)
    out: list[Channel] = []
    for j, name in enumerate(wanted):
        if name not in channels:
            raise located(
                (j,), f"unknown channel {name!r} (defined: {', '.join(sorted(channels))})"
            )
        if channels[name] in out:
            raise located((j,), f"channel {name!r} listed twice")
        out.append(channels[name])
    return tuple(out)


ChannelRefs = Annotated[tuple[Channel, ...], PlainValidator(_channel_refs)]


def channel_refs() -> Any:
    """A `channels:` list of names, resolved; absent: the default file channel."""
    return Field(default=(), validate_default=True)


# ---------------------------------------------------------------- digests


def _languages(value: Any) -> tuple[str, ...]:
    languages = [x.lower() for x in read_names(value)]
    for j, lang in enumerate(languages):
        if not LANGUAGE_RE.match(lang):
            raise located((j,), f"{lang!r} is not an ISO 639 code such as en or ur")
    return tuple(languages)


class Subscription(ConfigModel):
    """One entry of `digests:`: who gets which topics, when, through which channels."""

    extra_keys = SCHEDULE_KEYS

    name: Identifier
    topics: Annotated[tuple[str, ...], names()]
    channels: ChannelRefs = channel_refs()
    title: Text = ""
    min_score: Annotated[float, number(0)] = 0.0
    languages: Annotated[tuple[str, ...], PlainValidator(_languages)] = ()
    lookback: Seconds = 48 * 3600
    max_items: Count = 50
    schedule: Schedule | None = Field(default=None, exclude=True)  # from every/cron/...
    immediate: Flag = False
    empty_notice: Flag = False
    timezone: TimeZone = "UTC"  # default: the file's

    @property
    def display_title(self) -> str:
        return self.title or self.name

    @model_validator(mode="wrap")
    @classmethod
    def _from_file(cls, data: Any, handler: Callable[[Any], Subscription], info: ValidationInfo):
        if not from_file(info) or not isinstance(data, dict):
            return handler(data)
        sub = handler({k: v for k, v in data.items() if k not in SCHEDULE_KEYS or k == "timezone"})
        if not sub.topics:
            raise located(("topics",), "list at least one watchlist topic")
        schedule = schedule_of(data, info, required=not sub.immediate)
        if schedule is not None and schedule.every and schedule.every < min_digest_every():
            raise located(
                ("every",),
                f"at least {_seconds(min_digest_every())} between two digests "
                f"(got {_seconds(schedule.every)}); for each article as it comes, use "
                "immediate: true",
            )
        if sub.immediate and schedule is not None:
            raise located(("immediate",), "an immediate digest has no every/cron schedule")
        if sub.immediate and sub.empty_notice:
            raise located(("empty_notice",), "only scheduled digests can send an empty notice")
        if not sub.lookback:
            raise located(("lookback",), "must be longer than 0")
        zone = sub.timezone if "timezone" in sub.model_fields_set else file_time_zone(info)
        return sub.model_copy(
            update={
                "schedule": schedule,
                "timezone": zone,
                "topics": tuple(dict.fromkeys(sub.topics)),
            }
        )


# ---------------------------------------------------------------- surges, delivery, templates


class SurgeRule(ConfigModel):
    """One entry of `surges:`: what to count, over which window, and when it is a surge."""

    name: Identifier
    topic: OptionalText = None
    entity: OptionalText = None
    per_outlet: Flag = False
    window: Seconds = 6 * 3600  # seconds
    baseline: Seconds = 28 * 86400  # seconds before the window
    min_count: Count = 5
    ratio: Annotated[float | None, number(1)] = None
    p: Annotated[float | None, number(0)] = None
    channels: ChannelRefs = channel_refs()
    max_stories: Count = 5

    @property
    def what(self) -> str:
        return self.topic or self.entity or "?"

    @model_validator(mode="after")
    def _rules(self) -> SurgeRule:
        if (self.topic is None) == (self.entity is None):
            raise located(("topic",), "give either topic or entity (what to count)")
        if self.window <= 0 or self.baseline < 2 * self.window:
            raise located(("baseline",), "must be at least twice the window")
        if self.ratio is not None and self.p is not None:
            raise located(("p",), "give ratio or p, not both")
        if self.p is not None and not 0 < self.p < 1:
            raise located(("p",), "must be a probability between 0 and 1")
        if self.ratio is None and self.p is None:
            return self.model_copy(update={"ratio": 3.0})
        return self


class Delivery(ConfigModel):
    """Retry policy for transient failures: exponential backoff with jitter, then give up."""

    retry_first: Seconds = 60.0
    retry_max: Seconds = 3600.0
    give_up_after: Seconds = 24 * 3600.0

    @model_validator(mode="after")
    def _rules(self) -> Delivery:
        if not self.retry_first or self.retry_first < 1:
            raise located(("retry_first",), "must be at least 1s")
        if self.retry_max < self.retry_first:
            raise located(("retry_max",), "must not be shorter than retry_first")
        return self


def _templates(value: Any, info: ValidationInfo) -> Path:
    """A folder of templates; relative to the file's folder."""
    if value is None:
        raise PydanticUseDefault()
    folder = Path(read_text(value)).expanduser()
    base = shared(info).get("path")
    if not folder.is_absolute() and base is not None:
        folder = Path(base).parent / folder
    if not folder.is_dir():
        raise located((), f"folder {folder} does not exist")
    return folder


def _remember_zone(value: Any, info: ValidationInfo) -> str:
    """The file's time zone, the default of every schedule validated after it."""
    if value is None:
        raise PydanticUseDefault()
    zone = _time_zone(value)
    shared(info)["timezone"] = zone
    return zone


class NoticeChannels(ConfigModel):
    """Where operator notices go (the spine's `ops:` section adds when to send them)."""

    channels: ChannelRefs = channel_refs()


class AlertsConfig(ConfigModel):
    """What the alerts room reads from schedules.yaml (the spine's model adds its own sections).

    Field order is validation order: the time zone and channels come before what refers to them."""

    path: Path = Field(default=Path("schedules.yaml"), exclude=True)  # the file read
    timezone: Annotated[str, PlainValidator(_remember_zone)] = "UTC"
    channels: Channels = Field(default_factory=dict, validate_default=True)
    digests: Annotated[tuple[Subscription, ...], listed(), unique_names("digest")] = ()
    ops: Annotated[NoticeChannels, section(NoticeChannels)] = Field(
        default_factory=dict, validate_default=True
    )
    delivery: Annotated[Delivery, section(Delivery)] = Field(default_factory=Delivery)
    templates: Annotated[Path | None, PlainValidator(_templates)] = None
    surges: Annotated[
        tuple[SurgeRule, ...], listed("must be a list of surges"), unique_names("surge")
    ] = ()

    def digest(self, name: str) -> Subscription:
        for sub in self.digests:
            if sub.name == name:
                return sub
        from mediawatch.alerts.errors import AlertError

        known = ", ".join(s.name for s in self.digests) or "none"
        raise AlertError(f"no digest named {name!r} in {self.path} (known: {known})")

    @property
    def immediate(self) -> tuple[Subscription, ...]:
        return tuple(s for s in self.digests if s.immediate)

    @property
    def scheduled(self) -> tuple[Subscription, ...]:
        return tuple(s for s in self.digests if s.schedule is not None)
