# `make build` and `make test` do all set-up: they create .venv and install the
# project (with its test extra) when it is missing or pyproject.toml is newer.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build test check bench install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

install: $(STAMP)

build: $(STAMP)
	$(BIN)/issue build

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2

check: $(STAMP)
	$(BIN)/issue check

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf build $(VENV)
