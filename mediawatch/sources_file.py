"""Edit sources.yaml in place (`mediawatch sources add / disable / enable`), keeping its comments,
order, quoting and layout: ruamel.yaml round-trips the file, and the result is validated like any
other load before it replaces the file (never a half-written or invalid sources.yaml)."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from mediawatch.errors import MediawatchError
from mediawatch.sources import SourcesConfig, parse_sources
from mediawatch.yamlfile import parse_yaml


class SourcesFileError(MediawatchError):
    """sources.yaml cannot be changed as asked (unknown source, name taken, ...)."""


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip mode: comments, key order and flow style survive
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line the user wrote on one
    yaml.indent(mapping=2, sequence=4, offset=2)  # "  - {name: ...}" as the shipped files have it
    return yaml


def _edit(path: Path, change) -> SourcesConfig:
    path = Path(path)
    yaml = _yaml()
    text = path.read_text(encoding="utf-8")
    data = yaml.load(text)
    change(data)
    out = io.StringIO()
    yaml.dump(data, out)
    new_text = out.getvalue()
    checked = parse_sources(parse_yaml(new_text, path))  # raises, naming file:line: key
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as fh:
            fh.write(new_text)
        os.chmod(temp, path.stat().st_mode & 0o777)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return checked


def append_source(path: Path, entry: dict[str, Any]) -> SourcesConfig:
    """Add one source at the end of `sources:`, on one line like the shipped entries."""
    from ruamel.yaml.comments import CommentedMap

    def change(data) -> None:
        sources = data.get("sources")
        if any(s.get("name") == entry["name"] for s in sources or []):
            raise SourcesFileError(f"{path}: a source named {entry['name']!r} exists already")
        item = CommentedMap(entry)
        item.fa.set_flow_style()
        sources.append(item)

    return _edit(path, change)


def set_enabled(path: Path, name: str, enabled: bool) -> SourcesConfig:
    """enabled: false to disable; enabling removes the key again (enabled is the default)."""

    def change(data) -> None:
        sources = data.get("sources") or []
        found = [s for s in sources if s.get("name") == name]
        if not found:
            known = ", ".join(str(s.get("name")) for s in sources)
            raise SourcesFileError(f"{path}: no source named {name!r} (sources: {known})")
        item = found[0]
        if enabled:
            item.pop("enabled", None)
        else:
            item["enabled"] = False

    return _edit(path, change)
