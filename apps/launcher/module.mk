# apps/launcher/module.mk - xp-launcher
LAUNCHER_OBJ := $(call objs,$(wildcard apps/launcher/*.c))
$(BIN)/xp-launcher: $(LAUNCHER_OBJ) $(APPLIB_LIB) $(DRAW_LDLIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_LIBPNG) $(LIBS_ZLIB)
PROGS += $(BIN)/xp-launcher
