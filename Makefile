# User-space conntrack helpers: kernel series, nfct, cthelperd, selftests.
#
#   make deps     install build and test dependencies (Debian packages)
#   make series   emit the kernel series (git format-patch) into build/series
#   make kernel   apply the series to the pinned Debian tree and build bzImage
#   make kernel-debug  the same with KASAN + lockdep, modules loaded after
#                      nf_tables (vm/config.modules), in build/linux-debug
#   make unit     host unit tests (tools/selftests/host-tests.list)
#   make vmcheck  the VM selftests only (vmcheck-debug: on the debug kernel)
#   make tools    build nfct and cthelperd
#   make install  install nfct and cthelperd (DESTDIR, PREFIX=/usr/local,
#                 NFCT_NAME=nfct; see INSTALL.md)
#   make check    host unit tests + the VM selftests, summary line at the end
#   make demo     boot the VM and run the FTP demo (cthelperd, nfct, fail-open)
#   make bench    control-plane and data-path benchmarks in the VM

# The one place the base kernel is pinned; override on the command line.
DEBIAN_KERNEL_VERSION ?= 6.12.117-1~deb12u1

BUILD      := $(CURDIR)/build
PRISTINE   := $(BUILD)/pristine
LINUX      := $(BUILD)/linux
SERIES_OUT := $(BUILD)/series
LINUX_DEBUG := $(BUILD)/linux-debug
KCONFIG    := $(CURDIR)/tools/selftests/vm/config
SELFTESTS_BIN := $(BUILD)/selftests
JOBS       ?= $(shell nproc)
VM_RUN     := tools/selftests/vm/run.sh

export DEBIAN_KERNEL_VERSION BUILD LINUX KCONFIG JOBS SELFTESTS_BIN

.PHONY: all deps pristine series series-check kernel kernel-debug tools selftests check \
	unit vmcheck vmcheck-debug demo bench kernel-pristine bench-pristine clean install

all: tools

deps:
	./scripts/deps.sh

pristine:
	./scripts/fetch-kernel.sh $(PRISTINE) '$(DEBIAN_KERNEL_VERSION)'

series: pristine
	./scripts/mkseries.sh $(PRISTINE) $(LINUX) $(SERIES_OUT)

# Each patch builds on its own (W=1, net/), in a worktree next to $(LINUX).
series-check: kernel
	./scripts/check-series.sh $(LINUX)

kernel: series
	./scripts/build-kernel.sh

kernel-debug: series
	./scripts/build-kernel.sh --debug

tools:
	$(MAKE) -C tools/nfct
	$(MAKE) -C tools/cthelperd

selftests:
	$(MAKE) -C tools/selftests

install:
	$(MAKE) -C tools/nfct install
	$(MAKE) -C tools/cthelperd install

check: kernel tools selftests
	tools/selftests/run_tests.sh

unit: tools selftests
	tools/selftests/run_tests.sh --host

vmcheck: kernel tools selftests
	tools/selftests/run_tests.sh --vm

# KASAN and lockdep make everything several times slower: longer per-test limit.
vmcheck-debug: kernel-debug tools selftests
	LINUX=$(LINUX_DEBUG) TEST_TIMEOUT=$${TEST_TIMEOUT:-1200} tools/selftests/run_tests.sh --vm

# The demo's TAP one level up ("# " less), so that its screens read plainly.
# A skipped demo showed nothing: that fails too. make check runs it as well.
DEMO_OUT := $(BUILD)/vm-results/demo
demo: kernel tools
	@rm -rf $(DEMO_OUT) && mkdir -p $(DEMO_OUT)
	@$(VM_RUN) -t 300 -o $(DEMO_OUT) tools/selftests/demo_ftp.sh >$(DEMO_OUT)/run.tap; \
	rc=$$?; sed 's/^# //' $(DEMO_OUT)/run.tap; \
	if grep -q '^ok .* # SKIP' $(DEMO_OUT)/run.tap; then \
		echo "demo: skipped, see above why" >&2; exit 1; fi; \
	exit $$rc

# The pristine pinned tree with the same config, for benchmarks side by side.
LINUX_PRISTINE := $(BUILD)/linux-pristine
kernel-pristine: pristine
	test -d $(LINUX_PRISTINE)/.git || git clone -q $(PRISTINE) $(LINUX_PRISTINE)
	LINUX=$(LINUX_PRISTINE) ./scripts/build-kernel.sh

# Control-plane benchmark on both kernels, printed side by side.
bench-pristine: kernel kernel-pristine tools selftests
	tools/selftests/bench_vs_pristine.sh

# Benchmarks are tools/selftests/bench/*.sh, run in one VM boot.
BENCHES := $(patsubst $(CURDIR)/%,%,$(wildcard $(CURDIR)/tools/selftests/bench/*.sh))
bench: kernel tools selftests
ifeq ($(BENCHES),)
	@echo "bench: no benchmark yet (tools/selftests/bench/*.sh)"
else
	$(VM_RUN) -t 1800 $(BENCHES)
endif

clean:
	$(MAKE) -C tools/nfct clean
	$(MAKE) -C tools/cthelperd clean
	$(MAKE) -C tools/selftests clean
