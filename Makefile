# Two commands do everything on a fresh machine: `make site` and `make test`.
# Each creates the virtual environment and installs what it needs on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# Exact versions (with hashes) of every Python package, resolved from pyproject.toml for
# Python 3.11 on Linux; `make lock` regenerates it with uv (pinned, in .tools/uv).
LOCK := requirements/lock.txt
UV_VERSION := 0.13.8
UV := .tools/uv/bin/uv

.PHONY: site test serve check bench lighthouse schemas screenshots clean deps lock

site: deps  ## build the site into _site/ (installs Chromium, which draws the charts, if missing)
	./scripts/install-system-deps.sh chromium
	$(PY) build.py build

test: deps  ## run the whole test suite (installs Chromium and Java if missing)
	./scripts/install-system-deps.sh
	$(PY) -m pytest

serve: deps  ## live preview on http://127.0.0.1:8000/
	$(PY) build.py serve

check: deps  ## validate content without writing anything
	$(PY) build.py check

bench: deps  ## benchmarks: cold builds (median of several runs), the chart drawings' cost, the collision checks' cost, save-to-browser latency of the preview, and tap-to-interactive-chart at 4x CPU
	./scripts/install-system-deps.sh chromium
	$(PY) bench/build_bench.py
	$(PY) bench/drawing_bench.py
	$(PY) bench/collisions_bench.py
	./scripts/install-system-deps.sh
	$(PY) bench/serve_bench.py
	$(PY) bench/tap_bench.py

lighthouse: deps  ## Lighthouse 12 scores for every page (mobile preset)
	./scripts/install-system-deps.sh
	$(PY) scripts/lighthouse.py

schemas: deps  ## regenerate schemas/*.schema.json from the content model
	$(PY) build.py schema

deps: $(PY_STAMP) $(NODE_STAMP)

$(PY_STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

# Keeps every pin it can; `make lock UPGRADE=1` moves each to the newest pyproject.toml allows.
lock: $(UV)  ## regenerate requirements/lock.txt from pyproject.toml (Python 3.11, Linux)
	$(UV) pip compile pyproject.toml --extra test --python-version 3.11 \
		--python-platform x86_64-unknown-linux-gnu --generate-hashes \
		--custom-compile-command "make lock" --quiet $(if $(UPGRADE),--upgrade) -o $(LOCK)

$(UV):
	$(PYTHON) -m venv .tools/uv
	.tools/uv/bin/pip install --quiet uv==$(UV_VERSION)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf _site .pytest_cache
