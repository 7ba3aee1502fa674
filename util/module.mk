# util/module.mk - header-only helpers (util/xputil.h) and their test
$(OBJ)/tests/util_test.o: MODULE_CFLAGS := $(CFLAGS_CMOCKA)
$(BIN)/tests/util_test: $(OBJ)/tests/util_test.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CMOCKA)
TESTS += $(BIN)/tests/util_test
