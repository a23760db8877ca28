#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# One verdict with several NFQA_EXP attributes creates every expectation,
# in order (pristine 6.12 keeps only the last one): a toy line protocol on
# port 7000 whose first payload packet gets three expectations, for the
# server's ports 5001, 5002 and 5003; all three data connections pass a
# firewall that lets in only NEW to port 7000 and ESTABLISHED,RELATED.
. "${REPO:-.}/tools/selftests/lib.sh"

[ -x "$SELFTESTS_BIN/nfq_test_helper" ] || skip_all "nfq_test_helper not built"
require nfct conntrack socat
topo_setup
nsx "$F" nfct list helper >/dev/null 2>&1 ||
	skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"
kernel_src_has nlmsg_for_each_attr_type net/netfilter/nfnetlink_queue.c ||
	skip_all "this kernel attaches only the last NFQA_EXP of a verdict"

fw_filter "$F" iptables
nsx "$F" iptables -A FORWARD -p tcp --dport 7000 -m conntrack --ctstate NEW -j ACCEPT
spawn "$S" socat TCP-LISTEN:7000,reuseaddr,fork EXEC:cat
for port in 5001 5002 5003; do
	spawn "$S" socat TCP-LISTEN:$port,reuseaddr,fork SYSTEM:"echo data$port"
done
wait_port "$S" 7000 && wait_port "$S" 5003 || skip_all "socat does not listen"

# max expected 4: the class holds all three
nfq_helper_start "$F" -P 5001 -X 3 -m 4 || skip_all "nfq_test_helper does not start"
nsx "$F" iptables -t raw -A PREROUTING -p tcp --dport 7000 -j CT --helper ftp

# The line connection stays open while the expectations are listed and used.
{
	echo hello
	# until the verdict on that line is in (5 s at most)
	retry 25 sh -c "[ \$(ip netns exec $F conntrack -L expect 2>/dev/null | grep -c 'dport=500[123] ') = 3 ]"
	nsx "$F" conntrack -L expect >"$T/expect" 2>&1
	for port in 5001 5002 5003; do
		nsx "$C" socat -T 3 - TCP:$SRV4:$port,connect-timeout=3 </dev/null \
			>"$T/data$port" 2>&1
	done
	echo bye
} | nsx "$C" socat -t 2 - TCP:$SRV4:7000 >"$T/echo" 2>&1

sed 's/^/# /' "$T/expect"
check "the helper put three expectations in one verdict" \
	sh -c "[ \$(grep -c '^expect ' '$NFQ_LOG') = 3 ]"
for port in 5001 5002 5003; do
	check "expectation for port $port listed (conntrack -L expect)" \
		grep -q "dport=$port " "$T/expect"
	check "data connection to port $port let in as RELATED" \
		grep -q "data$port" "$T/data$port"
done
check "the line connection itself was not disturbed" grep -q bye "$T/echo"
nfq_helper_stop
nsx "$F" iptables -t raw -F
tap_done
