"""The `mediawatch` command. The one place that turns typed errors into messages and exit codes."""

from __future__ import annotations

import sqlite3
import sys

import click

import mediawatch.commands.alerts
import mediawatch.commands.archive
import mediawatch.commands.cluster
import mediawatch.commands.config
import mediawatch.commands.crawl
import mediawatch.commands.demo
import mediawatch.commands.extract
import mediawatch.commands.history
import mediawatch.commands.match
import mediawatch.commands.service
from mediawatch.alerts.errors import AlertError
from mediawatch.db import ArchiveError
from mediawatch.errors import MediawatchError
from mediawatch.matcher.errors import WatchlistError
from mediawatch.scrapers.sources import UnknownSourceError

# Each area keeps its commands in mediawatch/commands/<area>.py, exposing `register(group)`;
# the order is the order of `mediawatch --help`.
COMMAND_MODULES = (
    mediawatch.commands.crawl,
    mediawatch.commands.extract,
    mediawatch.commands.match,
    mediawatch.commands.archive,
    mediawatch.commands.alerts,
    mediawatch.commands.service,
    mediawatch.commands.demo,
    mediawatch.commands.config,
    mediawatch.commands.history,
    mediawatch.commands.cluster,
)

EXIT_ERROR = 1


class Group(click.Group):
    """Reports package errors as one line on stderr instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (
            MediawatchError,
            ArchiveError,
            UnknownSourceError,
            WatchlistError,
            AlertError,
        ) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        except sqlite3.Error as exc:
            click.echo(f"error: archive: {exc}", err=True)
            sys.exit(EXIT_ERROR)


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


for _module in COMMAND_MODULES:
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
    for flag, key, path_type, convert in (
        ("--config-dir", "config_dir", click.Path(file_okay=False), config.config_dir),
        ("--db", "db_path", click.Path(dir_okay=False), config.db_path),
    ):
        if flag not in taken:
            command.params.append(
                click.Option(
                    [flag, f"late_{key}"],
                    type=path_type,
                    expose_value=False,
                    callback=_late_option(key, convert),
                    help=f"As `mediawatch {flag}`, given after the command.",
                )
            )
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _accept_global_options(sub)


for _command in main.commands.values():
    _accept_global_options(_command)


if __name__ == "__main__":
    main()
