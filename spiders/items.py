"""What a spider hands to the pipelines: one report page and the documents it holds, a page that
could not be fetched, and what was learnt of a list's interface."""

from dataclasses import dataclass, field

from gxcrawl.model import Fetch


@dataclass
class ReportItem:
    #: Where the report was found and what the portal says of it (source, URL, id, dates, region…);
    #: its `documents` metadata is filled in when it is recorded (gxcrawl.recording).
    fetch: Fetch
    title: str | None = None
    #: {url, body, content_type} of the page and of its attachments.
    documents: list[dict] = field(default_factory=list)
    #: Attachments that could not be downloaded: {url, error}.
    errors: list[dict] = field(default_factory=list)
    #: CSS selectors of the report's block on this portal's pages.
    content_selectors: tuple[str, ...] = ()
    #: The parsed report (gxcrawl.report.Report), set by the parse pipeline.
    report: object = None


@dataclass
class FetchFailure:
    """A page that could not be fetched, even after retries: it is recorded, not lost silently."""

    source: str
    url: str
    error: str
    #: What the list said of the report the page holds (agency, year, region, date), when it is one.
    fetch: Fetch | None = None
    title: str | None = None
    #: The HTTP status the page was last answered with; None when no answer came.
    status: int | None = None


@dataclass
class PageUnchanged:
    """A stored report page that the portal says has not changed since (HTTP 304 to a recheck)."""

    source: str
    url: str


@dataclass
class InterfaceLearnt:
    """How a column's script-loaded list answers (spiders/interface.py), to keep for the next run."""

    list_url: str
    interface: str
    description: str


@dataclass
class InterfaceRetired:
    """A list's kept interface stopped working: it is marked so, with the reason, and learnt again."""

    list_url: str
    why: str
