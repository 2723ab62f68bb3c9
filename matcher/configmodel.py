"""Declarative models for the YAML configuration files, shared by every room.

Each room describes its part of a file as `ConfigModel` classes whose fields use the typed checks
below. Every check fails with `located(loc, message)`: a pydantic error that carries the one-line
message the user reads and, in `loc`, a key path relative to where it was raised (pydantic adds
the path down to that point). The spine's loader maps the full path onto the YAML line map, so an
error still reads `file:line: key: message`.

This module lives in the matcher room because that is the room every other room may import and
that imports nothing of ours; it knows nothing of YAML, files or lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any, ClassVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, PlainValidator, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError, PydanticUseDefault

Loc = tuple[str | int, ...]
ERROR_TYPE = "config"


def located(loc: Loc, message: str) -> PydanticCustomError:
    """An error naming `loc` below the value being validated (raise it from any validator)."""
    return PydanticCustomError(ERROR_TYPE, "{message}", {"message": message, "loc": tuple(loc)})


class ConfigModel(BaseModel):
    """A mapping of known keys; anything else is an error naming the key and the allowed ones.

    `extra_keys` lists keys a model reads in a validator of its own rather than as fields."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, arbitrary_types_allowed=True)
    extra_keys: ClassVar[Collection[str]] = ()

    @classmethod
    def allowed_keys(cls) -> set[str]:
        keys = {f.alias or name for name, f in cls.model_fields.items() if not f.exclude}
        return keys | set(cls.extra_keys)

    @model_validator(mode="before")
    @classmethod
    def _mapping_of_known_keys(cls, data: Any) -> Any:
        if isinstance(data, BaseModel):
            return data
        if not isinstance(data, dict):
            raise located((), "must be a mapping")
        allowed = cls.allowed_keys()
        for key in data:
            if key not in allowed:
                raise located((key,), f"unknown key (allowed: {', '.join(sorted(allowed))})")
        return data


def check(function: Callable[[Any], Any]) -> PlainValidator:
    """A field check; `None` in the file means "use the default" unless the check says otherwise."""

    def run(value: Any) -> Any:
        if value is None:
            raise PydanticUseDefault()
        return function(value)

    return PlainValidator(run)


FROM_FILE = "from_file"


def from_file(info: ValidationInfo) -> bool:
    """Whether the value being validated was read from a file (the spine's loader says so), so
    the file's shorthands apply; a model built in code is taken as given."""
    return bool(info.context and info.context.get(FROM_FILE))


def read_text(value: Any, choices: Collection[str] = ()) -> str:
    if not isinstance(value, str) or not value.strip():
        raise located((), "must be a non-empty string")
    if choices and value not in choices:
        raise located((), f"must be one of: {', '.join(choices)}")
    return value.strip()


def text(choices: Collection[str] = ()) -> PlainValidator:
    """A non-empty string (stripped), optionally one of `choices`."""
    return check(lambda value: read_text(value, choices))


NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
NAME_RULE = "use lower-case letters, digits, '-', '_' or '.'"


def _identifier(value: Any) -> str:
    name = read_text(value)
    if not NAME_RE.match(name):
        raise located((), NAME_RULE)
    return name


def http_url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"must be an http(s) URL, got {url!r}"
    return None


def _http_url(value: Any) -> str:
    url = read_text(value)
    if problem := http_url_problem(url):
        raise located((), problem)
    return url


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise located((), "must be true or false")
    return value


def flag() -> PlainValidator:
    """true or false; an empty value is no boolean either."""
    return PlainValidator(_flag)


def number(minimum: float = 0, integer: bool = False) -> PlainValidator:
    def read(value: Any) -> float | int:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            kind = "an integer" if integer else "a number"
            raise located((), f"must be {kind} >= {minimum}")
        if integer and not isinstance(value, int):
            raise located((), "must be an integer")
        return value

    return check(read)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)?\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, None: 1}


def parse_duration(value: Any) -> float | None:
    """'90s', '15m', '48h', '2d', or a number of seconds -> seconds; None when not a duration."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value >= 0 else None
    if not isinstance(value, str):
        return None
    match = _DURATION.match(value)
    if not match:
        return None
    return float(match.group(1)) * _UNITS[match.group(2)]


def _duration(value: Any) -> float:
    seconds = parse_duration(value)
    if seconds is None:
        raise located((), "must be a duration such as 90s, 15m, 48h or 2d")
    return seconds


def duration() -> PlainValidator:
    """A duration in seconds; an empty value is no duration either."""
    return PlainValidator(_duration)


def read_names(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(x, str) and x for x in value):
        raise located((), "must be a string or a list of strings")
    return tuple(value)


def names() -> PlainValidator:
    """One string or a list of strings (an empty value is neither)."""
    return PlainValidator(read_names)


def identifier() -> PlainValidator:
    """A name other entries refer to (sources, crawl jobs, digests, channels)."""
    return check(_identifier)


def http_url() -> PlainValidator:
    return check(_http_url)
