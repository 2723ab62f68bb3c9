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
from typing import Annotated, Any, ClassVar, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError, PydanticUseDefault

Loc = tuple[Any, ...]
T = TypeVar("T")
M = TypeVar("M", bound="ConfigModel")
ERROR_TYPE = "config"


def located(loc: Loc, message: str) -> PydanticCustomError:
    """An error naming `loc` below the value being validated (raise it from any validator)."""
    return PydanticCustomError(ERROR_TYPE, "{message}", {"message": message, "loc": tuple(loc)})


def first_error(exc: ValidationError) -> tuple[Loc, str]:
    """The key path and one-line message of a validation's first error."""
    error = exc.errors(include_url=False)[0]
    ctx = error.get("ctx") or {}
    loc = (*error["loc"], *ctx.get("loc", ()))
    if error["type"] == ERROR_TYPE:
        return loc, str(ctx["message"])
    if error["type"] == "missing":
        return loc, "is required"
    return loc, error["msg"]  # pydantic's own wording, for a type no check here covers


def within(loc: Loc, validate: Callable[[], T]) -> T:
    """Run a nested validation whose errors belong under `loc` (a mapping's key, say)."""
    try:
        return validate()
    except ValidationError as exc:
        inner, message = first_error(exc)
        raise located((*loc, *inner), message) from None
    except PydanticCustomError as exc:
        raise located((*loc, *(exc.context or {}).get("loc", ())), exc.message()) from None


def section(model: type[M]) -> PlainValidator:
    """A nested section validated with the file's context; empty means all defaults."""

    def run(value: Any, info: ValidationInfo) -> M:
        return model.model_validate({} if value is None else value, context=info.context)

    return PlainValidator(run)


class ConfigModel(BaseModel):
    """A mapping of known keys; anything else is an error naming the key and the allowed ones.

    `extra_keys` lists keys a model reads in a validator of its own rather than as fields."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, arbitrary_types_allowed=True)
    extra_keys: ClassVar[Collection[str]] = ()

    @classmethod
    def allowed_keys(cls, internal: bool = False) -> set[str]:
        """Keys a file may hold; with `internal`, also the excluded fields code sets (a
        channel's name, taken from its key in the file)."""
        keys = {
            f.alias or name for name, f in cls.model_fields.items() if internal or not f.exclude
        }
        return keys | set(cls.extra_keys) | ({*cls.model_fields} if internal else set())

    @model_validator(mode="before")
    @classmethod
    def _mapping_of_known_keys(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(data, BaseModel):
            return data
        if not isinstance(data, dict):
            raise located((), "must be a mapping")
        allowed = cls.allowed_keys(internal=not from_file(info))
        for key in data:
            if key not in allowed:
                shown = cls.allowed_keys()
                raise located((key,), f"unknown key (allowed: {', '.join(sorted(shown))})")
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


def shared(info: ValidationInfo) -> dict[str, Any]:
    """The validation's context: the loader sets FROM_FILE and "path" (the file's); a model may
    leave values there for the sections validated after it (a file's channels, time zone)."""
    return info.context if isinstance(info.context, dict) else {}


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


def read_duration(value: Any) -> float:
    seconds = parse_duration(value)
    if seconds is None:
        raise located((), "must be a duration such as 90s, 15m, 48h or 2d")
    return seconds


def duration() -> PlainValidator:
    """A duration in seconds; an empty value is no duration either."""
    return PlainValidator(read_duration)


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


def unique_names(what: str) -> AfterValidator:
    """Entries of a list whose `name`s must differ ("duplicate digest name 'x'")."""

    def run(items: tuple[Any, ...]) -> tuple[Any, ...]:
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.name in seen:
                raise located((i, "name"), f"duplicate {what} name {item.name!r}")
            seen.add(item.name)
        return items

    return AfterValidator(run)


def listed(message: str = "must be a list") -> BeforeValidator:
    """A list (an empty value: none)."""

    def run(value: Any) -> Any:
        if value is None:
            return []
        if not isinstance(value, list):
            raise located((), message)
        return value

    return BeforeValidator(run)


# The field types most models use.
Text = Annotated[str, text()]
OptionalText = Annotated[str | None, text()]
Flag = Annotated[bool, flag()]
Seconds = Annotated[float, duration()]
Count = Annotated[int, number(1, integer=True)]
Url = Annotated[str, http_url()]
Identifier = Annotated[str, identifier()]
