# apps/term/module.mk - xp-term
TERM_SRC := $(wildcard apps/term/*.c)
TERM_OBJ := $(call objs,$(TERM_SRC))
$(TERM_OBJ): MODULE_CFLAGS := $(CFLAGS_VTERM)

$(BIN)/xp-term: $(TERM_OBJ) $(APPLIB_LIB) $(DRAW_LDLIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_VTERM) $(LIBS_LIBPNG) $(LIBS_ZLIB)

PROGS += $(BIN)/xp-term
