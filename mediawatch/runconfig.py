"""The daemon's configuration: the three YAML files, validated together, frozen in a snapshot.

Crawl subprocesses read sources.yaml and watchlist.yaml themselves, so the daemon hands them a
private copy of the files it validated: a broken edit followed by SIGHUP (or no SIGHUP at all)
never reaches a crawl, and the daemon keeps running on the last good configuration.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mediawatch import config
from mediawatch.errors import ConfigError
from mediawatch.schedules import CrawlJob, Schedules, check_references, job_sources, load_schedules
from mediawatch.scrapers.sources import SourcesConfig

SNAPSHOT_FILES = (config.SOURCES_FILE, config.WATCHLIST_FILE, config.SCHEDULES_FILE)


@dataclass(frozen=True)
class RunConfig:
    origin: Path  # the user's config folder
    folder: Path  # the validated copy that crawls read
    sources: SourcesConfig
    schedules: Schedules
    topics: frozenset[str]

    def crawl_job(self, name: str) -> CrawlJob | None:
        return next((j for j in self.schedules.crawls if j.name == name), None)

    def job_sources(self, job: CrawlJob) -> list[str]:
        """The enabled sources a crawl job names (directly or by tag), in sources.yaml order."""
        return [s.name for s in job_sources(job, self.sources)]

    def watched_sources(self) -> list[str]:
        """Enabled sources that some crawl job polls (the ones whose health is watched)."""
        names: dict[str, None] = {}
        for job in self.schedules.crawls:
            names.update(dict.fromkeys(self.job_sources(job)))
        return list(names)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def load(origin: Path, snapshot_root: Path) -> RunConfig:
    """Copy, then validate the copies (errors still name the user's files); ConfigError if any
    of the three files is invalid or they disagree (unknown source, topic, too-fast schedule)."""
    origin = Path(origin)
    folder = Path(tempfile.mkdtemp(prefix="config-", dir=snapshot_root))
    try:
        for name in SNAPSHOT_FILES:
            try:
                shutil.copyfile(origin / name, folder / name)
            except FileNotFoundError:
                raise ConfigError(origin / name, None, None, "file not found") from None
            except OSError as exc:
                raise ConfigError(origin / name, None, None, f"cannot read: {exc}") from None
        try:
            sources = config.load_sources(folder)
            config.load_watchlist(folder)  # compiled to validate it, then dropped
            topics = _topics(folder / config.WATCHLIST_FILE)
            # templates: in schedules.yaml are relative to the user's folder
            schedules = load_schedules(origin / config.SCHEDULES_FILE)
            check_references(schedules, sources, topics)
        except ConfigError as exc:
            raise _relocated(exc, folder, origin) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return RunConfig(origin, folder, sources, schedules, topics)


def _topics(path: Path) -> frozenset[str]:
    from mediawatch.yamlfile import load_yaml

    data = load_yaml(path).data
    topics = data.get("topics") if isinstance(data, dict) else None
    return frozenset(str(t) for t in topics) if isinstance(topics, dict) else frozenset()


def _relocated(exc: ConfigError, folder: Path, origin: Path) -> ConfigError:
    """The same error, naming the user's file instead of the snapshot copy."""
    path = Path(exc.path)
    if path.parent == folder:
        path = origin / path.name
    message = exc.message.replace(str(folder), str(origin))
    return ConfigError(path, exc.line, exc.key, message)
