"""Scrapy settings for the gxcrawl spiders.

The defaults are those of a polite crawler of government sites whose rate
limits are unknown: robots.txt obeyed, AutoThrottle, two requests at a time
per host, an honest User-Agent, retries with backoff, a download timeout.
The gxcrawl settings are documented where they are read:
GXCRAWL_DB and GXCRAWL_ARCHIVE (pipelines/store.py),
GXCRAWL_MAX_ATTACHMENT_BYTES (spiders/henan), RETRY_BACKOFF_* (spiders/middlewares.py),
the monitors' thresholds GXCRAWL_MAX_ERROR_RATE, GXCRAWL_MAX_ERRORS and
GXCRAWL_MIN_LISTED_RATIO (spiders/monitors.py), GXCRAWL_REDIS_URL and
GXCRAWL_WORKER_IDLE_SECONDS (spiders/distributed.py).
"""

from spiders.browser import launch_options

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
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "spiders.middlewares.PortalRedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "spiders.middlewares.PortalMetaRefreshMiddleware": 580,
    "spiders.middlewares.BackoffRetryMiddleware": 550,
    # After the cookie middleware (700) on the way in, before it on the way out.
    "spiders.browser.ChallengeMiddleware": 750,
}

# A browser only where plain HTTP cannot go (spiders/browser.py). scrapy-playwright's handler
# passes plain requests to Scrapy's own; Chromium is launched on the first request that needs it.
DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = launch_options()
PLAYWRIGHT_MAX_CONTEXTS = 1
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
PLAYWRIGHT_ABORT_REQUEST = "spiders.browser.abort_request"
PLAYWRIGHT_PROCESS_REQUEST_HEADERS = "spiders.browser.browser_headers"
ITEM_PIPELINES = {
    "pipelines.parse.ParsePipeline": 200,
    "pipelines.dedupe.DedupePipeline": 400,
    "pipelines.store.StorePipeline": 500,
}
# With GXCRAWL_REDIS_URL (or REDIS_URL) set, the crawl is one worker of a distributed crawl (spiders/distributed.py).
ADDONS = {"spiders.distributed.Distributed": 0}
# Close-of-crawl monitors: their verdict is the crawl's exit status (spiders/monitors.py).
SPIDERMON_ENABLED = True
EXTENSIONS = {"spidermon.contrib.scrapy.extensions.Spidermon": 500}
SPIDERMON_SPIDER_CLOSE_MONITORS = ("spiders.monitors.CloseMonitors",)
GXCRAWL_DB = "output/gxcrawl.db"
# Attachments reach tens of MB when scanned; the parser refuses documents over 50 MB anyway.
GXCRAWL_MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
# No remote consoles on a crawler that runs unattended.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
