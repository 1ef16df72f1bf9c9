"""Writing one row in one statement, where the writer writes for every report."""

import sqlite_utils


def write_row(db: sqlite_utils.Database, table: str, row: dict, key: str | None = None) -> int | None:
    """Insert `row` into `table`, and say its rowid; with `key`, the row of the same key is updated instead (and
    None said). One statement: sqlite-utils' insert and upsert read the table's layout each time, and an upsert is
    two statements, which was a third of the writer's time."""
    columns = ", ".join(row)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(row))})"
    if key is None:
        return db.conn.execute(sql, list(row.values())).lastrowid
    updates = ", ".join(f"{column} = excluded.{column}" for column in row if column != key)
    db.conn.execute(f"{sql} ON CONFLICT ({key}) DO UPDATE SET {updates}", list(row.values()))
    return None
