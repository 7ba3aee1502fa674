# fuzz/fuzz.mk - libFuzzer targets, built with clang (make fuzz).
# Every *_fuzz.c in fuzz/ is a target; each runs FUZZ_SECONDS (default 60).
include build/deps.mk
FUZZ_SECONDS ?= 60
FB := build/fuzz
FCC := clang
FFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Iprotocol -Irender -Idraw -Iapps/lib -Iapps/agenda -Ixproto-server -Iutil -Ibuild/gen
PROTO_SRC := $(filter-out protocol/xproto-dump.c,$(wildcard protocol/*.c))
TARGETS := $(patsubst fuzz/%.c,$(FB)/%,$(wildcard fuzz/*_fuzz.c))
# extra sources and libraries per target
proto_fuzz_SRC := $(PROTO_SRC)
proto_fuzz_LIBS := $(LIBS_ZLIB)
agenda_sync_fuzz_SRC := apps/agenda/wire.c apps/agenda/sync_proto.c apps/agenda/util.c \
	protocol/hex.c
agenda_sync_fuzz_LIBS := $(LIBS_SQLITE3)
render_image_fuzz_SRC := $(filter-out render/tools/%,$(wildcard render/*.c)) \
	$(wildcard build/gen/render/font_*.c) protocol/utf8.c
render_image_fuzz_LIBS := $(LIBS_LIBPNG) $(LIBS_ZLIB)
# the server's real dispatch and state (server_fuzz.c drives it over socketpairs)
server_fuzz_SRC := $(filter-out xproto-server/main.c,$(wildcard xproto-server/*.c)) $(PROTO_SRC) \
	$(filter-out protocol/%,$(render_image_fuzz_SRC)) $(wildcard draw/*.c)
server_fuzz_LIBS := $(LIBS_LIBPNG) $(LIBS_ZLIB)
draw_fuzz_SRC := $(sort $(PROTO_SRC) $(render_image_fuzz_SRC) $(wildcard draw/*.c))
draw_fuzz_LIBS := $(LIBS_LIBPNG) $(LIBS_ZLIB)
-include $(wildcard fuzz/*.fuzzmk)

run: $(TARGETS)
	@set -e; for t in $(TARGETS); do \
		n=$$(basename $$t); mkdir -p $(FB)/corpus/$$n; \
		seeds=""; [ -d fuzz/seeds/$$n ] && seeds=fuzz/seeds/$$n; \
		echo "== fuzzing $$n for $(FUZZ_SECONDS) s (log: $(FB)/$$n.log)"; \
		if ! $$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -max_len=65536 -artifact_prefix=$(FB)/$$n- \
			$(FB)/corpus/$$n $$seeds > $(FB)/$$n.log 2>&1; then \
			tail -n 40 $(FB)/$$n.log; echo "fuzz: $$n FAILED"; exit 1; fi; \
		grep -E 'stat::(number_of_executed_units|average_exec_per_sec|peak_rss)' $(FB)/$$n.log; \
	done

.SECONDEXPANSION:
$(FB)/%: fuzz/%.c $$($$*_SRC) $(wildcard protocol/*.h protocol/*.def render/*.h draw/*.h apps/*/*.h xproto-server/*.h)
	@mkdir -p $(dir $@)
	$(FCC) $(FFLAGS) -o $@ $< $($*_SRC) $($*_LIBS)

.PHONY: run
