# Two commands are all the set-up there is: `make serve` and `make test`. Each installs what is missing first.
PYTHON ?= python3
PORT ?= 8000
STAMP := .make

.PHONY: serve test test-fast bench vendor deps-py deps-npm deps-browser figures comparison docs notebooks static golden clean

serve: vendor
	$(PYTHON) tools/serve.py --port $(PORT)

test: deps-py vendor deps-browser $(STAMP)/pyodide-wheels
	$(PYTHON) -m pytest

# pycore's unit tests only (no browser, no Pyodide): the quick loop while editing pycore.
test-fast: deps-py
	$(PYTHON) -m pytest -m "not browser and not pyodide"

bench: deps-py vendor deps-browser $(STAMP)/pyodide-wheels
	$(PYTHON) tools/bench.py

figures: deps-py
	$(PYTHON) -m desktop.figures

comparison: deps-py
	$(PYTHON) -m desktop.comparison

# The page's opening view: web/first_view.json (drawn before Python has started) and its snapshot in index.html
# (painted before any script has run), drawn in Chromium.
static: deps-py vendor deps-browser
	$(PYTHON) tools/make_static.py

# Refreshes the generated parts of docs/optimizers/*.md and docs/surfaces.md.
docs: deps-py
	$(PYTHON) -m desktop.docs

# Executes notebooks/*.ipynb in place (a fresh kernel each) and saves their outputs; run after figures and docs.
notebooks: deps-py
	$(PYTHON) -m desktop.notebooks

# Regenerates the torch reference fixtures in tests/fixtures (needs torch; not part of `make test`).
golden: deps-py
	$(PYTHON) -m pip install -q torch==2.13.0 lion-pytorch==0.2.5
	$(PYTHON) tools/make_golden.py
	$(PYTHON) tools/make_golden_schedules.py

deps-py: $(STAMP)/py
$(STAMP)/py: pyproject.toml
	@mkdir -p $(STAMP)
	$(PYTHON) -m pip install -q -e '.[test,desktop]'
	@touch $@

deps-npm: $(STAMP)/npm
$(STAMP)/npm: package.json package-lock.json
	@mkdir -p $(STAMP)
	npm ci --no-audit --no-fund
	@touch $@

vendor: deps-npm
	$(PYTHON) tools/vendor.py

# Debian's Chromium (Playwright cannot download its own browser here).
deps-browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

# Pure-Python wheels of pytest and hypothesis, so pycore's own tests also run inside Pyodide (under Node).
$(STAMP)/pyodide-wheels: tests/pyodide/requirements.txt
	@mkdir -p $(STAMP)/wheels
	$(PYTHON) -m pip download -q --no-deps --only-binary=:all: -d $(STAMP)/wheels -r tests/pyodide/requirements.txt
	@touch $@

clean:
	rm -rf $(STAMP) web/vendor
