"""Raw documents kept content-addressed: `<root>/<first two hex digits>/<sha256>`.

The same bytes are stored once however often they are fetched; nothing is
ever overwritten (a file's name is its content's hash). `gxcrawl reparse`
reads the documents back to parse them again after a parser improvement.
"""

import hashlib
import os
import tempfile
from pathlib import Path

#: Readable by the browsing and backup tools, like the database beside it.
FILE_MODE = 0o644


def beside(database: str | os.PathLike) -> Path:
    """The archive that goes with a database: `archive/` in the same folder."""
    return Path(database).parent / "archive"


class Archive:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        """Store `data` (if not stored yet) and return its SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            # Written aside, synced and renamed: a crash never leaves half a document under its hash.
            part = tempfile.NamedTemporaryFile(dir=target.parent, delete=False)
            try:
                with part:
                    part.write(data)
                    part.flush()
                    os.fsync(part.fileno())
                os.chmod(part.name, FILE_MODE)
                os.replace(part.name, target)
            except BaseException:
                Path(part.name).unlink(missing_ok=True)
                raise
        return digest

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()
