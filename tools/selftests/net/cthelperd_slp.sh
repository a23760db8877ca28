#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# SLP service requests sent by the firewall itself, through cthelperd's slp
# helper: the firewall ($F) lets out NEW only to UDP 427 and lets in only
# ESTABLISHED,RELATED; a service agent on $S answers a SrvRqst to
# 239.255.255.253, to the subnet's broadcast address or to ff02::116 by
# unicast from port 427, which only the helper's expectation lets back in.
# Debian 12 has no SLP agent: the agent (tests/vm/slp_agent.py) and the
# request are this project's own, built from RFC 2608. Hostile answers
# (another source port, outside the subnet) must stay out; without a
# helper the answers must not come in. There is no in-kernel slp helper;
# conntrackd 1.4.7's runs the same cases.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack iptables ip6tables socat
[ -x /usr/bin/python3 ] || skip_all "no /usr/bin/python3"

FW4=10.0.1.1 SA4=10.0.1.2 OFF4=10.0.7.2 BRD4=10.0.1.255
FW6=dead:1::1 SA6=dead:1::2 OFF6=dead:7::2
# SLPv2 SrvRqst for service:test in scope DEFAULT (as tests/test_slp.c)
SRVRQST=020100002d200000000012340002656e0000000c736572766963653a74657374000744454641554c5400000000

netns_add "$F" && netns_add "$S" && veth_link "$F" eth0 "$S" eth0 &&
	nsx "$F" ip addr add $FW4/24 brd + dev eth0 && nsx "$F" ip addr add $FW6/64 dev eth0 nodad &&
	nsx "$S" ip addr add $SA4/24 brd + dev eth0 && nsx "$S" ip addr add $SA6/64 dev eth0 nodad &&
	nsx "$S" ip addr add $OFF4/32 dev lo && nsx "$S" ip addr add $OFF6/128 dev lo &&
	nsx "$F" ip route add 10.0.7.0/24 dev eth0 && nsx "$F" ip -6 route add dead:7::/64 dev eth0 &&
	nsx "$F" ip route add 224.0.0.0/4 dev eth0 && nsx "$S" ip route add 224.0.0.0/4 dev eth0 ||
	skip_all "cannot set up the namespaces"
nsx "$F" sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.eth0.rp_filter=1
nsx "$F" nfct list helper >/dev/null 2>&1 || skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"

ip netns exec "$S" /usr/bin/python3 "$REPO/tools/cthelperd/tests/vm/slp_agent.py" eth0 \
	service:test://10.0.1.2 >"$T/sa.out" 2>&1 &
PIDS="$PIDS $!"
retry 100 grep -q '^ready' "$T/sa.out" || { sed 's/^/# /' "$T/sa.out"; skip_all "the SLP agent does not start"; }

# ask DST SRC [SPORT]: the SrvRqst from SRC:SPORT (40427) to DST; ok when
# the SrvRply comes in. Two queries from one port within the 15 s of the
# first one's expectation ask for the same expectation again, which the
# kernel refuses (EBUSY, a kernel error in the stats): each case its port.
ask() {
	case $1 in *:*) _sa=$SA6 ;; *) _sa=$SA4 ;; esac
	udp_query "$F" "$2" "${3:-40427}" "$1" 427 $SRVRQST 5
	query_wait
	grep -q "^from $_sa 427 0202" "$T/query.out"
}

# probe WHO FAMILY: a query from port 40428, then hostile answers to it
probe() {
	if [ "$2" = 4 ]; then
		query_probe "$1" IPv4 $FW4 40428 239.255.255.253 427 $SRVRQST $SA4 427 $OFF4
	else
		query_probe "$1" IPv6 "$FW6%eth0" 40428 ff02::116 427 $SRVRQST $SA6 427 $OFF6
	fi
}

cases() {
	fw_local_reset "$F"
	fw_local_service "$F" udp 427
	helper_assign_local "$F" slp udp 427
	check "$1 IPv4 multicast: the agent's answer" ask 239.255.255.253 $FW4
	check "$1 IPv4 broadcast: the agent's answer" ask $BRD4 $FW4 40429
	check "$1 IPv6 multicast: the agent's answer" ask ff02::116 "$FW6%eth0"
	probe "$1" 4
	probe "$1" 6
	fw_local_clean "$F"
}

check "no firewall: the agent answers (IPv4 multicast)" ask 239.255.255.253 $FW4
fw_local_service "$F" udp 427
check_fails "no helper IPv4: the answer must not come in" ask 239.255.255.253 $FW4
check_fails "no helper IPv6: the answer must not come in" ask ff02::116 "$FW6%eth0"
fw_local_clean "$F"

cthelperd_serve slp
cases cthelperd
cthelperd_check_stats 5
cthelperd_finish
retry 25 sh -c "! ip netns exec $F nfct list helper 2>/dev/null | grep -q 'name = slp'"

skip "in-kernel slp helper: the same cases" "Linux has no slp helper"
conntrackd_reference slp udp cases
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# log: /' "$CTHD_LOG" | tail -n 30
tap_done
