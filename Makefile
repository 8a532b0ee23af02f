# Tournée — the two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app feedback_app
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
TRANSLATIONS := feedback_app/translations

.PHONY: run test install migrate translations translations-extract translations-update \
	translations-check lint typecheck bench-submit bench-review bench-export bench-soak \
	bench-intake bench-intake-hostile bench-live bench-grouping bench-followup bench-scale clean \
	screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) translations

# Compiled on every install (so before `make run` and `make test`): the .mo files are
# git-ignored and rebuilt from the committed .po, never left stale. A broken catalog fails here.
translations: $(STAMP)
	@find $(TRANSLATIONS) -name '*.mo' -delete 2>/dev/null || true
	@if ls $(TRANSLATIONS)/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel -q compile -d $(TRANSLATIONS); fi

# After adding or changing user-visible text: `make translations-update`, translate the
# entries it lists for ar and en (empty or fuzzy msgstr), then `make translations-check`.
translations-extract: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -c TRANSLATORS: --add-location=file --sort-by-file \
		--no-wrap --project=Tournée --version=0.1 --copyright-holder=Tournée \
		-o $(TRANSLATIONS)/messages.pot .

translations-update: translations-extract
	$(BIN)/pybabel -q update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-wrap \
		--ignore-obsolete
	$(BIN)/python scripts/i18n.py fill-source
	-$(BIN)/python scripts/i18n.py check

translations-check: $(STAMP)
	$(BIN)/python scripts/i18n.py check

migrate: install
	$(FLASK) db upgrade

run: migrate
	$(FLASK) run --host $(HOST) --port $(PORT)

# One worker more than cores: the suite is CPU-bound, and the extra worker fills what it waits
# for (browsers, worker processes killed and restarted, LibreOffice, PostgreSQL clusters started
# by the fault tests). Measured on the 2-core machine (README "The test suite's time"): 2
# workers leave a core idle while the fault tests wait; 4 keep both busy but spend more CPU on
# the same tests than 3 (contention): pytest 8:02-8:27 against 5:30-8:32.
# loadgroup hands out one test at a time (grouped tests together), in collection order, and
# tests/conftest.py puts the longest first: none is left to run alone at the end. The default
# `load` sends each worker runs of a hundred consecutive tests, slow ones together.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
# Bytecode written even where the environment says not to (PYTHONDONTWRITEBYTECODE): the app
# processes the suite starts (web hosts, task workers, the CLI) would each compile the app
# again (0.3 s of CPU), and a second run skips the tests' assertion rewriting (test collection
# 9.9 -> 4.7 CPU s a worker).
test: install lint typecheck
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup -q $(PYTEST_ARGS)

# Lint rules and one layout (ruff format --check changes nothing; `ruff format` applies it).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy as configured in pyproject.toml: strict on services/, models/ and exports/.
typecheck: install
	$(BIN)/mypy

# Every page x language x width as a PNG in screenshots/ (git-ignored), browsed from its index.html.
screenshots: install
	$(BIN)/python scripts/screenshots.py

# The ratio to a bare insert app needs wrk (installed here when missing), then the
# "nothing lost, nothing twice" run under 50 clients.
bench-submit: install
	command -v wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/submit_ratio.py
	$(BIN)/python bench/submit.py

bench-review: install
	$(BIN)/python bench/review.py

bench-export: install
	$(BIN)/python bench/export.py

bench-soak: install
	$(BIN)/python bench/soak.py

bench-intake: install
	$(BIN)/python bench/intake.py

bench-intake-hostile: install
	$(BIN)/python bench/intake.py --hostile

bench-live: install
	$(BIN)/python bench/live.py

bench-grouping: install
	$(BIN)/python bench/grouping.py

bench-followup: install
	$(BIN)/python bench/followup.py $(if $(SUBMISSIONS),--submissions $(SUBMISSIONS))

# PostgreSQL at BENCH_PG_URL; SUBMISSIONS=200000 for a smaller run.
bench-scale: install
	$(BIN)/python bench/scale.py --submissions $(or $(SUBMISSIONS),1000000)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
