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
    assert "has no figure 'no.such.key'" in err and "no report 'no/such/report'" in err and "is not a number" in err
    rows = query(db_path, "SELECT key, value, made_by FROM corrections ORDER BY id")
    assert rows == [
        {"key": "applications.new.total", "value": 1234, "made_by": "乙"},
        {"key": "active.fees.amount", "value": None, "made_by": "乙"},
    ]
    assert figure(db_path, report_id, "applications.new.total")["value"] == 1234
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
