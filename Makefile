# Two commands on a fresh machine with Python 3.11+ and git:
#   make demo   - set up .venv and walk a complaint through its whole life
#   make test   - set up .venv with the test tools and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo test bench clean catalog

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/kesu demo

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

# Re-extract kesu's user-facing strings into the zh-CN catalog and compile it;
# then translate the new entries in cli/kesu/locale/zh_CN/LC_MESSAGES/kesu.po
# and run it again (tests/test_i18n.py fails while any is untranslated).
catalog: $(VENV)/.installed-test
	$(BIN)/python scripts/catalog.py

bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build dist *.egg-info cli/*.egg-info
