# apps/lib/module.mk - libxpapp, the app client library
APPLIB_SRC := $(wildcard apps/lib/*.c)
APPLIB_OBJ := $(call objs,$(APPLIB_SRC))
APPLIB_LIB := $(LIB)/libxpapp.a

$(APPLIB_LIB): $(APPLIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

LIBS += $(APPLIB_LIB)
