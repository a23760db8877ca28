#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cthelperd asks the kernel at start whether it removes expectations a
# verdict's NFQA_EXP_FLUSH names (patch 0017 of the series). The answer
# must be right on a kernel with the attribute (it uses it: no "no
# NFQA_EXP_FLUSH" line) and on one without (it says so and counts what it
# cannot remove), and asking must leave no trace: no "attribute type 23
# has an invalid length" in the kernel log (an earlier probe sent an empty
# attribute to find out), no queue left bound. Run it with LINUX= a kernel
# of each kind: the source tree of the booted kernel tells which to want.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct
netns_add "$F" || skip_all "cannot create a network namespace"
nsx "$F" nfct list helper >/dev/null 2>&1 || skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"

if kernel_src_has NFQA_EXP_FLUSH include/uapi/linux/netfilter/nfnetlink_queue.h; then
	HAS=1
	diag "this kernel has NFQA_EXP_FLUSH"
else
	HAS=0
	diag "this kernel has no NFQA_EXP_FLUSH"
fi

mark=$(dmesg | wc -l)
cthelperd_start "$F" --helper ftp --register || { not_ok "cthelperd starts"; tap_done; }
ok "cthelperd starts, serving ftp"
if [ $HAS = 1 ]; then
	check "kernel with NFQA_EXP_FLUSH: cthelperd does not claim it is missing" \
		sh -c "! grep 'NFQA_EXP_FLUSH' '$CTHD_LOG'"
else
	check "kernel without NFQA_EXP_FLUSH: cthelperd says so" \
		grep -q "the kernel has no NFQA_EXP_FLUSH" "$CTHD_LOG"
fi
check "the probe is no error: cthelperd names no failed probe" \
	sh -c "! grep -i 'probe' '$CTHD_LOG'"
# the probe binds the highest free queue number for itself, and unbinds it
check "the probe leaves no queue bound but the daemon's" \
	sh -c "ip netns exec $F cat /proc/net/netfilter/nfnetlink_queue >'$T/queues' &&
		[ \$(wc -l <'$T/queues') -eq 1 ] && ! awk '\$1 == 65535' '$T/queues' | grep -q ."
check "the probe logs nothing in the kernel log (no 'invalid length')" \
	sh -c "! dmesg | tail -n +$((mark + 1)) | grep 'invalid length'"
dmesg | tail -n +$((mark + 1)) | sed 's/^/# dmesg: /'
cthelperd_stop
check "SIGTERM: cthelperd exits 0" test "$?" -eq 0

# a second start in the same boot asks again, and answers the same
cthelperd_start "$F" --helper ftp --register || { not_ok "cthelperd starts again"; tap_done; }
if [ $HAS = 1 ]; then
	check "started again: still no claim that NFQA_EXP_FLUSH is missing" \
		sh -c "! grep 'NFQA_EXP_FLUSH' '$CTHD_LOG'"
else
	check "started again: says again the kernel has no NFQA_EXP_FLUSH" \
		sh -c "[ \$(grep -c 'the kernel has no NFQA_EXP_FLUSH' '$CTHD_LOG') -eq 2 ]"
fi
check "started again: still nothing in the kernel log" \
	sh -c "! dmesg | tail -n +$((mark + 1)) | grep 'invalid length'"
cthelperd_stop
check "SIGTERM: cthelperd exits 0 again" test "$?" -eq 0
tap_done
