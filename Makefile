# xproto - top-level Makefile.
#
# Each folder contributes a module.mk fragment that adds its library,
# programs and tests to the lists below. `make SAN=1` builds everything with
# AddressSanitizer and UndefinedBehaviorSanitizer into build/san.

.DEFAULT_GOAL := all
SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD ?= build
SANFLAGS :=
endif
BIN := $(BUILD)/bin
LIB := $(BUILD)/lib
OBJ := $(BUILD)/obj
GEN := $(BUILD)/gen
PREFIX ?= /usr/local

CC ?= cc
OPT ?= -O2 -g
CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) -Wall -Wextra -Werror -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter \
	-Iprotocol -Irender -Idraw -Ithin-client -Ixproto-server -Iapps/lib -I$(GEN) \
	$(SANFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(SANFLAGS) $(EXTRA_LDFLAGS)

# build/deps.mk holds the pkg-config flags; making it installs what is missing.
-include build/deps.mk
build/deps.mk: tools/deps.sh
	@sh tools/deps.sh $@

PROGS :=
TESTS :=
BENCHES :=
FUZZERS :=
LIBS :=

# $(call objs,SRCS) -> object files for SRCS
objs = $(patsubst %.c,$(OBJ)/%.o,$(1))

all: build/deps.mk

# shared test helpers (end-to-end: real server and clients on loopback)
E2E_OBJ := $(OBJ)/tests/e2e.o

# every folder (and apps/<app>/) owns its fragment; see docs/CONVENTIONS.md.
# Libraries first: later fragments name them in their prerequisites.
FRAGMENTS := protocol/module.mk render/module.mk apps/lib/module.mk bench/relay/module.mk \
	draw/module.mk
include $(FRAGMENTS)
include $(filter-out $(FRAGMENTS),$(sort $(wildcard */module.mk apps/*/module.mk)))

all: $(LIBS) $(PROGS)

$(OBJ)/%.o: %.c | build/deps.mk
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(MODULE_CFLAGS) -MMD -MP -c $< -o $@

$(OBJ)/%.o: $(GEN)/%.c | build/deps.mk
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(MODULE_CFLAGS) -MMD -MP -c $< -o $@

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)

# ---- tests: plain build, then the same tests under ASan+UBSan -------------
test: all
	@rm -f build/test-counts
	@XP_TEST_COUNTS=$(CURDIR)/build/test-counts $(MAKE) --no-print-directory test-run
	@echo "== the same tests under AddressSanitizer + UndefinedBehaviorSanitizer =="
	@XP_TEST_COUNTS=$(CURDIR)/build/test-counts $(MAKE) --no-print-directory SAN=1 test-run
	@echo "== all tests passed (plain and sanitizer builds) =="
	@awk '{p += $$1; f += $$2} END {printf "tests: %d passed, %d failed\n", p, f}' build/test-counts

test-run: $(TESTS) $(PROGS)
	@sh tests/run.sh $(BIN) $(TESTS)

bench: all $(BENCHES)
	@for b in $(BENCHES); do echo "== $$b"; $$b || exit 1; done

FUZZ_SECONDS ?= 60
fuzz: all
	@$(MAKE) --no-print-directory -f fuzz/fuzz.mk FUZZ_SECONDS=$(FUZZ_SECONDS)

run: all
	@sh tools/demo.sh $(BIN)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

# CI: fails, naming each place, when a file differs from .clang-format
format-check: build/deps.mk
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

lint: build/deps.mk
	cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability,performance \
		--suppress=missingIncludeSystem --inline-suppr -D__GNUC__ \
		-Iprotocol -Irender -Idraw -Ithin-client -Ixproto-server -Iapps/lib -Ibench/relay \
		-I$(GEN) \
		$$(git ls-files '*.c' | grep -v '^fuzz/')

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib
	install -m 755 $(PROGS) $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(LIBS) $(DESTDIR)$(PREFIX)/lib

clean:
	rm -rf build

.PHONY: all test test-run bench fuzz run format format-check lint install clean
