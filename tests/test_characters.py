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
