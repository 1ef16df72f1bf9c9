# gxcrawl: `make crawl` runs the main job, `make test` the whole test suite.
# Both create .venv and install the project into it first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= output/gxcrawl.db
.PHONY: setup crawl demo browse test test-fast lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The main job: crawl the Henan portal into output/gxcrawl.db.
crawl: setup
	$(BIN)/scrapy crawl henan

# The same job offline, against a replica of the portal, into output/demo.db.
demo: setup
	PYTHONPATH=tests $(BIN)/python -m support.demo

# Browse a database in datasette (make browse DB=output/demo.db for the demo's).
browse: setup
	$(BIN)/gxcrawl browse $(DB)

# Everything: the unit tier and the end-to-end tier (subprocess crawls, Redis, Chromium, LibreOffice, OCR).
test: setup lint
	$(BIN)/python -m pytest

# The unit tier alone, in well under a minute.
test-fast: setup
	$(BIN)/python -m pytest -m "not e2e"

lint: setup
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --check --no-cache .

bench: setup
	$(BIN)/python bench/parse_bench.py
	$(BIN)/python bench/crawl_bench.py
	$(BIN)/python bench/refresh_bench.py
	$(BIN)/python bench/browse_bench.py
	$(BIN)/python bench/distributed_bench.py
	$(BIN)/python bench/reparse_bench.py
	$(BIN)/python bench/scale_bench.py --reports 100000

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
