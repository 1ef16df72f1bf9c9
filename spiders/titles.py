"""A listed link's title, and whether it names an annual disclosure report: every spider's test of a link."""

import re

#: 「2023年政府信息公开工作年度报告」, 「…年度报告」, 「…年报」.
REPORT_TITLE = re.compile(r"(政府信息|政务|信息)公开.{0,6}(年度报告|年报|工作报告)")
#: Titles about reports that are not reports: notices (「关于做好…年度报告…的通知」), plans, templates,
#: graphic digests and news of a report's publication. 「某局关于2023年…年度报告」 is a report.
NOT_A_REPORT = re.compile(
    r"关于.{0,40}的(通知|公告|说明|公示|函)|通知$|印发|方案|要点|模板|格式|培训|解读|图解|一图|"
    r"发布会|已发布|的通知"
)


def names_a_report(title: str | None) -> bool:
    return bool(title) and bool(REPORT_TITLE.search(title)) and not NOT_A_REPORT.search(title)


def link_title(link) -> str:
    """A link's title as a list shows it: its `title` attribute (the whole title where the text is cut
    short), else its text."""
    return (link.attrib.get("title") or " ".join(link.css("::text").getall())).strip()
