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
	-Iprotocol -Irender -Idraw -Ithin-client -Ixproto-server -Iapps/lib -Iutil -I$(GEN) \
	$(SANFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(SANFLAGS) $(EXTRA_LDFLAGS)

# build/deps.mk holds the pkg-config flags; making it installs what is missing.
-include build/deps.mk
build/deps.mk: tools/deps.sh
	@sh tools/deps.sh $@

PROGS :=
TESTS :=
BENCHES :=
STRESS :=
FUZZERS :=
LIBS :=

# $(call objs,SRCS) -> object files for SRCS
objs = $(patsubst %.c,$(OBJ)/%.o,$(1))

all: build/deps.mk

# shared test helpers: child processes and waits with deadlines (tests/proc.h)
# and the load (tests/load.h: a process's CPU and memory, the machine's load,
# CPU hogs), and end to end: real server and clients on loopback (tests/e2e.h)
PROC_OBJ := $(OBJ)/tests/proc.o $(OBJ)/tests/load.o
E2E_OBJ := $(OBJ)/tests/e2e.o $(PROC_OBJ)

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
# The plain build runs with glibc's heap checking: the sanitizers' allocators
# hide some heap bugs (their realloc always moves a block; glibc's may grow
# it in place). Every process a test starts (servers, clients) inherits it.
HEAP_CHECK := LD_PRELOAD=libc_malloc_debug.so.0 GLIBC_TUNABLES=glibc.malloc.check=3 \
	MALLOC_PERTURB_=165
# Both halves run even when one fails. The last line of `make test` counts
# test cases (tests/summary.sh); when something failed, make stops with that
# very line as its error, so it stays the last line and the exit is non-zero.
TEST_COUNTS := $(CURDIR)/build/test-counts
test: test-san
	@:$(eval TEST_LINE := $(shell sh tests/summary.sh $(TEST_COUNTS) plain sanitizers))
	$(if $(filter 0,$(.SHELLSTATUS)),@echo "$(TEST_LINE)",$(error $(TEST_LINE)))

test-plain:
	@mkdir -p build
	@rm -f $(TEST_COUNTS) $(TEST_COUNTS).failures
	@XP_TEST_COUNTS=$(TEST_COUNTS) $(MAKE) --no-print-directory test-run \
		TEST_ENV="$(HEAP_CHECK)" || true

test-san: test-plain
	@echo "== the same tests under AddressSanitizer + UndefinedBehaviorSanitizer =="
	@XP_TEST_COUNTS=$(TEST_COUNTS) $(MAKE) --no-print-directory SAN=1 test-run || true

# the benchmarks are built too: tests/cli_usage_test.sh checks every program's command line
test-run: $(TESTS) $(PROGS) $(BENCHES)
	@$(if $(TEST_ENV),env $(TEST_ENV)) sh tests/run.sh $(if $(filter 1,$(SAN)),sanitizers,plain) \
		$(BIN) $(TESTS)

# `make test-repeat N=10`: make test N times beside two CPU hogs, rotating
# the time zone; stops at the first failure (tests/repeat.sh)
N ?= 10
test-repeat:
	@sh tests/repeat.sh $(N)

bench: all $(BENCHES)
	@for b in $(BENCHES); do echo "== $$b"; $$b || exit 1; done

# the long hostile-peer suites: every tests/stress/*.sh (given the binaries'
# folder as $1 and $XP_BIN; a fragment adds what its script needs to STRESS)
stress: all $(STRESS)
	@failed=""; for t in tests/stress/*.sh; do echo "== $$t"; \
		XP_BIN=$(BIN) sh $$t $(BIN) || failed="$$failed $$t"; done; \
	if [ -n "$$failed" ]; then echo "stress: failed:$$failed"; exit 1; fi; echo "stress: all passed"

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
		-Iprotocol -Irender -Idraw -Ithin-client -Ixproto-server -Iapps/lib -Ibench/relay -Iutil \
		-I$(GEN) \
		$$(git ls-files '*.c' | grep -v '^fuzz/')
	python3 tools/doccheck.py $$(git ls-files '*.h')

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib
	install -m 755 $(PROGS) $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(LIBS) $(DESTDIR)$(PREFIX)/lib

clean:
	rm -rf build

.PHONY: all test test-plain test-san test-run test-repeat bench stress fuzz run format \
	format-check lint install clean
