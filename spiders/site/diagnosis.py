"""What gxcrawl sees of a column's list page (`scrapy doctor URL`), for a person adding a site.

One page is read as `scrapy crawl site` reads it: the CMS family its pager
belongs to, the size the page declares, the further list pages it points to,
its report links, and how many entries (links to article pages) it shows.
When the page shows less than it declares and points to no further page, or
shows nothing (a list a script loads), it is rendered in the browser as the
crawl would, and the report says which interface was learnt (the request, its
page parameter, where the records are) or why none could be. The report ends
with a `sources.yaml` entry ready to paste.
"""

from dataclasses import dataclass, field

import yaml

from spiders.interface import Learning
from spiders.site.pagers import Declared
from spiders.titles import names_a_report

#: How many report links the report lists.
SHOWN_REPORTS = 10


@dataclass
class Diagnosis:
    url: str
    status: int
    #: The page's own title, a name for the source.
    title: str
    family: str
    declared: Declared
    further: list[str] = field(default_factory=list)
    #: (title, url) of the page's report links.
    reports: list[tuple[str, str]] = field(default_factory=list)
    entries: int = 0
    #: What this page alone falls short of what it declares (the spider's `ColumnWalk.shortfall`).
    shortfall: str | None = None
    #: What the browser taught of the interface a script loads the list from, when the page needed it.
    learning: Learning | None = None

    def shows_less_than_declared(self) -> bool:
        """It falls short and points to no further page that could make up the difference."""
        return self.shortfall is not None and not self.further

    def complete(self) -> bool:
        """Whether a crawl would see the list whole, as far as one page and its interface can tell."""
        if self.learning is not None:
            return self.learning.interface is not None and bool(self.learning.seen)
        return bool(self.reports) and not self.shows_less_than_declared()

    def text(self) -> str:
        lines = [
            f"list page    {self.url} (HTTP {self.status})",
            f"CMS family   {self.family}",
            f"declared     {self._declared()}",
            f"further      {len(self.further)} list pages"
            + (f": {', '.join(self.further[:3])}" + (" …" if len(self.further) > 3 else "") if self.further else ""),
            f"entries      {self.entries} links to article pages on this page",
            f"reports      {len(self.reports)} annual report links on this page",
        ]
        lines += [f"  {title}  {url}" for title, url in self.reports[:SHOWN_REPORTS]]
        if len(self.reports) > SHOWN_REPORTS:
            lines.append(f"  … and {len(self.reports) - SHOWN_REPORTS} more")
        if self.learning is not None:
            lines += self._learning()
        elif self.shows_less_than_declared():
            lines.append(
                f"warning      the page {self.shortfall} and points to no further page: its other "
                "pages are probably loaded by a script, and no browser was at hand to learn how; a crawl "
                "of it would be partial and fail"
            )
        elif not self.reports:
            lines.append(
                "warning      no link on this page names an annual report (「…政府信息公开工作年度报告」): "
                "is this the column's list page?"
            )
        entry = {"name": self.title} if self.title else {}
        entry["url"] = self.url
        if self.family not in ("single", "next", "index"):
            entry["cms"] = self.family
        lines += [
            "",
            "sources.yaml entry (add region and agency where the titles do not name them):",
            yaml.safe_dump([entry], allow_unicode=True, sort_keys=False).rstrip(),
        ]
        return "\n".join(lines)

    def _learning(self) -> list[str]:
        learning = self.learning
        if learning.interface is None:
            return [
                f"interface    none learnt: {learning.why_not}",
                "warning      a crawl of this column would see only what the page's HTML shows: partial, and it fails",
            ]
        reports = sum(1 for record in learning.seen.values() if names_a_report(record.title))
        lines = [
            f"interface    {learning.interface.describe()}",
            f"             the browser saw it answer {len(learning.seen)} records ({reports} annual reports)"
            + (f" of the {learning.total} it declares" if learning.total is not None else "")
            + "; a crawl walks it with plain HTTP and keeps it for the next run",
        ]
        lines += [
            f"  {record.title}  {record.url}" for record in learning.seen.values() if names_a_report(record.title)
        ][:SHOWN_REPORTS]
        return lines

    def _declared(self) -> str:
        size = self.declared
        parts = [
            f"{size.records} records" if size.records is not None else None,
            f"{size.per_page} a page" if size.per_page else None,
            f"{size.page_count} pages" if size.page_count else None,
        ]
        return ", ".join(part for part in parts if part) or "nothing (the page does not say how big its list is)"
