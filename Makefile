# Two commands: `make demo` and `make test`. Each creates or refreshes .venv on its own.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

ASSETS := src/newswatch/static/vendor/manifest.json

.PHONY: demo test lint install assets clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m newswatch.registry
	touch $(STAMP)

install: $(STAMP)

# The dashboard's map, network and chart code and the world map (npm packages pinned by web/package-lock.json),
# copied into the package's static/vendor folder; rebuilt when the lockfile or the build script changes.
$(ASSETS): web/package.json web/package-lock.json web/build.mjs
	cd web && npm ci --no-audit --no-fund --loglevel=error && node build.mjs

assets: $(ASSETS)

demo: $(STAMP) $(ASSETS)
	$(BIN)/newswatch demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

test: $(STAMP) $(ASSETS)
	bash scripts/test-system-deps.sh
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache web/node_modules src/newswatch/static/vendor
