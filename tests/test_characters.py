"""The index of single characters the writer keeps for short searches equals one built from the reports."""

import random

from gxcrawl.archive import Archive
from gxcrawl.model import Fetch
from gxcrawl.recording import record
from gxcrawl.store.characters import CHARACTER_INDEX, phrase, spaced
from gxcrawl.store.schema import open_database
from support.samples import random_report, render_html


def indexed(db) -> set:
    return set(db.execute(f"SELECT rowid, agency, title FROM {CHARACTER_INDEX}"))


def from_reports(db) -> set:
    return {
        (rowid, spaced(agency), spaced(title))
        for rowid, agency, title in db.execute("SELECT rowid, agency, title FROM reports")
    }


def test_the_writer_keeps_the_index_and_an_upgrade_builds_it(tmp_path):
    db = open_database(tmp_path / "g.db")
    archive = Archive(tmp_path / "archive")
    for seed, (agency, year, published) in enumerate(
        [
            ("卫辉市商务局", 2021, "2022-01-10"),
            ("郑州市教育局", 2022, "2023-01-10"),
            ("卫辉市商务局", 2021, "2022-03-01"),
        ]
    ):  # the last a new version, under another title
        sample = random_report(random.Random(seed), form="2021", agency=agency, year=year)
        sample.title_suffix = f"（第{seed}版）"
        url = f"http://portal/{seed}"
        record(db, archive, Fetch("henan", url, published=published), [{"url": url, "body": render_html(sample)}])
    assert indexed(db) == from_reports(db) and len(indexed(db)) == 2
    assert any(title.endswith("（ 第 2 版 ）") for _, _, title in indexed(db))
    found = db.execute(f"SELECT rowid FROM {CHARACTER_INDEX} WHERE {CHARACTER_INDEX} MATCH ?", [phrase("卫辉")])
    assert [row[0] for row in found] == [
        db.execute("SELECT rowid FROM reports WHERE agency = '卫辉市商务局'").fetchone()[0]
    ]
    db.conn.execute(f"DROP TABLE {CHARACTER_INDEX}")  # as a database made before it
    db.conn.commit()
    db.close()
    db = open_database(tmp_path / "g.db")
    assert indexed(db) == from_reports(db) and len(indexed(db)) == 2
    db.close()


def test_a_word_is_a_phrase_of_its_characters_and_one_of_ascii_punctuation_is_none():
    assert phrase("卫辉") == '"卫 辉"'
    assert phrase('a"b') == '"a "" b"'
    assert phrase("（") == '"（"'  # beyond ASCII every character is part of a word
    assert phrase("-") is None and phrase("%_") is None


def test_reports_another_writer_stores_are_searched_and_indexed_by_the_next_gxcrawl(tmp_path):
    import asyncio

    from gxcrawl.browse.server import make_datasette
    from gxcrawl.cli import main
    from gxcrawl.store.characters import UNINDEXED
    from test_summaries import computed, kept

    path = tmp_path / "g.db"
    db = open_database(path)
    archive = Archive(tmp_path / "archive")
    sample = random_report(random.Random(1), form="2021", agency="卫辉市商务局", year=2021)
    record(
        db,
        archive,
        Fetch("henan", "http://portal/1", published="2022-01-10"),
        [{"url": "u", "body": render_html(sample)}],
    )
    # As an older gxcrawl (or a hand edit) writes: no character index kept, no summaries but its own.
    db.conn.execute(
        "INSERT INTO reports (id, source, agency, year, title, region, template, format) "
        "VALUES ('henan/罕见局/2022', 'henan', '罕见局', 2022, '罕见局2022年报告', '新乡市', '2021', 'html')"
    )
    db.conn.execute("UPDATE reports SET title = '稀有标题' WHERE agency = '卫辉市商务局'")
    for _ in range(2):  # an upsert of a report listed already (an older gxcrawl storing it twice)
        db.conn.execute(
            "INSERT INTO reports (id, source, agency, year, title) "
            "VALUES ('henan/罕见局/2022', 'henan', '罕见局', 2022, '罕见局2022年报告') "
            "ON CONFLICT (id) DO UPDATE SET title = excluded.title"
        )
    db.conn.commit()
    assert db.execute(f"SELECT count(*) FROM {UNINDEXED}").fetchone()[0] == 2
    assert kept(db)[4:] == computed(db)[4:]  # the gaps and facets, kept by triggers whoever writes
    db.close()

    datasette = make_datasette([path])
    loop = asyncio.new_event_loop()

    def agencies(query):
        answer = loop.run_until_complete(datasette.client.get(f"/g/reports.json?_search={query}&_shape=objects"))
        return [row["agency"] for row in answer.json()["rows"]], "rowid IN (" in answer.json()["query"]["sql"]

    # Browse looks among the reports the index has not read yet too.
    assert agencies("罕见") == (["罕见局"], True)
    assert agencies("稀有") == (["卫辉市商务局"], True)
    loop.close()
    db = open_database(path)  # the next gxcrawl to write indexes them
    assert db.execute(f"SELECT count(*) FROM {UNINDEXED}").fetchone()[0] == 0
    assert indexed(db) == from_reports(db)
    db.conn.execute(f"DELETE FROM {CHARACTER_INDEX}")  # a hand edit: rebuild-summaries puts it right
    db.conn.commit()
    db.close()
    assert main(["rebuild-summaries", "--db", str(path)]) == 0
    db = open_database(path)
    assert indexed(db) == from_reports(db) and len(indexed(db)) == 2
    db.close()


def test_a_database_whose_index_has_no_list_of_what_it_missed_is_indexed_afresh(tmp_path):
    from gxcrawl.store.characters import CHARACTER_INDEX_TRIGGERS, UNINDEXED

    db = open_database(tmp_path / "g.db")
    # As a release that kept the index without its list of what other writers stored: one report it never read.
    db.conn.execute(f"DROP TABLE {UNINDEXED}")
    for name in CHARACTER_INDEX_TRIGGERS:
        db.conn.execute(f"DROP TRIGGER {name}")
    db.conn.execute("INSERT INTO reports (id, source, agency, year, title) VALUES ('a', 'henan', '罕见局', 2022, 't')")
    db.conn.commit()
    assert indexed(db) == set()
    db.close()
    db = open_database(tmp_path / "g.db")
    assert indexed(db) == from_reports(db) and len(indexed(db)) == 1
    db.close()
