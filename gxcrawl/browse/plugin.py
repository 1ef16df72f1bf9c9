"""The datasette plugin of gxcrawl: what metadata alone cannot do.

Registered through the `datasette` entry point, so it is active in any
datasette of this environment, and does something only where the metadata
asks for it (`plugins: gxcrawl:` of a table, see `metadata.yaml`):

- `search_fallback: [columns]`: searches with a word shorter than 3
  characters, which the trigram full-text index cannot match (「卫辉」, 「局」),
  are answered with LIKE over those columns instead: a `?_search=` too short
  for the index is rewritten as `?_like=`, which this plugin's filter reads
  (and an empty one is dropped);
- `character_index: TABLE`: a full-text index of those columns by single
  characters (`gxcrawl.store.characters`): a short search matching few rows
  (`FEW`) is narrowed to the rows it finds, so that a rare word is not looked
  for by walking every row; the LIKE still decides which rows match;
- `count_searches_up_to: N`: a search of a table of more than N rows (told
  from its largest rowid; views and tables without rowids are not limited) is
  not counted (`_nocount`), and the page says so: a short word's count reads
  the whole index, a common long word's looks up every matching row;
- `count_up_to: N` (with `count_rows_of: TABLE` for a view): every page of
  the table or view is left uncounted once it (or TABLE) holds more than N
  rows: the wide view's count reads every report and its scorecard;
- `form_layout: true`: a row's page shows the report's figures laid out as
  the official form prints them (`gxcrawl.browse.layout`), above the row; a
  legacy report's (before 2019), its statistics table as printed;
- each value cell of that layout carries its source, and the report's archived
  documents and its pages' pictures are served (`gxcrawl.browse.sources`);
- facets of type `summarised` (`gxcrawl.browse.facets`): on a table's
  unfiltered page, counted ahead by the writer;
- `max_value_bytes: N` (top-level `plugins: gxcrawl:`): no SQL value longer
  than N bytes on any connection (SQLite's length limit), so that
  `SELECT zeroblob(300000000)` is refused at once instead of taking gigabytes.
"""

import json
import sqlite3
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils import escape_sqlite, tilde_decode, tilde_encode
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from gxcrawl.browse.agency import agency_link, agency_page, compare_page
from gxcrawl.browse.facets import SummarisedFacet
from gxcrawl.browse.layout import printed_tables, statistics_table
from gxcrawl.browse.sources import allowed, annotate, page_link, serve_document, serve_page
from gxcrawl.forms import FORM_LEGACY
from gxcrawl.store.characters import phrase, unindexed_table

#: The trigram tokenizer matches words of 3 characters or more.
TRIGRAM = 3
LIKE_PARAMETER = "_like"
COUNT_LIMIT = "count_searches_up_to"
PAGE_COUNT_LIMIT = "count_up_to"
ROWS_OF = "count_rows_of"
CHARACTER_INDEX_OPTION = "character_index"
#: A short search the character index finds in at most this many rows is narrowed to them: the page sorts them whole
#: (reading each row). One found in more is answered by walking the rows in the page's order, which meets a page of
#: matches within about 50 × rows / FEW rows when the matches are spread.
FEW = 1000


def too_short_for_trigrams(query: str) -> bool:
    return any(len(word) < TRIGRAM for word in query.split())


def _table_config(datasette, database: str, table: str) -> dict:
    return datasette.plugin_config("gxcrawl", database=database, table=table) or {}


@hookimpl
def register_facet_classes():
    return [SummarisedFacet]


@hookimpl
def prepare_connection(conn, database, datasette):
    limit = (datasette.plugin_config("gxcrawl") or {}).get("max_value_bytes")
    if limit:
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, int(limit))


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def rewrite_table_pages(scope, receive, send):
            if scope.get("type") == "http":
                scope = await _rewrite_table_page(datasette, scope)
            await app(scope, receive, send)

        return rewrite_table_pages

    return wrap


async def _rewrite_table_page(datasette, scope: dict) -> dict:
    """A table's page with its search rewritten (a short word to `_like`) and its count left out (`_nocount`) where
    the table's options say so."""
    parts = scope["path"].strip("/").split("/")
    if len(parts) != 2:
        return scope
    # Datasette tilde-encodes dots in names, so a dot starts the format (`reports.json`).
    database, table = tilde_decode(parts[0]), tilde_decode(parts[1].split(".")[0])
    config = _table_config(datasette, database, table)
    if not {"search_fallback", COUNT_LIMIT, PAGE_COUNT_LIMIT} & set(config):
        return scope
    pairs = parse_qsl(scope["query_string"].decode("utf-8", "replace"), keep_blank_values=True)
    query = dict(pairs).get("_search")
    if query is not None:
        # A new search replaces the last short one and its count's suppression, which the page's form and its
        # next link carry along; an emptied box is no search (datasette would hand FTS5 an empty query, an error).
        carried, searched = {LIKE_PARAMETER, "_nocount"}, bool(query.strip())
        pairs = [(key, value) for key, value in pairs if key not in carried and (key != "_search" or searched)]
        if searched and config.get("search_fallback") and too_short_for_trigrams(query):
            pairs = [(LIKE_PARAMETER if key == "_search" else key, value) for key, value in pairs]
    searched = any(key in ("_search", LIKE_PARAMETER) for key, _ in pairs)
    if "_nocount" not in dict(pairs) and await _count_limit_passed(datasette, database, table, searched):
        pairs.append(("_nocount", "1"))
    return {**scope, "query_string": urlencode(pairs).encode("ascii")}


async def _count_limit_passed(datasette, database: str, table: str, searched: bool) -> int | None:
    """The limit a page of `table` is past and so left uncounted: its `count_up_to` when the table it names
    (`count_rows_of`, itself by default) holds more rows; a search's `count_searches_up_to` when the table does;
    else None. A table's size is told from its largest rowid (one step down its b-tree), not by counting its rows;
    a view or a table without rowids has none to tell, and is never past a limit of its own."""
    config = _table_config(datasette, database, table)
    limits = [(config.get(PAGE_COUNT_LIMIT), config.get(ROWS_OF, table))]
    if searched:
        limits.append((config.get(COUNT_LIMIT), table))
    for limit, sized in limits:
        if limit is not None and await _rows_beyond(datasette, database, sized, int(limit)):
            return int(limit)
    return None


async def _rows_beyond(datasette, database: str, table: str, limit: int) -> bool:
    if database not in datasette.databases:
        return False
    try:
        rows = await datasette.get_database(database).execute(f"SELECT max(rowid) FROM {escape_sqlite(table)}")
    except sqlite3.OperationalError:
        return False
    return (rows.first()[0] or 0) > limit


@hookimpl
def filters_from_request(request, database, table, datasette):
    words = request.args.get(LIKE_PARAMETER, "").split()
    columns = _table_config(datasette, database, table).get("search_fallback") or []
    searched = bool(words or request.args.get("_search", "").strip())
    if not (words and columns) and not request.args.get("_nocount"):
        return None

    async def filters() -> FilterArguments:
        descriptions = []
        # A count left out by the page's rewriting (or by hand): the page says so where the table is large.
        limit = request.args.get("_nocount") and await _count_limit_passed(datasette, database, table, searched)
        if limit:
            descriptions.append(f"不计数 · not counted: over {limit:,} rows; counting reads every one")
        if not (words and columns):
            return FilterArguments([], [], descriptions)
        return _like(words, columns, descriptions, await _found_in_few(datasette, database, table, words))

    return filters()


async def _found_in_few(datasette, database: str, table: str, words: list[str]) -> list[int] | None:
    """The rowids the table's character index finds every word in, and those it has not indexed yet (stored by
    another writer), when they are at most FEW; None when there is no index, a word it cannot look for, or more."""
    index = _table_config(datasette, database, table).get(CHARACTER_INDEX_OPTION)
    phrases = [phrase(word) for word in words]
    if not index or None in phrases:
        return None
    name, unindexed = escape_sqlite(index), escape_sqlite(unindexed_table(index))
    try:
        found = await datasette.get_database(database).execute(
            f"SELECT rowid FROM {name} WHERE {name} MATCH :words "
            f"UNION ALL SELECT report_rowid FROM {unindexed} LIMIT :few",
            {"words": " AND ".join(phrases), "few": FEW + 1},
        )
    except sqlite3.OperationalError:  # a database made before the index, opened read-only
        return None
    return None if len(found.rows) > FEW else [row[0] for row in found.rows]


def _like(words: list[str], columns: list[str], descriptions: list[str], rowids: list[int] | None) -> FilterArguments:
    """Every word in one of `columns`, by LIKE with its wildcards taken literally; among `rowids` when given."""
    clauses, params = [] if rowids is None else [f"rowid IN ({', '.join(str(int(rowid)) for rowid in rowids)})"], {}
    for index, word in enumerate(words):
        name = f"gxcrawl_like_{index}"
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params[name] = f"%{escaped}%"
        clauses.append("(" + " OR ".join(f"[{column}] LIKE :{name} ESCAPE '\\'" for column in columns) + ")")
    searched = " ".join(words)
    return FilterArguments(
        [" AND ".join(clauses)],
        params,
        [
            f'包含 "{searched}" · contains "{searched}" (short words are searched with LIKE, not the full-text index)',
            *descriptions,
        ],
        extra_context={"search": searched},
    )


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    if view_name != "row" or not _table_config(datasette, database, table).get("form_layout"):
        return {}

    async def form():
        row_id = tilde_decode(request.url_vars["pks"])
        db = datasette.get_database(database)
        report = (
            await db.execute("SELECT agency, template, check_failures FROM reports WHERE id = ?", [row_id])
        ).first()
        if report is None or report["template"] is None:
            return {}
        version = (
            await db.execute(
                "SELECT documents, read_from FROM report_versions WHERE report_id = ? AND superseded = 0", [row_id]
            )
        ).first()
        if report["template"] == FORM_LEGACY:
            rows = await db.execute(
                "SELECT row, label, unit, value, cumulative, key FROM legacy_rows_current WHERE report_id = ?", [row_id]
            )
            tables = [statistics_table([dict(row) for row in rows])] if rows.rows else []
            annotate(
                tables, {}, await _sources(db, row_id), json.loads(report["check_failures"] or "[]"), lambda _: None
            )
            return {
                "gxcrawl_form": tables,
                "gxcrawl_template": FORM_LEGACY,
                "gxcrawl_documents": _documents(database, version),
                "gxcrawl_agency_link": agency_link(database, report["agency"]),
            }
        rows = await db.execute("SELECT key, value, derived FROM figures WHERE report_id = ?", [row_id])
        tables = printed_tables(report["template"], {row["key"]: row["value"] for row in rows})
        sources = await _sources(db, row_id)
        read_from = version["read_from"] if version else None
        annotate(
            tables,
            {row["key"]: row["derived"] for row in rows},
            sources,
            json.loads(report["check_failures"] or "[]"),
            page_link(tilde_encode(database), read_from),
        )
        return {
            "gxcrawl_form": tables,
            "gxcrawl_template": report["template"],
            "gxcrawl_documents": _documents(database, version),
            "gxcrawl_agency_link": agency_link(database, report["agency"]),
        }

    return form


async def _sources(db, report_id: str) -> dict[str, dict]:
    rows = await db.execute("SELECT * FROM figure_sources_current WHERE report_id = ?", [report_id])
    return {row["key"]: dict(row) for row in rows}


def _documents(database: str, version) -> list[dict]:
    """The current version's archived documents, each with its link, the one the figures were read from first."""
    documents = json.loads(version["documents"] or "[]") if version else []
    return sorted(
        (
            {
                "url": document["url"],
                "link": f"/-/gxcrawl/{tilde_encode(database)}/documents/{document['sha256']}",
                "read_from": document["sha256"] == version["read_from"],
            }
            for document in documents
        ),
        key=lambda document: not document["read_from"],
    )


@hookimpl
def register_routes():
    return [
        (r"^/-/gxcrawl/(?P<database>[^/]+)/agency$", _database_route(agency_page)),
        (r"^/-/gxcrawl/(?P<database>[^/]+)/compare$", _database_route(compare_page)),
        (r"^/-/gxcrawl/(?P<database>[^/]+)/documents/(?P<sha256>[0-9a-f]{64})$", _database_route(serve_document)),
        (
            r"^/-/gxcrawl/(?P<database>[^/]+)/pages/(?P<sha256>[0-9a-f]{64})/(?P<page>\d{1,4})\.png$",
            _database_route(serve_page),
        ),
    ]


def _database_route(view):
    """`view` with the database's name as datasette spells it in URLs (tilde-encoded) decoded."""

    async def route(request, datasette):
        request.url_vars["database"] = tilde_decode(request.url_vars["database"])
        if request.url_vars["database"] not in datasette.databases:
            return Response.text("没有这个数据库 · no such database", status=404)
        if not await allowed(request, datasette):
            return Response.text("不允许 · not allowed to view this database", status=403)
        return await view(request, datasette)

    return route


@hookimpl
def render_cell(value, column, table, database):
    """A canned query's link to a page's picture or an archived document (relative, which datasette does not link);
    an agency's name links to its history."""
    if column in LINK_COLUMNS and isinstance(value, str) and value.startswith("/-/gxcrawl/"):
        return Markup(f'<a href="{escape(value)}">{escape(LINK_COLUMNS[column])}</a>')
    if column == "agency" and table in AGENCY_TABLES and isinstance(value, str) and value:
        return Markup(f'<a href="{escape(agency_link(database, value))}">{escape(value)}</a>')
    return None


#: Tables whose agency column links to the agency's history.
AGENCY_TABLES = frozenset({"reports", "scorecards", "reports_wide"})


#: Columns of canned queries that hold links, and what the link says.
LINK_COLUMNS = {"source_image": "原件页面 · page image", "document": "原件 · document"}
