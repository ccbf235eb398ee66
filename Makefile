# vigil: the two commands a newcomer needs are `make run` and `make test` (see README.md).
# Everything is idempotent: run them again after `git pull`.

SHELL := /bin/bash
JOBS ?= $(shell nproc)
BUILD := build/release
SANITIZE := build/sanitize
WEB_STAMP := web/node_modules/.package-lock.json
# Where `make run` keeps its data and listens; `make run LISTEN=127.0.0.1:9090` changes it. (Not named
# VIGIL_*: make exports command-line variables, and vigil refuses unknown VIGIL_* variables.)
DATA_DIR ?= ./var
LISTEN ?= 127.0.0.1:8080
# The syslog listeners (UDP and TCP) of `make run`; `make run SYSLOG=` turns them off.
SYSLOG ?= 127.0.0.1:5514
# The RELP listener of `make run` (rsyslog omrelp); `make run RELP=` turns it off.
RELP ?= 127.0.0.1:2514

.PHONY: all build deps test-deps web run test test-release test-sanitize test-browser bench fuzz format format-check clean

all: build

deps:
	@scripts/install-deps.sh build

test-deps:
	@scripts/install-deps.sh test

# The web UI: install the locked packages only when the lockfile changed, then a production build
# into web/dist. `npm ci` refuses a lockfile that lacks other platforms' optional packages (rollup's
# native builds) on some npm versions; `npm install` then installs the same locked versions.
$(WEB_STAMP): web/package-lock.json web/package.json
	cd web && (npm ci --no-audit --no-fund || npm install --no-audit --no-fund)
	@touch $(WEB_STAMP)

web: $(WEB_STAMP)
	cd web && npm run build

build: deps web
	cmake --preset release -DVIGIL_BUILD_TESTS=ON >/dev/null
	cmake --build --preset release -j $(JOBS) --target vigil

# Builds, creates the data directory and serves on http://127.0.0.1:8080 with the embedded store;
# syslog on udp and tcp 127.0.0.1:5514 (e.g. `logger -n 127.0.0.1 -P 5514 --tcp hello`), RELP on
# 127.0.0.1:2514.
run: build
	mkdir -p $(DATA_DIR)
	$(BUILD)/vigil serve --data-dir $(DATA_DIR) --listen $(LISTEN) --web-root web/dist \
	  --syslog-udp "$(SYSLOG)" --syslog-tcp "$(SYSLOG)" --relp "$(RELP)"

# Every test: C++ unit, store, API and CLI tests (release), the same C++ tests under ASan+UBSan,
# and the browser tests in headless Chromium.
test: test-deps web format-check test-release test-sanitize test-browser
	@echo "make test: all test suites passed"

test-release:
	cmake --preset release -DVIGIL_BUILD_TESTS=ON >/dev/null
	cmake --build --preset release -j $(JOBS)
	ctest --preset release -j $(JOBS) --no-tests=error

# Not built here, so -E skips them: vigil_durability_tests (its memory bound and timings are the
# release binary's), vigil_webmon_tests (nginx, testssl.sh and sslscan child processes; its page
# analysis is fuzzed under ASan/UBSan by `make fuzz`) and the tests that run the `vigil` binary.
test-sanitize:
	cmake --preset debug-sanitize >/dev/null
	cmake --build --preset debug-sanitize -j $(JOBS) --target vigil_unit_tests vigil_store_tests vigil_api_tests \
	  vigil_ingest_tests vigil_compliance_tests vigil_documents_tests vigil_incident_tests vigil_eventstore_tests \
	  vigil_collect_tests vigil_evtx_tests vigil_sigma_tests vigil_hunt_tests vigil_evidence_tests vigil_detect_tests \
	  vigil_notify_tests vigil_portals_tests
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --preset debug-sanitize -j $(JOBS) --no-tests=error -E "cli_end_to_end|cli_import_search|cli_hunt|cli_evidence_verify_bundle|rules_test_shipped|fuzz_corpus|vigil_durability_tests|vigil_webmon_tests"

test-browser: test-release
	VIGIL_BIN=$(CURDIR)/$(BUILD)/vigil node --test web/e2e/

bench: deps web
	cmake --preset bench >/dev/null
	cmake --build --preset bench -j $(JOBS)
	bench/run.sh

# Coverage-guided fuzzing of the parsers with libFuzzer (clang); FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = json_body http_parts time csv compliance_catalog compliance_checklist ingest_syslog ingest_framing ingest_cef ingest_leef ingest_kv ingest_normalize incident_process eventstore_query documents_xlsx_reader evtx_reader collect_relp_frame sigma_condition sigma_rule webmon_page evidence_bundle hunt_case_file
fuzz: deps
	@scripts/install-deps.sh fuzz
	cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGIL_FUZZ=ON \
	  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer" >/dev/null
	cmake --build build/fuzz -j $(JOBS) --target $(addsuffix _fuzz,$(FUZZ_TARGETS))
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p build/fuzz/corpus/$$t && cp -n $$(tests/fuzz/corpus_of.sh $$t)/* build/fuzz/corpus/$$t/; \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/evtx/fuzz/lsan.supp build/fuzz/$${t}_fuzz build/fuzz/corpus/$$t -max_total_time=$(FUZZ_SECONDS) || exit 1; \
	done

FORMAT_FILES = $(shell git ls-files --cached --others --exclude-standard 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp')

format:
	clang-format -i $(FORMAT_FILES)

format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf build web/dist
