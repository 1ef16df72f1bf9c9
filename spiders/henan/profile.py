"""The Henan portal, as data: everything the spider knows of its markup and paths.

When the live site changes, this is the one place to edit
(../shared/spec/portal-model.md describes the model it was written against).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class PortalProfile:
    source: str
    base_url: str
    #: List pages: `list_path?page=N[&year=][&area=]`.
    list_path: str
    #: Whether lists show the newest reports first, so that a refresh may stop at the first page of known ones.
    list_newest_first: bool
    page_size: int
    #: The JSON list endpoint, or None for a portal without one.
    json_list_path: str | None
    view_path: str
    # Selectors (CSS) of a list page.
    list_item: str
    list_link: str
    list_agency: str
    list_area: str
    list_year: str
    list_date: str
    pager_total: str
    pager_next: str
    # Selectors of a report page.
    report_title: str
    meta_agency: str
    meta_area: str
    meta_year: str
    meta_date: str
    report_content: str
    attachment_links: str


HENAN = PortalProfile(
    source="henan",
    base_url="https://nb.henan.gov.cn",
    list_path="/zw/public-report",
    list_newest_first=True,
    page_size=10,
    json_list_path="/zw/public-report/api/list",
    view_path="/zw/public-report/view/{id}",
    list_item="ul.report-list > li",
    list_link="a[href*='/view/']",
    list_agency=".agency::text",
    list_area=".area::text",
    list_year=".year::text",
    list_date=".date::text",
    pager_total=".pager .total::text",
    pager_next=".pager a.next::attr(href)",
    report_title="h1.report-title",
    meta_agency=".report-meta .agency::text",
    meta_area=".report-meta .area::text",
    meta_year=".report-meta .year::text",
    meta_date=".report-meta .date::text",
    report_content=".report-content",
    attachment_links=".report-files a::attr(href)",
)
