# Two commands matter: `make demo` and `make test`. Everything they need is installed from here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
RUNTIME_STAMP := $(VENV)/.runtime-stamp
SAMPLE := samples/2025-06-18

.PHONY: demo test install install-runtime system-deps bench eval clean translations

# everything: digest, its runtime dependencies and the test extras (make test, bench, eval)
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP) $(RUNTIME_STAMP)

# only what digest itself needs to run (make demo): no test extras (playwright, reportlab …)
$(RUNTIME_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUNTIME_STAMP)

install: $(STAMP)

install-runtime: $(RUNTIME_STAMP)

## demo: ingest the sample issue shipped in samples/ and write its digest to outbox/
## (installs only the runtime dependencies; `make test` adds the test extras)
demo: install-runtime
	$(BIN)/digest ingest $(SAMPLE)
	$(BIN)/digest build --date 2025-06-18
	@echo ""
	@echo "Done. The digest of 2025-06-18 is in the three files above: the .html (open it in a browser),"
	@echo "the .txt (plain-text version) and the .eml (the e-mail as it will be sent)."
	@echo "To browse the archive, the articles and this digest:  $(BIN)/digest preview --open"

## system-deps: Debian's chromium + CJK fonts for the browser tests (needs root or sudo)
system-deps:
	sh scripts/system-deps.sh

## test: the whole suite (unit, golden, SMTP, scheduler, browser, reliability)
test: install system-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: install
	$(BIN)/python bench/run.py

eval: install
	$(BIN)/python -m digest.eval.segmentation ../shared/corpus/seeds_gold.json ../shared/corpus/styles_gold.json ../shared/corpus/pdf_gold.json tests/fixtures/pages_gold.json tests/fixtures/pages2_gold.json tests/fixtures/pages3_gold.json tests/fixtures/pages4_gold.json tests/fixtures/pages5_gold.json tests/fixtures/pages6_gold.json -q
	$(BIN)/python -m digest.eval.rouge ../shared/eval/sohu_headline.jsonl ../shared/eval/lcsts.jsonl ../shared/eval/clts.jsonl
	$(BIN)/python -m digest.eval.ranking ../shared/corpus/seeds ../shared/corpus/styles

## translations: re-extract the preview's strings (and the public site's: the web domain, babel-web.cfg), merge them into the Chinese catalogue, compile it
## (translate new or changed entries in digest/translations/zh/LC_MESSAGES/messages.po, then run it again)
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext --no-location --omit-header -o digest/translations/messages.pot .
	$(BIN)/pybabel update -i digest/translations/messages.pot -d digest/translations -l zh -w 100 --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d digest/translations -l zh --statistics
	$(BIN)/pybabel extract -F babel-web.cfg -k lazy_gettext --no-location --omit-header -o digest/translations/web.pot .
	$(BIN)/pybabel update -D web -i digest/translations/web.pot -d digest/translations -l zh -w 100 --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -D web -d digest/translations -l zh --statistics

clean:
	rm -rf $(VENV) data build *.egg-info
