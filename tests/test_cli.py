"""`gxcrawl parse` as a user runs it."""

import json
import os
import subprocess
import sys

from conftest import FIXTURES

HTML = FIXTURES / "html"


def gxcrawl(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "gxcrawl", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def lines(result):
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_json_lines_one_object_per_document():
    result = gxcrawl("parse", HTML / "inconsistent.html", HTML / "portal_2019_procurement.html")
    assert result.returncode == 0, result.stderr
    first, second = lines(result)
    assert set(first) >= {"file", "title", "agency", "year", "template", "figures", "checks", "sections", "warnings"}
    assert "error" not in first
    assert first["file"].endswith("inconsistent.html")
    assert first["checks"]["R1"] == "failed"
    assert second["template"] == "2019" and len(second["figures"]) == 198
    assert second["figures"]["active.procurement.amount"] == 25.1
    assert list(second["sections"]) == ["overview", "problems", "other"]


def test_bad_documents_get_an_error_and_the_others_are_still_read(tmp_path):
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "garbage.bin").write_bytes(os.urandom(4096).replace(b"%PDF", b"xxxx"))
    (tmp_path / "big.txt").write_bytes(b"x" * 20000)
    result = gxcrawl(
        "parse",
        tmp_path / "empty.html",
        tmp_path / "garbage.bin",
        HTML / "inconsistent.html",
        tmp_path / "big.txt",
        tmp_path / "missing.html",
        env={"GXCRAWL_MAX_BYTES": "10000"},
    )
    assert result.returncode == 1
    reports = lines(result)
    assert [r.get("error", "")[:12] for r in reports] == [
        "the document",
        "the document",
        "",
        "the file is ",
        "no such file",
    ]
    assert "empty" in reports[0]["error"]
    assert "binary" in reports[1]["error"] or "image" in reports[1]["error"] or "ZIP" in reports[1]["error"]
    assert "over the" in reports[3]["error"] and "--max-bytes" in reports[3]["error"]
    assert reports[2]["agency"] == "新乡市红旗区发展和改革委员会"
    assert "empty.html" in result.stderr and "missing.html" in result.stderr


def test_max_bytes_option_overrides_the_setting(tmp_path):
    result = gxcrawl("parse", "--max-bytes", "100", HTML / "inconsistent.html")
    assert result.returncode == 1
    assert "over the" in lines(result)[0]["error"]


def test_a_directory_stands_for_its_files():
    result = gxcrawl("parse", HTML)
    names = [os.path.basename(r["file"]) for r in lines(result)]
    assert names == sorted(os.listdir(HTML))
    assert result.returncode == 1  # not_a_report.html


def test_pretty_output_is_indented():
    result = gxcrawl("parse", "--pretty", HTML / "inconsistent.html")
    assert result.stdout.startswith('{\n  "file"')
    assert json.loads(result.stdout)["agency"] == "新乡市红旗区发展和改革委员会"


def test_usage_errors_exit_2():
    assert gxcrawl("parse").returncode == 2
    assert gxcrawl("frobnicate").returncode == 2
    assert gxcrawl().returncode == 2


def test_a_file_name_cannot_forge_a_line_of_the_log(tmp_path):
    forged = tmp_path / "x.html\ngxcrawl: FAKE.html: all good"
    forged.write_bytes(b"<html><body>not a report</body></html>")
    result = gxcrawl("parse", str(tmp_path))
    assert result.returncode == 1
    messages = [line for line in result.stderr.splitlines() if line.startswith("gxcrawl:")]
    assert len(messages) == 1 and "\\ngxcrawl: FAKE.html: all good'" in messages[0]


def test_import_does_not_leave_the_folder_by_a_symbolic_link(tmp_path):
    from gxcrawl.importer import expand_paths

    outside = tmp_path / "outside.html"
    outside.write_text("secret")
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.html").write_text("report")
    (folder / "b.html").symlink_to(folder / "a.html")  # a link within the folder is read
    (folder / "hostname").symlink_to(outside)
    assert list(expand_paths([str(folder)])) == [str(folder / "a.html"), str(folder / "b.html")]
    assert str(folder / "hostname") in expand_paths([str(folder)], follow_links=True)
