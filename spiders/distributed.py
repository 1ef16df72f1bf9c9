"""Distributed crawling on scrapy-redis: one setting turns any gxcrawl spider into one of many workers.

Setting GXCRAWL_REDIS_URL (or scrapy-redis's own REDIS_URL): the Redis server
that the workers and `gxcrawl ingest` share. When it is set, the `Distributed`
add-on (ADDONS in settings.py) makes the crawl a worker:

- requests go through scrapy-redis: one queue and one duplicate filter for
  every worker, kept in Redis between runs (`gxcrawl:<spider>:requests`,
  `gxcrawl:<spider>:dupefilter`);
- a worker takes a request by moving it to its own claims list
  (`gxcrawl:<spider>:claims:<host>:<pid>`), and removes it from there once the
  response and every item it yielded are through the pipelines. Workers
  heartbeat (`gxcrawl:<spider>:worker:<host>:<pid>:<token>`, every 5 s, from
  a thread of their own, so that a long OCR does not silence them); the
  claims of one whose heartbeat stopped for GXCRAWL_WORKER_DEAD_SECONDS
  (killed, or its machine gone) are put back in the queue by the others, so
  nothing a dead worker held is lost. Requests that cannot be read back go to
  `gxcrawl:<spider>:requests:failed` with an error in the log;
- the start requests are seeded once, by the first worker to start
  (`gxcrawl:<spider>:seeded`, which names the crawl); the others take
  requests from the queue. Every worker reads the database when it can (for
  the refresh policy), but list pages are not walked one after the other, so
  a walk never stops early;
- a worker stays while the queue may still fill (others hold claims), and
  exits after GXCRAWL_WORKER_IDLE_SECONDS (default 30) of an empty queue
  with nothing claimed anywhere, so that cron can start workers and forget
  them. The last ones out clear the duplicate filter and the seed mark of
  their crawl (not of one seeded meanwhile): the next run starts afresh;
- the counts the close-of-crawl monitors judge a crawl by (reports listed,
  report pages fetched, failures, lost list pages…) are added up across the
  workers in Redis (`gxcrawl:<spider>:totals`), so that each worker's verdict
  is on the whole crawl: one worker that happened to read no list page is
  no failure;
- items are not stored: the export pipeline (pipelines/export.py) pushes them
  to Redis, and `gxcrawl ingest` (gxcrawl/ingest.py) is the single writer of
  the database.
"""

import logging
import threading
import time
import warnings

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, NotConfigured, ScrapyDeprecationWarning
from scrapy.statscollectors import MemoryStatsCollector
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.queue import FifoQueue
from twisted.internet.task import LoopingCall

from gxcrawl.ingest import worker_id
from gxcrawl.keys import SCHEDULER_KEYS, Keys
from pipelines.export import ExportPipeline
from pipelines.store import StorePipeline

logger = logging.getLogger(__name__)

#: Where a request taken from the queue keeps its claim: the bytes it was queued as.
CLAIM = "gxcrawl_claim"
HEARTBEAT_SECONDS = 5
POLL_SECONDS = 0.5
#: Clear a finished crawl's seed mark and duplicate filter, unless another crawl was seeded meanwhile.
_END_CRAWL = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    redis.call('DEL', KEYS[1], KEYS[2])
end
"""

# scrapy-redis 0.9 still passes `spider` to the stats collector; the warning would fill every worker's log.
warnings.filterwarnings("ignore", r"Passing a 'spider' argument to StatsCollector", ScrapyDeprecationWarning)


def redis_url(settings) -> str | None:
    return settings.get("GXCRAWL_REDIS_URL") or settings.get("REDIS_URL")


class Distributed:
    """The add-on: with GXCRAWL_REDIS_URL (or REDIS_URL) set, the crawl is a worker (see the module)."""

    def update_settings(self, settings) -> None:
        url = redis_url(settings)
        if not url:
            return
        settings.set("REDIS_URL", url, priority="addon")
        settings.set("SCHEDULER", "scrapy_redis.scheduler.Scheduler", priority="addon")
        settings.set("SCHEDULER_QUEUE_CLASS", "spiders.distributed.ClaimedQueue", priority="addon")
        settings.set("SCHEDULER_QUEUE_KEY", SCHEDULER_KEYS.requests, priority="addon")
        settings.set("SCHEDULER_DUPEFILTER_KEY", SCHEDULER_KEYS.dupefilter, priority="addon")
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", priority="addon")
        settings.set("SCHEDULER_PERSIST", True, priority="addon")
        settings.set("STATS_CLASS", "spiders.distributed.CrawlStats", priority="addon")
        settings.set("GXCRAWL_DISTRIBUTED", True, priority="addon")
        # Workers keep no archive and write no database: their items go to Redis for `gxcrawl ingest`.
        settings.replace_in_component_priority_dict("ITEM_PIPELINES", StorePipeline, ExportPipeline)
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", SeedOnce, 10)
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", Acknowledge, 20)
        settings.set_in_component_priority_dict("EXTENSIONS", Workers, 600)


class CrawlStats(MemoryStatsCollector):
    """This worker's stats, and under `gxcrawl/crawl/<name>` the whole crawl's totals of the counts in SHARED."""

    SHARED = (
        "gxcrawl/reports_listed",
        "gxcrawl/report_pages/requested",
        "gxcrawl/failures",
        "gxcrawl/failures/repeated",
        "gxcrawl/lists_lost",
        "gxcrawl/profile_mismatch",
        "gxcrawl/item_errors",
    )
    #: Set, not added: the page count the portal shows.
    SHARED_SET = ("gxcrawl/list_pages",)

    def __init__(self, crawler):
        super().__init__(crawler)
        self.crawler = crawler
        self.server = get_redis_from_settings(crawler.settings)
        self.totals: str | None = None

    def open_spider(self, spider=None):
        super().open_spider(spider)
        self.totals = Keys(self.crawler.spider.name).totals

    def inc_value(self, key, count=1, start=0, spider=None):
        super().inc_value(key, count, start)
        if key in self.SHARED and self.totals:
            self.server.hincrby(self.totals, key, count)

    def set_value(self, key, value, spider=None):
        super().set_value(key, value)
        if key in self.SHARED_SET and self.totals:
            self.server.hset(self.totals, key, value)

    def get_stats(self, spider=None):
        stats = dict(super().get_stats())
        if self.totals:
            stats.update(
                {
                    f"gxcrawl/crawl/{key.decode()[len('gxcrawl/') :]}": int(value)
                    for key, value in self.server.hgetall(self.totals).items()
                }
            )
        return stats


class ClaimedQueue(FifoQueue):
    """scrapy-redis's FIFO queue whose pop moves the request to this worker's claims list, atomically."""

    def push(self, request) -> None:
        request.meta.pop(CLAIM, None)  # a retry or a redirect of a claimed request is a request of its own
        super().push(request)

    def pop(self, timeout: int = 0):
        claims = Keys(self.spider.name, worker_id()).claims
        data = self.server.lmove(self.key, claims, "RIGHT", "LEFT")
        if data is None:
            return None
        try:
            request = self._decode_request(data)
        except Exception as error:  # noqa: BLE001 - queued by another version of gxcrawl, say
            keys = Keys(self.spider.name, worker_id())
            self.server.rpush(keys.unreadable, data)
            self.server.lrem(claims, 1, data)
            logger.error(
                "a queued request could not be read (%s: %s); it is kept in %s",
                type(error).__name__,
                error,
                keys.unreadable,
            )
            return None
        request.meta[CLAIM] = data
        return request


class SeedOnce:
    """Spider middleware: the start requests come from the first worker to start, once per crawl."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.server = get_redis_from_settings(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler):
        if not redis_url(crawler.settings):
            raise NotConfigured
        return cls(crawler)

    async def process_start(self, start):
        keys = Keys(self.crawler.spider.name, worker_id())
        if not self.server.set(keys.seeded, f"{worker_id()}@{time.time():.0f}", nx=True):
            logger.info(
                "this crawl was seeded by worker %s; taking requests from the shared queue",
                (self.server.get(keys.seeded) or b"?").decode(),
            )
            return
        self.server.delete(keys.totals)  # the last crawl's
        async for request in start:
            yield request


class Acknowledge:
    """Spider middleware: a claim is removed once its response and every item it yielded are through."""

    def __init__(self, crawler):
        self.server = get_redis_from_settings(crawler.settings)
        self.crawler = crawler
        self.outstanding: dict[bytes, int] = {}
        self.claim_of: dict[int, bytes] = {}
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self.item_done, signal=signal)

    @classmethod
    def from_crawler(cls, crawler):
        if not redis_url(crawler.settings):
            raise NotConfigured
        return cls(crawler)

    async def process_spider_output(self, response, result):
        claim = response.request.meta.get(CLAIM)
        if claim is None:
            async for output in result:
                yield output
            return
        self.outstanding[claim] = self.outstanding.get(claim, 0) + 1  # the callback itself, until it ends
        try:
            async for output in result:
                if not isinstance(output, Request):
                    self.outstanding[claim] += 1
                    self.claim_of[id(output)] = claim
                yield output
        finally:
            self.release(claim)

    def item_done(self, item, **kwargs) -> None:
        claim = self.claim_of.pop(id(item), None)
        if claim is not None:
            self.release(claim)

    def release(self, claim: bytes) -> None:
        self.outstanding[claim] -= 1
        if not self.outstanding[claim]:
            del self.outstanding[claim]
            self.server.lrem(Keys(self.crawler.spider.name, worker_id()).claims, 1, claim)


class Workers:
    """Extension: heartbeat, recovery of dead workers' claims, and when a worker may exit.

    Settings: GXCRAWL_WORKER_IDLE_SECONDS (default 30), how long a worker waits, with an empty
    queue and nothing claimed anywhere, before it exits; GXCRAWL_WORKER_DEAD_SECONDS (default 60),
    how long a worker may miss its heartbeat (every 5 s) before it is taken for dead and the
    requests it claimed are queued again.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.server = get_redis_from_settings(crawler.settings)
        self.idle_seconds = crawler.settings.getfloat("GXCRAWL_WORKER_IDLE_SECONDS", 30)
        self.dead_seconds = crawler.settings.getint("GXCRAWL_WORKER_DEAD_SECONDS", 60)
        self.beat_seconds = min(HEARTBEAT_SECONDS, self.dead_seconds / 3)
        self.idle_since: float | None = None
        self.keys: Keys | None = None
        #: The crawl this worker worked on: the seed mark's value.
        self.crawl: bytes | None = None
        self.beating = threading.Event()
        self.recovery = LoopingCall(self.watch)
        self.poll = LoopingCall(self.wake_when_queued)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        if not redis_url(crawler.settings):
            raise NotConfigured
        return cls(crawler)

    def spider_opened(self, spider) -> None:
        self.keys = Keys(spider.name, worker_id())
        self.server.ping()  # a wrong GXCRAWL_REDIS_URL fails here, at once
        self.beat()
        # Its own thread and connection: parsing runs on the reactor's thread and may take a while.
        threading.Thread(
            target=self.keep_beating,
            args=(get_redis_from_settings(self.crawler.settings),),
            daemon=True,
            name="gxcrawl-heartbeat",
        ).start()
        self.recovery.start(self.beat_seconds, now=False)
        self.poll.start(POLL_SECONDS, now=False)
        logger.info(
            "distributed worker %s on %s: %d requests queued, %d workers heartbeating",
            worker_id(),
            redis_url(self.crawler.settings),
            self.server.llen(self.keys.requests),
            len(self.live_workers()),
        )

    def beat(self, server=None) -> None:
        (server or self.server).set(self.keys.worker, str(time.time()), ex=self.dead_seconds)

    def keep_beating(self, server) -> None:
        self.beating.set()
        while self.beating.is_set():
            self.beat(server)
            time.sleep(self.beat_seconds)

    def watch(self) -> None:
        self.crawl = self.crawl or self.server.get(self.keys.seeded)
        self.recover_dead_claims()

    def wake_when_queued(self) -> None:
        """Scrapy asks an idle scheduler again only every 5 s (the engine's heartbeat); a worker that
        found the shared queue empty would sit out that long each time the others refill it."""
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and self.server.llen(self.keys.requests):
            slot.nextcall.schedule()

    def live_workers(self) -> set[str]:
        return {
            key.decode()[len(self.keys.worker_prefix) :]
            for key in self.server.scan_iter(match=self.keys.worker_prefix + "*")
        }

    def claims_lists(self) -> dict[str, str]:
        """Worker → its claims list's key, for every worker holding claims."""
        return {
            key.decode()[len(self.keys.claims_prefix) :]: key.decode()
            for key in self.server.scan_iter(match=self.keys.claims_prefix + "*")
        }

    def recover_dead_claims(self) -> None:
        live = self.live_workers() | {worker_id()}
        for worker, key in self.claims_lists().items():
            if worker in live:
                continue
            moved = 0
            while self.server.lmove(key, self.keys.requests, "LEFT", "RIGHT") is not None:
                moved += 1
            if moved:
                self.crawler.stats.inc_value("gxcrawl/distributed/recovered", moved)
                logger.warning(
                    "worker %s stopped heartbeating with %d requests claimed; they are queued again", worker, moved
                )

    def spider_idle(self, spider) -> None:
        # Idle here means everything this worker claimed is done: a leftover claim (an errback's) can go.
        self.server.delete(self.keys.claims)
        others_busy = any(self.server.llen(key) for worker, key in self.claims_lists().items() if worker != worker_id())
        if self.server.llen(self.keys.requests) or others_busy:
            self.idle_since = None
            raise DontCloseSpider
        self.idle_since = self.idle_since or time.monotonic()
        if time.monotonic() - self.idle_since < self.idle_seconds:
            raise DontCloseSpider
        # The crawl is over: the next run seeds a fresh one. Only this crawl's marks go, in one step:
        # a worker of the next crawl may have seeded it meanwhile.
        self.crawl = self.crawl or self.server.get(self.keys.seeded)
        if self.crawl:
            self.server.eval(_END_CRAWL, 2, self.keys.seeded, self.keys.dupefilter, self.crawl)
        logger.info(
            "the shared queue has been empty, with nothing claimed, for %.0f s: this worker is done", self.idle_seconds
        )

    def spider_closed(self, spider, reason) -> None:
        self.beating.clear()
        for loop in (self.recovery, self.poll):
            if loop.running:
                loop.stop()
        if self.keys:
            self.server.delete(self.keys.worker, self.keys.claims)
