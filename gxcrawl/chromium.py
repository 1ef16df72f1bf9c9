"""Where the system's Chromium is, and the flags it runs with here: the crawl's browser (spiders/browser.py)
and the tests' printing of sample attachments both launch it so."""

import shutil

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Flags for Chromium on a machine with no network and no display (run as root, no GPU).
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def find_chromium() -> str | None:
    """The system's Chromium (Debian's /usr/bin/chromium and the usual names), or None."""
    return next((path for path in map(shutil.which, CHROMIUM_NAMES) if path), None)
