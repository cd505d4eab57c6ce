# pnf: `make test` and `make reproduce` work on a fresh Debian machine (root, registries only).
SHELL := /bin/bash
VENV  ?= .venv
PY    := $(VENV)/bin/python
PIP   := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
# Debian packages the project needs (one line each in data/README.md): ffmpeg (museval ->
# stempeg; decodes the G.722 prompts), fluidsynth + SoundFonts (embedded piano: MuseScore
# General's sampled grand; FluidR3 for the synthetic set), asterisk-core-sounds-en-g722 (the
# embedded real voice), espeak-ng (synthetic voice), chromium (demo page test).
APT_PACKAGES := ffmpeg fluidsynth fluid-soundfont-gm musescore-general-soundfont \
  asterisk-core-sounds-en-g722 espeak-ng chromium chromium-driver
EXPERIMENT ?= smoke

.PHONY: all install system-packages test test-gpu lint reproduce check-reproduction bench clean

all: test

system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null) \
	  || { echo "could not install$$missing: install them with your package manager (see environment.yml)"; exit 1; }; \
	fi

$(STAMP): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: system-packages $(STAMP)

lint: install
	$(VENV)/bin/ruff check pnf tests workflow/scripts scripts

test: install lint
	OMP_NUM_THREADS=1 $(VENV)/bin/pytest -q

# The CUDA path (tests/test_cuda.py): fails when no GPU is visible rather than skip everything.
test-gpu: $(STAMP)
	$(PY) -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 'no CUDA GPU visible to torch')"
	$(VENV)/bin/pytest -q -m cuda -p no:cacheprovider

# The experiment's DAG (Snakefile): everything under results/$(EXPERIMENT)/ (tables, figures,
# demo page), and results/tables, a copy of its tables. Experiments sit side by side. A run
# killed earlier leaves a stale lock that this command removes by itself (workflow/rules/runlock.smk).
reproduce: install
	DVC_NO_ANALYTICS=1 $(VENV)/bin/snakemake --cores all results/tables \
	  --configfile experiments/$(EXPERIMENT).yaml

# Fails on a missing table cell or a metric worse than the committed reference.
check-reproduction: install
	$(VENV)/bin/pnf report check --metrics results/$(EXPERIMENT)/metrics.csv \
	  --expect experiments/$(EXPERIMENT).expect.json \
	  --reference experiments/$(EXPERIMENT).reference.json

bench: install
	$(PIP) install -q -c constraints.txt -e '.[bench]'
	OMP_NUM_THREADS=1 $(VENV)/bin/pnf bench langevin --config experiments/small.yaml \
	  --json results/bench/langevin.json --figure results/bench/langevin.png

clean:
	rm -rf $(VENV) .pytest_cache
