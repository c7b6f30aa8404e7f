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

.PHONY: install demo test eval fit bench clean chromium

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

eval: install
	$(BIN)/python eval/align_eval.py
	$(BIN)/python eval/findings_eval.py

# Refit the alignment score models on the development sets; rewrites compare/align/model.json.
fit: install
	$(BIN)/python eval/align_eval.py --fit

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
