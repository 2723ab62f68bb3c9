"""The `mediawatch` command. The one place that turns typed errors into messages and exit codes."""

from __future__ import annotations

import importlib
import sqlite3
import sys

import click

from mediawatch.db import ArchiveError
from mediawatch.errors import MediawatchError
from mediawatch.scrapers.sources import UnknownSourceError

# Each area keeps its commands in mediawatch/commands/<area>.py, exposing `register(group)`.
COMMAND_MODULES = (
    "crawl",
    "extract",
    "match",
    "archive",
    "alerts",
    "service",
    "demo",
    "config",
    "history",
    "cluster",
)

EXIT_ERROR = 1
EXIT_USAGE = 2


class Group(click.Group):
    """Reports package errors as one line on stderr instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (MediawatchError, ArchiveError, UnknownSourceError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        except sqlite3.Error as exc:
            click.echo(f"error: archive: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        except _extra_errors() as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_ERROR)


def _extra_errors() -> tuple[type[BaseException], ...]:
    """Typed errors of the other packages (matcher, alerts), when they are installed."""
    found: list[type[BaseException]] = []
    for module, name in (
        ("mediawatch.matcher", "WatchlistError"),
        ("mediawatch.alerts", "AlertError"),
    ):
        try:
            found.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            continue
    return tuple(found)


@click.group(cls=Group)
@click.version_option(package_name="mediawatch")
@click.option(
    "--config-dir",
    envvar="MEDIAWATCH_CONFIG_DIR",
    type=click.Path(file_okay=False),
    help="Folder with sources.yaml, watchlist.yaml, schedules.yaml (default: the checkout).",
)
@click.option(
    "--db",
    "db_file",
    envvar="MEDIAWATCH_DB",
    type=click.Path(dir_okay=False),
    help="Archive file (default: db/mediawatch.db in the checkout).",
)
@click.pass_context
def main(ctx: click.Context, config_dir: str | None, db_file: str | None) -> None:
    """Collect news, flag watched topics, archive in SQLite, send digests."""
    from mediawatch import config

    ctx.ensure_object(dict)
    ctx.obj["config_dir"] = config.config_dir(config_dir)
    ctx.obj["db_path"] = config.db_path(db_file)


for _name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(f"mediawatch.commands.{_name}")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"mediawatch.commands.{_name}":
            raise
        continue
    _module.register(main)


def _late_option(key: str, convert):
    """Stores a value given after the subcommand where the group's option would have put it."""

    def store(ctx: click.Context, _param, value):
        if value is not None:
            ctx.find_root().obj[key] = convert(value)
        return value

    return store


def _accept_global_options(command: click.Command) -> None:
    """`mediawatch status --db x` means what `mediawatch --db x status` means."""
    from mediawatch import config

    taken = {opt for p in command.params for opt in getattr(p, "opts", ())}
    if "--config-dir" not in taken:
        command.params.append(
            click.Option(
                ["--config-dir", "late_config_dir"],
                type=click.Path(file_okay=False),
                expose_value=False,
                callback=_late_option("config_dir", config.config_dir),
                help="As `mediawatch --config-dir`, given after the command.",
            )
        )
    if "--db" not in taken:
        command.params.append(
            click.Option(
                ["--db", "late_db"],
                type=click.Path(dir_okay=False),
                expose_value=False,
                callback=_late_option("db_path", config.db_path),
                help="As `mediawatch --db`, given after the command.",
            )
        )
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _accept_global_options(sub)


for _command in main.commands.values():
    _accept_global_options(_command)


if __name__ == "__main__":
    main()
