# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# torch 2.13.0 is a CPU build that installs from local disk here; other
# versions pull multi-GB CUDA builds. Override: make test TORCH_SPEC='torch==2.5.1'
TORCH_SPEC ?= torch==2.13.0
OUT ?= out
EN_SAMPLES := samples/meridian-wire.txt samples/harbor-review.txt

.PHONY: install demo test eval bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "$(TORCH_SPEC)"
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

demo: install
	@mkdir -p $(OUT)
	$(BIN)/compare $(EN_SAMPLES) --title "Baltic-Pacific trade summit" --json $(OUT)/demo.json
	@echo "JSON written to $(OUT)/demo.json"

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python benchmarks/bench_cli.py
	$(BIN)/python benchmarks/bench_align.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .hypothesis
