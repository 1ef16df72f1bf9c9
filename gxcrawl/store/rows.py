"""Writing one row in one statement, where the writer writes for every report."""

import sqlite_utils


def write_row(db: sqlite_utils.Database, table: str, row: dict, key: str | None = None) -> int:
    """Insert `row` into `table` (with `key`, the row of the same key is updated instead); its rowid. One statement:
    sqlite-utils' insert and upsert read the table's layout each time, and an upsert is two statements, which was a
    third of the writer's time."""
    columns = ", ".join(row)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(row))})"
    if key is not None:
        sql += f" ON CONFLICT ({key}) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in row if c != key)
    return db.conn.execute(sql, list(row.values())).lastrowid
