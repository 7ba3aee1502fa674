# apps/clock/module.mk - xp-clock
CLOCK_OBJ := $(call objs,$(wildcard apps/clock/*.c))
$(BIN)/xp-clock: $(CLOCK_OBJ) $(APPLIB_LIB) $(DRAW_LDLIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_LIBPNG) $(LIBS_ZLIB)
PROGS += $(BIN)/xp-clock
