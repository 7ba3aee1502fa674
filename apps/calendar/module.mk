# apps/calendar/module.mk - xp-calendar (needs libagenda)
CAL_OBJ := $(call objs,$(wildcard apps/calendar/*.c))
$(CAL_OBJ): MODULE_CFLAGS := -Iapps/agenda $(CFLAGS_SQLITE3) $(CFLAGS_LIBICAL)
$(BIN)/xp-calendar: $(CAL_OBJ) $(AGENDA_LIB) $(APPLIB_LIB) $(DRAW_LDLIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_SQLITE3) $(LIBS_LIBICAL) $(LIBS_LIBPNG) $(LIBS_ZLIB) -lpthread
PROGS += $(BIN)/xp-calendar

$(OBJ)/tests/calendar_e2e_test.o: MODULE_CFLAGS := $(CFLAGS_CMOCKA)
$(BIN)/tests/calendar_e2e_test: $(OBJ)/tests/calendar_e2e_test.o $(E2E_OBJ) $(APPLIB_LIB) \
		$(DRAW_LDLIBS) | $(BIN)/xproto-server $(BIN)/thin-client $(BIN)/xp-calendar \
		$(BIN)/agenda
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS_CMOCKA) $(LIBS_LIBPNG) $(LIBS_ZLIB)
TESTS += $(BIN)/tests/calendar_e2e_test
