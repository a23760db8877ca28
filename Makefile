# User-space conntrack helpers: kernel series, nfct, cthelperd, selftests.
#
#   make deps     install build and test dependencies (Debian packages)
#   make series   emit the kernel series (git format-patch) into build/series
#   make kernel   apply the series to the pinned Debian tree and build bzImage
#   make tools    build nfct and cthelperd
#   make check    host unit tests + the VM selftests, summary line at the end
#   make demo     boot the VM and run the FTP demo
#   make bench    control-plane and data-path benchmarks in the VM

# The one place the base kernel is pinned; override on the command line.
DEBIAN_KERNEL_VERSION ?= 6.12.117-1~deb12u1

BUILD      := $(CURDIR)/build
PRISTINE   := $(BUILD)/pristine
LINUX      := $(BUILD)/linux
SERIES_OUT := $(BUILD)/series
KCONFIG    := $(CURDIR)/tools/selftests/vm/config
JOBS       ?= $(shell nproc)

export DEBIAN_KERNEL_VERSION BUILD LINUX KCONFIG JOBS

.PHONY: all deps pristine series kernel tools check unit vmcheck demo bench clean

all: tools

deps:
	./scripts/deps.sh

pristine:
	./scripts/fetch-kernel.sh $(PRISTINE) '$(DEBIAN_KERNEL_VERSION)'

series: pristine
	./scripts/mkseries.sh $(PRISTINE) $(LINUX) $(SERIES_OUT)

kernel: series
	./scripts/build-kernel.sh

tools:
	$(MAKE) -C tools/nfct
	$(MAKE) -C tools/cthelperd

clean:
	$(MAKE) -C tools/nfct clean
	$(MAKE) -C tools/cthelperd clean
	$(MAKE) -C tools/selftests clean
