"""Keep every fetched document's raw bytes, content-addressed, before anything else happens to it."""

from gxcrawl.archive import Archive, beside
from spiders.items import ReportItem


class ArchivePipeline:
    """Setting GXCRAWL_ARCHIVE: the archive's folder (default: `archive/` beside GXCRAWL_DB)."""

    def __init__(self, root: str):
        self.archive = Archive(root)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(settings.get("GXCRAWL_ARCHIVE") or str(beside(settings.get("GXCRAWL_DB", "output/gxcrawl.db"))))

    def process_item(self, item):
        if isinstance(item, ReportItem):
            for document in item.documents:
                document["sha256"] = self.archive.put(document["body"])
            item.fetch.documents = [{key: document[key] for key in ("url", "sha256", "content_type")}
                                    for document in item.documents]
            # How the page was read, for `gxcrawl reparse`.
            item.fetch.documents[0]["content_selectors"] = list(item.content_selectors)
        return item
