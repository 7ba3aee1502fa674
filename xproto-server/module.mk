# xproto-server/module.mk - libxpserver and the xproto-server program
SERVER_SRC := $(filter-out xproto-server/main.c,$(wildcard xproto-server/*.c))
SERVER_OBJ := $(call objs,$(SERVER_SRC))
SERVER_LIB := $(LIB)/libxpserver.a
$(SERVER_OBJ): | $(RENDER_GEN)

$(SERVER_LIB): $(SERVER_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(BIN)/xproto-server: $(OBJ)/xproto-server/main.o $(SERVER_LIB) $(DRAW_LDLIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_LIBPNG) $(LIBS_ZLIB)

LIBS += $(SERVER_LIB)
PROGS += $(BIN)/xproto-server

# end-to-end tests: real server and thin-client processes, in-process apps
$(OBJ)/tests/server_e2e_test.o: MODULE_CFLAGS := $(CFLAGS_CMOCKA)
$(BIN)/tests/server_e2e_test: $(OBJ)/tests/server_e2e_test.o $(E2E_OBJ) $(APPLIB_LIB) \
		$(DRAW_LDLIBS) | $(BIN)/xproto-server $(BIN)/thin-client
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS_CMOCKA) $(LIBS_LIBPNG) $(LIBS_ZLIB)
TESTS += $(BIN)/tests/server_e2e_test

# pointer shapes: an app, raw clients and an in-process headless thin client
$(OBJ)/tests/cursor_e2e_test.o: MODULE_CFLAGS := $(CFLAGS_CMOCKA) -Itests
$(BIN)/tests/cursor_e2e_test: $(OBJ)/tests/cursor_e2e_test.o $(OBJ)/tests/thinrun.o $(E2E_OBJ) \
		$(APPLIB_LIB) $(THIN_DEPLIBS) | $(BIN)/xproto-server
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(THIN_LDLIBS) $(LIBS_CMOCKA) -lpthread
TESTS += $(BIN)/tests/cursor_e2e_test

# benchmark
$(BIN)/bench/server_bench: $(OBJ)/bench/server_bench.o $(OBJ)/tests/hostile.o $(E2E_OBJ) \
		$(APPLIB_LIB) $(DRAW_LDLIBS) | $(BIN)/xproto-server
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS_LIBPNG) $(LIBS_ZLIB)
BENCHES += $(BIN)/bench/server_bench

# the server under valgrind for a real session (plain build only)
TESTS += tests/server_valgrind_test.sh

# the remote apps end to end (issue: remote apps)
$(OBJ)/tests/apps_e2e_test.o: MODULE_CFLAGS := $(CFLAGS_CMOCKA)
$(BIN)/tests/apps_e2e_test: $(OBJ)/tests/apps_e2e_test.o $(E2E_OBJ) $(APPLIB_LIB) $(DRAW_LDLIBS) \
		| $(BIN)/xproto-server $(BIN)/thin-client $(BIN)/xp-term $(BIN)/xp-clock $(BIN)/xp-launcher
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS_CMOCKA) $(LIBS_LIBPNG) $(LIBS_ZLIB)
TESTS += $(BIN)/tests/apps_e2e_test

# hostile and heavy peers, the fast cases (issue 11; the long ones: make stress)
$(OBJ)/tests/server_hostile_test.o: MODULE_CFLAGS := $(CFLAGS_CMOCKA)
$(BIN)/tests/server_hostile_test: $(OBJ)/tests/server_hostile_test.o $(E2E_OBJ) $(APPLIB_LIB) \
		$(DRAW_LDLIBS) | $(BIN)/xproto-server $(BIN)/thin-client
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS_CMOCKA) $(LIBS_LIBPNG) $(LIBS_ZLIB)
TESTS += $(BIN)/tests/server_hostile_test

# the event loop, the hash map, image payloads and the drawing costs on their own
SERVER_UNIT_TESTS := $(BIN)/tests/server_loop_test $(BIN)/tests/server_map_test \
	$(BIN)/tests/server_refresh_test \
	$(BIN)/tests/server_cost_test
$(patsubst $(BIN)/%,$(OBJ)/%.o,$(SERVER_UNIT_TESTS)): MODULE_CFLAGS := $(CFLAGS_CMOCKA)
$(SERVER_UNIT_TESTS): $(BIN)/tests/%: $(OBJ)/tests/%.o $(SERVER_LIB) $(DRAW_LDLIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CMOCKA) $(LIBS_LIBPNG) $(LIBS_ZLIB)
TESTS += $(SERVER_UNIT_TESTS)

# the long hostile-peer suite (make stress): tests/stress/server_stress.sh runs it
HOSTILE_OBJ := $(OBJ)/tests/hostile.o
$(BIN)/tests/server_stress: $(OBJ)/tests/stress/server_stress.o $(HOSTILE_OBJ) $(E2E_OBJ) \
		$(APPLIB_LIB) $(DRAW_LDLIBS) | $(BIN)/xproto-server
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS_LIBPNG) $(LIBS_ZLIB)
STRESS += $(BIN)/tests/server_stress

# the session's window manager end to end: placement, frames, chords,
# reattach, the connection's state on screen, --scale
$(OBJ)/tests/wm_e2e_test.o: MODULE_CFLAGS := $(CFLAGS_CMOCKA)
$(BIN)/tests/wm_e2e_test: $(OBJ)/tests/wm_e2e_test.o $(E2E_OBJ) $(APPLIB_LIB) $(DRAW_LDLIBS) \
		| $(BIN)/xproto-server $(BIN)/thin-client $(BIN)/xp-launcher
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS_CMOCKA) $(LIBS_LIBPNG) $(LIBS_ZLIB)
TESTS += $(BIN)/tests/wm_e2e_test

# thin-client --seamless under a real window manager (openbox, Xvfb)
$(OBJ)/tests/seamless_e2e_test.o: MODULE_CFLAGS := $(CFLAGS_CMOCKA) $(CFLAGS_XCB) \
	$(CFLAGS_XCB_XFIXES) $(CFLAGS_XCB_XTEST)
# the cursor an X display shows (XFIXES), also in apps/x11's x11_cursor_e2e_test
$(OBJ)/tests/xshape.o: MODULE_CFLAGS := $(CFLAGS_XCB) $(CFLAGS_XCB_XFIXES)
$(BIN)/tests/seamless_e2e_test: $(OBJ)/tests/seamless_e2e_test.o $(OBJ)/tests/xshape.o \
		$(E2E_OBJ) $(OBJ)/tests/xvfb.o \
		$(APPLIB_LIB) $(DRAW_LDLIBS) | $(BIN)/xproto-server $(BIN)/thin-client
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS_CMOCKA) $(LIBS_XCB_XFIXES) \
		$(LIBS_XCB_XTEST) $(LIBS_XCB) $(LIBS_LIBPNG) $(LIBS_ZLIB)
TESTS += $(BIN)/tests/seamless_e2e_test

# what went wrong is said and the exit status tells (an outside tester's findings)
$(OBJ)/tests/errors_e2e_test.o: MODULE_CFLAGS := $(CFLAGS_CMOCKA)
$(BIN)/tests/errors_e2e_test: $(OBJ)/tests/errors_e2e_test.o $(E2E_OBJ) $(APPLIB_LIB) \
		$(DRAW_LDLIBS) | $(BIN)/xproto-server $(BIN)/thin-client $(BIN)/xp-term \
		$(BIN)/xp-clock $(BIN)/xp-calendar $(BIN)/xproto-dump
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS_CMOCKA) $(LIBS_LIBPNG) $(LIBS_ZLIB)
TESTS += $(BIN)/tests/errors_e2e_test
