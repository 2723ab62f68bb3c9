"""Surge alerts: coverage of a topic (or entity, or topic per outlet) jumping well above its
usual rate. One alert when an episode starts, one when it is over, never one per crawl.

The rule compares the articles published in the last `window` with the rate over the
`baseline` before it: at least `min_count` articles and either `ratio` times the usual count,
or a Poisson tail probability below `p`. An episode ends when the rule fails even at half
strength. The current window counts news only, so a backfill of
the past never raises a surge; the baseline counts backfilled history too.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from markupsafe import escape
from mediawatch.alerts.config import SurgeRule
from mediawatch.db import deliveries as store
from mediawatch.db import surges as surge_store
from mediawatch.db.connection import utc_iso

CHART_DAYS = 7
CHART_CID = "surge-chart"


@dataclass
class SurgeEvent:
    rule: str
    key: str
    state: str  # started | over
    count: int
    usual: float
    p_value: float
    episode_id: int
    digest_id: int | None = None

    def describe(self) -> str:
        where = f" at {self.key}" if self.key else ""
        return (
            f"{self.rule}{where}: surge {self.state} "
            f"({self.count} article{'' if self.count == 1 else 's'} in the window, "
            f"usually {self.usual:.1f})"
        )

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def poisson_tail(count: int, rate: float) -> float:
    """P(X >= count) for X ~ Poisson(rate)."""
    if count <= 0:
        return 1.0
    term = math.exp(-rate)
    below = term
    for k in range(1, count):
        term *= rate / k
        below += term
    return max(0.0, 1.0 - below)


def judge(rule: SurgeRule, count: int, usual: float) -> tuple[bool, float]:
    """(surging?, tail probability). The usual rate is floored at one article per baseline, so
    a topic never seen before needs min_count articles, not one."""
    floor = rule.window / rule.baseline
    rate = max(usual, floor)
    p_value = poisson_tail(count, rate)
    if count < rule.min_count:
        return False, p_value
    if rule.p is not None:
        return p_value < rule.p, p_value
    return count >= (rule.ratio or 3.0) * rate, p_value


def still_surging(rule: SurgeRule, count: int, usual: float) -> bool:
    """An episode lasts while the rule holds at half strength (half min_count, half the ratio,
    the square root of p), so a count wavering at the threshold is one episode, not several."""
    rate = max(usual, rule.window / rule.baseline)
    if count < max(1, rule.min_count / 2):
        return False
    if rule.p is not None:
        return poisson_tail(count, rate) < math.sqrt(rule.p)
    return count >= (rule.ratio or 3.0) / 2 * rate


def evaluate(db, schedules, now: datetime | None = None) -> list[SurgeEvent]:
    """Check every surge rule now; start and end episodes, sending one alert for each."""
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    events = []
    for rule in schedules.surges:
        events += _evaluate_rule(db, schedules, rule, now)
    return events


def _evaluate_rule(db, schedules, rule: SurgeRule, now: datetime) -> list[SurgeEvent]:
    window_start = now - timedelta(seconds=rule.window)
    base_start = window_start - timedelta(seconds=rule.baseline)

    def counts(start: datetime, end: datetime, backfilled: bool) -> dict[str, int]:
        return surge_store.counts(
            db,
            topic=rule.topic,
            entity=rule.entity,
            per_outlet=rule.per_outlet,
            start=utc_iso(start),
            end=utc_iso(end),
            backfilled=backfilled,
        )

    current = counts(window_start, now, backfilled=False)
    history = counts(base_start, window_start, backfilled=True)
    episodes = surge_store.open_episodes(db, rule.name)
    events = []
    for key in sorted(set(current) | set(episodes)):
        count = current.get(key, 0)
        usual = history.get(key, 0) * rule.window / rule.baseline
        surging, p_value = judge(rule, count, usual)
        episode = episodes.get(key)
        if episode is not None and not surging:
            surging = still_surging(rule, count, usual)
        if episode is None:
            if surging:
                episode_id = surge_store.start_episode(
                    db, rule.name, key, utc_iso(now), count, usual, p_value
                )
                event = SurgeEvent(rule.name, key, "started", count, usual, p_value, episode_id)
                event.digest_id = _alert(db, schedules, rule, event, now)
                events.append(event)
        elif surging:
            surge_store.update_episode(db, episode["id"], utc_iso(now), count)
        else:
            surge_store.end_episode(db, episode["id"], utc_iso(now))
            event = SurgeEvent(rule.name, key, "over", count, usual, p_value, episode["id"])
            event.digest_id = _alert(db, schedules, rule, event, now, episode)
            events.append(event)
    return events


def _alert(db, schedules, rule, event: SurgeEvent, now: datetime, episode=None) -> int | None:
    from mediawatch.alerts.outbox import new_key, send_pending

    message = render_surge(db, rule, event, now, episode)
    digest_id = store.record_digest(
        db,
        subscription=f"surge:{rule.name}",
        kind="notice",
        key=f"surge:{rule.name}:{event.key}:{event.episode_id}:{event.state}",
        created_at=utc_iso(now),
        since=None,
        items=[],
        stories=0,
        subject=message.subject,
        message=message.to_dict(),
        deliveries=[(c.name, c.type, new_key()) for c in rule.channels],
        next_attempt_at=utc_iso(now),
    )
    if digest_id is not None:
        send_pending(db, schedules, now, digest_id=digest_id)
    return digest_id


def _hours(seconds: float) -> str:
    return f"{seconds / 86400:g} days" if seconds >= 86400 * 2 else f"{seconds / 3600:g} h"


def render_surge(db, rule: SurgeRule, event: SurgeEvent, now: datetime, episode=None):
    """The alert: count, usual rate, the window's top stories grouped as in digests, a chart."""
    from mediawatch.alerts.chart import bars_png
    from mediawatch.alerts.digest import _candidate, one_line
    from mediawatch.alerts.render import Message
    from mediawatch.alerts.stories import group_stories

    outlet = event.key or None
    label = f"{rule.what} at {one_line(outlet)}" if outlet else rule.what
    window = _hours(rule.window)
    if event.state == "started":
        subject = f"Surge: {label}: {event.count} articles in {window} (usually {event.usual:.1f})"
    else:
        subject = f"Surge over: {label}: {event.count} articles in the last {window}"
    start = now - timedelta(seconds=rule.window)
    rows = surge_store.window_rows(
        db,
        topic=rule.topic,
        entity=rule.entity,
        outlet=outlet if rule.per_outlet else None,
        start=utc_iso(start),
        end=utc_iso(now),
    )
    stories, _ = group_stories([_candidate(r) for r in rows], rule.max_stories)
    first_day = (now - timedelta(days=CHART_DAYS - 1)).date()
    per_day = surge_store.daily_counts(
        db,
        topic=rule.topic,
        entity=rule.entity,
        outlet=outlet if rule.per_outlet else None,
        start=first_day.isoformat() + "T00:00:00Z",
        end=utc_iso(now + timedelta(seconds=1)),
    )
    days = [(first_day + timedelta(days=i)).isoformat() for i in range(CHART_DAYS)]
    counts = [per_day.get(d, 0) for d in days]
    lines = [
        subject,
        "",
        f"{event.count} articles in the last {window}; usually {event.usual:.2f} per {window} "
        f"(over the previous {_hours(rule.baseline)}); Poisson tail p = {event.p_value:.2g}.",
    ]
    if episode is not None:
        lines.append(f"The surge began at {episode['started_at']} (peak {episode['peak']}).")
    lines += ["", "Top stories:"] if stories else []
    for lead, also in stories:
        others = sorted({c.item.outlet for c in also} - {lead.item.outlet})
        extra = f" (also {', '.join(others)})" if others else ""
        lines.append(f"- {lead.item.title} - {lead.item.outlet}{extra}\n  {lead.item.url}")
    lines += [
        "",
        "Articles per day, last 7 days: "
        + ", ".join(f"{d[5:]} {n}" for d, n in zip(days, counts, strict=True)),
    ]
    text = "\n".join(lines)
    items = "".join(
        f'<li><a href="{escape(lead.item.url)}">{escape(lead.item.title)}</a> '
        f"- {escape(lead.item.outlet)}</li>"
        for lead, _ in stories
    )
    html = (
        f"<html><body><h2>{escape(subject)}</h2><p>{escape(lines[2])}</p>"
        + (f"<ol>{items}</ol>" if items else "")
        + f'<p><img src="cid:{CHART_CID}" alt="articles per day: {escape(", ".join(map(str, counts)))}"></p>'
        "</body></html>"
    )
    body = {
        "type": "surge",
        "surge": rule.name,
        "state": event.state,
        "what": rule.what,
        "outlet": outlet,
        "count": event.count,
        "usual": round(event.usual, 3),
        "p_value": event.p_value,
        "window_seconds": rule.window,
        "stories": [
            {"title": lead.item.title, "url": lead.item.url, "outlet": lead.item.outlet}
            for lead, _ in stories
        ],
        "per_day": dict(zip(days, counts, strict=True)),
        "created_at": utc_iso(now),
    }
    return Message(
        subscription=f"surge:{rule.name}",
        kind="notice",
        created_at=utc_iso(now),
        subject=one_line(subject)[:200],
        text=text + "\n",
        html=html,
        json_body=json.dumps(body, ensure_ascii=False),
        chat=text,
        images={CHART_CID: bars_png(counts)},
    )
