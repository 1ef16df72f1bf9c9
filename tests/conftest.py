import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: The shared seed reports sit beside the checkout (../shared/seeds); GXCRAWL_SEEDS points elsewhere.
SEEDS = Path(os.environ.get("GXCRAWL_SEEDS", ROOT.parent / "shared" / "seeds"))


@pytest.fixture
def seeds_dir() -> Path:
    if not (SEEDS / "expected.json").exists():
        pytest.skip(f"the shared seed reports are not at {SEEDS}; set GXCRAWL_SEEDS")
    return SEEDS


@pytest.fixture
def html_fixture():
    def read(name: str) -> bytes:
        return (FIXTURES / "html" / name).read_bytes()
    return read
