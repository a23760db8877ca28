#!/bin/bash
# Boot the selftest VM once and run tests in it; print their TAP.
#
# usage: run.sh [-v] [-k BZIMAGE] [-o RESULTS_DIR] [-t TEST_TIMEOUT] TEST...
#   TEST     path relative to the repository (tools/selftests/net/foo.sh)
#   -v       stream the serial console (kernel log, test output) to stderr
#   -k       kernel image (default $LINUX/arch/x86/boot/bzImage)
#   -o       results directory (default a new one under $BUILD/vm-results)
#   -t       seconds per test before it is killed (default 300)
#
# The VM: qemu tcg, 2 CPUs, the host's / read-only over 9p as its root, a
# writable 9p share for results, tools/selftests/vm/init as PID 1. The whole
# qemu run is bounded (VM_TIMEOUT, default from the test count), so a hung
# kernel cannot hang CI. A last TAP test checks the kernel log for splats.
# Exits 0 when every test passed or skipped, 1 otherwise.
set -u
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
BUILD=${BUILD:-$REPO/build}
LINUX=${LINUX:-$BUILD/linux}
SELFTESTS_BIN=${SELFTESTS_BIN:-$BUILD/selftests}
verbose=0
kernel=""
results=""
test_timeout=${TEST_TIMEOUT:-300}

while getopts vk:o:t: opt; do
	case $opt in
	v) verbose=1 ;;
	k) kernel=$OPTARG ;;
	o) results=$OPTARG ;;
	t) test_timeout=$OPTARG ;;
	*) sed -n '3,9s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "run.sh: no test given" >&2; exit 2; }
kernel=${kernel:-$LINUX/arch/x86/boot/bzImage}
[ -f "$kernel" ] || { echo "run.sh: no kernel $kernel (make kernel)" >&2; exit 2; }
for t in "$@"; do
	[ -x "$REPO/$t" ] || { echo "run.sh: $t is not an executable in $REPO" >&2; exit 2; }
done

if [ -z "$results" ]; then
	mkdir -p "$BUILD/vm-results"
	results=$(mktemp -d "$BUILD/vm-results/$(date +%Y%m%d-%H%M%S).XXXX")
fi
mkdir -p "$results"
results=$(cd "$results" && pwd)
rm -rf "$results/out" "$results/tap" "$results/dmesg" "$results/finished" "$results/insn_count.log"
printf '%s\n' "$@" >"$results/tests"
cat >"$results/env" <<EOF
REPO='$REPO'
BUILD='$BUILD'
LINUX='$LINUX'
SELFTESTS_BIN='$SELFTESTS_BIN'
TEST_TIMEOUT='$test_timeout'
VM_VERBOSE='$verbose'
EOF
# Benchmark parameters (BENCH_ROUNDS=3 ...) reach the tests in the VM.
env | grep "^BENCH_[A-Z0-9_]*=[^']*$" | sed "s/^\([^=]*\)=\(.*\)/export \1='\2'/" >>"$results/env"

# Boot (about a minute under tcg on a busy machine) plus every test's limit.
vm_timeout=${VM_TIMEOUT:-$((180 + $# * (test_timeout + 15)))}
console=$results/console.log
start=$(date +%s)
echo "# vm: booting $kernel for $# test(s), at most $vm_timeout s" >&2
# tcg on a shared machine can stall a vCPU for many seconds: RCU's default
# 21 s stall warnings (and lockdep kernels' GP-start check) would be noise.
cmdline="console=ttyS0 printk.time=1 panic=-1 rcupdate.rcu_cpu_stall_timeout=300"
# KASAN reports only its first bug unless told otherwise: every report
# belongs in the log (the kernel tree of the image holds its .config).
if grep -qs '^CONFIG_KASAN=y' "$(dirname "$kernel")/../../../.config"; then
	cmdline="$cmdline kasan_multi_shot"
fi
# VM_INSN_COUNT=1: count the guest's instructions (progs/insn_count.c) into
# $results/insn_count.log, on one host thread so that the counts are exact.
accel=tcg
plugin=""
if [ "${VM_INSN_COUNT:-0}" = 1 ]; then
	[ -f "$SELFTESTS_BIN/insn_count.so" ] ||
		{ echo "run.sh: no $SELFTESTS_BIN/insn_count.so (make selftests)" >&2; exit 2; }
	accel=tcg,thread=single
	plugin="-plugin $SELFTESTS_BIN/insn_count.so,out=$results/insn_count.log"
fi
qemu() {
	# shellcheck disable=SC2086 # $plugin: empty or two words
	timeout -k 10 "$vm_timeout" qemu-system-x86_64 $plugin \
		-accel "$accel" -smp 2 -m 1536 -nodefaults -nographic -no-reboot \
		-kernel "$kernel" \
		-append "$cmdline root=/dev/root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=512000,cache=loose ro init=$REPO/tools/selftests/vm/init" \
		-fsdev local,id=root,path=/,readonly=on,security_model=none,multidevs=remap \
		-device virtio-9p-pci,fsdev=root,mount_tag=/dev/root \
		-fsdev local,id=results,path="$results",security_model=none \
		-device virtio-9p-pci,fsdev=results,mount_tag=results \
		-monitor none -serial stdio </dev/null
}
if [ "$verbose" = 1 ]; then
	# On stderr: stdout is TAP only.
	qemu 2>&1 | tee "$console" >&2
	qemu_rc=${PIPESTATUS[0]}
else
	qemu >"$console" 2>&1
	qemu_rc=$?
fi
echo "# vm: $# test(s) in $(($(date +%s) - start)) s; results in $results"

# One plan for the tests and the kernel log check.
failed=0
echo "TAP version 13"
echo "1..$(($# + 1))"
touch "$results/tap"
grep -v -e '^TAP version' -e '^1\.\.' "$results/tap"
grep -q '^not ok ' "$results/tap" && failed=1
ran=$(grep -cE '^(not )?ok ' "$results/tap")
n=$((ran + 1))

# Tests the VM never reported on: it crashed, hung or never booted.
if [ "$ran" -lt $# ]; then
	failed=1
	if [ -f "$results/finished" ]; then
		why="not run"
	elif [ "$qemu_rc" = 124 ]; then
		why="VM timed out after $vm_timeout s"
	else
		why="VM died (qemu exit $qemu_rc)"
	fi
	echo "# vm: $why; end of the serial console:"
	tail -n 40 "$console" | sed 's/^/#   /'
	shift "$ran"
	for t in "$@"; do
		echo "not ok $n selftests: $t # $why"
		n=$((n + 1))
	done
fi

# Kernel splats anywhere in the run fail it: the VM's dmesg, or the serial
# console when the VM died before saving it.
log=$results/dmesg
[ -f "$log" ] || log=$console
# Not plain "lockdep": a lockdep kernel says "RCU lockdep checking is enabled".
splat='WARNING:|BUG:|Oops|refcount_t|lockdep is turned off|DEBUG_LOCKS_WARN_ON|KASAN:|UBSAN:|general protection|Kernel panic|INFO: (possible|inconsistent|task .* blocked)'
if grep -Eq "$splat" "$log"; then
	failed=1
	grep -E -B 2 -A 25 "$splat" "$log" | head -n 80 | sed 's/^/#   /'
	echo "not ok $n kernel log: no WARNING, BUG, Oops, refcount, lockdep or KASAN report"
else
	echo "ok $n kernel log: no WARNING, BUG, Oops, refcount, lockdep or KASAN report"
fi
exit "$failed"
