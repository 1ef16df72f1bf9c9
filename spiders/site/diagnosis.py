"""What gxcrawl sees of a column's list page (`scrapy doctor URL`), for a person adding a site.

One page is read as `scrapy crawl site` reads it: the CMS family its pager
belongs to, the size the page declares, the further list pages it points to,
its report links, and how many entries (links to article pages) it shows. The
report ends with a `sources.yaml` entry ready to paste, and says plainly when
the page declares more than it shows (a list whose later pages a script
loads: the crawl would be `partial`).
"""

from dataclasses import dataclass, field

import yaml

from spiders.site.pagers import Declared

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

    def shows_less_than_declared(self) -> bool:
        """It falls short and points to no further page that could make up the difference."""
        return self.shortfall is not None and not self.further

    def text(self) -> str:
        lines = [f"list page    {self.url} (HTTP {self.status})",
                 f"CMS family   {self.family}",
                 f"declared     {self._declared()}",
                 f"further      {len(self.further)} list pages" + (f": {', '.join(self.further[:3])}"
                                                                   + (" …" if len(self.further) > 3 else "")
                                                                   if self.further else ""),
                 f"entries      {self.entries} links to article pages on this page",
                 f"reports      {len(self.reports)} annual report links on this page"]
        lines += [f"  {title}  {url}" for title, url in self.reports[:SHOWN_REPORTS]]
        if len(self.reports) > SHOWN_REPORTS:
            lines.append(f"  … and {len(self.reports) - SHOWN_REPORTS} more")
        if self.shows_less_than_declared():
            lines.append(f"warning      the page {self.shortfall} and points to no further page: its other "
                         "pages are probably loaded by a script, which gxcrawl cannot follow yet; a crawl of it "
                         "would be partial and fail")
        elif not self.reports:
            lines.append("warning      no link on this page names an annual report (「…政府信息公开工作年度报告」): "
                         "is this the column's list page?")
        entry = {"name": self.title} if self.title else {}
        entry["url"] = self.url
        if self.family not in ("single", "next", "index"):
            entry["cms"] = self.family
        lines += ["", "sources.yaml entry (add region and agency where the titles do not name them):",
                  yaml.safe_dump([entry], allow_unicode=True, sort_keys=False).rstrip()]
        return "\n".join(lines)

    def _declared(self) -> str:
        size = self.declared
        parts = [f"{size.records} records" if size.records is not None else None,
                 f"{size.per_page} a page" if size.per_page else None,
                 f"{size.page_count} pages" if size.page_count else None]
        return ", ".join(part for part in parts if part) or "nothing (the page does not say how big its list is)"
