# bridge/module.mk - xp-ssh-bridge, the server-side half of thin-client ssh://
BRIDGE_OBJ := $(call objs,$(wildcard bridge/*.c))
$(BIN)/xp-ssh-bridge: $(BRIDGE_OBJ) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_ZLIB)
PROGS += $(BIN)/xp-ssh-bridge

# End-to-end tests of issue 12's session work: launching apps (held keys,
# why an app did not start), displays and sessions (:N, XPROTO_DISPLAY,
# --list, --new, make run) and thin-client ssh:// against a real sshd.
SESSION_TESTS := $(BIN)/tests/launch_e2e_test $(BIN)/tests/display_e2e_test \
	$(BIN)/tests/ssh_e2e_test
$(call objs,tests/launch_e2e_test.c tests/display_e2e_test.c tests/ssh_e2e_test.c): MODULE_CFLAGS := \
	$(CFLAGS_CMOCKA) $(CFLAGS_XCB) -Itests
$(SESSION_TESTS): $(BIN)/tests/%: $(OBJ)/tests/%.o $(E2E_OBJ) $(OBJ)/tests/xvfb.o $(APPLIB_LIB) \
		$(DRAW_LDLIBS) | $(BIN)/xproto-server $(BIN)/thin-client $(BIN)/xp-term \
		$(BIN)/xp-launcher $(BIN)/xp-clock $(BIN)/xp-calendar $(BIN)/xp-ssh-bridge
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS_CMOCKA) $(LIBS_XCB) $(LIBS_LIBPNG) \
		$(LIBS_ZLIB)
TESTS += $(SESSION_TESTS)

# the marked examples of every README, run as a user would (tests/readme_test.py)
TESTS += tests/readme_test.py
# every program's --help (stdout, 0) and unknown option (stderr naming it, 2)
TESTS += tests/cli_usage_test.sh
