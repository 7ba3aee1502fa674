# draw/module.mk - libxpdraw (prefix xd_), the one definition of xproto
# drawing: the sticky state and what each drawing message does to a
# framebuffer. It depends on libxproto (message types) and libxprender
# (pixels); the server, the thin client and libxpapp link it. Its tests:
# draw_test (the table, every opcode, clip edges, SPEC.md's initial state)
# and draw_e2e_test (a real server and real headless clients on loopback).

DRAW_SRC := $(wildcard draw/*.c)
DRAW_OBJ := $(call objs,$(DRAW_SRC))
DRAW_LIB := $(LIB)/libxpdraw.a
$(DRAW_LIB): $(DRAW_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	rm -f $@ && $(AR) rcs $@ $^
LIBS += $(DRAW_LIB)

# link order for programs: $(DRAW_LDLIBS) after the libraries that use it
DRAW_LDLIBS := $(DRAW_LIB) $(RENDER_LIB) $(PROTO_LIB)

$(OBJ)/tests/draw_test.o: MODULE_CFLAGS := $(CFLAGS_CMOCKA)
$(BIN)/tests/draw_test: $(OBJ)/tests/draw_test.o $(DRAW_LDLIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_LIBPNG) $(LIBS_ZLIB)
TESTS += $(BIN)/tests/draw_test

$(OBJ)/tests/draw_e2e_test.o: MODULE_CFLAGS := $(CFLAGS_CMOCKA)
$(BIN)/tests/draw_e2e_test: $(OBJ)/tests/draw_e2e_test.o $(E2E_OBJ) $(APPLIB_LIB) $(DRAW_LDLIBS) \
		| $(BIN)/xproto-server $(BIN)/thin-client
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS_CMOCKA) $(LIBS_LIBPNG) $(LIBS_ZLIB)
TESTS += $(BIN)/tests/draw_e2e_test

# what the table costs next to direct renderer calls
$(BIN)/bench/draw_bench: $(OBJ)/bench/draw_bench.o $(DRAW_LDLIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_LIBPNG) $(LIBS_ZLIB)
BENCHES += $(BIN)/bench/draw_bench
