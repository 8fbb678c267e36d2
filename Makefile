# The two commands of the README: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python

# Offline by default: nothing may fetch model weights or report telemetry at run time.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export TOKENIZERS_PARALLELISM := false

# Reinstall only when the requirements or the constraints change: the stamp's name carries their hash.
# constraints.txt pins every transitive package to what a verified fresh install resolved.
RUN_HASH := $(shell cat requirements.txt constraints.txt | sha256sum | cut -c1-16)
DEV_HASH := $(shell cat requirements.txt requirements-dev.txt constraints.txt | sha256sum | cut -c1-16)
RUN_STAMP := $(VENV)/.installed-run-$(RUN_HASH)
DEV_STAMP := $(VENV)/.installed-dev-$(DEV_HASH)

.PHONY: help venv install dev index run test lint typecheck eval bench llm clean

help:
	@echo "make run    set up (venv, install, index) and start the app on http://127.0.0.1:8501"
	@echo "make test   set up and run lint + tests"
	@echo "make index  (re)build the corpus index if missing or stale"
	@echo "make eval   score the assistant on eval/questions.jsonl, the shared dev set and the held-out sets"
	@echo "make bench  run the benchmarks in bench/ (results in BENCHMARKS.md)"
	@echo "make llm    install and assemble the optional offline language model"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUN_STAMP): requirements.txt constraints.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	rm -f $(VENV)/.installed-run-*
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt constraints.txt $(RUN_STAMP)
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt -c constraints.txt
	rm -f $(VENV)/.installed-dev-*
	touch $@

venv: $(PY)
install: $(RUN_STAMP)
dev: $(DEV_STAMP)

index: install
	$(PY) -m ingest build

run: install index
	@echo "Regio Deal Assistent: http://127.0.0.1:8501"
	$(BIN)/streamlit run app.py

lint: dev
	$(BIN)/ruff check .

typecheck: dev
	$(BIN)/mypy rag ingest

# pytest ends with the 15 slowest tests (--durations=15 in pyproject.toml's addopts)
test: dev lint
	bash scripts/ensure-chromium.sh || true
	$(BIN)/pytest

eval: install index
	$(PY) -m rag eval --questions eval/questions.jsonl
	$(PY) -m rag eval --questions ../shared/eval/dev.jsonl
	for f in eval/holdout*.jsonl; do $(PY) -m rag eval --questions $$f --no-failures || exit 1; done
	$(PY) -m rag.calculator.evaluate eval/calc/*.jsonl

bench: dev index
	$(PY) -m bench

llm: install
	$(PY) -m scripts.assemble_llm

clean:
	rm -rf .index .pytest_cache .ruff_cache .mypy_cache
