# HingeCoach: `make demo` sets everything up and runs the main job; `make test` runs the tests.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WEB_VENDOR := src/hingecoach/web/static/vendor/mediapipe/.version

.PHONY: demo test bench fuzz lint clean venv web-assets models system-deps test-assets

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

venv: $(STAMP) models

# The browser pose model from the npm registry, served locally by `hinge serve`.
$(WEB_VENDOR): src/hingecoach/web/build.sh
	sh src/hingecoach/web/build.sh || echo "web assets not installed: the live page and its browser tests will say so"

web-assets: $(WEB_VENDOR)

# The lite and heavy pose models (hinge analyze --model), copied from the npm package above into
# mediapipe's own folder, so mediapipe never downloads them at run time; sha256 checked.
models: $(STAMP) $(WEB_VENDOR)
	$(BIN)/python -m hingecoach.sources.pose_models || echo "pose models not installed: --model lite/heavy will say so"

# axe-core (npm, pinned) for the browser tests' accessibility check; they skip without it.
AXE := .cache/npm-test/node_modules/axe-core/axe.min.js
$(AXE):
	command -v npm >/dev/null && npm install --silent --no-audit --no-fund --prefix .cache/npm-test axe-core@4.10.2 \
	  || echo "axe-core not installed: the accessibility check will skip"

test-assets: $(AXE)

# Debian packages the browser and PostgreSQL tests use (root only; they skip without them).
system-deps:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  missing=""; \
	  [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	  command -v npm >/dev/null || missing="$$missing npm"; \
	  if [ -n "$$missing" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "could not install:$$missing (tests that need them will skip)"; \
	  fi; \
	fi

demo: $(STAMP) models
	$(BIN)/hinge demo

# As root with apt, the Debian packages the browser and PostgreSQL tests need come first (as in
# .ci/run), so the README's test command runs them all on a fresh machine.
test: system-deps $(STAMP) web-assets models test-assets
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: $(STAMP) web-assets models
	$(BIN)/python -m bench

fuzz: $(STAMP)
	$(BIN)/python -m bench.fuzz_readers --seconds 60
	@if [ -f bench/fuzz_analysis.py ]; then $(BIN)/python -m bench.fuzz_analysis --seconds 60; fi

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) .cache .pytest_cache src/hingecoach/web/static/vendor
