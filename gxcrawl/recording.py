"""One way to record a reading, whoever made it: the crawl's store pipeline, `gxcrawl import`,
`gxcrawl reparse` and `gxcrawl ingest` all call `record`.

A reading is a report's documents (the page first, then its attachments, each
`{url, body, content_type}`), what the crawler knows of the report (`Fetch`)
and how its page is read (the content selectors of its site). `record`:

1. keeps every document's raw bytes in the archive, content-addressed, and
   lists them in `fetch.documents` (the selectors with the first), so that
   `reparse` can read them again;
2. reads them with the parser (`read`), unless they were read already (a
   distributed worker reads, the ingest records; an import reads a file by
   its name);
3. applies the corrections people made to the report's figures
   (gxcrawl.corrections), and flags those a new version no longer fits;
4. checks rule R6, this year's 上年结转 against last year's stored 结转下年度
   of the same agency: a warning, never a reason to drop anything;
5. stores the report by the storage rules (gxcrawl.store.reports), or
   records why it could not be stored, in one transaction with the flags.
"""

from gxcrawl.archive import Archive
from gxcrawl.corrections import Correction, Review, apply_corrections, current_corrections, flag_for_review
from gxcrawl.model import Fetch
from gxcrawl.report import Report, parse_documents
from gxcrawl.store.reports import CHANGED, NEW, Stored, carried_over_warning, identity_key, store_reading, unstorable


def read(documents: list[dict], content_selectors: tuple[str, ...] = ()) -> Report:
    """The report the documents hold, read by the parser."""
    return parse_documents(
        [(document["url"], document["body"], document.get("content_type")) for document in documents], content_selectors
    )


def record(
    db,
    archive: Archive,
    fetch: Fetch,
    documents: list[dict],
    report: Report | None = None,
    title: str | None = None,
    content_selectors: tuple[str, ...] = (),
    attachment_errors: tuple[dict, ...] = (),
    run_id: int | None = None,
) -> Stored:
    """Archive, read (unless `report` is the reading already made), correct, check R6 and store one reading."""
    fetch.documents = [
        {"url": document["url"], "sha256": archive.put(document["body"]), "content_type": document.get("content_type")}
        for document in documents
    ]
    if fetch.documents:
        fetch.documents[0]["content_selectors"] = list(content_selectors)
    report = report if report is not None else read(documents, content_selectors)
    with db.atomic():
        applied, reviews = corrected(db, report, fetch)
        warning = None if report.error else carried_over_warning(db, report)
        if warning and warning not in report.warnings:
            report.warnings.append(warning)
        stored = store_reading(db, report, fetch, title, attachment_errors, run_id)
        if stored.outcome in (NEW, CHANGED):  # a version stored only as history leaves the corrections as they are
            flag_for_review(db, applied, reviews)
    stored.r6_warning = warning
    return stored


def corrected(db, report: Report, fetch: Fetch) -> tuple[list[Correction], list[Review]]:
    """Apply the report's corrections to the reading; those applied, and those it no longer fits."""
    if unstorable(report, fetch):
        return [], []
    corrections = current_corrections(
        db, identity_key(db, fetch.source, report.agency or fetch.agency, report.year or fetch.year)
    )
    return apply_corrections(report, corrections) if corrections else ([], [])
