"""The five real seed reports: every field as ../shared/seeds/expected.json has it."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, missing
from gxcrawl.report import parse_file


def expected_reports(seeds_dir):
    return json.loads((seeds_dir / "expected.json").read_text(encoding="utf-8"))


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), abs_tol=1e-6)


def read_as_expected(path, expected: dict, name: str) -> dict:
    """The document at `path` parsed, its identity and every expected figure asserted; its figures."""
    report = parse_file(path)
    assert report.error is None, name
    assert (report.agency, report.year, report.template) == (
        expected["agency"],
        expected["year"],
        expected["template"],
    ), name
    got = report.to_json()["figures"]
    wrong = {key: (value, got.get(key)) for key, value in expected["figures"].items() if not same(value, got.get(key))}
    assert wrong == {}, name
    return got


def test_every_field_of_every_seed(seeds_dir):
    for name, expected in expected_reports(seeds_dir).items():
        got = read_as_expected(seeds_dir / expected["file"], expected, name)
        assert set(got) == set(expected["figures"]), name


def test_seed_checks_and_sections(seeds_dir):
    reports = {name: parse_file(seeds_dir / e["file"]) for name, e in expected_reports(seeds_dir).items()}
    for name, report in reports.items():
        assert report.checks["R1"] == "ok", name
        assert report.checks["R5"] == "ok", name
        assert report.sections["overview"] and report.sections["problems"] and report.sections["other"], name
        assert report.sections["overview"].splitlines()[0] != report.title, name
    # 004 gives only the total of （一）予以公开 and （二）部分公开: their blank cells stay null among the
    # figures, and the arithmetic settles them in `derived` (a total of 0 makes its columns 0; R4 gives
    # 予以公开's columns), so R3 is evaluated with them.
    seed = reports["004_22472305d61fc584"]
    assert seed.figures["applications.partial.business"] is None and seed.figures["applications.granted.total"] == 2
    assert (
        seed.derived["applications.partial.business"] == 0
        and seed.derived_rules["applications.partial.business"] == "R3 row partial"
    )
    assert seed.derived["applications.granted.natural_person"] == 2
    assert seed.checks["R3"] == "ok"
    # 000 is a PDF's text: Kangxi radicals are mapped back in the prose too.
    assert "⼯" not in reports["000_da414b9701b36ba0"].sections["overview"]
    assert reports["002_1091f6b912cee938"].sections["other"] == "无"


def test_the_shared_comparison_tool_passes(seeds_dir):
    tool = seeds_dir.parent / "tools" / "check_seeds.py"
    if not tool.exists():
        missing(f"{tool} is not there")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run([sys.executable, str(tool)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "seeds: 1015/1015 fields right" in result.stdout
