"""One annual report, parsed: the parser's stages run in order.

`parse_document` never raises for a bad document: whatever went wrong is in
the report's `error` (it could not be read at all) or `warnings` (it was read,
but something in it was missing or odd), so one bad file never stops a crawl.
"""

import dataclasses
import hashlib
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from gxcrawl.budget import BudgetExceeded, within_budget
from gxcrawl.cells import as_json_number
from gxcrawl.documents import DocumentError, read_document
from gxcrawl.forms import FORM_LEGACY, FORMS, Form
from gxcrawl.normalize import squash
from gxcrawl.parser.checks import CheckResult, run_checks
from gxcrawl.parser.derive import derivation_warnings, derive
from gxcrawl.parser.figures import Figures, read_figures
from gxcrawl.parser.identity import find_identity
from gxcrawl.parser.legacy import read_legacy
from gxcrawl.parser.provenance import cell_json
from gxcrawl.parser.rows import read_rows

#: Documents larger than this are refused unread (bytes); GXCRAWL_MAX_BYTES overrides it.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
PROSE_SECTIONS = ("overview", "problems", "other")


@dataclass
class Report:
    file: str
    format: str | None = None
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    template: str | None = None
    figures: dict[str, Decimal | None] = field(default_factory=dict)
    #: Blank cells the form's arithmetic determines (`gxcrawl.parser.derive`); `figures` keeps them null.
    derived: dict[str, Decimal] = field(default_factory=dict)
    #: The rule instance that fixed each derived value: 「R3 row new」.
    derived_rules: dict[str, str] = field(default_factory=dict)
    #: Where each figure was read in `file` (`gxcrawl.parser.provenance.cell_json`), keyed like `figures`.
    cells: dict[str, dict] = field(default_factory=dict)
    #: Figures printed but not read with certainty (`gxcrawl.parser.ambiguity`): nothing is derived into them.
    unsettled: list[str] = field(default_factory=list)
    #: A legacy report's statistics table, every row as printed: row, label, unit, value, cumulative, key.
    legacy_rows: list[dict] = field(default_factory=list)
    checks: dict[str, str] = field(default_factory=dict)
    check_failures: list[str] = field(default_factory=list)
    #: The figures of each failed rule instance: key → the instances (「R5 review」), for review.
    failing: dict[str, list[str]] = field(default_factory=dict)
    sections: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    #: SHA-256 of the report's normalised text: unchanged content has the same hash.
    content_sha256: str | None = None
    text: str = ""

    @property
    def figures_found(self) -> int:
        return sum(value is not None for value in self.figures.values())

    def to_json(self) -> dict:
        """The report as `gxcrawl parse` prints it."""
        out = {
            "file": self.file,
            "format": self.format,
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            "template": self.template,
            "figures_found": self.figures_found,
            "figures": {key: as_json_number(value) for key, value in self.figures.items()},
            "derived": {key: as_json_number(value) for key, value in self.derived.items()},
            "derived_rules": self.derived_rules,
            "cells": self.cells,
            "legacy_rows": [_numbers(row, as_json_number) for row in self.legacy_rows],
            "checks": self.checks,
            "check_failures": self.check_failures,
            "sections": self.sections,
            "warnings": self.warnings,
            "content_sha256": self.content_sha256,
        }
        if self.error:
            out["error"] = self.error
        return out

    def to_record(self) -> dict:
        """Everything the report holds, as JSON-ready data (figures as decimal strings): `from_record`'s input."""
        record = dataclasses.asdict(self)
        record["figures"] = {key: None if value is None else str(value) for key, value in self.figures.items()}
        record["derived"] = {key: str(value) for key, value in self.derived.items()}
        record["legacy_rows"] = [_numbers(row, str) for row in self.legacy_rows]
        return record

    @classmethod
    def from_record(cls, record: dict) -> "Report":
        figures = {key: None if value is None else Decimal(value) for key, value in record["figures"].items()}
        derived = {key: Decimal(value) for key, value in record.get("derived", {}).items()}
        legacy_rows = [_numbers(row, Decimal) for row in record.get("legacy_rows", ())]
        return cls(**{**record, "figures": figures, "derived": derived, "legacy_rows": legacy_rows})


def _numbers(row: dict, convert) -> dict:
    """A legacy row with its value and cumulative value converted (None stays None)."""
    return {
        **row,
        **{column: None if row[column] is None else convert(row[column]) for column in ("value", "cumulative")},
    }


def max_bytes_setting() -> int:
    value = os.environ.get("GXCRAWL_MAX_BYTES")
    return int(value) if value else DEFAULT_MAX_BYTES


def parse_file(
    path: str | os.PathLike, max_bytes: int | None = None, content_selectors: tuple[str, ...] = ()
) -> Report:
    """Parse the document at `path`; refuse files over `max_bytes` without reading them."""
    report = Report(file=str(path))
    limit = max_bytes_setting() if max_bytes is None else max_bytes
    try:
        if not Path(path).is_file():
            report.error = "not a regular file" if Path(path).exists() else "no such file"
            return report
        size = Path(path).stat().st_size
        if size > limit:
            report.error = (
                f"the file is {size / 1e6:.1f} MB, over the {limit / 1e6:.1f} MB cap; "
                "raise it with --max-bytes (or GXCRAWL_MAX_BYTES) if the file is genuine"
            )
            return report
        data = Path(path).read_bytes()
    except OSError as error:
        report.error = f"the file could not be read: {error.strerror or error}"
        return report
    return parse_document(data, name=str(path), content_selectors=content_selectors)


def parse_document(
    data: bytes, name: str = "", *, content_type: str | None = None, content_selectors: tuple[str, ...] = ()
) -> Report:
    """Parse one document's bytes into a Report, within the reading budgets (gxcrawl.budget): a document over
    them is refused, the report's error naming the budget and its setting."""
    try:
        return within_budget(read_here, data, name, content_type, content_selectors)
    except BudgetExceeded as exceeded:
        return Report(file=name, error=str(exceeded))


def read_here(
    data: bytes, name: str = "", content_type: str | None = None, content_selectors: tuple[str, ...] = ()
) -> Report:
    """`parse_document` in this very process, unbounded: for the reader child, and for tests that change the
    readers' settings in this process."""
    report = Report(file=name)
    try:
        document = read_document(data, content_type=content_type, content_selectors=content_selectors)
        return _parse(document, report)
    except DocumentError as error:
        report.error = str(error)
    except MemoryError:
        raise  # over the reading budget: the reader child says so (gxcrawl.budget)
    except Exception as error:  # noqa: BLE001 - one odd document must not stop a crawl of thousands
        report.error = (
            f"gxcrawl failed on this document ({type(error).__name__}: {error}); "
            "this is a bug: please report it with the document attached"
        )
    return report


def parse_documents(documents: list[tuple[str, bytes, str | None]], content_selectors: tuple[str, ...] = ()) -> Report:
    """The report among a page and its attachments, given as (name, bytes, content type), page first.

    The page is the report when it holds the form's tables; otherwise (「详见附件」)
    the attachment that reads best is, and the page's failure becomes a warning. A report
    before 2019 whose page has no statistics table looks for it in its attachments too.
    """
    if not documents:
        return Report(file="", error="no document was fetched")
    name, data, content_type = documents[0]
    reports = [parse_document(data, name, content_type=content_type, content_selectors=content_selectors)]
    if reports[0].error is None and not _legacy_without_table(reports[0]) or len(documents) == 1:
        return reports[0]
    reports += [parse_document(data, name, content_type=content_type) for name, data, content_type in documents[1:]]
    readable = [report for report in reports[1:] if report.error is None]
    if reports[0].error is None and not any(report.figures_found or report.legacy_rows for report in readable):
        return reports[0]
    if not readable:
        best = reports[0]
        best.error = "; ".join(f"{report.file}: {report.error}" for report in reports)
        return best
    best = max(readable, key=lambda report: (report.figures_found, len(report.legacy_rows)))
    page = reports[0]
    best.warnings.insert(
        0,
        f"read from the attachment {best.file}, as the page holds no report "
        f"({page.error or 'a report before 2019 without its statistics table'})",
    )
    best.title = best.title or page.title
    if best.agency is None and page.agency:
        best.agency, best.year = page.agency, page.year
    return best


def _legacy_without_table(report: Report) -> bool:
    """A report before 2019 whose page holds no statistics table: its attachments may."""
    return report.template == FORM_LEGACY and not report.legacy_rows


def _parse(document, report: Report) -> Report:
    report.format = document.format
    report.warnings.extend(document.warnings)
    layout = read_rows(document)
    identity = find_identity(document.titles + layout.title_lines + document.fallback_titles)
    if identity:
        report.title, report.agency, report.year = identity
    figures = read_figures(layout.rows, layout.table_text)
    report.text = document.text()
    report.content_sha256 = hashlib.sha256(squash(report.text).encode("utf-8")).hexdigest()
    report.sections = {key: layout.sections.get(key, "") for key in PROSE_SECTIONS}
    if read_legacy(document, figures, report):
        return report
    if figures.found == 0:
        report.error = (
            "not an annual report: no 政府信息公开工作年度报告 title and none of the form's tables"
            if identity is None
            else "none of the form's tables was found; if the page says 「详见附件」 the report is in "
            "its attachments: parse those"
        )
        return report
    report.template = figures.form.name
    report.figures = figures.values
    report.warnings.extend(figures.warnings)
    if identity is None:
        report.warnings.append("no title naming the agency and year was found; agency and year are null")
    elif identity.agency is None:
        report.warnings.append(f"the title {identity.title!r} names no agency")
    report.unsettled = sorted(figures.unsettled)
    derive_and_check(report, figures.form)
    report.cells = figure_cells(figures, report.derived_rules)
    return report


def derive_and_check(report: Report, form: Form) -> None:
    """The blank cells the form's arithmetic settles, and the consistency checks, on the report's figures as they
    are now: after reading, and again after a person corrected some (gxcrawl.corrections). The warnings of an
    earlier derivation are replaced."""
    earlier = derivation_warnings({key: (value, report.derived_rules[key]) for key, value in report.derived.items()})
    report.warnings = [warning for warning in report.warnings if warning not in earlier]
    derived = derive(form, report.figures, frozenset(report.unsettled))
    report.derived = {key: value for key, (value, _) in derived.items()}
    report.derived_rules = {key: rule for key, (_, rule) in derived.items()}
    report.warnings.extend(derivation_warnings(derived))
    checks: CheckResult = run_checks(form, report.figures | report.derived)
    report.checks = checks.outcomes
    report.check_failures = checks.failures
    report.failing = checks.failing


def printed_form(template: str, keys) -> Form:
    """The form a report of `template` with figures `keys` printed: its own, or with the other form's table 三
    (figures.md, «Hybrid tables»), told by the keys only that table has."""
    form = FORMS[template]
    for other in FORMS.values():
        table = other.table("applications")
        if other is not form and set(keys) & (set(table.keys()) - set(form.keys)):
            return form.printing(table)
    return form


def figure_cells(figures: Figures, derived_rules: dict[str, str]) -> dict[str, dict]:
    """Each figure's source as `gxcrawl parse` prints it: the cell it was read from, the rules that settled its
    reading or derived it from a blank cell."""
    cells = {key: cell_json(source) for key, source in figures.sources.items() if key in figures.values}
    for key, rule in derived_rules.items():
        cells.setdefault(key, {})["rule"] = rule
    for key, rules in figures.settled_by.items():
        cells.setdefault(key, {})["settled_by"] = rules
    return cells
