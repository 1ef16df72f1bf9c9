"""Running a command to its end and measuring it: its time and its own peak memory.

A child's rusage (`wait4`, `RUSAGE_CHILDREN`) would not do: Linux carries the
high-water mark of memory across fork and exec, so a small command started
by a large benchmark reports the benchmark's size. The command's own
high-water mark (`VmHWM` in /proc) is read instead, every tenth of a second
while it runs.
"""

import subprocess
import tempfile
import time
from pathlib import Path

#: How often the peak is read while the command runs, in seconds.
SAMPLING = 0.1


def run(argv: list[str]) -> tuple[str, float, float]:
    """Run `argv` to its end: (what it printed, seconds, its peak memory in MB). A failure stops the benchmark
    with what the command said."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as said, tempfile.TemporaryFile("w+") as complained:
        process = subprocess.Popen(argv, stdout=said, stderr=complained, text=True)
        peak = 0
        while process.poll() is None:
            peak = max(peak, _high_water_kb(process.pid))
            time.sleep(SAMPLING)
        seconds = time.perf_counter() - started
        said.seek(0)
        complained.seek(0)
        if process.returncode:
            raise SystemExit(f"{' '.join(argv)} failed ({process.returncode}): {complained.read()[-2000:]}")
        return said.read(), seconds, peak / 1024


def _high_water_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # it has just ended
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)
