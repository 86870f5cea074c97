# Super Editor — build, test, demo and benchmarks.
# `make test` and `make demo` install the Debian packages they need on a fresh machine.

SWIFT       ?= swift
THREADS     ?= 2
DEB_PKGS    := libopenblas-dev libsndfile1-dev libsoxr-dev libkissfft-dev libpng-dev python3-venv
# OpenMPI is optional at build time (Package.swift links it when its headers are there);
# `make test` installs it to test data-parallel training under mpirun.
MPI_PKGS    := libopenmpi-dev openmpi-bin
# Headless Chromium and its WebDriver, for the studio's browser test in `make test`.
BROWSER_PKGS := chromium chromium-driver
PYENV       := .venv-tools
RELEASE_BIN := .build/release/super-editor

MUSIC_DIR   := .cache/music
MUSIC_PKG   := drascula-music

.PHONY: deps mpi browser test release demo bench phase1 pyenv music pretrained pretrained-eval clean fuzz soak

# Installs the C libraries the package links, when they are missing (needs root, as on CI).
deps:
	@missing=""; for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "error: need root to install:$$missing" >&2; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

mpi:
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(MPI_PKGS)"

browser:
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(BROWSER_PKGS)"

# Light Python packages (numpy, tensorboard) for cross-checks in the tests; never torch or librosa.
pyenv: deps
	@test -x $(PYENV)/bin/python || python3 -m venv $(PYENV)
	@$(PYENV)/bin/python -c "import numpy, tensorboard" 2>/dev/null || $(PYENV)/bin/pip install -q numpy==2.4.6 tensorboard==2.21.0
	@$(PYENV)/bin/python -c "import selenium, opentimelineio" 2>/dev/null || $(PYENV)/bin/pip install -q selenium==4.27.1 opentimelineio==0.18.1

# Real recordings for the label-inference test: Debian's drascula-music (the game's
# soundtrack, BSD-like Drascula licence; see MODEL_CARD.md), fetched once with apt-get
# download into .cache/ (never committed). Without network the test that needs it skips.
music:
	@ls $(MUSIC_DIR)/*.ogg >/dev/null 2>&1 || { \
	  tmp=$$(mktemp -d) && cd $$tmp && \
	  { apt-get download -qq $(MUSIC_PKG) >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get download -qq $(MUSIC_PKG) >/dev/null 2>&1; }; } && \
	  dpkg -x $(MUSIC_PKG)_*.deb x && mkdir -p $(CURDIR)/$(MUSIC_DIR) && \
	  cp x/usr/share/scummvm/drascula/audio/track1*.ogg $(CURDIR)/$(MUSIC_DIR)/ && \
	  cp x/usr/share/doc/$(MUSIC_PKG)/copyright $(CURDIR)/$(MUSIC_DIR)/COPYRIGHT; \
	  cd $(CURDIR); rm -rf $$tmp; \
	  ls $(MUSIC_DIR)/*.ogg >/dev/null 2>&1 || echo "warning: could not fetch $(MUSIC_PKG); the real-music test will skip" >&2; }

test: deps mpi browser pyenv music
	SUPER_EDITOR_REQUIRE_MPI=1 SUPER_EDITOR_REQUIRE_BROWSER=1 SUPER_EDITOR_PYTHON=$(CURDIR)/$(PYENV)/bin/python SUPER_EDITOR_MUSIC=$(CURDIR)/$(MUSIC_DIR) \
	  OPENBLAS_NUM_THREADS=$(THREADS) $(SWIFT) test --disable-swift-testing

release: deps
	$(SWIFT) build -c release --product super-editor

bench: release
	OPENBLAS_NUM_THREADS=$(THREADS) $(RELEASE_BIN) bench --preset small

# The whole system on built-in synthetic data; QUICK=1 for the small version.
demo: release
	OPENBLAS_NUM_THREADS=$(THREADS) $(RELEASE_BIN) demo --out demo-out $(if $(QUICK),--quick,)

# Phase 1's acceptance run: 160 synthetic pairs, the tiny preset with its defaults, then the
# guide's table on the validation split and example plots.
PHASE1_OUT ?= phase1-out
phase1: release
	$(RELEASE_BIN) synth --out $(PHASE1_OUT)/data --count 160 --seed 77 --seconds 20-30
	$(RELEASE_BIN) prepare --raw $(PHASE1_OUT)/data/raw --edited $(PHASE1_OUT)/data/edited --out $(PHASE1_OUT)/cache
	OPENBLAS_NUM_THREADS=$(THREADS) $(RELEASE_BIN) train reconstruction --data $(PHASE1_OUT)/cache --out $(PHASE1_OUT)/run \
	  --preset tiny
	$(RELEASE_BIN) evaluate reconstruction --data $(PHASE1_OUT)/cache --checkpoint $(PHASE1_OUT)/run/best.safetensors \
	  --plots $(PHASE1_OUT)/run/eval

# The shipped models (Sources/SuperEditor/Pretrained, MODEL_CARD.md) from their recipe and
# seeds: fetches the training music, makes and prepares the pairs, trains both phases at
# THREADS=2 (about 50 minutes on 2 cores) and overwrites the shipped files; git then shows
# whether the bytes changed. PRETRAINED_WORK keeps the data and runs.
PRETRAINED_WORK ?= .cache/pretrained
PRETRAINED_DIR  := Sources/SuperEditor/Pretrained
pretrained: release
	tools/make_pretrained.sh $(RELEASE_BIN) $(PRETRAINED_WORK) $(PRETRAINED_DIR)
	@if git diff --quiet -- $(PRETRAINED_DIR); then echo "pretrained: bit for bit the committed models"; \
	  else echo "pretrained: the models differ from the committed ones (git diff --stat $(PRETRAINED_DIR))"; fi

# The shipped policy on held-out real music (drascula-music) with put-in defects.
pretrained-eval: release
	tools/evaluate_pretrained.sh $(RELEASE_BIN) $(PRETRAINED_WORK)

# SIGKILL at random moments during prepare, train reconstruction, train policy and edit, 50 times
# each (tools/kill_soak.py; `make test` runs it with 2): no half-written file, and every rerun
# ends with the files of an uninterrupted run, byte for byte.
SOAK_KILLS ?= 50
soak: release
	python3 tools/kill_soak.py --bin $(RELEASE_BIN) --work .cache/soak --kills $(SOAK_KILLS) --kills-per-trial 5

clean:
	rm -rf .build $(PYENV)

# libFuzzer on every parser (tools/fuzz.sh): FUZZ_SECONDS each, failing on any crash, hang,
# leak or out-of-memory. A debug build, so Swift's bounds and overflow checks stay on; linked
# with lld, as gold fails on the sanitized objects (internal error in format_file_lineno).
FUZZ_SECONDS ?= 60
FUZZ_BIN     := .build/fuzz/debug/super-editor-fuzz
fuzz: deps
	SUPER_EDITOR_FUZZ=1 $(SWIFT) build --build-path .build/fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld \
	  --product super-editor-fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) tools/fuzz.sh $(FUZZ_BIN)
