# treem: two commands. `make run` sets up and starts the demo; `make test` sets up and runs the whole suite.
VENV   := .venv
BIN    := $(VENV)/bin
TREEM  := $(BIN)/treem
PORT   ?= 8000

.PHONY: run test setup lint bench clean

setup: $(VENV)/.installed

# Reinstall only when the pinned requirements or the project metadata change.
$(VENV)/.installed: requirements.lock pyproject.toml
	@test -x $(BIN)/python || "$$(sh scripts/find-python.sh)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

# Translations are compiled on every run (cheap: only .po files newer than their .mo), so the first page is Vietnamese.
run: setup
	@$(BIN)/python scripts/compile_messages.py
	@$(TREEM) bootstrap --demo
	@sh scripts/run-local.sh $(TREEM) $(PORT)

test: setup
	@sh scripts/test.sh

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var
