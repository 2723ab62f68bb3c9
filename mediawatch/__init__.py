"""mediawatch: collect news, flag watched topics, archive in SQLite, send digests."""

__version__ = "0.1.0"
