"""Corrections that last: `gxcrawl correct`, applied through every reading, flagged when the document changes."""

import json
import random

import pytest
import yaml

from gxcrawl.archive import Archive
from gxcrawl.browse.server import METADATA
from gxcrawl.cli import main
from gxcrawl.model import Fetch
from gxcrawl.recording import record
from gxcrawl.report import parse_document
from gxcrawl.store.schema import open_database
from support.samples import random_report, render_html

KEY = "review.total"


@pytest.fixture
def imported(tmp_path):
    """A database with one imported report, and a way to import another version of it."""
    sample = random_report(random.Random("corrections"), form="2021", busy=0.8)
    db_path = tmp_path / "g.db"

    def version(name: str, changes: dict | None = None, other: str | None = None) -> str:
        sample.figures.update(changes or {})
        if other:
            sample.sections["other"] = other
        path = tmp_path / name
        path.write_bytes(render_html(sample))
        assert main(["import", str(path), "--db", str(db_path)]) == 0
        return path

    version("first.html")
    db = open_database(db_path)
    report_id = db.execute("SELECT id FROM reports").fetchone()[0]
    db.close()
    return sample, db_path, report_id, version


def query(db_path, sql: str, params=()) -> list[dict]:
    db = open_database(db_path)
    try:
        return [dict(row) for row in db.query(sql, params)]
    finally:
        db.close()


def figure(db_path, report_id: str, key: str = KEY) -> dict:
    return query(db_path, "SELECT * FROM figure_sources_current WHERE report_id = ? AND key = ?", [report_id, key])[0]


def canned(name: str, db_path, **params) -> list[dict]:
    sql = yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["__DATABASE__"]["queries"][name]["sql"]
    return query(db_path, sql, params)


def correct(db_path, *arguments: str) -> int:
    return main(["correct", *arguments, "--db", str(db_path)])


def test_a_correction_replaces_the_figure_reruns_the_checks_and_keeps_what_was_read(imported, capsys):
    sample, db_path, report_id, _ = imported
    printed = sample.figures[KEY]
    assert correct(db_path, report_id, KEY, str(printed + 1), "--reason", "表四第一格印作该数", "--by", "甲") == 0
    assert "stored again" in capsys.readouterr().out
    source = figure(db_path, report_id)
    assert (source["value"], source["status"], source["read_value"], source["raw"]) == (
        printed + 1,
        "corrected",
        printed,
        str(printed),
    )
    report = query(db_path, "SELECT checks, check_failures, warnings FROM reports")[0]
    assert json.loads(report["checks"])["R5"] == "failed"  # the form's arithmetic, run again with the correction
    assert any(line.startswith("R5 review") for line in json.loads(report["check_failures"]))
    assert any("corrected by a person" in warning for warning in json.loads(report["warnings"]))
    assert "R5 review" in source["failed_checks"]
    # The review queue lists the cells of the failed rule, with their text as printed.
    queue = canned("review_queue", db_path, agency="")
    assert {row["key"] for row in queue} == {
        f"review.{part}" for part in ("total", "upheld", "corrected", "other", "pending")
    }
    assert all(row["raw"] is not None and row["document"].endswith(source["read_from"]) for row in queue)
    # Nothing is lost: the reading before the correction is a version of its own.
    versions = query(db_path, "SELECT figures, superseded FROM report_versions ORDER BY id")
    assert [json.loads(row["figures"])[KEY] for row in versions] == [printed, printed + 1]


def test_a_correction_survives_a_reparse_and_a_new_version_whose_cell_is_unchanged(imported):
    sample, db_path, report_id, version = imported
    printed = sample.figures[KEY]
    assert correct(db_path, report_id, KEY, str(printed + 2), "--reason", "r") == 0
    assert main(["reparse", "--db", str(db_path)]) == 0
    assert figure(db_path, report_id)["value"] == printed + 2
    version("second.html", other="本年度新增说明。")  # the agency republished: new text, the same table 四
    source = figure(db_path, report_id)
    assert (source["value"], source["status"]) == (printed + 2, "corrected")
    assert query(db_path, "SELECT review FROM corrections") == [{"review": None}]
    assert len(query(db_path, "SELECT id FROM report_versions")) == 3


def test_a_new_version_that_reads_the_cell_otherwise_flags_the_correction_and_keeps_it(imported):
    sample, db_path, report_id, version = imported
    printed = sample.figures[KEY]
    assert correct(db_path, report_id, KEY, str(printed + 1), "--reason", "r") == 0
    version("second.html", {KEY: printed + 7})  # the agency fixed its own table differently
    source = figure(db_path, report_id)
    assert (source["value"], source["status"]) == (printed + 7, "read")  # never applied to a changed cell
    flagged = canned("corrections_to_review", db_path)
    assert len(flagged) == 1
    row = flagged[0]
    assert (row["read_then"], row["corrected_to"], row["reads_now"], row["printed_now"]) == (
        printed,
        printed + 1,
        printed + 7,
        str(printed + 7),
    )
    assert "reads review.total as" in row["why"]
    # A reparse of the older version (history) neither applies it to the new one nor forgets the flag.
    assert main(["reparse", "--db", str(db_path)]) == 0
    assert figure(db_path, report_id)["value"] == printed + 7
    assert len(canned("corrections_to_review", db_path)) == 1
    # A person settles it by correcting again: the newer correction holds, the older stays in the table.
    assert correct(db_path, report_id, KEY, str(printed + 8), "--reason", "again") == 0
    assert figure(db_path, report_id)["value"] == printed + 8
    assert canned("corrections_to_review", db_path) == []
    assert len(query(db_path, "SELECT id FROM corrections")) == 2


def test_corrections_from_a_file_and_the_ones_that_cannot_be_recorded(imported, tmp_path, capsys):
    sample, db_path, report_id, _ = imported
    sheet = tmp_path / "corrections.csv"
    sheet.write_text(
        "report_id,key,value,reason,by\n"
        f"{report_id},applications.new.total,1234,表三首行,乙\n"
        f"{report_id},no.such.key,1,r,乙\n"
        f"no/such/report,{KEY},1,r,乙\n"
        f"{report_id},{KEY},十二,r,乙\n"
        f"{report_id},active.fees.amount,null,原文未列,乙\n",
        encoding="utf-8",
    )
    assert correct(db_path, "--file", str(sheet)) == 1
    err = capsys.readouterr().err
    assert "'no.such.key' is not a figure key" in err and "no report 'no/such/report'" in err
    assert "cell '十二' is not a number; write the figure as printed" in err
    rows = query(db_path, "SELECT key, value, made_by FROM corrections ORDER BY id")
    assert rows == [
        {"key": "applications.new.total", "value": 1234, "made_by": "乙"},
        {"key": "active.fees.amount", "value": None, "made_by": "乙"},
    ]
    assert figure(db_path, report_id, "applications.new.total")["value"] == 1234
    assert len(query(db_path, "SELECT id FROM report_versions")) == 2  # the report stored again once, with both
    assert figure(db_path, report_id, "active.fees.amount")["value"] is None
    assert correct(db_path, report_id, KEY, "3") == 1  # no reason
    assert "needs a reason" in capsys.readouterr().err


def test_a_reading_made_elsewhere_is_corrected_on_the_one_recording_path(imported, tmp_path):
    """As the ingest records what a distributed worker read: the reading is given, the correction still applies."""
    sample, db_path, report_id, _ = imported
    assert correct(db_path, report_id, KEY, "999", "--reason", "r") == 0
    db = open_database(db_path)
    try:
        page = render_html(sample)
        reading = parse_document(page, "http://portal/view/1")
        stored = record(
            db,
            Archive(tmp_path / "archive"),
            Fetch("henan", "http://portal/view/1", published="2099-01-01"),
            [{"url": "http://portal/view/1", "body": page}],
            report=reading,
        )
        assert stored.outcome == "changed"
        assert reading.figures[KEY] == 999
    finally:
        db.close()
    assert figure(db_path, report_id)["value"] == 999


def test_a_correction_taken_back_is_a_new_version_and_history_keeps_its_sources(imported):
    sample, db_path, report_id, _ = imported
    printed = sample.figures[KEY]
    assert correct(db_path, report_id, KEY, str(printed + 1), "--reason", "r") == 0
    assert correct(db_path, report_id, KEY, str(printed), "--reason", "the first correction was wrong") == 0
    source = figure(db_path, report_id)
    assert (source["value"], source["status"], source["correction_id"]) == (printed, "corrected", 2)
    versions = query(
        db_path,
        "SELECT v.id, v.superseded, v.corrections, s.status FROM report_versions v "
        "JOIN figure_sources s ON s.version_id = v.id AND s.key = ? ORDER BY v.id",
        [KEY],
    )
    assert [(row["superseded"], row["corrections"], row["status"]) for row in versions] == [
        (1, None, "read"),
        (1, "[1]", "corrected"),
        (0, "[2]", "corrected"),
    ]


def test_a_cell_that_moved_in_a_new_version_flags_its_correction_even_when_the_text_is_the_same(imported):
    """Blank cells leave no trace in the normalised text: 「3 | 」 and 「 | 3」 hash the same."""
    sample, db_path, report_id, version = imported
    moved = {"review.upheld": sample.figures["review.upheld"], "review.corrected": None}
    version("blank.html", moved)
    assert correct(db_path, report_id, "review.upheld", "5", "--reason", "r") == 0
    before = query(db_path, "SELECT content_sha256 FROM reports")[0]["content_sha256"]
    version("moved.html", {"review.upheld": None, "review.corrected": moved["review.upheld"]})
    assert query(db_path, "SELECT content_sha256 FROM reports")[0]["content_sha256"] == before
    source = figure(db_path, report_id, "review.upheld")
    assert source["status"] != "corrected" and source["raw"] == ""
    assert len(canned("corrections_to_review", db_path)) == 1


def test_a_flagged_correction_that_fits_again_applies_again_and_leaves_the_queue(imported):
    sample, db_path, report_id, version = imported
    printed = sample.figures[KEY]
    assert correct(db_path, report_id, KEY, str(printed + 1), "--reason", "r") == 0
    version("changed.html", {KEY: printed + 5})
    assert len(canned("corrections_to_review", db_path)) == 1
    version("reverted.html", {KEY: printed}, other="再次发布。")
    assert figure(db_path, report_id)["value"] == printed + 1
    assert canned("corrections_to_review", db_path) == []


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        (KEY, "NaN", "is not a number"),
        (KEY, "Infinity", "is not a number"),
        (KEY, "1e400", "is not a number"),
        (KEY, "-3", "is a negative count"),
        (KEY, "2.5", "is not a whole number"),
        (KEY, "", "is empty"),
    ],
)
def test_values_that_are_no_figure_of_their_kind_are_refused(imported, capsys, key, value, problem):
    _, db_path, report_id, _ = imported
    assert correct(db_path, report_id, key, value, "--reason", "r") == 1
    assert problem in capsys.readouterr().err
    assert query(db_path, "SELECT count(*) AS n FROM corrections") == [{"n": 0}]


def test_values_are_read_as_the_document_prints_them(imported):
    _, db_path, report_id, _ = imported
    assert correct(db_path, report_id, KEY, "1,234", "--reason", "r") == 0
    assert correct(db_path, report_id, "active.fees.amount", "12000元", "--reason", "r") == 0
    assert correct(db_path, report_id, "applications.new.total", "—", "--reason", "r") == 0
    values = {row["key"]: row["value"] for row in query(db_path, "SELECT key, value FROM corrections")}
    assert values == {KEY: 1234, "active.fees.amount": 1.2, "applications.new.total": 0}


def test_a_corrections_file_that_cannot_be_read_is_said_plainly(imported, tmp_path, capsys):
    _, db_path, report_id, _ = imported
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(f"report_id,key,value,reason\n{report_id},{KEY},1,原文\n".encode("gbk"))
    empty = tmp_path / "empty.csv"
    empty.write_text("report_id,key,value,reason,by\n", encoding="utf-8")
    assert correct(db_path, "--file", str(gbk)) == 2
    assert "is not UTF-8 text" in capsys.readouterr().err
    assert correct(db_path, "--file", str(empty)) == 2
    assert "has no corrections under its header" in capsys.readouterr().err
