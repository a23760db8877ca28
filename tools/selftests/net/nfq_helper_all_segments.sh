#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# TCP segments without payload (handshake, pure ACKs, FIN) are not queued
# to a user-space helper by default; a helper registered with
# NFCTH_F_ALL_SEGMENTS gets them too. The same short connection through
# nfq_test_helper without and with -S: its summary counts the queued
# packets without payload ("empty").
. "${REPO:-.}/tools/selftests/lib.sh"

[ -x "$SELFTESTS_BIN/nfq_test_helper" ] || skip_all "nfq_test_helper not built"
require nfct socat
topo_setup
nsx "$F" nfct list helper >/dev/null 2>&1 ||
	skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"
kernel_src_has NFCTH_F_ALL_SEGMENTS include/uapi/linux/netfilter/nfnetlink_cthelper.h ||
	skip_all "no NFCTH_F_ALL_SEGMENTS in this kernel"

fw_filter "$F" iptables
nsx "$F" iptables -A FORWARD -p tcp --dport 7000 -m conntrack --ctstate NEW -j ACCEPT
spawn "$S" socat TCP-LISTEN:7000,reuseaddr,fork EXEC:cat
wait_port "$S" 7000 || skip_all "socat does not listen"

# empty_of OPTIONS...: the "empty" count of a helper run with OPTIONS
# over one connection of two lines. The rule comes after the helper: with
# no ftp in the namespace it would autoload the in-kernel one.
empty_of() {
	nfq_helper_start "$F" -P 5001 "$@" || return 1
	nsx "$F" iptables -t raw -A PREROUTING -p tcp --dport 7000 -j CT --helper ftp
	{ echo one; sleep 0.3; echo two; sleep 0.3; } |
		nsx "$C" socat -t 2 - TCP:$SRV4:7000 >"$T/echo" 2>&1
	sleep 1
	nfq_helper_stop
	nsx "$F" iptables -t raw -F
	grep -q two "$T/echo" || { echo "# the connection failed" >&2; return 1; }
	sed -n 's/^summary: packets [0-9]* empty \([0-9]*\) .*/\1/p' "$NFQ_LOG"
}

n=$(empty_of) || n=error
check "by default no segment without payload is queued (got $n)" [ "$n" = 0 ]
n=$(empty_of -S) || n=error
check "with NFCTH_F_ALL_SEGMENTS the handshake, ACKs and FIN are queued (got $n)" \
	sh -c "[ '$n' != error ] && [ '$n' -ge 3 ]"
tap_done
