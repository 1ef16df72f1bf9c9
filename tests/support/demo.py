"""`make demo`: the whole job offline, on a replica of the Henan portal.

Starts the replica on a free port of this machine, runs `scrapy crawl henan`
against it into output/demo.db, and says how to browse the result.
Attachment-only reports (PDF, DOC, scans) are included when Chromium and
LibreOffice are installed to make them.
"""

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from support.henan_replica import ATTACHMENT_FORMATS, Replica, ReplicaOptions
from support.serving import henan_crawl


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("output/demo.db"), help="default output/demo.db")
    parser.add_argument("--reports", type=int, default=60, help="reports on the replica (default 60)")
    # A fixed port keeps the reports' URLs from one demo to the next, so that running it again is a refresh.
    parser.add_argument("--port", type=int, default=8760, help="the replica's port (default 8760, else any free one)")
    args = parser.parse_args(argv)
    database = args.db
    tools = shutil.which("chromium") and shutil.which("soffice")
    formats = ATTACHMENT_FORMATS if tools else ("docx", "txt")
    replica = Replica(ReplicaOptions(reports=args.reports, attachment_formats=formats))
    try:
        url = replica.serve(port=args.port)
    except OSError:
        url = replica.serve()
    print(f"replica of the Henan portal with {len(replica.reports)} reports at {url}/zw/public-report")
    if not tools:
        print(
            "(PDF, DOC and scanned attachments are left out: apt-get install chromium fonts-noto-cjk "
            "libreoffice-writer-nogui to include them)"
        )
    try:
        result = subprocess.run(henan_crawl(url, database, "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=WARNING"))
    finally:
        replica.stop()
    if result.returncode:
        print(f"the demo crawl failed (exit status {result.returncode}); the messages above say why")
        return result.returncode
    print(
        f"\nDone: {database} holds the reports. Browse them with\n    .venv/bin/gxcrawl browse {database}\n"
        f"or query them with\n    sqlite3 {database} 'SELECT agency, year, template, checks_failed FROM reports'"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
