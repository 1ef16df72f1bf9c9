"""What a spider hands to the pipelines: one report page and the documents it holds."""

from dataclasses import dataclass, field


@dataclass
class ReportItem:
    #: Which portal (the spider's profile source): the first part of a report's id.
    source: str
    url: str
    portal_id: int | None = None
    title: str | None = None
    #: Agency, region and year as the portal lists them (the report's own title wins).
    agency: str | None = None
    region: str | None = None
    area_code: str | None = None
    year: int | None = None
    published: str | None = None
    #: {url, body, content_type} of the page and, when it holds no report, its attachments.
    documents: list[dict] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
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
