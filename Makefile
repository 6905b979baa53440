# zhibu - plain Makefile. `make` builds ./zhibu; `make test` runs every test; `make run` serves the demo.

CC ?= cc
BUILD ?= build
PKGS = libmicrohttpd jansson sqlite3 libpq openssl libsodium libzip expat xlsxwriter
WARN = -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
       -Wpointer-arith -Wformat=2 -Wvla -Wno-format-nonliteral
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c17 $(WARN) $(CFLAGS) -D_GNU_SOURCE -fstack-protector-strong \
	     $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(EXTRA_CFLAGS)
LDLIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

OBJS += src/base/arena.o
OBJS += src/base/buf.o
OBJS += src/base/cellvalue.o
OBJS += src/base/check.o
OBJS += src/base/date.o
OBJS += src/base/err.o
OBJS += src/base/json.o
OBJS += src/base/log.o
OBJS += src/base/merkle.o
OBJS += src/base/pathidx.o
OBJS += src/base/sheet.o
OBJS += src/base/sheet_csv.o
OBJS += src/base/sheet_xlsx.o
OBJS += src/db/db.o
OBJS += src/db/db_pg.o
OBJS += src/db/db_sqlite.o
OBJS += src/db/migrations.o
OBJS += src/http/request.o
OBJS += src/http/response.o
OBJS += src/http/router.o
OBJS += src/http/server.o
OBJS += src/auth/audit.o
OBJS += src/auth/crypt.o
OBJS += src/auth/password.o
OBJS += src/auth/perm.o
OBJS += src/auth/ratelimit.o
OBJS += src/auth/session.o
OBJS += src/auth/sm2.o
OBJS += src/auth/totp.o
OBJS += src/app/app.o
OBJS += src/app/jobs.o
OBJS += src/app/openapi.o
OBJS += src/app/openapi_json.o
OBJS += src/app/routes.o
OBJS += src/app/memo.o
OBJS += src/modules/admin/admin.o
OBJS += src/modules/admin/admin_http.o
OBJS += src/modules/admin/dicts_http.o
OBJS += src/modules/orgs/orgs.o
OBJS += src/modules/orgs/orgs_http.o
OBJS += src/modules/people/people.o
OBJS += src/modules/people/people_http.o
OBJS += src/modules/people/photo.o
OBJS += src/modules/transfer/import.o
OBJS += src/modules/transfer/export.o
OBJS += src/modules/transfer/transfer_http.o
OBJS += src/modules/demo/demo.o
OBJS += src/modules/ledgers/ledgers.o
OBJS += src/modules/ledgers/ledgers_http.o
OBJS += src/modules/ledgers/reserves_http.o
OBJS += src/modules/ledgers/assessments_http.o
OBJS += src/modules/ledgers/terms_http.o
OBJS += src/modules/people/people_ledger.o
OBJS += src/modules/people/people_view.o
OBJS += src/modules/training/training.o
OBJS += src/modules/training/training_http.o
OBJS += src/modules/training/coverage.o
OBJS += src/modules/training/study.o
OBJS += src/modules/rules/rules.o
OBJS += src/modules/rules/rules_eval.o
OBJS += src/modules/rules/findings.o
OBJS += src/modules/rules/findings_http.o
OBJS += src/modules/files/files.o
OBJS += src/modules/disclosure/dlog.o
OBJS += src/modules/disclosure/disclosure.o
OBJS += src/modules/disclosure/disclosure_text.o
OBJS += src/modules/disclosure/disclosure_http.o
OBJS += src/modules/disclosure/disclosure_eval.o
OBJS += src/modules/disclosure/disclosure_findings.o
OBJS += src/modules/disclosure/disclosure_public.o
OBJS += src/modules/disclosure/disclosure_demo.o
OBJS += src/modules/meetings/meetings.o
OBJS += src/modules/meetings/meetings_http.o
OBJS += src/modules/meetings/compliance.o
OBJS += src/modules/meetings/compliance_export.o
OBJS += src/modules/meetings/meetings_demo.o
OBJS += src/modules/grid/grid.o
OBJS += src/modules/grid/households.o
OBJS += src/modules/grid/deeds.o
OBJS += src/modules/grid/deeds_http.o
OBJS += src/modules/grid/grid_findings.o
OBJS += src/modules/grid/grid_demo.o
OBJS += src/modules/grid/workdays.o
OBJS += src/modules/tasks/rollup.o
OBJS += src/modules/tasks/tasks.o
OBJS += src/modules/tasks/tasks_http.o
OBJS += src/modules/tasks/tasks_views.o
OBJS += src/modules/tasks/tasks_xlsx.o
OBJS += src/modules/tasks/tasks_demo.o
OBJS += src/modules/eval/eval.o
OBJS += src/modules/eval/eval_score.o
OBJS += src/modules/eval/eval_http.o
OBJS += src/modules/eval/eval_weak.o
OBJS += src/modules/eval/eval_demo.o
OBJS += src/modules/eval/metrics.o
OBJS += src/modules/eval/metrics_records.o
OBJS += src/modules/eval/metrics_rules.o
OBJS += src/modules/honours/honours.o
OBJS += src/modules/honours/honours_http.o
OBJS += src/modules/honours/honours_public.o
OBJS += src/modules/honours/honours_register.o
OBJS += src/modules/honours/honours_findings.o
OBJS += src/modules/honours/honours_demo.o
OBJS += src/modules/members/members_rules.o
OBJS += src/modules/members/members_common.o
OBJS += src/modules/members/members_join.o
OBJS += src/modules/members/members_dues.o
OBJS += src/modules/members/members_transfer.o
OBJS += src/modules/members/members_findings.o
OBJS += src/modules/members/members_demo.o
OBJS += src/modules/report/report_figures.o
OBJS += src/modules/report/report_draft.o
OBJS += src/modules/report/report_docx.o
OBJS += src/modules/report/report_xlsx.o
OBJS += src/modules/report/report_dash.o
OBJS += src/modules/report/report_http.o
OBJS += src/cli/cli.o
OBJS += src/cli/cli_user.o
OBJS += src/cli/cli_transfer.o
OBJS += src/cli/cli_report.o
OBJS += src/cli/cli_restore.o

UNIT_TESTS += arena
UNIT_TESTS += buf
UNIT_TESTS += check
UNIT_TESTS += date
UNIT_TESTS += json
UNIT_TESTS += router
UNIT_TESTS += response
UNIT_TESTS += crypt
UNIT_TESTS += password
UNIT_TESTS += totp
UNIT_TESTS += db
UNIT_TESTS += db_lost
UNIT_TESTS += stmt_cache
UNIT_TESTS += memo
UNIT_TESTS += audit
UNIT_TESTS += perm
UNIT_TESTS += sheet
UNIT_TESTS += transfer
UNIT_TESTS += people_batch
UNIT_TESTS += ledgers
UNIT_TESTS += rules
UNIT_TESTS += merkle
UNIT_TESTS += pathidx
UNIT_TESTS += sm2
UNIT_TESTS += dlog
UNIT_TESTS += disclosure
UNIT_TESTS += workdays
UNIT_TESTS += grid
UNIT_TESTS += tasks_rollup
UNIT_TESTS += tasks_findings
UNIT_TESTS += honours
UNIT_TESTS += eval_score
UNIT_TESTS += joining
UNIT_TESTS += dues
UNIT_TESTS += docx
UNIT_TESTS += faults
UNIT_TESTS += faults_libs

LIB = $(BUILD)/libzhibu.a
BOBJS = $(addprefix $(BUILD)/,$(OBJS))
UNIT_BINS = $(addprefix $(BUILD)/tests/test_,$(UNIT_TESTS))

.PHONY: all asan test unit unit-bins run bootstrap clean lint web bench bench-region fuzz fuzz-replay
all: $(BUILD)/zhibu zhibu

zhibu: $(BUILD)/zhibu
	@if [ "$(BUILD)" = build ]; then ln -sf $(BUILD)/zhibu zhibu; fi

# V=1 shows the full compiler lines.
Q = $(if $(V),,@)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/src/db/migrations.c: scripts/embed-migrations.sh $(wildcard migrations/*.sql)
	@mkdir -p $(dir $@)
	$(Q)sh scripts/embed-migrations.sh migrations > $@

$(BUILD)/src/db/migrations.o: $(BUILD)/src/db/migrations.c
	$(Q)$(CC) $(ALL_CFLAGS) -Isrc/db -c -o $@ $<

$(BUILD)/src/app/openapi_json.c: scripts/embed-openapi.py docs/openapi.yaml
	@mkdir -p $(dir $@)
	$(Q)/usr/bin/python3 scripts/embed-openapi.py docs/openapi.yaml > $@

$(BUILD)/src/app/openapi_json.o: $(BUILD)/src/app/openapi_json.c
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(BOBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/zhibu: $(BUILD)/src/main.o $(LIB)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $< $(LIB) $(LDLIBS) -lcmocka

asan:
	$(MAKE) BUILD=build-asan CFLAGS="$(ASAN_FLAGS)" build-asan/zhibu $(addprefix build-asan/tests/test_,$(UNIT_TESTS))

# test_faults fails allocations in turn: its own malloc/calloc/realloc wrap the library's.
$(BUILD)/tests/test_faults: tests/unit/test_faults.c $(LIB)
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $< $(LIB) $(LDLIBS) -lcmocka \
		-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc

# ---- fuzzing (fuzz/README.md) ----
# Every parser of outside input has a target fuzz/targets/fuzz_<name>.c and a seed corpus
# fuzz/corpus/<name>/. `make fuzz` runs each under clang's libFuzzer for FUZZ_SECONDS (new
# inputs go to build-fuzz/corpus/, crashes to build-fuzz/crashes/); `make fuzz-replay` (run by
# make test) feeds every corpus file once to the same targets built with gcc + ASan/UBSan.
FUZZ_TARGETS = audit cell check date http json markup merkle sanitize sheet xlsx
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_HDRS = fuzz/targets/fuzz.h fuzz/targets/fuzz_sheet.h
FUZZ_CFLAGS = -std=c17 $(WARN) -Wno-missing-prototypes -D_GNU_SOURCE \
	      $(shell pkg-config --cflags $(PKGS) 2>/dev/null)

fuzz:
	$(MAKE) BUILD=build-fuzz CC=$(FUZZ_CC) \
		CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
		build-fuzz/libzhibu.a
	$(MAKE) $(addprefix build-fuzz/fuzz/fuzz_,$(FUZZ_TARGETS))
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p build-fuzz/corpus/$$t build-fuzz/crashes/$$t; \
		echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
		dict=; [ -f fuzz/dict/$$t.dict ] && dict=-dict=fuzz/dict/$$t.dict; \
		build-fuzz/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 $$dict \
			-rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix=build-fuzz/crashes/$$t/ \
			build-fuzz/corpus/$$t fuzz/corpus/$$t; \
	done

build-fuzz/fuzz/fuzz_%: fuzz/targets/fuzz_%.c $(FUZZ_HDRS) build-fuzz/libzhibu.a
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined -o $@ $< \
		build-fuzz/libzhibu.a $(LDLIBS)

fuzz-replay:
	$(MAKE) BUILD=build-asan CFLAGS="$(ASAN_FLAGS)" build-asan/libzhibu.a
	$(MAKE) $(addprefix build-asan/fuzz/replay_,$(FUZZ_TARGETS))
	@set -e; for t in $(FUZZ_TARGETS); do \
		printf '== fuzz corpus %s: ' $$t; build-asan/fuzz/replay_$$t fuzz/corpus/$$t; done

build-asan/fuzz/replay_%: fuzz/targets/fuzz_%.c fuzz/replay.c $(FUZZ_HDRS) build-asan/libzhibu.a
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(FUZZ_CFLAGS) $(ASAN_FLAGS) -o $@ fuzz/replay.c $< build-asan/libzhibu.a $(LDLIBS)

unit-bins: $(UNIT_BINS)

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

bootstrap:
	@sh scripts/bootstrap.sh

# The suite: unit tests, API tests on SQLite and PostgreSQL, then the same under ASan.
test: bootstrap
	@sh scripts/test.sh

run: bootstrap all web
	@sh scripts/run.sh

# The web app: rebuilt when its sources change; npm ci installs exactly the lock file.
WEB_SRC = $(shell find web/src web/public web/index.html web/vite.config.js web/package.json \
	    web/package-lock.json -type f 2>/dev/null)
web: $(if $(wildcard web/package.json),web/dist/index.html)

web/dist/index.html: $(WEB_SRC)
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build
	@touch $@

lint:
	@sh scripts/lint.sh

# Benchmarks, never part of make test: bench/run measures each scenario beside its reference and
# writes bench/RESULTS.md. make bench: county scale (+ PostgreSQL with two servers), under 15 minutes.
bench: all
	@sh scripts/bootstrap.sh bench
	python3 bench/run --scale county --pg

bench-region: all
	@sh scripts/bootstrap.sh bench
	python3 bench/run --scale region --import-runs 0

clean:
	rm -rf build build-asan build-fuzz zhibu web/dist

-include $(BOBJS:.o=.d) $(BUILD)/src/main.d
