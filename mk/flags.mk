# One place for the compiler and linker flags every program shares.
#
#   O=dir        object and binary directory (default obj)
#   SAN=1        AddressSanitizer + UndefinedBehaviorSanitizer build
#   TEST_HOOKS=1 compile the test-only hooks (sandbox trigger); never in
#                a release build
#   GW_NO_SANDBOX=1  compile the seccomp sandbox out (leak checking and
#                valgrind only; tests that use it say so)
#   FUZZ=1       libFuzzer instrumentation (clang; make fuzzers)
#   COV=1        clang source-based coverage (make coverage, O=obj/cov)

O		?= obj
CC		?= cc
PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
LIBEXECDIR	?= $(PREFIX)/libexec/gatewayd
MANDIR		?= $(PREFIX)/share/man
VERSION		:= 0.1.0

BLAKE3_DIR	?= /usr/share/cargo/registry/blake3-1.3.1/c

WARN	:= -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	   -Wmissing-declarations -Wshadow -Wpointer-arith -Wcast-qual \
	   -Wsign-compare -Wformat=2 -Werror=implicit-function-declaration
HARDEN	:= -D_FORTIFY_SOURCE=2 -fstack-protector-strong \
	   -fstack-clash-protection -fcf-protection -fPIE
OPT	?= -O2 -g

# Where the master finds the worker executables: an in-tree build runs
# its own binaries, an installed one those under LIBEXECDIR.
ifeq ($(INSTALL_BUILD),1)
GW_EXECDIR := $(LIBEXECDIR)
else
GW_EXECDIR := $(abspath $(O)/bin)
endif

CPPFLAGS += -D_GNU_SOURCE -I. -Icommon -DGW_VERSION=\"$(VERSION)\" \
	    -DGW_EXECDIR=\"$(GW_EXECDIR)\"
CFLAGS	+= -std=c11 $(OPT) $(WARN) $(HARDEN) -pipe
LDFLAGS	+= -pie -Wl,-z,relro,-z,now -Wl,--as-needed

ifeq ($(SAN),1)
CFLAGS	+= -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
LDFLAGS	+= -fsanitize=address,undefined
endif
ifeq ($(TEST_HOOKS),1)
# common/testclock.h: a wall clock the fault tests can step.
CPPFLAGS += -DGW_TEST_HOOKS -include common/testclock.h
endif
ifeq ($(GW_NO_SANDBOX),1)
CPPFLAGS += -DGW_NO_SANDBOX
endif

# Quiet: read before `make deps` has run on a fresh machine (and by make
# clean), when pkg-config may not be installed yet.
PKG	 = $(shell pkg-config --libs $(1) 2>/dev/null)
PKGCF	 = $(shell pkg-config --cflags $(1) 2>/dev/null)
GCRYPT_LIBS := -lgcrypt
WSLAY_LIBS  := -lwslay
ifeq ($(FUZZ),1)
CFLAGS	+= -fsanitize=fuzzer-no-link
endif
ifeq ($(COV),1)
CFLAGS	+= -fprofile-instr-generate -fcoverage-mapping
LDFLAGS	+= -fprofile-instr-generate -fcoverage-mapping
endif
