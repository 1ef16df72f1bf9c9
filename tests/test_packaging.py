"""The product ships alone: no test, replica, sample or server module in the wheel or in a crawl."""

import subprocess
import sys
import tomllib

import pytest
import setuptools

from conftest import ROOT

# Subprocess crawls, local servers, Chromium, LibreOffice or OCR: the end-to-end tier (`make test-fast` skips it).
pytestmark = pytest.mark.e2e

#: Modules of tests/support, by their last name: none may be loaded by a crawl or shipped.
SUPPORT = {"samples", "rendering", "henan_replica", "site_replica", "script_lists", "serving", "demo", "conversions"}


def test_the_wheel_holds_the_library_only():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = setuptools.find_packages(str(ROOT), include=include)
    assert packages and {name.split(".")[0] for name in packages} == {"gxcrawl"}
    shipped = {path.stem for name in packages for path in (ROOT / name.replace(".", "/")).glob("*.py")}
    assert not shipped & SUPPORT


def test_a_crawl_loads_no_replica_sample_or_server(tmp_path):
    # A real `scrapy crawl` (of an address that does not answer), its modules listed as it exits.
    listing = tmp_path / "modules.txt"
    code = (
        "import atexit, sys\n"
        f"atexit.register(lambda: open({str(listing)!r}, 'w').write('\\n'.join(sorted(sys.modules))))\n"
        "from scrapy.cmdline import execute\n"
        "execute(['scrapy', 'crawl', 'site', '-a', 'url=http://127.0.0.1:9/list.html', "
        f"'-s', 'GXCRAWL_DB={tmp_path / 'g.db'}', '-s', 'RETRY_ENABLED=0', '-s', 'LOG_LEVEL=ERROR'])\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    modules = listing.read_text().split()
    assert "spiders.site" in modules and "pipelines.store" in modules  # it did crawl
    assert not [
        name for name in modules if name.split(".")[0] in ("support", "tests") or name.split(".")[-1] in SUPPORT
    ], modules
