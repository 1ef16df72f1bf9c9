"""The Redis keys of a distributed crawl, in one place: the workers' (spiders/distributed.py, the export
pipeline) and the single writer's (`gxcrawl ingest`)."""

#: The workers' items, waiting for `gxcrawl ingest`; the one it is storing; those it could not store (set
#: aside, instead of blocking every one behind them).
ITEMS = "gxcrawl:items"
PROCESSING = "gxcrawl:items:processing"
DEAD_LETTERS = "gxcrawl:items:failed"


class Keys:
    """The keys of one spider's distributed crawl; `worker` names this worker's own."""

    def __init__(self, spider: str, worker: str = ""):
        prefix = f"gxcrawl:{spider}"
        self.requests = f"{prefix}:requests"
        self.unreadable = f"{prefix}:requests:failed"
        self.dupefilter = f"{prefix}:dupefilter"
        self.seeded = f"{prefix}:seeded"
        self.totals = f"{prefix}:totals"
        self.claims_prefix = f"{prefix}:claims:"
        self.claims = self.claims_prefix + worker
        self.worker_prefix = f"{prefix}:worker:"
        self.worker = self.worker_prefix + worker


#: scrapy-redis's own settings, which it fills with the spider's name.
SCHEDULER_KEYS = Keys("%(spider)s")
