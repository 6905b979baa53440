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
OBJS += src/auth/totp.o
OBJS += src/app/app.o
OBJS += src/app/openapi.o
OBJS += src/app/openapi_json.o
OBJS += src/app/routes.o
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
OBJS += src/modules/meetings/meetings.o
OBJS += src/modules/meetings/meetings_http.o
OBJS += src/modules/meetings/compliance.o
OBJS += src/modules/meetings/meetings_demo.o
OBJS += src/cli/cli.o
OBJS += src/cli/cli_user.o
OBJS += src/cli/cli_transfer.o

UNIT_TESTS += arena
UNIT_TESTS += buf
UNIT_TESTS += check
UNIT_TESTS += date
UNIT_TESTS += json
UNIT_TESTS += router
UNIT_TESTS += crypt
UNIT_TESTS += password
UNIT_TESTS += totp
UNIT_TESTS += db
UNIT_TESTS += audit
UNIT_TESTS += perm
UNIT_TESTS += sheet
UNIT_TESTS += transfer
UNIT_TESTS += ledgers
UNIT_TESTS += rules

LIB = $(BUILD)/libzhibu.a
BOBJS = $(addprefix $(BUILD)/,$(OBJS))
UNIT_BINS = $(addprefix $(BUILD)/tests/test_,$(UNIT_TESTS))

.PHONY: all asan test unit unit-bins run bootstrap clean lint web
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

clean:
	rm -rf build build-asan zhibu web/dist

-include $(BOBJS:.o=.d) $(BUILD)/src/main.d
