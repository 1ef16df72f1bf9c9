"""One writer per database: the lock refuses a second process, and dies with its holder."""

import os
import signal
import subprocess
import sys

import pytest

from gxcrawl import lock

HOLD = """
import sys, time
from gxcrawl import lock
lock.acquire(sys.argv[1])
print("held", flush=True)
time.sleep(60)
"""


@pytest.fixture
def holder(tmp_path):
    """Another process holding the lock of tmp_path/g.db."""
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path / "g.db")], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    yield process
    process.kill()
    process.wait()


def test_a_second_process_is_refused_with_who_holds_the_lock(tmp_path, holder):
    with pytest.raises(lock.DatabaseBusy) as busy:
        lock.acquire(tmp_path / "g.db")
    assert f"process {holder.pid} on" in str(busy.value) and "flock -n" in str(busy.value)


def test_the_lock_dies_with_its_holder_even_when_killed(tmp_path, holder):
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with lock.writing(tmp_path / "g.db"):
        assert f"process {os.getpid()} on" in lock.lock_path(tmp_path / "g.db").read_text()


def test_the_lock_is_reentrant_within_a_process(tmp_path):
    database = tmp_path / "g.db"
    with lock.writing(database):
        with lock.writing(database):
            pass
        # Still held after the inner release: another process is refused.
        probe = subprocess.run(
            [sys.executable, "-c", f"from gxcrawl import lock; lock.acquire({str(database)!r})"],
            capture_output=True,
            text=True,
        )
        assert probe.returncode != 0 and "DatabaseBusy" in probe.stderr
    probe = subprocess.run(
        [sys.executable, "-c", f"from gxcrawl import lock; lock.acquire({str(database)!r})"],
        capture_output=True,
        text=True,
    )
    assert probe.returncode == 0, probe.stderr


def test_two_names_of_one_database_share_its_lock(tmp_path, holder):
    (tmp_path / "link.db").symlink_to(tmp_path / "g.db")
    with pytest.raises(lock.DatabaseBusy):
        lock.acquire(tmp_path / "link.db")


def test_a_hard_link_to_the_database_is_the_same_database(tmp_path):
    from gxcrawl.store.schema import open_database

    open_database(tmp_path / "g.db").close()
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path / "g.db")], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "held"
        # Another name of the same file, in another folder, is refused too.
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        os.link(tmp_path / "g.db", elsewhere / "alias.db")
        with pytest.raises(lock.DatabaseBusy) as busy:
            lock.acquire(elsewhere / "alias.db")
        assert f"process {process.pid} on" in str(busy.value)
        assert not lock.lock_path(elsewhere / "alias.db").read_text()  # the name's own lock was let go again
    finally:
        process.kill()
        process.wait()


def test_a_writer_that_makes_the_database_holds_it_by_its_identity(tmp_path):
    from gxcrawl.store.schema import open_database

    database = tmp_path / "new.db"
    with lock.writing(database):
        assert not database.exists()
        open_database(database).close()
        os.link(database, tmp_path / "alias.db")
        probe = subprocess.run(
            [sys.executable, "-c", f"from gxcrawl import lock; lock.acquire({str(tmp_path / 'alias.db')!r})"],
            capture_output=True,
            text=True,
        )
        assert probe.returncode != 0 and "DatabaseBusy" in probe.stderr
