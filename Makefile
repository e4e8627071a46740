# `make test` installs everything into .venv (CPU PyTorch) and runs the test suite.
# `make corpus` builds the comparison corpus from seeds/ into corpus/.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install test corpus

$(BIN)/mt: pyproject.toml constraints-cpu.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints-cpu.txt -e ".[test,ctranslate2]"
	touch $(BIN)/mt

install: $(BIN)/mt

test: install
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/pytest

corpus: install
	$(BIN)/mt build seeds/ -o corpus/ --english-from reference
