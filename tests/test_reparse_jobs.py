"""`gxcrawl reparse --jobs N`: read in N processes, stored by the one writer, exactly as one process stores it."""

import random
import shutil

from gxcrawl.cli import main
from gxcrawl.store.schema import open_database
from support.samples import random_report, render_html


def test_reading_in_two_processes_stores_what_one_process_stores(tmp_path, capsys):
    folder = tmp_path / "files"
    folder.mkdir()
    rng = random.Random("jobs")
    for index in range(9):
        (folder / f"{index}.html").write_bytes(render_html(random_report(rng, year=2019 + index % 5)))
    (folder / "broken.html").write_bytes("<html><body>不是年报</body></html>".encode())
    one = tmp_path / "one" / "g.db"
    assert main(["import", str(folder), "--db", str(one)]) == 1  # the broken file is a failure, archived
    db = open_database(one)
    # A version the parser now reads otherwise (as after a parser improvement): the reparse stores a new version.
    db.conn.execute("UPDATE report_versions SET figures = '{}' WHERE id IN (SELECT min(id) FROM report_versions)")
    db.conn.commit()
    db.close()
    two = tmp_path / "two" / "g.db"
    shutil.copytree(one.parent, two.parent)
    capsys.readouterr()
    assert main(["reparse", "--db", str(one)]) == 0
    said_one = capsys.readouterr().out
    assert main(["reparse", "--db", str(two), "--jobs", "2"]) == 0
    assert capsys.readouterr().out == said_one
    assert "1 changed" in said_one and "still unreadable" in said_one

    def state(path):
        db = open_database(path)
        try:
            return {
                table: [tuple(row) for row in db.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
                for table in ("figures", "figure_sources", "summary_totals")
            } | {
                "versions": [
                    tuple(row)
                    for row in db.execute("SELECT report_id, figures, superseded FROM report_versions ORDER BY id")
                ]
            }
        finally:
            db.close()

    assert state(one) == state(two)
