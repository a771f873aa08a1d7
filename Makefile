# gatewayd: a Nym mixnet gateway as a privilege-separated daemon.
#
#   make            build every program into $(O)/bin (default obj/bin)
#   make run        build, create ./run/ (config + keys) if absent, and
#                   start gatewayd in the foreground on 127.0.0.1
#   make check      build and run every test, then again under ASan+UBSan
#   make bench      benchmarks (print figures, never fail on time)
#   make soak       thousands of clients and mix traffic for SOAK_SECONDS
#                   (default 600): nothing acknowledged lost, RSS bounded
#   make fuzz       run every libFuzzer harness for FUZZ_SECONDS (default
#                   60) on all cores (-fork), from regress/fuzz/corpus and
#                   the work corpus obj/fuzz/corpus; prints executions,
#                   executions/s, edges and crashes per harness
#                   (FUZZERS="name ..." for some only)
#   make fuzz-merge minimise the work corpus back into regress/fuzz/corpus
#   make coverage   line coverage of the parsers by that corpus (clang,
#                   O=obj/cov; llvm-cov report, HTML in obj/cov/html)
#   make lint       mandoc -T lint over the manual pages
#   make install    install under PREFIX (default /usr/local)
#   make deb        the Debian package, obj/deb/gatewayd_*.deb (debian/)
#   make distcheck  that package installed, checked and purged in a fresh
#                   Debian 12 root (debootstrap; needs root and network)

include mk/flags.mk

# Every entry point installs what mk/deps.txt lists and is missing, and
# does it now, before anything below asks pkg-config or looks for
# BLAKE3's sources: so a fresh Debian 12 machine needs nothing done by
# hand, and its very first build links.  (A prerequisite would come too
# late: make has by then read pkg-config's answers and BLAKE3's
# directory.)  Not for clean or the packaging targets, which install
# their own, nor for make -n; DEPS=0 skips it (the package build, whose
# Build-Depends did it).
NODEPS_GOALS	:= clean deps deb distcheck
DEPS_NOW	:= $(if $(filter 0,$(DEPS))$(findstring n,$(firstword \
		   -$(MAKEFLAGS))),,$(filter-out $(NODEPS_GOALS),$(or \
		   $(MAKECMDGOALS),all)))
ifneq ($(DEPS_NOW),)
DEPS_STATUS	:= $(shell sh mk/deps.sh >&2; echo $$?)
ifneq ($(DEPS_STATUS),0)
$(error mk/deps.sh failed (exit $(DEPS_STATUS)))
endif
endif

PROGS		:= gatewayd mixd clientd credd storaged apid verlocd gatewayctl
WORKERS		:= mixd clientd credd storaged apid verlocd

# Libraries per program: linkage is part of the isolation (only storaged
# links LMDB, only credd links libcurl), and regress/sandbox checks it.
COMMON_LIBS	:= $(call PKG,libevent libsodium libseccomp) $(GCRYPT_LIBS)
gatewayd_LIBS	:= $(call PKG,yaml-0.1) $(COMMON_LIBS)
mixd_LIBS	:= $(COMMON_LIBS)
clientd_LIBS	:= $(WSLAY_LIBS) $(call PKG,jansson) $(COMMON_LIBS)
credd_LIBS	:= $(call PKG,libcurl libcares jansson) $(COMMON_LIBS)
storaged_LIBS	:= $(call PKG,lmdb) $(COMMON_LIBS)
apid_LIBS	:= $(COMMON_LIBS)
verlocd_LIBS	:= $(COMMON_LIBS)
gatewayctl_LIBS	:= $(call PKG,yaml-0.1 jansson) $(COMMON_LIBS)
# Source directories below a program's own (one concern each, linked
# into that program only).
credd_SUBDIRS	:= ecash
# Field and curve arithmetic: -O3 unrolls the limb loops (about 25%
# faster verification than -O2).
$(O)/credd/ecash/%.o: OPT += -O3
TEST_LIBS	:= $(call PKG,yaml-0.1 jansson lmdb libcurl libcares) $(WSLAY_LIBS) $(COMMON_LIBS)

COMMON_SRCS	:= $(sort $(wildcard common/*.c))
COMMON_OBJS	:= $(COMMON_SRCS:%.c=$(O)/%.o)
BLAKE3_SRCS	:= blake3.c blake3_dispatch.c blake3_portable.c
BLAKE3_ASM	:= blake3_sse2_x86-64_unix.S blake3_sse41_x86-64_unix.S \
		   blake3_avx2_x86-64_unix.S blake3_avx512_x86-64_unix.S
BLAKE3_OBJS	:= $(BLAKE3_SRCS:%.c=$(O)/blake3/%.o) \
		   $(BLAKE3_ASM:%.S=$(O)/blake3/%.o)
LIBCOMMON	:= $(O)/libgwcommon.a

BINS		:= $(PROGS:%=$(O)/bin/%)

all: deps-check $(BINS)

.PHONY: FORCE all deps deps-check run check tests fuzzers benches bench fuzz \
	fuzz-merge coverage lint install \
	deb distcheck clean soak

deps:
	@sh mk/deps.sh

# Done while the Makefile is read (above); kept for the targets that
# name it.
deps-check: ;

# --- common library ---------------------------------------------------
$(O)/common/%.o: common/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -I$(BLAKE3_DIR) $(CFLAGS) -MMD -MP -c -o $@ $<

# BLAKE3's C sources as Debian ships them, compiled at build time and never
# copied into the tree; our warning set is not theirs.
$(O)/blake3/%.o: $(BLAKE3_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) -O3 -fPIE $(filter -fsanitize% -fno-omit%,$(CFLAGS)) -c -o $@ $<
$(O)/blake3/%.o: $(BLAKE3_DIR)/%.S
	@mkdir -p $(@D)
	$(CC) -fPIE -c -o $@ $<

$(LIBCOMMON): $(COMMON_OBJS) $(BLAKE3_OBJS)
	@rm -f $@
	ar rcs $@ $^

# --- build information ----------------------------------------------------
# Regenerated on every make, replaced only when its text changes, so a
# new commit relinks apid and nothing else is rebuilt.
BUILDINFO_C	:= $(O)/gen/buildinfo.c
$(BUILDINFO_C): FORCE
	@mkdir -p $(@D)
	@CC='$(CC)' sh mk/buildinfo.sh > $@.tmp && { cmp -s $@.tmp $@ && rm -f $@.tmp || \
	    mv $@.tmp $@; }
$(O)/gen/buildinfo.o: $(BUILDINFO_C)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<
FORCE:
# The programs that report it link it as one of their own objects.
apid_EXTRA_OBJS	:= $(O)/gen/buildinfo.o

# --- programs -----------------------------------------------------------
define PROG_template
$(1)_SRCS := $$(sort $$(wildcard $(1)/*.c \
    $$(foreach d,$$($(1)_SUBDIRS),$(1)/$$(d)/*.c)))
$(1)_OBJS := $$($(1)_SRCS:%.c=$(O)/%.o) $$($(1)_EXTRA_OBJS)
$(1)_LIBOBJS := $$(filter-out $(O)/$(1)/$(1).o,$$($(1)_OBJS))
$(O)/$(1)/%.o: $(1)/%.c
	@mkdir -p $$(@D)
	$$(CC) $$(CPPFLAGS) $$(CFLAGS) -MMD -MP -c -o $$@ $$<
$(O)/bin/$(1): $$($(1)_OBJS) $(LIBCOMMON)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$($(1)_OBJS) $(LIBCOMMON) $$($(1)_LIBS)
endef
$(foreach p,$(PROGS),$(eval $(call PROG_template,$(p))))

# --- unit tests, fuzzers, benchmarks -------------------------------------
# regress/unit/<prog>_<name>_test.c links <prog>'s objects (all but its
# main file); common_<name>_test.c links only the common library.
UNIT_SRCS	:= $(sort $(wildcard regress/unit/*_test.c))
UNIT_BINS	:= $(UNIT_SRCS:regress/unit/%.c=$(O)/regress/unit/%)
TOOL_SRCS	:= $(sort $(wildcard regress/lib/tool_*.c))
TOOL_BINS	:= $(TOOL_SRCS:regress/lib/%.c=$(O)/regress/bin/%)
BENCH_SRCS	:= $(sort $(wildcard regress/bench/bench_*.c))
BENCH_BINS	:= $(BENCH_SRCS:regress/bench/%.c=$(O)/regress/bench/%)

unit_prog	= $(firstword $(subst _, ,$(notdir $(1))))
unit_objs	= $(if $(filter common,$(call unit_prog,$(1))),,$($(call unit_prog,$(1))_LIBOBJS))

$(O)/regress/lib/%.o: regress/lib/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Iregress/lib $(CFLAGS) -MMD -MP -c -o $@ $<
$(O)/regress/unit/%.o: regress/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Iregress/lib $(CFLAGS) -MMD -MP -c -o $@ $<
$(O)/regress/bench/%.o: regress/bench/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Iregress/lib $(CFLAGS) -MMD -MP -c -o $@ $<

.SECONDEXPANSION:
$(O)/regress/unit/%: $(O)/regress/unit/%.o $(O)/regress/lib/testlib.o \
    $$(call unit_objs,%) $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(TEST_LIBS)
$(O)/regress/bin/%: $(O)/regress/lib/%.o $(O)/regress/lib/testlib.o \
    $(O)/regress/lib/fakemaster.o $(O)/regress/lib/nymclient.o $(LIBCOMMON)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(TEST_LIBS)
# bench_<prog>_<name>.c links <prog>'s objects, as unit tests do, and
# the test client library (regress/lib/nymclient.h) and testlib.
bench_objs	= $(call fuzz_objs,$(1))
# libcrypto only for bench_x25519's comparison: no daemon links it.
$(O)/regress/bench/%: $(O)/regress/bench/%.o $$(call bench_objs,%) \
    $(O)/regress/lib/testlib.o $(O)/regress/lib/nymclient.o $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(TEST_LIBS) $(call PKG,libcrypto)

# regress/soak/soak_<name>.c: drivers of make soak, linked like the
# tools (the test client library, testlib, the common library).
SOAK_SRCS	:= $(sort $(wildcard regress/soak/soak_*.c))
SOAK_BINS	:= $(SOAK_SRCS:regress/soak/%.c=$(O)/regress/soak/%)
$(O)/regress/soak/%.o: regress/soak/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Iregress/lib $(CFLAGS) -MMD -MP -c -o $@ $<
$(O)/regress/soak/%: $(O)/regress/soak/%.o $(O)/regress/lib/testlib.o \
    $(O)/regress/lib/nymclient.o $(LIBCOMMON)
	$(CC) $(LDFLAGS) -o $@ $^ $(TEST_LIBS)

# The soak drivers are built with the tests, so a change that breaks
# them fails there and not only in an hour-long run.
tests: all $(UNIT_BINS) $(TOOL_BINS) $(SOAK_BINS)

# regress/fuzz/fuzz_<prog>_<name>.c follows the unit-test naming rule;
# built with O=obj/fuzz CC=clang SAN=1 FUZZ=1 by regress/fuzz/run.sh.
FUZZ_SRCS	:= $(sort $(wildcard regress/fuzz/fuzz_*.c))
FUZZ_BINS	:= $(FUZZ_SRCS:regress/fuzz/%.c=$(O)/regress/fuzz/%)
fuzz_prog	= $(word 2,$(subst _, ,$(notdir $(1))))
fuzz_objs	= $(if $(filter common,$(call fuzz_prog,$(1))),,$($(call fuzz_prog,$(1))_LIBOBJS))
$(O)/regress/fuzz/%.o: regress/fuzz/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Iregress/lib $(CFLAGS) -MMD -MP -c -o $@ $<
$(O)/regress/fuzz/%: $(O)/regress/fuzz/%.o $$(call fuzz_objs,%) $(LIBCOMMON)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(TEST_LIBS)
fuzzers: $(FUZZ_BINS)
benches: $(BENCH_BINS)

# make check: the suite on a test build (with test hooks), then the same
# suite on an ASan+UBSan build; the last line is the combined count.
check: deps-check
	@sh regress/check.sh

bench: deps-check
	@sh regress/bench/run.sh

fuzz: deps-check
	@sh regress/fuzz/run.sh -j $$(nproc) $${FUZZ_SECONDS:-60} fuzz $(FUZZERS)

fuzz-merge: deps-check
	@sh regress/fuzz/merge.sh $(FUZZERS)

coverage: deps-check
	@sh regress/fuzz/coverage.sh $(FUZZERS)

soak: deps-check
	@sh regress/soak/run.sh $${SOAK_SECONDS:-600}

run: all
	@sh etc/devrun.sh $(O)

lint:
	mandoc -T lint -W warning man/*.[0-9]

install:
	$(MAKE) O=obj/install INSTALL_BUILD=1 all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR) \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 obj/install/bin/gatewayd obj/install/bin/gatewayctl \
	    $(DESTDIR)$(SBINDIR)
	install -m 0755 $(WORKERS:%=obj/install/bin/%) $(DESTDIR)$(LIBEXECDIR)
	$(MAN_PATHS) man/gatewayd.conf.5 > $(DESTDIR)$(MANDIR)/man5/gatewayd.conf.5
	$(MAN_PATHS) man/gatewayd.8 > $(DESTDIR)$(MANDIR)/man8/gatewayd.8
	$(MAN_PATHS) man/gatewayctl.8 > $(DESTDIR)$(MANDIR)/man8/gatewayctl.8
	chmod 0644 $(DESTDIR)$(MANDIR)/man5/gatewayd.conf.5 \
	    $(DESTDIR)$(MANDIR)/man8/gatewayd.8 $(DESTDIR)$(MANDIR)/man8/gatewayctl.8

# The manuals name make install's default paths; installed, they name
# the ones in use.
MAN_PATHS	= sed -e 's|/usr/local/sbin|$(SBINDIR)|g' \
		      -e 's|/usr/local/libexec/gatewayd|$(LIBEXECDIR)|g'

# The Debian package, built by dpkg-buildpackage from a copy of the tree
# in obj/deb/ (which is where the .deb lands), then checked by lintian.
deb:
	@sh mk/deb.sh

# Slow and needs root and the Debian mirror, so not part of make check.
distcheck: deb
	@sh mk/distcheck.sh

clean:
	rm -rf obj

# -type f: a directory named *.d (debian/*/etc/init.d under obj/deb)
# would stop make.
-include $(shell find $(O) -name '*.d' -type f 2>/dev/null)
