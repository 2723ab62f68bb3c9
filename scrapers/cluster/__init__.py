"""Crawling past one machine: workers share a Redis frontier (scrapy-redis), one archive writer.

Imported only when a cluster is configured: the single-machine mode never loads redis.
"""
