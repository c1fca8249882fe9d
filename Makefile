# Two commands do everything on a fresh machine: `make site` and `make test`.
# Each creates the virtual environment and installs what it needs on first use: `make site`
# only what building needs (build-deps), `make test` the test tools as well (deps).
# The Python the virtual environment is made from: a distribution's own 3.11+ first, which is
# built with optimizations (scripts/find-python says why); `make site PYTHON=...` picks another.
PYTHON ?= $(shell ./scripts/find-python)
VENV := .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
PY_BUILD_STAMP := $(VENV)/.installed-build
NODE_STAMP := node_modules/.installed
NODE_BUILD_STAMP := node_modules/.installed-build
# Exact versions (with hashes) of every Python package, resolved from pyproject.toml for
# Python 3.11 on Linux; `make lock` regenerates both with uv (pinned, in .tools/uv).
# LOCK has the test tools too; BUILD_LOCK only what building needs, at LOCK's versions.
LOCK := requirements/lock.txt
BUILD_LOCK := requirements/build-lock.txt
UV_VERSION := 0.13.8
UV := .tools/uv/bin/uv

.PHONY: site test lint format serve check bench lighthouse schemas screenshots clean deps build-deps lock

site: build-deps  ## build the site into _site/ (installs Chromium, which draws the charts, if missing)
	./scripts/install-system-deps.sh chromium fonts
	$(PY) build.py build

test: deps lint  ## lint, then run every test, all tiers (installs Chromium and Java if missing)
	./scripts/install-system-deps.sh
	$(PY) -m pytest --all

lint: deps  ## ruff's lint rules and format check ([tool.ruff] in pyproject.toml) over the Python code
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: deps  ## rewrite the Python code in ruff's format (lines of at most 100 characters)
	$(PY) -m ruff format .

PORT ?= 8000
serve: build-deps  ## live preview on http://127.0.0.1:$(PORT)/ (another port: make serve PORT=8001)
	$(PY) build.py serve --port $(PORT)

check: build-deps  ## validate content without writing anything
	$(PY) build.py check

bench: deps  ## benchmarks: cold builds (median of several runs), ours/Hugo and ours/Eleventy on the peers workload, the chart drawings' cost, the collision and Chinese typography checks' cost, hostile inputs, save-to-browser latency of the preview, and tap-to-interactive-chart at 4x CPU
	./scripts/install-system-deps.sh chromium fonts
	$(PY) bench/build_bench.py
	$(PY) bench/peers_bench.py
	$(PY) bench/drawing_bench.py
	$(PY) bench/collisions_bench.py
	$(PY) bench/hostile_bench.py
	$(PY) bench/zh_typography_bench.py
	$(PY) bench/declared_bench.py
	./scripts/install-system-deps.sh
	$(PY) bench/serve_bench.py
	$(PY) bench/tap_bench.py

lighthouse: deps  ## Lighthouse 12 scores for every page (mobile preset)
	./scripts/install-system-deps.sh
	$(PY) scripts/lighthouse.py

schemas: build-deps  ## regenerate schemas/*.schema.json from the content model
	$(PY) build.py schema

deps: $(PY_STAMP) $(NODE_STAMP)  ## everything: what building needs, and the test tools

build-deps: $(PY_BUILD_STAMP) $(NODE_BUILD_STAMP)  ## only what building the site needs

$(PY_BUILD_STAMP): pyproject.toml $(BUILD_LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(BUILD_LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	@# Byte-compiled as a pip install of the package would be: Python reads .pyc files even
	@# where it writes none (PYTHONDONTWRITEBYTECODE), so no build compiles the package again.
	$(PY) -m compileall -q src
	touch $@

$(PY_STAMP): $(PY_BUILD_STAMP) $(LOCK)
	$(PY) -m pip install --quiet -r $(LOCK)
	touch $@

# Keeps every pin it can; `make lock UPGRADE=1` moves each to the newest pyproject.toml allows.
COMPILE = $(UV) pip compile pyproject.toml --python-version 3.11 \
	--python-platform x86_64-unknown-linux-gnu --generate-hashes \
	--custom-compile-command "make lock" --quiet
lock: $(UV)  ## regenerate requirements/lock.txt and build-lock.txt from pyproject.toml (Python 3.11, Linux)
	$(COMPILE) --extra test $(if $(UPGRADE),--upgrade) -o $(LOCK)
	$(COMPILE) --constraint $(LOCK) -o $(BUILD_LOCK)

$(UV):
	$(PYTHON) -m venv .tools/uv
	.tools/uv/bin/pip install --quiet uv==$(UV_VERSION)

# npm ci empties node_modules first, so each install leaves the stamps of what it installed:
# the build needs only `dependencies`; the test tools are `devDependencies`.
$(NODE_BUILD_STAMP): package.json package-lock.json
	npm ci --omit=dev --no-audit --no-fund --loglevel=error
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@ $(NODE_BUILD_STAMP)

clean:
	rm -rf _site .pytest_cache
