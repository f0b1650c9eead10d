# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: run test test-fast lint bench samples install install-dev clean typing-tree browser

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(STAMP_RUN)

install: $(STAMP_RUN)
install-dev: $(STAMP_DEV)

run: $(STAMP_RUN)
	$(VENV)/bin/jixiao ingest samples/filings --db sqlite:///jixiao.db

test: $(STAMP_DEV) browser
	$(PY) -m pytest; status=$$?; [ $$status -ne 5 ] || echo "pytest ran no tests" >&2; exit $$status

# The edit loop: everything but the tests marked slow (OCR of whole pages, a browser, worker
# processes), on every core (each test has its own database); CI runs the full `make test`.
test-fast: $(STAMP_DEV)
	$(PY) -m pytest -m "not slow" -q -n auto; status=$$?; [ $$status -ne 5 ] || echo "pytest ran no tests" >&2; exit $$status

# The serve and report tests drive a real headless Chromium: Debian's chromium and
# chromium-driver (and a CJK font for the screenshots), installed here when running as root;
# without them those tests skip and say why.
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium, chromium-driver, fonts-wqy-microhei" >&2; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium chromium-driver fonts-wqy-microhei >/dev/null) \
	      || echo "could not install chromium: the browser tests will be skipped" >&2; \
	  else echo "chromium is not installed: the browser tests will be skipped" >&2; fi; \
	fi

lint: $(STAMP_DEV) typing-tree
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# README.md's column tables, rewritten from dictionaries/columns.yaml (tests/test_schema_docs.py
# fails when they are out of date; `$(PY) -m jixiao.load.readme_columns --check` says so too).
.PHONY: readme
readme: $(STAMP_RUN)
	$(PY) -m jixiao.load.readme_columns --write

# The installed layout (jixiao.extract = extract/, ...) as symlinks, for mypy.
typing-tree:
	rm -rf build/typing && mkdir -p build/typing/jixiao
	for f in jixiao/*.py; do ln -s ../../../$$f build/typing/jixiao/; done
	for d in extract normalize load dictionaries; do ln -s ../../../$$d build/typing/jixiao/$$d; done

STAMP_BENCH := $(VENV)/.installed-bench
$(STAMP_BENCH): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[bench]'
	touch $@ $(STAMP_RUN)

# The peers (Camelot, img2table, pdfplumber) live in an environment of their own.
PEERS := .venv-peers
STAMP_PEERS := $(PEERS)/.installed
$(STAMP_PEERS): bench/requirements-peers.txt
	$(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install --quiet --upgrade pip
	$(PEERS)/bin/python -m pip install --quiet -r bench/requirements-peers.txt
	touch $@

bench: $(STAMP_BENCH) $(STAMP_PEERS)
	$(PY) bench/run.py

# Regenerate the committed sample PDFs (needs fonts-wqy-microhei and LibreOffice from Debian).
samples: | $(PY)
	$(PY) -m pip install --quiet -e '.[samples]'
	cd samples && ../$(PY) make_seed_pdf.py && ../$(PY) make_hard_pdfs.py \
	  && ../$(PY) make_office_pdfs.py && ../$(PY) make_expected_office.py \
	  && ../$(PY) make_regional.py

clean:
	rm -rf $(VENV) $(PEERS) jixiao.db build *.egg-info
