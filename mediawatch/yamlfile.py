"""YAML loading that remembers the line of every key, so config errors can name file, line and key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from mediawatch.errors import ConfigError
from mediawatch.matcher.configmodel import (  # noqa: F401 (parse_duration: for the spine)
    FROM_FILE,
    NAME_RE,
    NAME_RULE,
    first_error,
    parse_duration,
)

KeyPath = tuple[Any, ...]
M = TypeVar("M", bound=BaseModel)


def key_text(path: KeyPath) -> str:
    """Render ("sources", 3, "url") as "sources[3].url"."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass
class YamlDoc:
    """A parsed YAML file plus the line of each key path; `error()` builds a located ConfigError."""

    path: Path
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line_of(self, keypath: KeyPath) -> int | None:
        keypath = tuple(keypath)
        while keypath:
            if keypath in self.lines:
                return self.lines[keypath]
            keypath = keypath[:-1]
        return self.lines.get((), None)

    def error(self, keypath: KeyPath, message: str) -> ConfigError:
        return ConfigError(self.path, self.line_of(keypath), key_text(tuple(keypath)), message)


# A YAML file may use anchors and aliases (`&defaults` ... `*defaults`) to share a block, but an alias
# is a pointer that the file's reader copies out: nine aliases of nine aliases of ... make gigabytes
# from a few hundred bytes. Everything is counted on the node graph, before any Python object is
# built, so a bomb costs what its text costs and the error names the line of the alias.
MAX_ALIAS_NODES = 10_000  # nodes that all the aliases of one file may add, copies counted
MAX_DEPTH = 64  # nesting of mappings and lists
MAX_YAML_BYTES = 5 * 1024 * 1024  # one configuration file (as watchlist.yaml's own limit)


def load_yaml(path: Path, max_bytes: int = MAX_YAML_BYTES) -> YamlDoc:
    path = Path(path)
    try:
        with path.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise ConfigError(path, None, None, "file not found") from None
    except OSError as exc:
        raise ConfigError(path, None, None, f"cannot read: {exc}") from None
    if len(raw) > max_bytes:
        most = f"{max_bytes / 2**20:g} MiB" if max_bytes >= 2**20 else f"{max_bytes:,} bytes"
        raise ConfigError(path, None, None, f"larger than {most}; split or shorten it")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(path, None, None, f"cannot read: {exc}") from None
    return parse_yaml(text, path)


# libyaml's scanner and parser (C, several times faster) where PyYAML has them; the composer stays
# PyYAML's Python one, so that every node passes through compose_node below.
try:
    from yaml import _yaml as _libyaml  # where yaml.cyaml takes CParser from

    _C_PARSER: type[_libyaml.CParser] | None = _libyaml.CParser
except ImportError:  # PyYAML built without libyaml
    _C_PARSER = None
_PARSING: tuple[type, ...] = (
    (_C_PARSER,)
    if _C_PARSER is not None
    else (yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser)
)


# mypy cannot follow bases chosen at import time (libyaml's parser or PyYAML's Python one)
class _BoundedLoader(*_PARSING, yaml.composer.Composer, yaml.resolver.Resolver):  # type: ignore[misc]
    """PyYAML's composer, refusing recursive aliases, deep nesting and alias expansion beyond
    MAX_ALIAS_NODES while the node graph is built (aliases still share one node there)."""

    def __init__(self, stream: str) -> None:
        if _C_PARSER is not None:
            _C_PARSER.__init__(self, stream)
        else:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self._open: set[str] = set()  # anchors whose node is still being composed
        self._sizes: dict[int, int] = {}  # id(node) -> nodes it stands for, aliases expanded
        self._added = 0
        self._depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self._open:
                raise _Refused(event.start_mark, f"alias *{event.anchor} refers to itself")
            target = self.anchors.get(event.anchor)
            if target is not None:
                self._added += self._size(target)
                if self._added > MAX_ALIAS_NODES:
                    raise _Refused(
                        event.start_mark,
                        f"alias *{event.anchor}: aliases expand to more than "
                        f"{MAX_ALIAS_NODES:,} values in this file; write the values out "
                        "or share less",
                    )
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(event.start_mark, f"nested more than {MAX_DEPTH} levels deep")
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._open.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open.discard(anchor)

    def _size(self, node: yaml.Node) -> int:
        """Values `node` becomes once its aliases are copied out (memoised: a node is finished)."""
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        if isinstance(node, yaml.MappingNode):
            size = 1 + sum(self._size(k) + self._size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            size = 1 + sum(self._size(item) for item in node.value)
        else:
            size = 1
        self._sizes[id(node)] = size
        return size


class _Refused(Exception):
    def __init__(self, mark, message: str) -> None:
        super().__init__(message)
        self.line = mark.line + 1 if mark else None
        self.message = message


def parse_yaml(text: str, path: Path) -> YamlDoc:
    loader = _BoundedLoader(text)
    try:
        node = yaml.composer.Composer.get_single_node(loader)  # not CParser's own composer
    except _Refused as exc:
        raise ConfigError(path, exc.line, None, exc.message) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(path, mark.line + 1 if mark else None, None, problem) from None
    finally:
        loader.dispose()
    doc = YamlDoc(Path(path), None)
    if node is None:
        doc.data = {}
        return doc
    constructor = yaml.SafeLoader("")
    doc.data = _convert(node, (), doc, constructor)
    return doc


def _convert(node: yaml.Node, keypath: KeyPath, doc: YamlDoc, constructor: yaml.SafeLoader) -> Any:
    doc.lines.setdefault(keypath, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        keys: list[Any] = []
        seen: set[Any] = set()
        for key_node, _ in node.value:  # every key checked before any value is expanded
            if not isinstance(key_node, yaml.ScalarNode):
                raise ConfigError(
                    doc.path,
                    key_node.start_mark.line + 1,
                    key_text(keypath) or None,
                    "a key must be a plain value, not a list or mapping",
                )
            key = constructor.construct_object(key_node, deep=True)
            if key == "<<":
                raise doc.error(keypath, "YAML merge keys are not supported")
            if key in seen:
                raise ConfigError(
                    doc.path,
                    key_node.start_mark.line + 1,
                    key_text((*keypath, key)),
                    "duplicate key",
                )
            keys.append(key)
            seen.add(key)
            doc.lines[(*keypath, key)] = key_node.start_mark.line + 1
        return {
            key: _convert(value_node, (*keypath, key), doc, constructor)
            for key, (_, value_node) in zip(keys, node.value, strict=True)
        }
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, (*keypath, i), doc, constructor) for i, item in enumerate(node.value)
        ]
    return constructor.construct_object(node, deep=True)


def validate(doc: YamlDoc, model: type[M]) -> M:
    """The room's model of the file, validated; the first error, located on the line map."""
    try:
        return model.model_validate(doc.data, context={FROM_FILE: True, "path": doc.path})
    except ValidationError as exc:
        keypath, message = first_error(exc)
        raise doc.error(keypath, message) from None
