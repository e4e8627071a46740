# `make test` installs everything into .venv (CPU PyTorch) and runs the test suite.
# `make run` builds the corpus from seeds/ into corpus/, stages in work/ (ENGLISH_FROM=model to use the MarianMT models).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

ENGLISH_FROM ?= reference

.PHONY: install test run wheel-check

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

# Build the wheel and sdist, install the wheel in a fresh venv, and run `mt build` from it on a copy of the seeds.
WHEEL_DIR ?= $(CURDIR)/.wheel-check
wheel-check: install
	rm -rf $(WHEEL_DIR) dist
	$(BIN)/python -m build --sdist --wheel --outdir dist . > /dev/null
	$(PYTHON) -m venv $(WHEEL_DIR)/venv
	$(WHEEL_DIR)/venv/bin/pip install --quiet -c constraints-cpu.txt dist/*.whl
	cp -r seeds $(WHEEL_DIR)/seeds
	cd $(WHEEL_DIR) && HF_HUB_OFFLINE=1 venv/bin/mt --version
	cd $(WHEEL_DIR) && HF_HUB_OFFLINE=1 venv/bin/mt build seeds/ -o corpus --work work --english-from reference -q
	cd $(WHEEL_DIR) && HF_HUB_OFFLINE=1 venv/bin/mt publish --check corpus
	cd $(WHEEL_DIR) && venv/bin/python -c "from mt import Translator, RoutingTranslator, segment, translate, align, build, publish; from alignments import AlignmentSettings, Embedder, align; print('public API imports from the wheel')"
