# xproto-server/module.mk - libxpserver and the xproto-server program
SERVER_SRC := $(filter-out xproto-server/main.c,$(wildcard xproto-server/*.c))
SERVER_OBJ := $(call objs,$(SERVER_SRC))
SERVER_LIB := $(LIB)/libxpserver.a
$(SERVER_OBJ): | $(RENDER_GEN)

$(SERVER_LIB): $(SERVER_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BIN)/xproto-server: $(OBJ)/xproto-server/main.o $(SERVER_LIB) $(RENDER_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_LIBPNG) $(LIBS_ZLIB)

LIBS += $(SERVER_LIB)
PROGS += $(BIN)/xproto-server
