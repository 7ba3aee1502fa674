# apps/term/module.mk - xp-term
TERM_SRC := $(wildcard apps/term/*.c)
TERM_OBJ := $(call objs,$(TERM_SRC))
$(TERM_OBJ): MODULE_CFLAGS := $(CFLAGS_VTERM) $(CFLAGS_ZLIB)

$(BIN)/xp-term: $(TERM_OBJ) $(APPLIB_LIB) $(DRAW_LDLIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_VTERM) $(LIBS_LIBPNG) $(LIBS_ZLIB)

PROGS += $(BIN)/xp-term

# end to end: a real server, a real shell, the test as a thin client
TERM_TEST_HELPERS := $(OBJ)/tests/term_harness.o
$(OBJ)/tests/term_e2e_test.o $(TERM_TEST_HELPERS): MODULE_CFLAGS := $(CFLAGS_CMOCKA)
$(BIN)/tests/term_e2e_test: $(OBJ)/tests/term_e2e_test.o $(TERM_TEST_HELPERS) $(E2E_OBJ) \
		$(APPLIB_LIB) $(DRAW_LDLIBS) | $(BIN)/xproto-server $(BIN)/xp-term
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS_CMOCKA) $(LIBS_LIBPNG) $(LIBS_ZLIB)
TESTS += $(BIN)/tests/term_e2e_test

# the clipboard across the link with real X selections (Xvfb, xclip)
$(OBJ)/tests/clip_x11_test.o: MODULE_CFLAGS := $(CFLAGS_CMOCKA) -Itests
$(BIN)/tests/clip_x11_test: $(OBJ)/tests/clip_x11_test.o $(TERM_TEST_HELPERS) $(OBJ)/tests/xvfb.o \
		$(E2E_OBJ) $(APPLIB_LIB) $(DRAW_LDLIBS) | $(BIN)/xproto-server \
		$(BIN)/xp-term $(BIN)/thin-client
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS_CMOCKA) $(LIBS_LIBPNG) $(LIBS_ZLIB)
TESTS += $(BIN)/tests/clip_x11_test

# benchmark: scrollback memory and the latency of scrolling back a page
$(OBJ)/bench/term_bench.o: MODULE_CFLAGS := -Itests
$(BIN)/bench/term_bench: $(OBJ)/bench/term_bench.o $(TERM_TEST_HELPERS) $(E2E_OBJ) $(APPLIB_LIB) \
		$(DRAW_LDLIBS) | $(BIN)/xproto-server $(BIN)/xp-term
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS_LIBPNG) $(LIBS_ZLIB)
BENCHES += $(BIN)/bench/term_bench

# the scrollback store on its own, with libvterm's cells
$(OBJ)/tests/term_sb_test.o: MODULE_CFLAGS := $(CFLAGS_CMOCKA) $(CFLAGS_VTERM) -Iapps/term
$(BIN)/tests/term_sb_test: $(OBJ)/tests/term_sb_test.o $(OBJ)/apps/term/scrollback.o $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_VTERM) $(LIBS_ZLIB)
TESTS += $(BIN)/tests/term_sb_test
