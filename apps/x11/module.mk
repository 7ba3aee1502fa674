# apps/x11/module.mk - xp-x11, the X bridge: X11 programs in a session
X11_SRC := $(wildcard apps/x11/*.c)
X11_OBJ := $(call objs,$(X11_SRC))
X11_PKGS := XCB XCB_SHM XCB_COMPOSITE XCB_DAMAGE XCB_XFIXES XCB_XTEST
$(X11_OBJ): MODULE_CFLAGS := $(foreach p,$(X11_PKGS),$(CFLAGS_$(p)))

$(BIN)/xp-x11: $(X11_OBJ) $(APPLIB_LIB) $(DRAW_LDLIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(foreach p,$(X11_PKGS),$(LIBS_$(p))) $(LIBS_LIBPNG) $(LIBS_ZLIB)

PROGS += $(BIN)/xp-x11

# end to end: real server, xp-x11 with its Xvfb, real xterm and xlogo
$(OBJ)/tests/x11_e2e_test.o: MODULE_CFLAGS := $(CFLAGS_CMOCKA) $(CFLAGS_XCB)
$(BIN)/tests/x11_e2e_test: $(OBJ)/tests/x11_e2e_test.o $(E2E_OBJ) $(APPLIB_LIB) $(DRAW_LDLIBS) | $(BIN)/xp-x11
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_XCB_COMPOSITE) $(LIBS_XCB) $(LIBS_CMOCKA) $(LIBS_LIBPNG) \
		$(LIBS_ZLIB)
TESTS += $(BIN)/tests/x11_e2e_test

# make bench: input-to-pixels through the bridge, the bridge's CPU
$(BIN)/bench/x11_bench: $(OBJ)/bench/x11_bench.o $(E2E_OBJ) $(APPLIB_LIB) $(DRAW_LDLIBS) \
		| $(BIN)/xp-x11 $(BIN)/xproto-server
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS_LIBPNG) $(LIBS_ZLIB)
BENCHES += $(BIN)/bench/x11_bench
