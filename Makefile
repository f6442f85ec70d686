# kfp-studies: `make help` lists the targets.
PYTHON_BOOT ?= python3
VENV ?= .venv
PYTHON ?= $(VENV)/bin/python
STAMP := $(VENV)/.installed
SAMPLE_DIR ?= out/samples/imdb
# The demo registers into a registry of its own: a real run is never compared with a synthetic champion.
DEMO_REGISTRY ?= out/demo/registry
PYTEST_ARGS ?=
BENCH_ARGS ?=
# Real data for make reproduce; a study whose data is not there is skipped, and the page says so.
DATASETS ?= ../shared/datasets
REPRODUCE_ARGS ?=

.PHONY: help install demo test lint format bench reproduce compile clean

help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON_BOOT) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[cpu,dev]'
	touch $@

install: $(STAMP) ## create the virtualenv and install the project with CPU TensorFlow and test tools

demo: $(STAMP) ## generate a synthetic imdb sample and run the imdb pipeline locally
	$(VENV)/bin/kfp-studies sample imdb $(SAMPLE_DIR)
	$(VENV)/bin/kfp-studies run imdb --local --source $(SAMPLE_DIR)/aclImdb_v1.tar.gz \
		--set validation_rows=200 --set cv_folds=2 --set variants=final,16-16-1+dropout0.5 \
		--set target.registry_uri=$(DEMO_REGISTRY)

test: $(STAMP) ## run the test suite
	$(PYTHON) -m pytest -q -ra $(PYTEST_ARGS)

lint: $(STAMP) ## ruff (lint and format check) and mypy on components/ and pipelines/
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(STAMP) ## apply ruff's formatter and its safe fixes
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP) ## measure ours against the seed notebooks into docs/benchmarks.* (~25 min on 2 cores; BENCH_ARGS=--quick: ~5)
	$(PYTHON) -m bench $(BENCH_ARGS)

reproduce: $(STAMP) ## run each study on its real data (DATASETS=dir) and write docs/results.md from the runs (hours)
	$(PYTHON) -m pipelines.reproduce --datasets $(DATASETS) $(REPRODUCE_ARGS)

compile: $(STAMP) ## compile every study's pipeline to out/compiled
	$(VENV)/bin/kfp-studies compile --all -o out/compiled

clean: ## remove outputs (not the virtualenv)
	rm -rf out .pytest_cache

-include docker/image.mk
-include deploy/kind.mk
