"""Reads sources.yaml into the scrapers room's model (mediawatch.scrapers.sources)."""

from __future__ import annotations

from pathlib import Path

from mediawatch.scrapers.sources import SourcesConfig, SourcesFile
from mediawatch.yamlfile import YamlDoc, load_yaml, validate


def load_sources(path: Path) -> SourcesConfig:
    return parse_sources(load_yaml(path))


def parse_sources(doc: YamlDoc) -> SourcesConfig:
    found = validate(doc, SourcesFile)
    return SourcesConfig(doc.path, found.crawler, found.sources)
