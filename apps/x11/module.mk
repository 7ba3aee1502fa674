# apps/x11/module.mk - xp-x11, the X bridge: X11 programs in a session
X11_SRC := $(wildcard apps/x11/*.c)
X11_OBJ := $(call objs,$(X11_SRC))
X11_PKGS := XCB XCB_SHM XCB_COMPOSITE XCB_DAMAGE XCB_XFIXES XCB_XTEST
$(X11_OBJ): MODULE_CFLAGS := $(foreach p,$(X11_PKGS),$(CFLAGS_$(p)))

# the selection protocol is the thin client's (thin-client/xsel.c, xsel.h):
# from libxpthin the linker takes that object only
$(BIN)/xp-x11: $(X11_OBJ) $(LIB)/libxpthin.a $(APPLIB_LIB) $(DRAW_LDLIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(foreach p,$(X11_PKGS),$(LIBS_$(p))) $(LIBS_LIBPNG) $(LIBS_ZLIB)

PROGS += $(BIN)/xp-x11

# end to end: real server, xp-x11 with its Xvfb, real xterm and xlogo
X11_TEST_OBJ := $(OBJ)/tests/x11_e2e_test.o $(OBJ)/tests/x11run.o
$(X11_TEST_OBJ): MODULE_CFLAGS := $(CFLAGS_CMOCKA) $(CFLAGS_XCB)
$(BIN)/tests/x11_e2e_test: $(X11_TEST_OBJ) $(E2E_OBJ) $(APPLIB_LIB) $(DRAW_LDLIBS) | $(BIN)/xp-x11
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_XCB_COMPOSITE) $(LIBS_XCB) $(LIBS_CMOCKA) $(LIBS_LIBPNG) \
		$(LIBS_ZLIB)
TESTS += $(BIN)/tests/x11_e2e_test

# the cursor shape of bridged programs on a real thin-client window
$(OBJ)/tests/x11_cursor_e2e_test.o: MODULE_CFLAGS := $(CFLAGS_CMOCKA) $(CFLAGS_XCB) \
	$(CFLAGS_XCB_XFIXES) $(CFLAGS_XCB_XTEST)
$(BIN)/tests/x11_cursor_e2e_test: $(OBJ)/tests/x11_cursor_e2e_test.o $(OBJ)/tests/x11run.o \
		$(OBJ)/tests/xshape.o $(OBJ)/tests/xvfb.o $(E2E_OBJ) $(APPLIB_LIB) $(DRAW_LDLIBS) \
		| $(BIN)/xp-x11 $(BIN)/thin-client
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS_XCB_XFIXES) $(LIBS_XCB_XTEST) $(LIBS_XCB) \
		$(LIBS_CMOCKA) $(LIBS_LIBPNG) $(LIBS_ZLIB)
TESTS += $(BIN)/tests/x11_cursor_e2e_test

# X selections across the bridge: xclip on both X displays, an app, a thin client
$(OBJ)/tests/x11_clip_e2e_test.o: MODULE_CFLAGS := $(CFLAGS_CMOCKA) $(CFLAGS_XCB)
$(BIN)/tests/x11_clip_e2e_test: $(OBJ)/tests/x11_clip_e2e_test.o $(OBJ)/tests/x11run.o \
		$(OBJ)/tests/xvfb.o $(E2E_OBJ) $(APPLIB_LIB) $(DRAW_LDLIBS) \
		| $(BIN)/xp-x11 $(BIN)/thin-client
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS_XCB) $(LIBS_CMOCKA) $(LIBS_LIBPNG) \
		$(LIBS_ZLIB)
TESTS += $(BIN)/tests/x11_clip_e2e_test

# make bench: input-to-pixels through the bridge, the bridge's CPU
$(BIN)/bench/x11_bench: $(OBJ)/bench/x11_bench.o $(E2E_OBJ) $(APPLIB_LIB) $(DRAW_LDLIBS) \
		| $(BIN)/xp-x11 $(BIN)/xproto-server
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS_LIBPNG) $(LIBS_ZLIB)
BENCHES += $(BIN)/bench/x11_bench
