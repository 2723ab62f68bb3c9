"""watchlist.yaml's shape as declarative models: which keys each section takes and what their
values are. The terms themselves (spellings, conditions, references to groups and entities) are
compiled by matcher.schema, which knows the names the file defines.

A list of one may be written without brackets (`all: Baloch`); an error inside it then names the
key itself rather than `[0]`, as the file shows it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, TypeVar

from mediawatch.matcher.configmodel import ConfigModel, check, located, within
from pydantic import Field, PlainValidator, model_validator

ENTITY_TYPES = ("place", "organisation", "person", "project", "event")
CONDITION_KEYS = ("context", "within", "unless", "not_in", "not_after", "not_before")
TOPIC_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
T = TypeVar("T")


class WatchlistModel(ConfigModel):
    """A section of the watchlist: keys are text, and known."""

    @model_validator(mode="before")
    @classmethod
    def _text_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in data:
                if not isinstance(key, str):
                    raise located((), f"keys must be text, not {key!r}")
        return data


def items(value: Any) -> tuple[list[Any], bool]:
    """A list, or one item written alone; and whether it was a list (for the error's key)."""
    if isinstance(value, str | dict):
        return [value], False
    if not isinstance(value, list):
        raise located((), "must be a list")
    return value, True


class One(tuple):
    """Items of a list the file wrote as one item alone: their key paths have no index."""


def each(value: Any, read: Callable[[Any], T]) -> tuple[T, ...]:
    """Every item read; an item's error names its index when the file wrote a list."""
    found, listed = items(value)
    out = tuple(within((i,) if listed else (), partial(read, x)) for i, x in enumerate(found))
    return out if listed else One(out)


def item_path(path: tuple[Any, ...], found: tuple[Any, ...], i: int) -> tuple[Any, ...]:
    """The key path of item `i` of `found` (read by `each`) under `path`."""
    return path if isinstance(found, One) else (*path, i)


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise located((), "must be a name")
    return value.strip()


def _names(value: Any) -> tuple[str, ...]:
    return each(value, _name)


def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise located((), "must be a positive integer")
    return value


def _positive_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise located((), "must be a positive number")
    return float(value)


def _weight(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise located((), "must be a number >= 0")
    return float(value)


def _mapping(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise located((), "must be a mapping")
    for key in value:
        if not isinstance(key, str):
            raise located((), f"keys must be text, not {key!r}")
    return value


Names = Annotated[tuple[str, ...], check(_names)]
Terms = Any  # compiled by matcher.schema (spellings, conditions, references)


class Conditions(WatchlistModel):
    """When a term counts: near a context, unless..., not inside / after / before a phrase."""

    context: Terms = None
    within: Annotated[int | None, PlainValidator(_positive_int)] = None
    unless: Terms = None
    not_in: Terms = None
    not_after: Terms = None
    not_before: Terms = None

    def conditions(self) -> dict[str, Any]:
        """The condition keys the file gave, with their values."""
        return {k: getattr(self, k) for k in CONDITION_KEYS if k in self.model_fields_set}


class Entity(Conditions):
    weight: Annotated[float, PlainValidator(_positive_number)] = 1.0
    type: Any = None
    name: Any = None
    aliases: Terms = None
    acronyms: Terms = None
    description: Any = None

    @model_validator(mode="after")
    def _type_and_name(self) -> Entity:
        if self.type not in ENTITY_TYPES:
            raise located(("type",), f"must be one of: {', '.join(ENTITY_TYPES)}")
        if "name" in self.model_fields_set and (
            not isinstance(self.name, str) or not self.name.strip()
        ):
            raise located(("name",), "must be a non-empty name")
        return self


class Term(Conditions):
    """A term written as a mapping: its spelling (`form`), case, and its own conditions."""

    form: Any = None
    case: Any = None

    @model_validator(mode="after")
    def _form_and_case(self) -> Term:
        if "form" not in self.model_fields_set:
            raise located((), "a term given as a mapping needs `form`")
        if "case" in self.model_fields_set and not isinstance(self.case, bool):
            raise located(("case",), "must be true or false")
        return self


class Group(Conditions):
    """A group written as a mapping: its terms, a weight, and conditions for all of them."""

    terms: Terms = None
    weight: Annotated[float | None, PlainValidator(_weight)] = None


class Rule(WatchlistModel):
    """A rule or an exclusion: a term, or all / any / not of rules, `near` each other, or
    `more` mentions of one than of another."""

    all: Annotated[tuple[Rule | str, ...], PlainValidator(lambda v: _rules(v))] = ()
    any: Annotated[tuple[Rule | str, ...], PlainValidator(lambda v: _rules(v))] = ()
    not_: Annotated[tuple[Rule | str, ...], PlainValidator(lambda v: _rules(v))] = Field(
        default=(), alias="not"
    )
    near: Annotated[int | None, PlainValidator(_positive_int)] = None
    more: Annotated[tuple[Rule | str, Rule | str] | None, PlainValidator(lambda v: _more(v))] = None
    phrase: Any = None
    case: Any = None
    entity: Any = None
    group: Any = None

    @property
    def is_term(self) -> bool:
        """A term (phrase, entity or group), not a combination of rules."""
        return not {"all", "any", "not_", "near", "more"} & self.model_fields_set

    @property
    def spec(self) -> dict[str, Any]:
        """The term's keys as written (for matcher.schema's leaf references)."""
        return {k: getattr(self, k) for k in ("phrase", "case", "entity", "group") if k in self}

    def __contains__(self, key: str) -> bool:
        return key in self.model_fields_set

    @model_validator(mode="after")
    def _combination(self) -> Rule:
        if self.is_term:
            return self
        if {"phrase", "entity", "group", "case"} & self.model_fields_set:
            raise located((), "mix of a term and all/any/not: nest the term in a list")
        if self.near is not None and len(self.all) + (1 if self.any else 0) < 2:
            raise located(("near",), "needs at least two terms to compare (`all` with two or more)")
        return self


def _rule(value: Any) -> Rule | str:
    return value if isinstance(value, str) else Rule.model_validate(value)


def _rules(value: Any) -> tuple[Rule | str, ...]:
    found = each(value, _rule)
    if not found:
        raise located((), "must not be empty")
    return found


def _more(value: Any) -> tuple[Rule | str, Rule | str]:
    if not isinstance(value, list) or len(value) != 2:
        raise located((), "must list two terms: [more of this, than this]")
    first, second = each(value, _rule)
    return first, second


Rules = Annotated[tuple[Rule | str, ...], check(lambda v: each(v, _rule))]


class Topic(WatchlistModel):
    entities: Names = ()
    keywords: Terms = None
    rules: Rules = ()
    exclude: Rules = ()
    includes: Names = ()
    implies: Names = ()
    min_score: Annotated[float, check(_positive_number)] = 1.0
    alone_needs: Terms = None
    dateline_needs: Terms = None
    description: Any = None


def _sections(read: Callable[[Any], T]) -> PlainValidator:
    """A mapping of named entries (groups, entities, topics), each read under its name."""

    def run(value: Any) -> dict[str, T]:
        return {
            name: within((name,), partial(read, spec)) for name, spec in _mapping(value).items()
        }

    return PlainValidator(run)


def _group(spec: Any) -> Group | Any:
    return Group.model_validate(spec) if isinstance(spec, dict) else spec


class Watchlist(WatchlistModel):
    version: Any = None
    groups: Annotated[dict[str, Group | Any], _sections(_group)] = Field(default_factory=dict)
    entities: Annotated[dict[str, Entity], _sections(Entity.model_validate)] = Field(
        default_factory=dict
    )
    topics: Annotated[dict[str, Topic], PlainValidator(lambda v: _topics(v))] = Field(
        default_factory=dict, validate_default=True
    )


def _topics(value: Any) -> dict[str, Topic]:
    raw = _mapping(value)
    if not raw:
        raise located((), "define at least one topic")
    out: dict[str, Topic] = {}
    for name, spec in raw.items():
        if not TOPIC_NAME.fullmatch(name):
            raise located((name,), "topic names are lower-case letters, digits, - and _")
        out[name] = within((name,), partial(Topic.model_validate, spec))
    return out
