# thin-client/module.mk - the stateless thin client: libxpthin.a, the
# thin-client program, its tests (tests/thin_*_test.c with the shared test
# helpers tests/testpeer.c, tests/xvfb.c, tests/thinrun.c and
# tests/thinscene.c) and its benchmark.

THIN_SRC := $(filter-out thin-client/main.c,$(wildcard thin-client/*.c))
THIN_OBJ := $(call objs,$(THIN_SRC))
THIN_LIB := $(LIB)/libxpthin.a
THIN_DEPLIBS := $(THIN_LIB) $(DRAW_LDLIBS)
# xcb-xkb (keymap change events) always comes with xkbcommon-x11, which
# needs it; tools/deps.sh has no variable for it yet.
THIN_XCB_XKB := $(or $(LIBS_XCB_XKB),$(shell pkg-config --libs xcb-xkb 2>/dev/null),-lxcb-xkb)
THIN_LDLIBS := $(THIN_DEPLIBS) $(LIBS_XCB_SHM) $(LIBS_XCB_RENDER) $(LIBS_XCB_XFIXES) $(LIBS_XKBCOMMON_X11) \
	$(THIN_XCB_XKB) $(LIBS_XCB) \
	$(LIBS_LIBPNG) $(LIBS_ZLIB)

$(THIN_OBJ) $(OBJ)/thin-client/main.o: MODULE_CFLAGS := $(CFLAGS_XCB) $(CFLAGS_XCB_SHM) $(CFLAGS_XCB_RENDER) $(CFLAGS_XCB_XFIXES) \
	$(CFLAGS_XKBCOMMON) $(CFLAGS_XKBCOMMON_X11)

$(THIN_LIB): $(THIN_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^
LIBS += $(THIN_LIB)

$(BIN)/thin-client: $(OBJ)/thin-client/main.o $(THIN_DEPLIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(THIN_LDLIBS)
PROGS += $(BIN)/thin-client

# ---- tests: each links the helpers it needs --------------------------------
THIN_HELPERS := $(call objs,tests/testpeer.c tests/xvfb.c tests/thinrun.c tests/thinscene.c)
THIN_TEST_SRC := $(wildcard tests/thin_*_test.c)
THIN_TESTS := $(patsubst tests/%.c,$(BIN)/tests/%,$(THIN_TEST_SRC))
$(call objs,$(THIN_TEST_SRC)) $(THIN_HELPERS): MODULE_CFLAGS := $(CFLAGS_CMOCKA) $(CFLAGS_XCB) \
	$(CFLAGS_XKBCOMMON) -Itests
$(THIN_TESTS): $(BIN)/tests/%: $(OBJ)/tests/%.o $(THIN_HELPERS) $(PROC_OBJ) $(THIN_DEPLIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(THIN_HELPERS) $(PROC_OBJ) $(THIN_LDLIBS) $(LIBS_CMOCKA) -lpthread
TESTS += $(THIN_TESTS)

# ---- benchmark: update latency over loopback ----------------------------
$(OBJ)/bench/thin_bench.o: MODULE_CFLAGS := -Itests
$(BIN)/bench/thin_bench: $(OBJ)/bench/thin_bench.o $(OBJ)/tests/testpeer.o $(OBJ)/tests/thinrun.o \
		$(THIN_DEPLIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(OBJ)/tests/testpeer.o $(OBJ)/tests/thinrun.o $(THIN_LDLIBS) -lpthread
BENCHES += $(BIN)/bench/thin_bench

# ---- benchmark: the bytes a terminal costs at --scale 1, 2 and 3 ----------
$(OBJ)/bench/scale_bench.o: MODULE_CFLAGS := -Itests
$(BIN)/bench/scale_bench: $(OBJ)/bench/scale_bench.o $(E2E_OBJ) $(APPLIB_LIB) $(DRAW_LDLIBS) \
		| $(BIN)/xproto-server $(BIN)/thin-client $(BIN)/xp-term
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS_LIBPNG) $(LIBS_ZLIB)
BENCHES += $(BIN)/bench/scale_bench
