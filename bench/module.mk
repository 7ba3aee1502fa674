# bench/module.mk - the peer benchmark (issue 5, item 5): `make bench-peers`
# runs the terminal workloads through xproto, raw X11, X11+zlib and VNC and
# writes build/bench/peers.{txt,csv,png}. xp-relay (the byte counter, a front
# end over bench/relay's librelay) is built with everything else so that it
# keeps compiling; it is not installed.
PEERS_RELAY := $(BIN)/xp-relay
PEERS_RELAY_OBJ := $(call objs,bench/peers/relay.c)
$(PEERS_RELAY_OBJ): MODULE_CFLAGS := $(CFLAGS_ZLIB) $(RELAY_CFLAGS)
$(PEERS_RELAY): $(PEERS_RELAY_OBJ) $(RELAY_LIB) $(PROTO_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_ZLIB)

all: $(PEERS_RELAY)

# RUNS=3 by default; PEERS="xproto x11 vnc" picks peers; WORKLOADS="W0 W1 W2 W3".
bench-peers: all
	@sh bench/peers/run.sh $(BIN) build/bench

.PHONY: bench-peers
