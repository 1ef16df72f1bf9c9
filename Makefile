# gxcrawl: `make crawl` runs the main job, `make test` the whole test suite.
# Both create .venv and install the project into it first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Until the spider lands, the main job parses the shared seed reports
# (../shared/seeds), or the project's own sample pages where those are absent.
SEEDS   := $(wildcard ../shared/seeds/*.txt)
REPORTS ?= $(if $(SEEDS),$(SEEDS),tests/fixtures/html/word_pasted_gbk.html tests/fixtures/html/portal_2019_procurement.html)

.PHONY: setup crawl test bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

crawl: setup
	$(BIN)/gxcrawl parse --pretty $(REPORTS)

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/parse_bench.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
