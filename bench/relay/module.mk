# bench/relay/module.mk - librelay (prefix rl_), the one measuring TCP relay
# of the benchmarks: xp-relay (bench/peers) and bwc-relay (apps/bwcompare)
# are front ends over it. Read before the other fragments (see Makefile).
RELAY_OBJ := $(call objs,bench/relay/relay.c)
RELAY_LIB := $(LIB)/libxprelay.a
RELAY_CFLAGS := -Ibench/relay
$(RELAY_LIB): $(RELAY_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

# the library on real loopback sockets, in one process
$(OBJ)/tests/relay_test.o: MODULE_CFLAGS := $(CFLAGS_CMOCKA) $(RELAY_CFLAGS)
$(BIN)/tests/relay_test: $(OBJ)/tests/relay_test.o $(RELAY_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_ZLIB)
TESTS += $(BIN)/tests/relay_test
