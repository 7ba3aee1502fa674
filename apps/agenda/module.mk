# apps/agenda/module.mk - the shared agenda: libagenda (replica, sync
# protocol, server store), the `agenda` CLI, the `agendad` server, tests
# and the benchmark.
AGENDA_LIB_SRC := apps/agenda/wire.c apps/agenda/sync_proto.c \
	apps/agenda/util.c apps/agenda/store_server.c apps/agenda/server.c \
	apps/agenda/replica.c apps/agenda/replica_sync.c \
	apps/agenda/client_sync.c apps/agenda/ical.c
AGENDA_LIB_OBJ := $(call objs,$(AGENDA_LIB_SRC))
AGENDA_LIB := $(LIB)/libagenda.a
AGENDA_LIBS := $(AGENDA_LIB) $(PROTO_LIB) $(LIBS_SQLITE3) $(LIBS_LIBICAL)
AGENDA_CFLAGS := -Iapps/agenda $(CFLAGS_SQLITE3) $(CFLAGS_LIBICAL)

AGENDA_CLI_OBJ := $(call objs,apps/agenda/cli.c apps/agenda/cli_fmt.c)
$(AGENDA_LIB_OBJ) $(AGENDA_CLI_OBJ) $(call objs,apps/agenda/agendad_main.c): \
	MODULE_CFLAGS := $(AGENDA_CFLAGS)
$(AGENDA_LIB): $(AGENDA_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

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
