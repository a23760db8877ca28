#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Malformed NFQA_CT / NFQA_EXP in verdicts (and an expectation class above
# the helper's classes): no expectation, no private data change, no splat,
# the packet is not lost; a valid verdict on the same connection afterwards
# still creates a working expectation. nfq_test_helper -B sends one
# malformed verdict per packet and prints a TAP line for each.
. "${REPO:-.}/tools/selftests/lib.sh"

[ -x "$SELFTESTS_BIN/nfq_test_helper" ] || skip_all "nfq_test_helper not built"
require nfct socat
topo_setup
nsx "$F" nfct list helper >/dev/null 2>&1 ||
	skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"

# A line protocol on port 7000 whose helper expects a data connection from
# the client to the server's port 5001.
fw_filter "$F" iptables
nsx "$F" iptables -A FORWARD -p tcp --dport 7000 -m conntrack --ctstate NEW -j ACCEPT
spawn "$S" socat TCP-LISTEN:7000,reuseaddr,fork EXEC:cat
spawn "$S" socat TCP-LISTEN:5001,reuseaddr,fork SYSTEM:"echo data"
wait_port "$S" 7000 && wait_port "$S" 5001 || skip_all "socat does not listen"

nfq_helper_start "$F" -B -P 5001 -p 4 || skip_all "nfq_test_helper does not start"
nsx "$F" iptables -t raw -A PREROUTING -p tcp --dport 7000 -j CT --helper ftp

# Enough packets for every malformed case and then the valid one; the
# session stays open while the data connection is tried.
{
	for i in $(seq 1 20); do echo "line $i"; sleep 0.2; done
	nsx "$C" socat -T 3 - TCP:$SRV4:5001,connect-timeout=3 </dev/null >"$T/data" 2>&1
	echo bye
} | nsx "$C" socat -t 2 - TCP:$SRV4:7000 >"$T/echo" 2>&1

check "the line connection carried every line through the verdicts" \
	grep -q "line 20" "$T/echo"
check "data connection let in by the valid expectation afterwards" \
	grep -q data "$T/data"
nfq_helper_stop
tap_lines "$NFQ_LOG"
grep -E '^privdata|^summary' "$NFQ_LOG" | sed 's/^/# /'
check "private data untouched by the malformed verdicts" \
	grep -Eq 'privdata exact [0-9]+ stale [0-9]+ bad 0$' "$NFQ_LOG"
nsx "$F" iptables -t raw -F
tap_done
