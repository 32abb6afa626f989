# Two commands for a newcomer: `make run` serves the chat, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check install index eval eval-seeds train bench bench-10k lint clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# constraints.txt pins the CPU build of torch that sentence-transformers would otherwise pull
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Reports uploaded in the 报告管理 page (index-uploads/) stay in the index across rebuilds.
index: $(STAMP)
	$(BIN)/reportqa index seeds/ $(wildcard index-uploads) --index-dir index

run: index
	$(BIN)/reportqa serve --index-dir index

lint: $(STAMP)
	$(BIN)/ruff check src ui tests bench
	$(BIN)/ruff format --check src ui tests bench
	$(BIN)/mypy src

test: lint
	$(BIN)/python -m pytest -q

# The quick check while working: lint and tests/unit only (pure logic: no model, no index, no
# server). `make test` runs tests/integration and tests/e2e as well.
check: lint
	$(BIN)/python -m pytest tests/unit -q

# The evaluation: dev, test, test_corpus and test_fresh (those present) over index-eval/, built
# from seeds/ and the 101 corpus reports in eval/reports/ (107 reports; only new or changed ones
# are embedded).
EVAL_REPORTS := seeds eval/reports/provinces-2026 eval/reports/cities-docx

eval: $(STAMP)
	$(BIN)/reportqa eval --index-dir index-eval $(addprefix --build-from ,$(EVAL_REPORTS)) --out eval/out

# dev and test over the chat's index of the six shipped reports (corpus questions are skipped).
eval-seeds: index
	$(BIN)/reportqa eval --split dev --split test --index-dir index --out eval/out-seeds

# The answerability model (src/reportqa/answer/answerability.json) from questions generated on the
# training reports of index-eval/ (`make eval` builds it); about 15 minutes here.
train: $(STAMP)
	test -f index-eval/manifest.json || $(MAKE) eval
	$(BIN)/python bench/train_answerability.py --index-dir index-eval

# bench/bench.py: the core path (model load, seed index, ask latency); bench/bench_scale.py: 1 and 6
# reports; bench/bench_throughput.py: the build beside the embedder's raw throughput on the same 30
# reports (processes and threads, three rounds of raw and build runs back to back); bench/bench_load.py: 50 concurrent clients through the REST API
# and the Gradio client. Results go to bench/out/. `make bench-10k`: 1,000 and 10,000 synthetic
# reports made from index-eval's reports and vectors (`make eval` builds it; about an hour here).
bench: $(STAMP)
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/bench_scale.py
	$(BIN)/python bench/bench_throughput.py
	$(BIN)/python bench/bench_load.py

bench-10k: $(STAMP)
	test -f index-eval/manifest.json || $(MAKE) eval
	$(BIN)/python bench/bench_scale.py --reuse-vectors index-eval --sizes 1000 10000 --no-raw

clean:
	rm -rf $(VENV) index index-eval .pytest_cache .mypy_cache .ruff_cache
