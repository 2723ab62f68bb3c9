"""Watchlist -> compiled matcher -> matches. Imports neither Scrapy nor SQL."""
