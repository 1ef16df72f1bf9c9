"""Every document is read within a memory budget and a time budget, in a process of its own (issue 16).

A hostile or broken document can make a reader take gigabytes or minutes: a
665-byte PDF whose one page is 20000×20000 pt, a DOCX whose XML inflates to
190 MB, an HTML table with rowspan=100000. So documents are read by a child
process (`Reader`), which the caller watches: when the child's own memory
passes GXCRAWL_READ_MEMORY_MB (default 1024) or a document takes longer than
GXCRAWL_READ_SECONDS (default 300), the child is killed and the document
refused with a message that names the budget and the setting to raise it;
the next document gets a fresh child. The caller (a crawl, an import, the
ingest) never holds a document's memory, so one document can never take it
down. The child also has a hard address-space limit well above the budget
(RLIMIT_AS), for allocations too sudden to be watched.

The child is started by a fork server (multiprocessing's "forkserver"): a
clean process, whatever threads the caller runs (Twisted's, Playwright's),
with the environment the caller had when it read its first document. As
with any forkserver child, a script that reads documents at module level
must do it under `if __name__ == "__main__":`. Each answer names the
document it answers, and a call interrupted before its answer (Ctrl-C, a
budget) ends its child: no answer is ever taken for another document's.
"""

import atexit
import gc
import multiprocessing
import os
import resource
import signal
import time
from pathlib import Path

DEFAULT_MEMORY_MB = 1024
#: A long scanned report takes about a second a page to read: 300 s is some 250 pages.
DEFAULT_SECONDS = 300
#: The child's hard address-space limit, in budgets: libraries reserve far more address space than they use
#: (the OCR engine reserves 1.3 GB and touches 0.5 GB).
ADDRESS_SPACE_BUDGETS = 4
#: Allocations between the reader child's collections of its youngest objects (Python's default is 700).
GC_THRESHOLD = 50_000
#: How often the child's memory is looked at, in seconds.
WATCH_SECONDS = 0.02


class BudgetExceeded(Exception):
    """A document needed more memory or time than its budget; the message names the budget and its setting."""


def memory_budget_mb() -> int:
    return int(os.environ.get("GXCRAWL_READ_MEMORY_MB") or DEFAULT_MEMORY_MB)


def time_budget_seconds() -> float:
    return float(os.environ.get("GXCRAWL_READ_SECONDS") or DEFAULT_SECONDS)


class Reader:
    """A child process that runs one reading at a time, watched against the budgets."""

    def __init__(self):
        self.process = None
        self.connection = None
        #: How many documents were sent: each answer names the one it answers.
        self.sent = 0

    def call(self, function, *args):
        """`function(*args)` in the child (a module-level function, its arguments and result picklable)."""
        memory, seconds = memory_budget_mb(), time_budget_seconds()
        if self.process is None or not self.process.is_alive():
            self._start(memory)
        self.sent += 1
        try:
            self.connection.send((self.sent, function, args))
            outcome, value = self._answer(self.sent, memory, seconds)
        except BaseException:
            # Interrupted, or over a budget: an answer may still come, and must never be taken for the next
            # document's. The child goes; the next call starts another.
            self.stop()
            raise
        if outcome == "error":
            raise value
        return value

    def _answer(self, number: int, memory: int, seconds: float):
        deadline = time.monotonic() + seconds
        while not self.connection.poll(WATCH_SECONDS):
            if private_memory_mb(self.process.pid) > memory:
                raise BudgetExceeded(
                    f"reading it needed more than {memory} MB of memory, the budget of one document "
                    "(GXCRAWL_READ_MEMORY_MB); it was refused unread"
                )
            if time.monotonic() > deadline:
                raise BudgetExceeded(
                    f"reading it took longer than {seconds:g} s, the budget of one document (GXCRAWL_READ_SECONDS); "
                    "it was refused unread"
                )
            if not self.process.is_alive():
                raise BudgetExceeded(self._death(memory))
        try:
            answered, outcome, value = self.connection.recv()
        except (EOFError, OSError):
            self.process.join(1)
            raise BudgetExceeded(self._death(memory)) from None
        if answered != number:
            raise RuntimeError(f"the reader answered document {answered} when asked for document {number}")
        return outcome, value

    def _death(self, memory: int) -> str:
        """Why the child stopped: killed (by the kernel's address-space limit or out of memory), or crashed."""
        code = self.process.exitcode
        if code in (-signal.SIGKILL, None) or code == 1:
            return (
                f"the reader stopped while reading it, most likely for want of memory: the budget of one "
                f"document is {memory} MB (GXCRAWL_READ_MEMORY_MB); it was refused unread"
            )
        name = signal.Signals(-code).name if code < 0 and -code in signal.valid_signals() else f"status {code}"
        return f"the reader crashed while reading it ({name}); it was refused unread: this is a bug, please report it"

    def _start(self, memory_mb: int) -> None:
        context = multiprocessing.get_context("forkserver")
        parent, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, memory_mb), daemon=True, name="gxcrawl-reader")
        self.process.start()
        child.close()
        self.connection = parent

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.join()
        if self.connection is not None:
            self.connection.close()
        self.process = self.connection = None


def private_memory_mb(pid: int) -> float:
    """The memory a process holds of its own (not shared with others), in MB; 0 when it cannot be told."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    kilobytes = sum(
        int(line.split()[1]) for line in rollup.splitlines() if line.startswith(("Private_Clean:", "Private_Dirty:"))
    )
    return kilobytes / 1024


def _serve(connection, memory_mb: int) -> None:
    """The child: read what the caller sends, one at a time, until the pipe closes."""
    # Ctrl-C is the caller's to handle (a crawl shuts down gracefully); the child reads on until told to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A reading makes some hundred thousand objects and frees them by reference counting when it is answered;
    # collecting every 700 of them (Python's default) walked the same live ones over and over: a fifth of a text
    # report's reading time.
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    limit = (_address_space() + ADDRESS_SPACE_BUDGETS * memory_mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            number, function, args = connection.recv()
        except (EOFError, OSError):
            return
        try:
            answer = ("ok", function(*args))
        except MemoryError:
            refused = f"reading it needed more memory than the {memory_mb} MB budget allows (GXCRAWL_READ_MEMORY_MB)"
            answer = ("error", BudgetExceeded(f"{refused}; it was refused unread"))
        except Exception as error:  # noqa: BLE001 - the caller decides what a reader's failure means
            answer = ("error", error)
        try:
            connection.send((number, *answer))
        except Exception as error:  # noqa: BLE001 - an answer that cannot be sent back (unpicklable) is an error
            connection.send((number, "error", RuntimeError(f"the reader's answer could not be sent back: {error!r}")))


def _address_space() -> int:
    """The child's address space when it starts, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) // 1024
    return 0


_reader = Reader()
atexit.register(_reader.stop)


def within_budget(function, *args):
    """`function(*args)` read by this process's reader child, within the budgets; BudgetExceeded when over."""
    return _reader.call(function, *args)
