"""Scrapy settings for the gxcrawl spiders.

The defaults are those of a polite crawler of government sites whose rate
limits are unknown: robots.txt obeyed, AutoThrottle, two requests at a time
per host, an honest User-Agent, retries with backoff, a download timeout.
The gxcrawl settings are documented where they are read:
GXCRAWL_DB (pipelines/store.py), GXCRAWL_ARCHIVE (pipelines/archive.py),
GXCRAWL_MAX_ATTACHMENT_BYTES (spiders/henan), RETRY_BACKOFF_* (spiders/middlewares.py).
"""

BOT_NAME = "gxcrawl"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
COMMANDS_MODULE = "spiders.commands"

USER_AGENT = "gxcrawl/0.1 (+https://github.com/gxcrawl/gxcrawl; collects annual disclosure reports for research)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
# Pages are a few hundred KB; attachments get GXCRAWL_MAX_ATTACHMENT_BYTES instead.
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 60.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "spiders.middlewares.BackoffRetryMiddleware": 550,
}
ITEM_PIPELINES = {
    "pipelines.archive.ArchivePipeline": 100,
    "pipelines.parse.ParsePipeline": 200,
    "pipelines.check.CheckPipeline": 300,
    "pipelines.dedupe.DedupePipeline": 400,
    "pipelines.store.StorePipeline": 500,
}
GXCRAWL_DB = "output/gxcrawl.db"
# Attachments reach tens of MB when scanned; the parser refuses documents over 50 MB anyway.
GXCRAWL_MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
# No remote consoles on a crawler that runs unattended.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
