# render/module.mk - the shared software renderer (libxprender.a), its font
# tables generated at build time, its tests and its benchmark.
#
# Fonts: misc-fixed PCF (xfonts-base) -> pcf2bdf -> BDF -> bdf2c -> C table,
# and GNU Unifont (fonts-unifont, OpenType) -> unifont2c (FreeType) -> C
# table. The BDF files are kept in $(GEN)/render/ because the tests compare
# the rendered glyphs against them.

RENDER_FONTDIR ?= /usr/share/fonts/X11/misc
RENDER_FONTS := 6x13 6x13B 6x13O 7x13 7x13B 7x13O 7x14 7x14B 8x13 8x13B 8x13O \
	9x15 9x15B 9x18 9x18B 10x20 12x24
RENDER_UNIFONTDIR ?= /usr/share/fonts/opentype/unifont
RENDER_UNIFONTS := $(RENDER_UNIFONTDIR)/unifont.otf $(RENDER_UNIFONTDIR)/unifont_upper.otf

RENDER_SRC := $(filter-out render/tools/%,$(wildcard render/*.c))
RENDER_GEN := $(patsubst %,$(GEN)/render/font_%.c,$(RENDER_FONTS)) $(GEN)/render/font_unifont.c
RENDER_OBJ := $(call objs,$(RENDER_SRC)) \
	$(patsubst $(GEN)/%.c,$(OBJ)/%.o,$(RENDER_GEN))
RENDER_LIB := $(LIB)/libxprender.a
# text decodes UTF-8 with libxproto: it links after the renderer
RENDER_LDLIBS := $(RENDER_LIB) $(PROTO_LIB) $(LIBS_LIBPNG) $(LIBS_ZLIB)
BDF2C := $(BUILD)/tools/bdf2c
UNIFONT2C := $(BUILD)/tools/unifont2c

# -ftree-vectorize: the fill and glyph loops are written to be vectorised.
$(RENDER_OBJ): MODULE_CFLAGS := $(CFLAGS_LIBPNG) $(CFLAGS_ZLIB) -ftree-vectorize
# generated sources exist before any renderer object is compiled
$(RENDER_OBJ): | $(RENDER_GEN)

$(RENDER_LIB): $(RENDER_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	rm -f $@ && $(AR) rcs $@ $^
LIBS += $(RENDER_LIB)

# ---- build-time font conversion ------------------------------------------
# the converter reads hex rows with libxproto's one hex codec
$(BDF2C): render/tools/bdf2c.c protocol/hex.c render/tools/symbol.h | build/deps.mk
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $(filter %.c,$^)

$(GEN)/render/%.bdf: $(RENDER_FONTDIR)/%.pcf.gz | build/deps.mk
	@mkdir -p $(dir $@)
	gzip -dc $< > $@.pcf
	pcf2bdf -o $@.tmp $@.pcf
	rm -f $@.pcf
	mv $@.tmp $@

$(GEN)/render/font_%.c: $(GEN)/render/%.bdf $(BDF2C)
	$(BDF2C) xr_font_$* $< $@.tmp
	mv $@.tmp $@

$(UNIFONT2C): render/tools/unifont2c.c render/tools/symbol.h util/xputil.h | build/deps.mk
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CFLAGS_FREETYPE2) -o $@ $< $(LIBS_FREETYPE2)

$(GEN)/render/font_unifont.c: $(RENDER_UNIFONTS) $(UNIFONT2C)
	@mkdir -p $(dir $@)
	$(UNIFONT2C) xr_font_unifont $@.tmp $(RENDER_UNIFONTS)
	mv $@.tmp $@

.SECONDARY: $(patsubst %,$(GEN)/render/%.bdf,$(RENDER_FONTS))

# ---- tests and benchmark -------------------------------------------------
RENDER_TEST_SRC := $(wildcard tests/render_*.c)
RENDER_TESTS := $(patsubst tests/%.c,$(BIN)/tests/%,$(RENDER_TEST_SRC))
$(call objs,$(RENDER_TEST_SRC)): MODULE_CFLAGS := $(CFLAGS_CMOCKA) $(CFLAGS_LIBPNG) \
	-DXR_TEST_GEN='"$(GEN)"' -DXR_TEST_BUILD='"$(BUILD)"'
$(call objs,$(RENDER_TEST_SRC)): | $(RENDER_GEN)
$(RENDER_TESTS): $(BIN)/tests/%: $(OBJ)/tests/%.o $(RENDER_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(RENDER_LDLIBS) $(LIBS_CMOCKA)
# render_bdf2c_test runs the converter
$(BIN)/tests/render_bdf2c_test: $(BDF2C)
TESTS += $(RENDER_TESTS)

RENDER_BENCH := $(BIN)/bench/render_bench
$(RENDER_BENCH): $(OBJ)/bench/render_bench.o $(RENDER_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(RENDER_LDLIBS)
BENCHES += $(RENDER_BENCH)
