"""What was learnt of a column's script-loaded list, kept between runs (spiders/interface.py says what)."""

import sqlite_utils

from gxcrawl.model import now


def keep_interface(
    db: sqlite_utils.Database, list_url: str, interface: str, description: str, run_id: int | None = None
) -> None:
    """Keep the interface learnt for a list; one learnt before that differs is retired, not overwritten."""
    with db.atomic():
        current = list_interfaces(db).get(list_url)
        if current == interface:
            return
        if current is not None:
            _retire(db, list_url, f"replaced by the interface learnt in run {run_id}")
        db["list_interfaces"].insert(
            {
                "list_url": list_url,
                "interface": interface,
                "description": description,
                "learnt_at": now(),
                "run_id": run_id,
            }
        )


def retire_interface(db: sqlite_utils.Database, list_url: str, why: str) -> None:
    """The list's current interface stopped working: it stays, marked with when and why."""
    with db.atomic():
        _retire(db, list_url, why)


def _retire(db: sqlite_utils.Database, list_url: str, why: str) -> None:
    db.conn.execute(
        "UPDATE list_interfaces SET retired_at = ?, retired_why = ? WHERE list_url = ? AND retired_at IS NULL",
        [now(), why, list_url],
    )


def list_interfaces(db: sqlite_utils.Database) -> dict[str, str]:
    """The current interface of every list that has one: list URL → its JSON."""
    if "list_interfaces" not in db.table_names():
        return {}
    return {
        row["list_url"]: row["interface"]
        for row in db.query("SELECT list_url, interface FROM list_interfaces WHERE retired_at IS NULL ORDER BY id")
    }
