# Two commands a newcomer needs; each builds .venv on first use.
#   make demo   run the demo end to end on the embedded default
#   make test   run the whole test suite (starts PostgreSQL itself)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Until the full demo (Part 7): the calendar and the register on the embedded default.
demo: $(STAMP)
	rm -rf demo && mkdir -p demo
	cd demo && ../$(BIN)/foidesk init
	cd demo && ../$(BIN)/foidesk check-config
	cd demo && ../$(BIN)/foidesk deadline 2018-10-16 --explain
	cd demo && ../$(BIN)/foidesk new --subject "Live facial recognition" \
		--requester "A Requester" --email requester@example.org \
		--received 2018-10-16T10:12 --now 2018-10-16T10:15 \
		--question "Has your police force used live facial recognition?"
	cd demo && ../$(BIN)/foidesk new --subject "Air quality monitoring" --regime eir \
		--requester "B Requester" --received 2018-10-22T09:00 --now 2018-10-22T09:05
	cd demo && ../$(BIN)/foidesk clock "FOI 000002/18" extension_complex --on 2018-11-01 \
		--now 2018-11-01T12:00
	cd demo && ../$(BIN)/foidesk cases --now 2018-11-08T09:00
	cd demo && ../$(BIN)/foidesk case "FOI 000001/18" --now 2018-11-08T09:00

test: $(STAMP)
	bash scripts/ensure-servers
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

docs: $(STAMP)
	$(BIN)/python -m foidesk.cli.reference > docs/cli.md

clean:
	rm -rf $(VENV) var .pytest_cache
