"""`gxcrawl browse`: gxcrawl databases in datasette, with the project's metadata and templates.

    gxcrawl browse [output/gxcrawl.db ...] [--port 8001]
"""

import asyncio
from pathlib import Path

import yaml
from datasette.app import Datasette

from gxcrawl import lock, storage

HERE = Path(__file__).parent
METADATA = HERE / "metadata.yaml"
TEMPLATES = HERE / "templates"
#: Datasette settings: pages of 50 rows; SQL stops after 5 s, so a careless query cannot hang the server.
SETTINGS = {"default_page_size": 50, "sql_time_limit_ms": 5000, "facet_time_limit_ms": 1000}
DATABASE = "__DATABASE__"


def metadata_for(names: list[str]) -> dict:
    """The project's metadata, with each database section repeated under the served databases' names."""
    text = METADATA.read_text(encoding="utf-8")
    metadata = yaml.safe_load(text.replace(DATABASE, names[0]))
    for name in names[1:]:
        metadata["databases"][name] = yaml.safe_load(text.replace(DATABASE, name))["databases"][name]
    return metadata


def make_datasette(paths: list[str | Path]) -> Datasette:
    """A datasette over the databases at `paths`, named after their files (`output/demo.db` → `demo`)."""
    for path in paths:
        ensure_layout(path)
    return Datasette([str(path) for path in paths], metadata=metadata_for([Path(path).stem for path in paths]),
                     template_dir=str(TEMPLATES), settings=SETTINGS)


def ensure_layout(path: str | Path) -> None:
    """Give a database made by an older gxcrawl the tables and views the metadata speaks of."""
    if not Path(path).exists():
        raise FileNotFoundError(f"no database at {path}: run a crawl first (`make crawl`, or `make demo`)")
    db = storage.open_readonly(path)
    current = "figure_labels" in db.table_names() and "figures_labelled" in db.view_names()
    db.close()
    if current:
        return
    try:
        with lock.writing(path):
            storage.open_database(path).close()
    except lock.DatabaseBusy:
        pass  # a crawl is writing it, and upgrades it as it opens it


def serve(paths: list[str | Path], host: str = "127.0.0.1", port: int = 8001) -> None:
    import uvicorn

    datasette = make_datasette(paths)
    asyncio.run(datasette.invoke_startup())
    print(f"gxcrawl: browse {', '.join(map(str, paths))} at http://{host}:{port}/ (Ctrl-C stops)", flush=True)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
