# apps/agenda/module.mk - the shared agenda: libagenda (registers, iCalendar,
# time zones, replica, sync protocol, server store and engine), the `agenda`
# CLI, the `agendad` server, tests and the benchmark.
AGENDA_LIB_SRC := apps/agenda/wire.c apps/agenda/kv.c apps/agenda/ics.c apps/agenda/props.c \
	apps/agenda/tz.c apps/agenda/timeparse.c apps/agenda/view.c apps/agenda/recur.c \
	apps/agenda/edit.c apps/agenda/sync_proto.c apps/agenda/util.c \
	apps/agenda/store.c apps/agenda/store_push.c apps/agenda/store_page.c \
	apps/agenda/server_conn.c apps/agenda/server.c \
	apps/agenda/replica.c apps/agenda/replica_edit.c apps/agenda/replica_sync.c \
	apps/agenda/client_sync.c apps/agenda/ical.c
AGENDA_LIB_OBJ := $(call objs,$(AGENDA_LIB_SRC))
AGENDA_LIB := $(LIB)/libagenda.a
AGENDA_LIBS := $(AGENDA_LIB) $(PROTO_LIB) $(LIBS_SQLITE3) $(LIBS_LIBICAL)
AGENDA_CFLAGS := -Iapps/agenda $(CFLAGS_SQLITE3) $(CFLAGS_LIBICAL)

AGENDA_CLI_OBJ := $(call objs,apps/agenda/cli.c apps/agenda/cli_cmd.c apps/agenda/cli_fmt.c)
$(AGENDA_LIB_OBJ) $(AGENDA_CLI_OBJ) $(call objs,apps/agenda/agendad_main.c): \
	MODULE_CFLAGS := $(AGENDA_CFLAGS)
$(AGENDA_LIB): $(AGENDA_LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(BIN)/agenda: $(AGENDA_CLI_OBJ) $(AGENDA_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(AGENDA_CLI_OBJ) $(AGENDA_LIBS)
$(BIN)/agendad: $(call objs,apps/agenda/agendad_main.c) $(AGENDA_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(AGENDA_LIBS)

# tests: tests/agenda_<name>_test.c, sharing tests/agenda_harness.h
AGENDA_TEST_SRC := $(wildcard tests/agenda_*_test.c)
AGENDA_TESTS := $(patsubst tests/%.c,$(BIN)/tests/%,$(AGENDA_TEST_SRC))
$(call objs,$(AGENDA_TEST_SRC)): MODULE_CFLAGS := $(AGENDA_CFLAGS) $(CFLAGS_CMOCKA)
$(BIN)/tests/agenda_%: $(OBJ)/tests/agenda_%.o $(PROC_OBJ) $(AGENDA_LIB) $(PROTO_LIB) $(BIN)/agendad \
		$(BIN)/agenda
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(PROC_OBJ) $(AGENDA_LIBS) $(LIBS_CMOCKA)

$(call objs,bench/agenda_bench.c): MODULE_CFLAGS := $(AGENDA_CFLAGS)
$(BIN)/bench/agenda_bench: $(call objs,bench/agenda_bench.c) $(AGENDA_LIB) $(PROTO_LIB) $(BIN)/agendad
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(AGENDA_LIBS)

LIBS += $(AGENDA_LIB)
PROGS += $(BIN)/agenda $(BIN)/agendad
TESTS += $(AGENDA_TESTS)
BENCHES += $(BIN)/bench/agenda_bench

# the .ics corpus compared with python3-icalendar + dateutil + vobject
TESTS += tests/agenda_corpus_test.sh
# agendad under valgrind: real syncs and hostile peers, no errors, no leaks
TESTS += tests/agendad_valgrind_test.sh

# the randomized convergence test at length (make test runs 5 seeds)
test-agenda-long: all $(BIN)/tests/agenda_random_test
	AGENDA_RANDOM_SEEDS=$${SEEDS:-200} AGENDA_RANDOM_OPS=$${OPS:-400} AGENDA_RANDOM_ALARM=20000 \
		XP_BIN=$(BIN) $(BIN)/tests/agenda_random_test
.PHONY: test-agenda-long

# make stress (the top-level target runs every tests/stress/*.sh, given the
# binaries' folder; STRESS lists what they need): agendad's part is
# tests/stress/agendad_stress.sh; `make stress-agendad` runs it alone.
$(OBJ)/tests/stress/agendad_stress.o: MODULE_CFLAGS := $(AGENDA_CFLAGS)
$(BIN)/tests/agendad_stress: $(OBJ)/tests/stress/agendad_stress.o $(PROC_OBJ) $(AGENDA_LIB) $(PROTO_LIB) \
		$(BIN)/agendad
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(PROC_OBJ) $(AGENDA_LIBS)
STRESS += $(BIN)/tests/agendad_stress $(BIN)/tests/agenda_random_test
stress-agendad: all $(BIN)/tests/agendad_stress $(BIN)/tests/agenda_random_test
	@sh tests/stress/agendad_stress.sh $(BIN)
.PHONY: stress-agendad
