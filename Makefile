# make site   build the site into site/ (creates .venv and installs the pinned requirements first); ENGINE=zensical
# make test   run the whole test suite
# make serve  preview on http://127.0.0.1:8000, re-rendering when an article, a claim or a template changes
# make edit   the web editor on your own machine: http://127.0.0.1:8000/admin/, every save a branch cms/... here
VENV := .venv
PY := $(VENV)/bin/python
export NO_MKDOCS_2_WARNING := 1

.PHONY: site test quick golden serve edit check fmt diff clean audit bench bench-sources

# The pinned requirements, then the factcheck package itself (editable, without dependencies: they are the pins),
# so tests, scripts and the serve hook import it from this tree without sys.path lines.
$(VENV)/.installed: requirements.txt pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --editable .
	$(PY) -m compileall -q -f factcheck  # as pip compiles an installed package: no build compiles it again
	touch $@

# The site engine: mkdocs, or zensical (make site ENGINE=zensical), Material's successor reading the same mkdocs.yml.
ENGINE ?= mkdocs

# make site DEPLOY=1  a build to publish (CI's Pages build): placeholder addresses and a cut git history are refused.
# The site carries the web editor (admin/), whose Decap CMS bundle comes from node_modules.
site: $(VENV)/.installed node_modules/.package-lock.json
	$(PY) build.py --site --engine $(ENGINE) $(if $(DEPLOY),--deploy)

check: $(VENV)/.installed
	$(PY) build.py

# make fmt  write articles and claims in the YAML form the web editor writes (make check warns about any other)
fmt: $(VENV)/.installed
	$(PY) build.py fmt

# Decap CMS, decap-server, axe-core and Lighthouse, pinned by package-lock.json (npm writes
# node_modules/.package-lock.json).
node_modules/.package-lock.json: package-lock.json
	@command -v npm >/dev/null || [ "$$(id -u)" != 0 ] || bash .ci/system-packages node
	@command -v npm >/dev/null || { echo "npm is needed for the web editor (Decap CMS): run 'sudo bash .ci/system-packages node' (Debian) or install Node.js" >&2; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error  # Decap's own packages warn about their peers

CHROMIUM_PATH ?= /usr/bin/chromium

# make test  every test: the quick ones on both cores, then the browser, axe and Nu checker ones one at a time (each
# starts Chromium or Java, and they share one built site); in one process the suite took over 13 minutes of CI's 15
test: $(VENV)/.installed node_modules/.package-lock.json
	@test -x "$(CHROMIUM_PATH)" || [ "$$(id -u)" != 0 ] || bash .ci/system-packages
	@test -x "$(CHROMIUM_PATH)" || { echo "Chromium is needed for the browser tests: run 'sudo bash .ci/system-packages' (Debian) or set CHROMIUM_PATH" >&2; exit 1; }
	$(PY) -m pytest -n 2 -m "not browser"
	$(PY) -m pytest -m browser

# make quick  everything but the browser, Nu checker and Lighthouse tests: the daily loop (about a minute); the YAML
# form and the editor's scripts are checked against Decap's own libraries, so it needs node_modules too
quick: $(VENV)/.installed node_modules/.package-lock.json
	$(PY) -m pytest -n 2 -m "not browser"

# make golden  refresh tests/golden/expected after an intended change to what the build writes; review the diff
golden: $(VENV)/.installed
	GOLDEN_REFRESH=1 $(PY) -m pytest tests/test_golden.py -q

serve: $(VENV)/.installed node_modules/.package-lock.json
	$(PY) build.py
	$(VENV)/bin/mkdocs serve -f mkdocs.serve.yml --dev-addr 127.0.0.1:8000

# decap-server (Decap's git proxy, loopback only) in git mode, where the editorial workflow works: each save is a
# commit on a branch cms/<collection>/<entry> of this repository, to push and open as a pull request. It commits
# everything in the working tree (git add .) and switches branches for a moment on each save, so the tree must
# be clean. Then the preview, whose admin page talks to that proxy.
EDIT_PROXY_PORT ?= 8081
edit: $(VENV)/.installed node_modules/.package-lock.json
	@test -z "$$(git status --porcelain)" || { echo "make edit: commit or stash your changes first: the editor's git proxy commits everything in the working tree to its branches" >&2; exit 1; }
	CMS_LOCAL_BACKEND=http://127.0.0.1:$(EDIT_PROXY_PORT)/api/v1 $(PY) build.py
	@echo; echo "The web editor: http://127.0.0.1:8000/admin/  (log in with 'Login', saves go to branches cms/...; Ctrl-C stops)"; echo
	MODE=git PORT=$(EDIT_PROXY_PORT) BIND_HOST=127.0.0.1 LOG_LEVEL=warn node node_modules/decap-server/dist/index.js & proxy=$$!; \
	trap 'kill $$proxy 2>/dev/null' EXIT INT TERM; \
	CMS_LOCAL_BACKEND=http://127.0.0.1:$(EDIT_PROXY_PORT)/api/v1 $(VENV)/bin/mkdocs serve -f mkdocs.serve.yml --dev-addr 127.0.0.1:8000

# make audit  Lighthouse (mobile) on the home, article and a claim page: prints the four scores, fails below target.
# Slow, so not part of `make test`; needs Chromium (CHROME_PATH) and node_modules (`npm ci`, run here if missing).
audit: site node_modules/.package-lock.json
	CHROME_PATH=$${CHROME_PATH:-/usr/bin/chromium} $(PY) tests/audit.py --runs 3

# make bench  the scale benchmark (BENCHMARKS.md): synthetic publications of 800 and 8,000 claims, each built cold,
# with warm caches, unchanged and after edits, then by MkDocs and Zensical, with the preview's edit time. About twenty
# minutes; ARGS="--huge" adds 25,000 claims (much longer), ARGS="--sizes 10 --claims 5 --edits 0" is a quick run.
bench: $(VENV)/.installed
	$(PY) tests/bench.py $(ARGS)

# make bench-sources  2,000 source links on local sites answering in 50 ms: the concurrent check vs one at a time.
bench-sources: $(VENV)/.installed
	$(PY) tests/bench_sources.py $(ARGS)

clean:
	rm -rf generated site .pytest_cache
