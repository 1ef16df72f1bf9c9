"""One writer per database: a crawl, an import or a reparse holds `<database>.lock` while it writes.

The lock is an advisory `flock` on a file beside the database, so the
operating system releases it when its holder exits, however it exits (a
kill, a crash, a machine restart): there are no stale locks to clean up. The
file records who holds it, for the message the next writer prints. A second
`flock`, on a file named by the database's identity (device and inode, in the
temporary folder's `gxcrawl-locks-<uid>/`, private to the user), holds for every name of the same file:
a hard link to the database is the same database, as it is to SQLite. A
writer that makes the database file takes that second lock once the file
exists (`bind_identity`, called by `open_database`).

Within one process the lock is re-entrant: the `crawl` command takes it
before Scrapy starts (to refuse at once, with a clear message), and the
store pipeline takes it again for crawls started any other way.
"""

import fcntl
import os
import socket
import stat
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

#: Exit status of a command that found the database busy (EX_TEMPFAIL: try again later).
BUSY_EXIT_STATUS = 75

_held: dict[str, tuple[tuple[int, int | None], int]] = {}  # real path of the lock file → (descriptors, holders)


class DatabaseBusy(RuntimeError):
    """Another process is writing the database."""


def lock_path(database: str | Path) -> Path:
    """The lock file beside the database, found through symlinks: two names of one file share one lock."""
    return Path(f"{os.path.realpath(database)}.lock")


def identity_lock_path(database: str | Path) -> Path | None:
    """The lock file of the database file itself, whatever name it is reached by; None while there is no
    file yet (its writer takes it once it has made the file: `bind_identity`)."""
    path = Path(os.path.realpath(database))
    if not path.exists():
        return None
    identity = path.stat()
    return _lock_folder(database) / f"{identity.st_dev}-{identity.st_ino}.lock"


def _lock_folder(database: str | Path) -> Path:
    """This user's own folder of identity locks, made private; refused when someone else has put one there."""
    folder = Path(tempfile.gettempdir()) / f"gxcrawl-locks-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    found = os.lstat(folder)
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o077:
        raise DatabaseBusy(
            f"{database} cannot be locked: {folder} is not a private folder of this user (someone else made it, "
            "or it is a link or open to others); remove it and run again"
        )
    return folder


def acquire(database: str | Path) -> None:
    """Take the database's writer lock, or raise DatabaseBusy saying who holds it."""
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = str(path)
    if key in _held:
        descriptors, holders = _held[key]
        _held[key] = (descriptors, holders + 1)
        return
    descriptor = _locked(path, database)
    try:
        identity = _identity_locked(database)
    except DatabaseBusy:
        os.close(descriptor)
        raise
    _note_holder(descriptor)
    _held[key] = ((descriptor, identity), 1)


def bind_identity(database: str | Path) -> None:
    """A writer that has just made the database file takes its identity lock too (gxcrawl.store.schema)."""
    key = str(lock_path(database))
    if key in _held and _held[key][0][1] is None:
        (descriptor, _), holders = _held[key]
        _held[key] = ((descriptor, _identity_locked(database)), holders)


def _identity_locked(database: str | Path) -> int | None:
    path = identity_lock_path(database)
    if path is None:
        return None
    descriptor = _locked(path, database)
    _note_holder(descriptor)
    return descriptor


def _note_holder(descriptor: int) -> None:
    """Who holds the lock, for the message the next writer prints."""
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, f"process {os.getpid()} on {socket.gethostname()}, since {started}\n".encode(), 0)


def _locked(path: Path, database: str | Path) -> int:
    """A descriptor of `path`, flock'ed; DatabaseBusy saying who holds it when another process does."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(descriptor, 500, 0).decode("utf-8", "replace").strip() or "another process"
        os.close(descriptor)
        raise DatabaseBusy(
            f"{database} is being written by {holder}. This run stopped without touching it; "
            "run it again once the other one has finished (cron: wrap it in `flock -n`)"
        ) from None
    return descriptor


def release(database: str | Path) -> None:
    key = str(lock_path(database))
    if key not in _held:
        return
    descriptors, holders = _held.pop(key)
    if holders > 1:
        _held[key] = (descriptors, holders - 1)
        return
    for descriptor in filter(None, descriptors):
        os.close(descriptor)  # closing releases the flock; the files stay, empty locks cost nothing


@contextmanager
def writing(database: str | Path):
    """`with writing(path):` holds the writer lock for the block."""
    acquire(database)
    try:
        yield
    finally:
        release(database)
