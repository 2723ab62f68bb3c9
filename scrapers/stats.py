"""Names of mediawatch's counters in Scrapy's stats collector (crawler.stats).

The pipeline counts there, not on the spider; the run recorder, the progress board, backfill
progress and the crawl summary read them back, and Scrapy's stats dump shows them.
"""

NEW_ARTICLES = "mediawatch/new_articles"
DUPLICATES = "mediawatch/duplicates"
GNEWS_RESOLVED = "mediawatch/gnews_resolved"
GNEWS_UNRESOLVED = "mediawatch/gnews_unresolved"
BROWSER_RESTARTS = "mediawatch/browser_restarts"
CLUSTER_PAGES = "mediawatch/cluster_pages"  # responses a cluster worker handled
