# gardien — the two commands a newcomer runs first: `make demo` and `make test`.
# Each creates .venv on first use and installs the project with pinned constraints.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck unit clean install browser

# The browser tests (tests/web/) drive Debian's chromium through Playwright's executable_path:
# the project installs it from apt, Playwright never downloads a browser (issue 5 §4).
# Quick no-op when it is there; as root apt-get runs directly, otherwise through sudo.
CHROMIUM := /usr/bin/chromium
APT_CHROMIUM := export DEBIAN_FRONTEND=noninteractive; apt-get update -qq \
	&& apt-get install -y -qq --no-install-recommends chromium

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/gardien demo --out out

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

browser:
	@if test -x $(CHROMIUM); then \
		true; \
	elif test "$$(id -u)" = 0; then \
		echo "installing Debian's chromium for the browser tests (apt-get)"; \
		sh -c '$(APT_CHROMIUM)' && test -x $(CHROMIUM); \
	elif command -v sudo >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser tests (sudo apt-get)"; \
		sudo sh -c '$(APT_CHROMIUM)' && test -x $(CHROMIUM); \
	else \
		echo "The browser tests need Debian's chromium ($(CHROMIUM)), and neither root nor sudo" >&2; \
		echo "is available to install it: run 'apt-get install chromium' as root, then retry." >&2; \
		exit 1; \
	fi

unit: $(STAMP) browser
	$(BIN)/pytest -n 2

test: lint typecheck unit

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
