# `make test` installs everything into .venv (CPU PyTorch) and runs the test suite.
# `make run` builds the corpus from seeds/ into corpus/, stages in work/ (ENGLISH_FROM=model to use the MarianMT models).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

ENGLISH_FROM ?= reference

.PHONY: install test run

$(BIN)/mt: pyproject.toml constraints-cpu.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c constraints-cpu.txt -e ".[test]"
	touch $(BIN)/mt

install: $(BIN)/mt

test: install
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/pytest

run: install
	$(BIN)/mt build seeds/ -o corpus/ --work work/ --english-from $(ENGLISH_FROM)
	$(BIN)/mt publish --check corpus/
