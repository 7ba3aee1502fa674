# apps/bwcompare/module.mk - bwcompare (issue 7): the two models side by side
# on one calendar workload. bwc-relay (the measuring relay: a front end over
# bench/relay's librelay) and bwc-report (splits the relay traces by step,
# writes table/CSV/JSON/chart data) are built here; `bwcompare` itself is the
# POSIX sh driver apps/bwcompare/bwcompare.sh, installed as
# build/bin/bwcompare. Workloads live in bench/bwcompare/workloads/.
# `make compare` runs the default comparison.
BWC_RELAY_OBJ := $(call objs,apps/bwcompare/relay.c)
BWC_REPORT_OBJ := $(call objs,apps/bwcompare/report.c)
$(BWC_RELAY_OBJ): MODULE_CFLAGS := $(RELAY_CFLAGS)
$(BIN)/bwc-relay: $(BWC_RELAY_OBJ) $(RELAY_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_ZLIB)
$(BIN)/bwc-report: $(BWC_REPORT_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lm
$(BIN)/bwcompare: apps/bwcompare/bwcompare.sh
	@mkdir -p $(dir $@)
	install -m 755 $< $@
PROGS += $(BIN)/bwc-relay $(BIN)/bwc-report $(BIN)/bwcompare

# tests: tests/bwcompare_<name>_test.c (cmocka), run from the repository root
BWC_TEST_SRC := $(wildcard tests/bwcompare_*_test.c)
BWC_TESTS := $(patsubst tests/%.c,$(BIN)/tests/%,$(BWC_TEST_SRC))
$(call objs,$(BWC_TEST_SRC)): MODULE_CFLAGS := $(CFLAGS_CMOCKA)
$(BIN)/tests/bwcompare_%: $(OBJ)/tests/bwcompare_%.o $(PROC_OBJ) $(PROTO_LIB) $(BIN)/bwc-relay $(BIN)/bwc-report \
		$(BIN)/bwcompare $(BIN)/agenda $(BIN)/agendad $(BIN)/xp-calendar \
		$(BIN)/xproto-server $(BIN)/thin-client
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(PROC_OBJ) $(PROTO_LIB) $(LIBS_CMOCKA) $(LIBS_ZLIB)
TESTS += $(BWC_TESTS)

# make compare: the default matrix (see bench/bwcompare/README.md);
# BWC_ARGS adds options, e.g. make compare BWC_ARGS="--rtt 0,300 --runs 3".
BWC_OUT ?= build/compare
compare: all
	@sh apps/bwcompare/chart-deps.sh
	@$(BIN)/bwcompare --bin $(BIN) --out $(BWC_OUT) $(BWC_ARGS)

.PHONY: compare
