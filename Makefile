# One Makefile for the whole tree.  Each room (otautil, edify, applypatch,
# updater, recovery, releasetools, bootctl) has a module.mk that names its
# library dependencies and programs; sources follow a fixed layout:
#   ROOM/*.c            -> build/lib/libROOM.a   (the room's library)
#   ROOM/bin/NAME.c     -> build/bin/NAME        (one program per file)
#   tests/ROOM/test_*.c -> build/tests/ROOM/test_*  (Check unit tests)
#   tests/ROOM/*.sh     -> run as integration tests (exit 77 = skipped)
#   fuzz/NAME.c         -> build/fuzz/bin/NAME   (libFuzzer targets, clang)

ROOMS := otautil edify applypatch blockimg updater recovery releasetools bootctl agent

# ---- cross builds ---------------------------------------------------------
# make CROSS_COMPILE=aarch64-linux-gnu- (or CC=aarch64-linux-gnu-gcc) builds
# the programs that run on a device for that machine, with Debian's cross
# toolchain and the target's multiarch libraries (libssl-dev:arm64 ...),
# found through pkg-config in the triplet's multiarch folder.  Output goes
# to build/TRIPLET; host-only programs and the tests are left out.
# CROSS_COMPILE wins over a CC or AR that only comes from the environment.
ifneq ($(CROSS_COMPILE),)
ifneq ($(filter default environment,$(origin CC)),)
CC := $(CROSS_COMPILE)gcc
endif
ifneq ($(filter default environment,$(origin AR)),)
AR := $(CROSS_COMPILE)ar
endif
endif
TARGET_TRIPLET := $(shell $(CC) -dumpmachine 2>/dev/null)
HOST_TRIPLET := $(shell cc -dumpmachine 2>/dev/null)
# Only the machine counts: clang says x86_64-pc-linux-gnu where gcc says x86_64-linux-gnu.
CROSS := $(if $(filter-out $(firstword $(subst -, ,$(HOST_TRIPLET))),$(firstword $(subst -, ,$(TARGET_TRIPLET)))),1)
DEVICE_PROGS := updater recovery applypatch bcb
ifeq ($(CROSS),1)
BUILD ?= build/$(TARGET_TRIPLET)
PKG_CONFIG ?= $(or $(shell which $(TARGET_TRIPLET)-pkg-config 2>/dev/null),PKG_CONFIG_LIBDIR=/usr/lib/$(TARGET_TRIPLET)/pkgconfig:/usr/share/pkgconfig pkg-config)
ifneq ($(filter-out all clean,$(MAKECMDGOALS)),)
$(error a cross build for $(TARGET_TRIPLET) makes the device programs only ($(DEVICE_PROGS)): run "make" with the same CC/CROSS_COMPILE and no target)
endif
endif
PKG_CONFIG ?= pkg-config

ifeq ($(SANITIZE),1)
BUILD ?= build/sanitize
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
SAN_FLAGS :=
endif
ifeq ($(FUZZ),1)
SAN_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
endif

CC ?= cc
PKGS := minizip libcrypto zlib libdivsufsort libbrotlidec liblzma libzstd liblz4
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lbz2
# Programs that run from a package on a device (the update-binary) are linked
# statically, as Android's are: the recovery they run under may have other
# libraries.  They are stripped: every package carries one.  Not with the
# sanitizers, which need the dynamic runtime.
STATIC_LIBS := -lminizip -lcrypto -lz -lbz2 -lbrotlidec -lbrotlicommon -llzma -lzstd -llz4
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 $(WARN) $(CFLAGS) \
              $(SAN_FLAGS) -I. $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS := $(LDFLAGS) $(SAN_FLAGS) -pthread

.PHONY: all check demo demo-ab bench fuzz clean deps recovery-image $(addprefix check-,$(ROOMS) e2e)
all:

# ---- per-room libraries and programs --------------------------------------
# module.mk sets ROOM_LIBS: the libraries (own room first) its programs link,
# and may set ROOM_LDLIBS: system libraries that only this room's library
# needs (linked into whatever links that library, and nothing else).  Object
# files a module.mk adds as prerequisites of one program are linked into it
# (the updater's UPDATER_EXTENSIONS).
define room_template
$(1)_LIB_SRCS := $$(wildcard $(1)/*.c)
$(1)_PROG_SRCS := $$(wildcard $(1)/bin/*.c)
$(1)_LIB_OBJS := $$($(1)_LIB_SRCS:%.c=$(BUILD)/obj/%.o)
$(1)_PROGS := $$($(1)_PROG_SRCS:$(1)/bin/%.c=$(BUILD)/bin/%)
$(1)_LIBS := $(1)
$(1)_LDLIBS :=
-include $(1)/module.mk
ifneq ($$($(1)_LIB_SRCS),)
$(BUILD)/lib/lib$(1).a: $$($(1)_LIB_OBJS)
	@mkdir -p $$(@D)
	@rm -f $$@
	$$(AR) rcs $$@ $$^
endif
$$($(1)_PROGS): $(BUILD)/bin/%: $(BUILD)/obj/$(1)/bin/%.o $$(foreach l,$$($(1)_LIBS),$$(if $$(wildcard $$(l)/*.c),$(BUILD)/lib/lib$$(l).a))
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_LDFLAGS) $$(if $$(and $$(filter $$*,$$($(1)_STATIC)),$$(if $$(SAN_FLAGS),,1)),-static -s,) -o $$@ $$< $$(filter-out $$<,$$(filter %.o,$$^)) -Wl,--start-group $$(filter %.a,$$^) -Wl,--end-group $$(foreach l,$$($(1)_LIBS),$$($$(l)_LDLIBS)) $$(if $$(and $$(filter $$*,$$($(1)_STATIC)),$$(if $$(SAN_FLAGS),,1)),$$(STATIC_LIBS),$$(PKG_LIBS))
PROGRAMS += $$($(1)_PROGS)
ALL_LIB_ARCHIVES += $$(if $$($(1)_LIB_SRCS),$(BUILD)/lib/lib$(1).a)
endef
$(foreach r,$(ROOMS),$(eval $(call room_template,$(r))))

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

ifeq ($(CROSS),1)
all: $(addprefix $(BUILD)/bin/,$(DEVICE_PROGS))
	@echo "cross build for $(TARGET_TRIPLET): $(addprefix $(BUILD)/bin/,$(DEVICE_PROGS))"
else
all: $(PROGRAMS)
endif

# ---- unit tests (Check) -----------------------------------------------------
# tests/ROOM/test_*.c link the room's libraries (tests/e2e: all of them) and
# the shared helpers in tests/common/.
TEST_HELPER_SRCS := $(wildcard tests/common/*.c)
TEST_HELPER_OBJS := $(TEST_HELPER_SRCS:%.c=$(BUILD)/obj/%.o)
define test_template
$(1)_TEST_PROGS := $$(patsubst %.c,$(BUILD)/%,$$(wildcard tests/$(1)/test_*.c))
$(1)_TEST_ARCHIVES := $$(foreach l,$$(if $$(filter e2e,$(1)),$(ROOMS),$$($(1)_LIBS)),$$(if $$(wildcard $$(l)/*.c),$(BUILD)/lib/lib$$(l).a))
$$($(1)_TEST_PROGS): $(BUILD)/tests/$(1)/%: $(BUILD)/obj/tests/$(1)/%.o $(TEST_HELPER_OBJS) $$($(1)_TEST_ARCHIVES)
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_LDFLAGS) -o $$@ $$< $(TEST_HELPER_OBJS) -Wl,--start-group $$($(1)_TEST_ARCHIVES) -Wl,--end-group $$(foreach l,$$(if $$(filter e2e,$(1)),$(ROOMS),$$($(1)_LIBS)),$$($$(l)_LDLIBS)) $$(PKG_LIBS) $$(CHECK_LIBS)
TEST_PROGS += $$($(1)_TEST_PROGS)
endef
e2e_LIBS :=
$(foreach r,$(ROOMS) e2e,$(eval $(call test_template,$(r))))

# Tools the integration scripts run (tests/tools/NAME.c -> $(BUILD)/tests/tools/NAME):
# they may link any room's library.
TEST_TOOL_PROGS := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(wildcard tests/tools/*.c))
$(TEST_TOOL_PROGS): $(BUILD)/tests/tools/%: $(BUILD)/obj/tests/tools/%.o $(ALL_LIB_ARCHIVES)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< -Wl,--start-group $(ALL_LIB_ARCHIVES) -Wl,--end-group $(PKG_LIBS) $(foreach r,$(ROOMS),$($(r)_LDLIBS))

tests: $(PROGRAMS) $(TEST_PROGS) $(TEST_TOOL_PROGS)

# Installs the Debian packages the build and tests need, once.
DEPS_STAMP := build/.deps-ok
$(DEPS_STAMP): scripts/install-deps
	@scripts/install-deps
	@mkdir -p $(@D) && touch $@
deps:
	scripts/install-deps

check: $(DEPS_STAMP)
	@$(MAKE) --no-print-directory tests
	@$(MAKE) --no-print-directory fuzz-smoke
	BUILD=$(BUILD) tests/run-tests $(ROOMS) e2e

# One room's programs and tests only, plus the other rooms' programs its
# scripts use (ROOM_CHECK_PROGS in its module.mk).
$(addprefix check-,$(ROOMS) e2e): check-%: $(DEPS_STAMP)
	@$(MAKE) --no-print-directory $($*_PROGS) $($*_TEST_PROGS) $(TEST_TOOL_PROGS) \
	  $(addprefix $(BUILD)/bin/,$($*_CHECK_PROGS))
	BUILD=$(BUILD) tests/run-tests $*

# ---- fuzzing (clang + libFuzzer) -------------------------------------------
FUZZ_SRCS := $(wildcard fuzz/*.c)
FUZZ_SECONDS ?= 60
fuzz-build:
	@$(MAKE) --no-print-directory FUZZ=1 CC=clang BUILD=build/fuzz fuzz-targets
fuzz-targets: $(FUZZ_SRCS:fuzz/%.c=$(BUILD)/fuzzbin/%)
$(BUILD)/fuzzbin/%: $(BUILD)/obj/fuzz/%.o $(ALL_LIB_ARCHIVES)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $< -Wl,--start-group $(ALL_LIB_ARCHIVES) -Wl,--end-group $(foreach r,$(ROOMS),$($(r)_LDLIBS)) $(PKG_LIBS)
fuzz: $(DEPS_STAMP) fuzz-build
	scripts/run-fuzz build/fuzz/fuzzbin $(FUZZ_SECONDS)
# A few seconds per target inside `make check`, when clang is present.
fuzz-smoke:
	@if command -v clang >/dev/null 2>&1 && [ -n "$(FUZZ_SRCS)" ] && [ "$(SANITIZE)" != 1 ]; then \
	  $(MAKE) --no-print-directory fuzz-build && scripts/run-fuzz build/fuzz/fuzzbin 3; \
	else echo "fuzz-smoke: skipped (no clang, no targets, or sanitizer build)"; fi

# ---- main job and benchmarks -----------------------------------------------
# The recovery flow, then A/B slots chosen by GRUB (demo-ab).
demo: $(DEPS_STAMP)
	@$(MAKE) --no-print-directory all
	BUILD=$(BUILD) scripts/demo
	BUILD=$(BUILD) scripts/demo-ab

demo-ab: $(DEPS_STAMP)
	@$(MAKE) --no-print-directory all
	BUILD=$(BUILD) scripts/demo-ab

# The x86-64 recovery image (kernel + ramdisk + Android boot image) in
# $(BUILD)/recovery-image: KEYS is the certificate packages must be signed
# with (/res/keys), PROPS the recovery's properties (/default.prop:
# ro.product.device, ro.build.date.utc), FSTAB its recovery.fstab.
FSTAB ?= scripts/recovery-image/recovery.fstab
recovery-image: $(DEPS_STAMP)
	@if [ -z "$(KEYS)" ] || [ -z "$(PROPS)" ]; then \
	  echo "usage: make recovery-image KEYS=CERT.x509.pem PROPS=default.prop [FSTAB=recovery.fstab]" >&2; exit 2; fi
	@$(MAKE) --no-print-directory all
	BUILD=$(BUILD) scripts/build-recovery-image $(BUILD)/recovery-image $(KEYS) $(PROPS) $(FSTAB)

bench: $(DEPS_STAMP)
	@$(MAKE) --no-print-directory all
	BUILD=$(BUILD) bench/run

clean:
	rm -rf build

.PHONY: tests fuzz-build fuzz-targets fuzz-smoke
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
