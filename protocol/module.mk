# protocol/module.mk - libxproto and xproto-dump
PROTO_SRC := $(filter-out protocol/xproto-dump.c,$(wildcard protocol/*.c))
PROTO_OBJ := $(call objs,$(PROTO_SRC))
PROTO_LIB := $(LIB)/libxproto.a
$(PROTO_OBJ) $(OBJ)/protocol/xproto-dump.o: MODULE_CFLAGS := $(CFLAGS_ZLIB)

$(PROTO_LIB): $(PROTO_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BIN)/xproto-dump: $(OBJ)/protocol/xproto-dump.o $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_ZLIB)

LIBS += $(PROTO_LIB)
PROGS += $(BIN)/xproto-dump

# tests
$(BIN)/tests/proto_test: $(OBJ)/tests/proto_test.o $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_ZLIB)
$(OBJ)/tests/proto_test.o: MODULE_CFLAGS := $(CFLAGS_CMOCKA)
TESTS += $(BIN)/tests/proto_test

# benchmark
$(BIN)/bench/proto_bench: $(OBJ)/bench/proto_bench.o $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_ZLIB)
BENCHES += $(BIN)/bench/proto_bench
