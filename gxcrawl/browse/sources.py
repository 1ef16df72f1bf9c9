"""What a report's page shows of where its figures came from, and the archived documents it serves.

- Each value cell of the form's layout (`gxcrawl.browse.layout`) is annotated
  from `figure_sources_current`: how the figure came to be (read, blank,
  derived, settled, corrected), its text as printed, its place, the rule that
  derived it, the checks it fails with their messages, and, for PDFs and
  scans, the link to its page's picture with its box drawn.
- `/-/gxcrawl/<database>/documents/<sha256>` serves an archived document
  read-only, by content hash, with its content type; an HTML page is served
  sandboxed (no script runs, no cookie is sent) as it came from elsewhere.
- `/-/gxcrawl/<database>/pages/<sha256>/<page>.png?box=x0,top,x1,bottom` is a
  page of an archived PDF or scan, rendered by PDFium within the reading
  budgets (gxcrawl.budget), kept in a small cache, the box drawn in red.

Only files of the database's own archive are served: the hash names the
file, and anything else is refused.
"""

import asyncio
import json
import re
import threading
from functools import lru_cache
from pathlib import Path

from datasette.utils.asgi import Response

from gxcrawl.archive import Archive, beside
from gxcrawl.browse.layout import PrintedTable, show
from gxcrawl.budget import BudgetExceeded, within_budget
from gxcrawl.documents.model import DocumentError
from gxcrawl.documents.pages import page_picture, with_box
from gxcrawl.documents.sniff import sniff

SHA256 = re.compile(r"^[0-9a-f]{64}$")
#: What each kind of document is served as.
CONTENT_TYPES = {
    "html": "text/html",
    "text": "text/plain",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "zip": "application/zip",
}
IMAGE_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8": "image/jpeg", b"GIF8": "image/gif", b"II*\x00": "image/tiff"}
#: A page's picture is kept for the next click on another cell of it: this many pages.
CACHED_PAGES = 32
#: How each status is said on the page.
STATUS_WORDS = {
    "read": "照录 · read as printed",
    "blank": "空白 · blank in the report",
    "unread": "未能读取 · printed but not read (see the report's warnings)",
    "derived": "推算 · derived by the form's arithmetic",
    "settled": "由算式判定 · reading chosen by the form's arithmetic",
    "corrected": "人工更正 · corrected by a person",
}


def annotate(
    tables: list[PrintedTable], derived: dict, sources: dict[str, dict], failures: list[str], page_link
) -> None:
    """Fill in each value cell's source (`sources`: figure_sources_current rows by key), and show a derived value
    where the report left the cell blank. `page_link(source)` is the URL of its page's picture, or None."""
    messages = {line.split(":", 1)[0]: line for line in failures}
    for table in tables:
        for line in table.rows:
            for cell in line:
                if cell.key is None:
                    continue
                source = sources.get(cell.key)
                if not cell.text and derived.get(cell.key) is not None:
                    cell.text = show(derived[cell.key])
                cell.status = source["status"] if source else ("derived" if derived.get(cell.key) is not None else None)
                instances = (source or {}).get("failed_checks")
                cell.failing = (
                    [messages.get(instance, instance) for instance in instances.split("; ")] if instances else []
                )
                # A figure with no source and no value was not found; a legacy table's figures are not placed yet.
                cell.note = describe(cell.key, source, cell.failing) if source or not cell.text else None
                cell.image = page_link(source) if source else None


def describe(key: str, source: dict | None, failing: list[str]) -> str:
    """A figure's source in words, for the cell's tooltip and its details."""
    parts = [key]
    if source is None:
        return " · ".join(parts + ["不在报告中 · not found in the report"])
    parts.append(STATUS_WORDS.get(source["status"], source["status"]))
    if source["raw"] is not None:
        parts.append(f"印刷为 · printed as 「{source['raw']}」")
    if source["table_number"] is not None:
        parts.append(
            f"表 · table {source['table_number']}, 行 · row {source['grid_row']}, 列 · column {source['grid_column']}"
        )
    elif source["line"] is not None:
        parts.append(f"行文 · line {source['line']}, 第 {source['position']} 项 · item {source['position']}")
    if source["page"] is not None:
        parts.append(f"第 {source['page']} 页 · page {source['page']}")
    if source["rule"]:
        parts.append(f"规则 · rule {source['rule']}")
    if source["status"] == "corrected":
        parts.append(
            f"更正为 · corrected to {show(source['value']) or 'blank'}, 原读数 · read as "
            f"{show(source['read_value']) or 'blank'} (更正 · correction {source['correction_id']})"
        )
    parts.extend(f"未通过 · fails {message}" for message in failing)
    return " · ".join(parts)


def archive_of(datasette, database: str) -> Archive:
    """The archive of a served database: `plugins: gxcrawl: archive:` in the metadata, else archive/ beside it."""
    configured = (datasette.plugin_config("gxcrawl", database=database) or {}).get("archive")
    return Archive(configured or beside(datasette.get_database(database).path))


def archived(datasette, database: str, sha256: str) -> Path | None:
    """The archived file of `sha256`, or None: nothing but a regular file inside the database's archive."""
    if not SHA256.match(sha256) or database not in datasette.databases:
        return None
    root = archive_of(datasette, database).root.resolve()
    path = (root / sha256[:2] / sha256).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


async def allowed(request, datasette) -> bool:
    """Whether the visitor may see the database the document belongs to (datasette's own permissions)."""
    database = request.url_vars["database"]
    return await datasette.permission_allowed(request.actor, "view-instance", default=True) and (
        await datasette.permission_allowed(request.actor, "view-database", resource=database, default=True)
    )


async def serve_document(request, datasette) -> Response:
    path = archived(datasette, request.url_vars["database"], request.url_vars["sha256"])
    if path is None:
        return Response.text("没有这个文件 · no such document in this database's archive", status=404)
    data = path.read_bytes()
    kind = sniff(data)
    content_type = CONTENT_TYPES.get(kind) or next(
        (name for magic, name in IMAGE_TYPES.items() if data.startswith(magic)), "application/octet-stream"
    )
    headers = {"X-Content-Type-Options": "nosniff", "Content-Disposition": f'inline; filename="{path.name}"'}
    if kind == "html":
        # The agency's page, scripts and all, is shown as a document from elsewhere: nothing of it runs here. (Not
        # for a PDF: the browser's own viewer does not open in a sandbox.)
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    return Response(data, headers=headers, content_type=content_type)


async def serve_page(request, datasette) -> Response:
    path = archived(datasette, request.url_vars["database"], request.url_vars["sha256"])
    if path is None:
        return Response.text("没有这个文件 · no such document in this database's archive", status=404)
    try:
        box = _box(request.args.get("box"))
        png, scale = await asyncio.to_thread(_picture, str(path), int(request.url_vars["page"]))
        if box is not None:
            png = with_box(png, scale, box)
    except (DocumentError, BudgetExceeded, ValueError) as trouble:
        return Response.text(f"这一页无法显示 · the page cannot be shown: {trouble}", status=422)
    # How many pixels a unit of the boxes is: the page scrolls the picture to the box.
    headers = {"Cache-Control": "private, max-age=3600", "X-Gxcrawl-Scale": f"{scale:.6f}"}
    return Response(png, headers=headers, content_type="image/png")


#: One page is rendered at a time: the reading budget's child reads one document at a time.
_rendering = threading.Lock()


@lru_cache(maxsize=CACHED_PAGES)
def _picture(path: str, page: int) -> tuple[bytes, float]:
    with _rendering:
        return within_budget(page_picture, Path(path).read_bytes(), page)


def _box(text: str | None):
    if not text:
        return None
    values = [float(value) for value in text.split(",")]
    if len(values) != 4:
        raise ValueError(f"a box is four numbers, x0,top,x1,bottom; not {text!r}")
    return tuple(values)


def page_link(database_path: str, read_from: str | None):
    """The URL maker of a report's cells: their page's picture with their box, for a figure placed on a page."""

    def link(source: dict) -> str | None:
        if source.get("page") is None or not read_from:
            return None
        box = ",".join(str(value) for value in json.loads(source["box"])) if source.get("box") else ""
        return f"/-/gxcrawl/{database_path}/pages/{read_from}/{source['page']}.png" + (f"?box={box}" if box else "")

    return link
