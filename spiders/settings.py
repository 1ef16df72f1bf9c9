"""Scrapy settings for the gxcrawl spiders.

Each setting here is one a portal operator would expect of a polite crawler;
the spiders and pipelines document the settings of their own where they read them.
"""

BOT_NAME = "gxcrawl"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

ROBOTSTXT_OBEY = True
USER_AGENT = "gxcrawl/0.1 (+https://github.com/gxcrawl/gxcrawl; research crawler of annual disclosure reports)"
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
FEED_EXPORT_ENCODING = "utf-8"
