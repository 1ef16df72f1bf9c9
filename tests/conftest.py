import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: The shared seed reports sit beside the checkout (../shared/seeds); GXCRAWL_SEEDS points elsewhere.
SEEDS = Path(os.environ.get("GXCRAWL_SEEDS", ROOT.parent / "shared" / "seeds"))
#: Real reports as their agencies published them (../shared/realworld); GXCRAWL_REALWORLD points elsewhere.
REALWORLD = Path(os.environ.get("GXCRAWL_REALWORLD", ROOT.parent / "shared" / "realworld"))


def missing(message: str) -> None:
    """Shared data a test needs is not there: skipped on a developer's machine, a failure in CI."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def serve():
    """Start replicas of the Henan portal (tests/support/henan_replica.py): serve(**ReplicaOptions) →
    (replica, its base URL); each is stopped after the test."""
    from support.henan_replica import Replica, ReplicaOptions

    started = []

    def start(**options):
        replica = Replica(ReplicaOptions(**options))
        started.append(replica)
        return replica, replica.serve()

    yield start
    for replica in started:
        replica.stop()


@pytest.fixture
def seeds_dir() -> Path:
    if not (SEEDS / "expected.json").exists():
        missing(f"the shared seed reports are not at {SEEDS}; set GXCRAWL_SEEDS")
    return SEEDS


@pytest.fixture
def realworld_dir() -> Path:
    if not (REALWORLD / "expected.json").exists():
        missing(f"the shared real reports are not at {REALWORLD}; set GXCRAWL_REALWORLD")
    return REALWORLD


@pytest.fixture
def html_fixture():
    def read(name: str) -> bytes:
        return (FIXTURES / "html" / name).read_bytes()

    return read


def needs(*programs: str) -> None:
    """Skip a test whose Debian programs are missing on a developer's machine; in CI, where
    .ci/run installs them, a missing program is a failure, never a silent skip."""
    import shutil

    absent = [name for name in programs if not shutil.which(name)]
    if absent:
        missing(f"needs {', '.join(absent)} (apt-get install; see .ci/run)")


def compare(report, sample) -> dict:
    """Figures the report read differently from the sample it was rendered from."""
    return {
        key: (value, report.figures.get(key))
        for key, value in sample.figures.items()
        if report.figures.get(key) != value
    }
