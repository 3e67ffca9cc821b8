# make site   build the site into site/ (creates .venv and installs the pinned requirements first)
# make test   run the whole test suite
# make serve  preview on http://127.0.0.1:8000, re-rendering when an article, a claim or a template changes
VENV := .venv
PY := $(VENV)/bin/python
export NO_MKDOCS_2_WARNING := 1

.PHONY: site test serve check diff clean

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

site: $(VENV)/.installed
	$(PY) build.py --site

check: $(VENV)/.installed
	$(PY) build.py

test: $(VENV)/.installed
	$(PY) -m pytest

serve: $(VENV)/.installed
	$(PY) build.py
	$(VENV)/bin/mkdocs serve -f mkdocs.serve.yml --dev-addr 127.0.0.1:8000

clean:
	rm -rf generated site .pytest_cache
