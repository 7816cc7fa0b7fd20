# Two entry points: `make run` (set up and serve with demo data) and `make test` (set up, run every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portal
STAMP := $(VENV)/.installed-stamp
PO_FILES := $(wildcard */translations/*/LC_MESSAGES/messages.po */*/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: setup run test serve db demo translations extract clean bench

setup: $(STAMP) $(MO_FILES)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Translations are compiled at install time, never committed as binaries.
%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

db: setup
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo seed

run: demo
	$(FLASK) run --host 127.0.0.1 --port 5000

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The city-scale benchmark on SQLite and PostgreSQL: prints one table (bench/README.md).
# `make bench DB=sqlite` or `make bench DB=postgresql` for one database.
bench: setup
	$(BIN)/python -m bench.run $(if $(DB),--databases $(DB)) $(BENCH_ARGS)

# For developers: refresh each package's message catalogue from its code and templates.
extract: setup
	$(BIN)/python tools/extract_messages.py

clean:
	rm -rf $(VENV) instance $(MO_FILES)
