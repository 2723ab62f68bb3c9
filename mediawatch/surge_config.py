"""The `surges:` section of schedules.yaml, read into alerts.surges.SurgeRule (the alerts room
owns the type; this module only reads and locates the YAML)."""

from __future__ import annotations

from typing import Any

from mediawatch.alerts.surges import SurgeRule
from mediawatch.yamlfile import Checker

SURGE_KEYS = {
    "name",
    "topic",
    "entity",
    "per_outlet",
    "window",
    "baseline",
    "min_count",
    "ratio",
    "p",
    "channels",
    "max_stories",
}


def parse_surges(check: Checker, raw: Any, channels: dict, channel_refs) -> tuple[SurgeRule, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise check.doc.error(("surges",), "must be a list of surges")
    rules, seen = [], set()
    for i, item in enumerate(raw):
        kp = ("surges", i)
        item = check.mapping(item, kp)
        check.known_keys(item, kp, SURGE_KEYS)
        name = check.identifier(item, kp, "name")
        if name in seen:
            raise check.doc.error((*kp, "name"), f"duplicate surge name {name!r}")
        seen.add(name)
        topic = check.string(item, kp, "topic", None)
        entity = check.string(item, kp, "entity", None)
        if (topic is None) == (entity is None):
            raise check.doc.error((*kp, "topic"), "give either topic or entity (what to count)")
        window = check.duration(item, kp, "window", "6h")
        baseline = check.duration(item, kp, "baseline", "28d")
        if window <= 0 or baseline < 2 * window:
            raise check.doc.error((*kp, "baseline"), "must be at least twice the window")
        ratio = check.number(item, kp, "ratio", None, 1)
        p = check.number(item, kp, "p", None, 0)
        if ratio is not None and p is not None:
            raise check.doc.error((*kp, "p"), "give ratio or p, not both")
        if p is not None and not 0 < p < 1:
            raise check.doc.error((*kp, "p"), "must be a probability between 0 and 1")
        rules.append(
            SurgeRule(
                name=name,
                topic=topic,
                entity=entity,
                per_outlet=check.boolean(item, kp, "per_outlet", False),
                window=window,
                baseline=baseline,
                min_count=check.number(item, kp, "min_count", 5, 1, True),
                ratio=ratio if ratio is not None or p is not None else 3.0,
                p=p,
                channels=channel_refs(check, item, kp, channels),
                max_stories=check.number(item, kp, "max_stories", 5, 1, True),
            )
        )
    return tuple(rules)
