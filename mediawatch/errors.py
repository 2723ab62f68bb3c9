"""Typed errors of the mediawatch package; only the CLI turns them into messages and exit codes."""


class MediawatchError(Exception):
    """Base class: every error the CLI reports as one line."""


class ConfigError(MediawatchError):
    """A YAML file is missing, unreadable or invalid; names the file, line and key."""

    def __init__(self, path, line, key, message):
        self.path = str(path)
        self.line = line
        self.key = key
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {key}: {message}" if key else f"{where}: {message}")
