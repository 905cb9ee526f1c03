# Two commands a newcomer needs; each builds .venv on first use.
#   make demo   run the demo end to end on the embedded default
#   make test   run the whole test suite (starts PostgreSQL itself)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The suite runs in this many processes (pytest-xdist), each test file whole in one of them,
# each process with its own servers; `make test TEST_WORKERS=0` runs it in this one.
TEST_WORKERS ?= 2

.PHONY: demo test lint docs bench bench-smoke bench-prefect bench-peer clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The whole desk over about 30 working days on the embedded default: ./demo
demo: $(STAMP)
	$(BIN)/foidesk demo

test: $(STAMP)
	bash scripts/ensure-servers
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	bash scripts/ensure-servers
	$(BIN)/python -m bench --size full --runs 3 --postgres --json bench/last-run.json

bench-smoke: $(STAMP)
	bash scripts/ensure-servers
	$(BIN)/python -m bench --size smoke --runs 1

bench-prefect: $(STAMP)
	bash scripts/ensure-servers
	$(BIN)/python -m bench.prefect_cost --polls 30 --json bench/prefect-cost.json

# B6: foidesk's intake flow beside the naive Prefect peer (prefect-email) and the floor
bench-peer: $(STAMP)
	bash scripts/ensure-servers
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.peer --sizes 1000 --runs 3 --json bench/peer.json

docs: $(STAMP)
	$(BIN)/python -m foidesk.cli.reference > docs/cli.md
	$(BIN)/python -m foidesk.welsh_reference

clean:
	rm -rf $(VENV) var .pytest_cache
