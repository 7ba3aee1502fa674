# bridge/module.mk - xp-ssh-bridge, the server-side half of thin-client ssh://
BRIDGE_OBJ := $(call objs,$(wildcard bridge/*.c))
$(BIN)/xp-ssh-bridge: $(BRIDGE_OBJ) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_ZLIB)
PROGS += $(BIN)/xp-ssh-bridge
