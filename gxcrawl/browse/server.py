"""`gxcrawl browse`: gxcrawl databases in datasette, with the project's metadata and templates.

gxcrawl browse [output/gxcrawl.db ...] [--port 8001]
"""

import asyncio
import sqlite3
import sys
from pathlib import Path

import yaml
from datasette.app import Datasette
from datasette.utils import tilde_encode

from gxcrawl import lock
from gxcrawl.export import dictionary
from gxcrawl.store.characters import CHARACTER_INDEX, UNINDEXED
from gxcrawl.store.schema import open_database, open_readonly
from gxcrawl.store.scorecards import rescore_missing
from gxcrawl.store.summaries import SUMMARIES, summaries_match

HERE = Path(__file__).parent
METADATA = HERE / "metadata.yaml"
TEMPLATES = HERE / "templates"
#: Datasette settings: pages of 50 rows; SQL stops after 5 s, so a careless query cannot hang the server. The
#: metadata names each table's facets: suggesting others tries every column (the wide view's 290 took 2 s a page).
#: A facet counts from its index in 0.03 s at a million reports; over a search's or a filter's rows it reads each
#: row, 1.5 s at a million, so it gives up after 0.1 s and the page says so: the page stays under a second.
SETTINGS = {"default_page_size": 50, "sql_time_limit_ms": 5000, "facet_time_limit_ms": 100, "suggest_facets": False}
DATABASE = "__DATABASE__"


def metadata_for(names: list[str]) -> dict:
    """The project's metadata, its database section repeated under each served database's name."""
    template = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    section = template["databases"].pop(DATABASE)
    reports = section["tables"]["reports"]["plugins"]["gxcrawl"]
    section["tables"]["reports_wide"] = wide_view_metadata(reports["count_searches_up_to"])
    metadata = _named(template, names[0])
    metadata["databases"] = {name: _named(section, name) for name in names}
    return metadata


def wide_view_metadata(count_up_to: int) -> dict:
    """The `reports_wide` view's metadata, from the export's data dictionary (the forms' definition): a column per
    figure key is too many to write by hand. Its pages are not counted beyond `count_up_to` reports, as the reports'
    searches are not: a count reads every report and its scorecard."""
    return {
        "title": "宽表 · One row per report",
        "description": "每份报告一行、每个数字一列，附身份、评分与检查；与 gxcrawl export 相同 · "
        "One row per report, one column per figure key (printed values), with identity, scorecard and checks: "
        "what gxcrawl export writes, exportable here as CSV or JSON.",
        "columns": {entry["column"]: f"{entry['label']} · {entry['description']}" for entry in dictionary()},
        "plugins": {"gxcrawl": {"count_up_to": count_up_to, "count_rows_of": "reports"}},
    }


def _named(node, name: str):
    """`node` with the database placeholder filled in: the name itself, or tilde-encoded inside a URL."""
    if isinstance(node, dict):
        return {key: _named(value, name) for key, value in node.items()}
    if isinstance(node, list):
        return [_named(value, name) for value in node]
    if node == DATABASE:
        return name
    return node.replace(DATABASE, tilde_encode(name)) if isinstance(node, str) else node


def database_names(paths: list[str | Path]) -> list[str]:
    """The names datasette gives the databases at `paths` (`output/demo.db` → `demo`, a second `demo` → `demo_2`)."""
    return [name for name in Datasette([str(path) for path in paths]).databases if not name.startswith("_")]


def make_datasette(paths: list[str | Path], immutable: bool = False) -> Datasette:
    """A datasette over the gxcrawl databases at `paths`, with the project's metadata and templates.

    Datasette reads them read-only either way (`?mode=ro`). `immutable` serves them as files no crawl
    writes any more (an archived copy, a published dataset): no locking, counts computed once."""
    for path in paths:
        ensure_layout(path)
    return Datasette(
        [] if immutable else [str(path) for path in paths],
        immutables=[str(path) for path in paths] if immutable else [],
        metadata=metadata_for(database_names(paths)),
        template_dir=str(TEMPLATES),
        settings=SETTINGS,
    )


#: What the metadata speaks of that older databases lack.
UPGRADED_TABLES = {
    "figure_labels",
    "figure_sources",
    "corrections",
    "scorecards",
    "agency_aliases",
    *SUMMARIES,
    CHARACTER_INDEX,
    UNINDEXED,
}
UPGRADED_VIEWS = {"figures_labelled", "figure_sources_current", "reports_wide"}


def ensure_layout(path: str | Path) -> None:
    """Give a gxcrawl database made by an older version the tables and views the metadata speaks of.

    Other SQLite files are served as they are, and nothing is written when the database cannot be
    (read-only, or a crawl holding the writer lock): the browsing just lacks the labels then.
    """
    if not Path(path).exists():
        raise FileNotFoundError(f"no database at {path}: run a crawl first (`make crawl`, or `make demo`)")
    db = open_readonly(path)
    try:
        tables, views = set(db.table_names()), set(db.view_names())
        if {*SUMMARIES, "reports", "scorecards"} <= tables and not summaries_match(db.conn):
            print(
                f"gxcrawl: the summary tables of {path} do not count the reports it holds (was it written by other "
                "means?): the totals pages are off until `gxcrawl rebuild-summaries` computes them afresh",
                file=sys.stderr,
            )
    finally:
        db.close()
    if "reports" not in tables or (UPGRADED_TABLES <= tables and UPGRADED_VIEWS <= views):
        return
    print(
        f"gxcrawl: {path} was made by an older gxcrawl: upgrading it now (new tables, indexes and summaries are "
        "made once: minutes for a million reports)",
        file=sys.stderr,
    )
    try:
        with lock.writing(path):
            db = open_database(path)
            try:
                graded = rescore_missing(db)
            finally:
                db.close()
        if graded:
            print(f"gxcrawl: {path} was made by an older gxcrawl: {graded} reports were graded now", file=sys.stderr)
    except (lock.DatabaseBusy, OSError, sqlite3.Error) as trouble:
        print(
            f"gxcrawl: {path} was made by an older gxcrawl and could not be upgraded now ({trouble}); the figure "
            "labels are missing and the pages that read the summary tables fail until a crawl or `gxcrawl browse` "
            "upgrades it",
            file=sys.stderr,
        )


def serve(paths: list[str | Path], host: str = "127.0.0.1", port: int = 8001, immutable: bool = False) -> None:
    import uvicorn

    datasette = make_datasette(paths, immutable)
    asyncio.run(datasette.invoke_startup())
    print(f"gxcrawl: browse {', '.join(map(str, paths))} at http://{host}:{port}/ (Ctrl-C stops)", flush=True)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
