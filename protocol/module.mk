# protocol/module.mk - libxproto and xproto-dump
PROTO_SRC := $(filter-out protocol/xproto-dump.c,$(wildcard protocol/*.c))
PROTO_OBJ := $(call objs,$(PROTO_SRC))
PROTO_LIB := $(LIB)/libxproto.a
$(PROTO_OBJ) $(OBJ)/protocol/xproto-dump.o: MODULE_CFLAGS := $(CFLAGS_ZLIB)

$(PROTO_LIB): $(PROTO_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(BIN)/xproto-dump: $(OBJ)/protocol/xproto-dump.o $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_ZLIB)

LIBS += $(PROTO_LIB)
PROGS += $(BIN)/xproto-dump

# tests
$(BIN)/tests/proto_test: $(OBJ)/tests/proto_test.o $(PROC_OBJ) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_ZLIB)
$(OBJ)/tests/proto_test.o: MODULE_CFLAGS := $(CFLAGS_CMOCKA)
TESTS += $(BIN)/tests/proto_test
# unit tests of one libxproto helper each: tests/proto_<name>_test.c
PROTO_UNIT_SRC := $(wildcard tests/proto_*_test.c)
PROTO_UNIT_TESTS := $(patsubst tests/%.c,$(BIN)/tests/%,$(PROTO_UNIT_SRC))
$(call objs,$(PROTO_UNIT_SRC)): MODULE_CFLAGS := $(CFLAGS_CMOCKA)
$(PROTO_UNIT_TESTS): $(BIN)/tests/%: $(OBJ)/tests/%.o $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_ZLIB)
TESTS += $(PROTO_UNIT_TESTS)

# benchmark
$(BIN)/bench/proto_bench: $(OBJ)/bench/proto_bench.o $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_ZLIB)
BENCHES += $(BIN)/bench/proto_bench
