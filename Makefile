# Two commands for a newcomer: `make run` serves the chat, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install index eval bench lint clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# constraints.txt pins the CPU build of torch that sentence-transformers would otherwise pull
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

index: $(STAMP)
	$(BIN)/reportqa index seeds/ --index-dir index

run: index
	$(BIN)/reportqa serve --index-dir index

lint: $(STAMP)
	$(BIN)/ruff check src ui tests bench
	$(BIN)/ruff format --check src ui tests bench
	$(BIN)/mypy src

test: lint
	$(BIN)/python -m pytest -q

eval: index
	$(BIN)/reportqa eval eval/questions.jsonl --index-dir index --out eval/out

# bench/bench.py: the core path (model load, seed index, ask latency); bench/bench_scale.py: 1, 6,
# 204, 1,000 and 10,000 reports (the last takes hours on 2 cores) with the embedder's raw throughput
# beside the build's. Results go to bench/out/.
bench: $(STAMP)
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/bench_scale.py

clean:
	rm -rf $(VENV) index .pytest_cache .mypy_cache .ruff_cache
