#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# One-shot multicast DNS queries sent by the firewall itself, through
# cthelperd's mdns helper: the firewall ($F) lets out NEW only to UDP 5353
# and lets in only ESTABLISHED,RELATED; avahi-daemon on $S answers a query
# to 224.0.0.251 / ff02::fb by unicast from port 5353 to the query's port
# (RFC 6762 6.7), which only the helper's expectation lets back in. The
# query is dig's (BIND 9.18) own, recorded, sent by udp_query.py (dig
# itself refuses an answer from another address than the group it asked).
# Hostile answers to a query with a known port (another source port,
# outside the subnet: an address on $S's loopback) must stay out; without a helper the lookup must fail.
# There is no in-kernel mdns helper; conntrackd 1.4.7's runs the same cases.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack iptables ip6tables avahi-daemon socat
[ -x /usr/bin/python3 ] || skip_all "no /usr/bin/python3"

FW4=10.0.1.1 RSP4=10.0.1.2 OFF4=10.0.7.2
FW6=dead:1::1 RSP6=dead:1::2 OFF6=dead:7::2
# dig +time=3 +tries=1 -p 5353 @224.0.0.251 mdnsserver.local A, as recorded,
# and the same for AAAA over IPv6: avahi publishes a host's A record on its
# IPv4 interface only (publish-a-on-ipv6=no), so an A query to ff02::fb
# gets no answer at all, with or without a firewall
QUERY=3715012000010000000000010a6d646e73736572766572056c6f63616c000001000100002904d000000000000c000a00085599728e7e72101e
QUERY6=3715012000010000000000010a6d646e73736572766572056c6f63616c00001c000100002904d000000000000c000a00085599728e7e72101e

netns_add "$F" && netns_add "$S" && veth_link "$F" eth0 "$S" eth0 &&
	addr "$F" eth0 $FW4/24 $FW6/64 && addr "$S" eth0 $RSP4/24 $RSP6/64 &&
	nsx "$S" ip addr add $OFF4/32 dev lo && nsx "$S" ip addr add $OFF6/128 dev lo &&
	nsx "$F" ip route add 10.0.7.0/24 dev eth0 && nsx "$F" ip -6 route add dead:7::/64 dev eth0 &&
	nsx "$F" ip route add 224.0.0.0/4 dev eth0 && nsx "$S" ip route add 224.0.0.0/4 dev eth0 ||
	skip_all "cannot set up the namespaces"
nsx "$F" sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.eth0.rp_filter=1
nsx "$F" nfct list helper >/dev/null 2>&1 || skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"

cat >"$T/avahi-daemon.conf" <<EOF2
[server]
host-name=mdnsserver
domain-name=local
use-ipv4=yes
use-ipv6=yes
allow-interfaces=eth0
enable-dbus=no
[publish]
publish-addresses=yes
EOF2
# its pid file and socket go to /run/avahi-daemon (a tmpfs in the VM)
mkdir -p /run/avahi-daemon
ip netns exec "$S" avahi-daemon -f "$T/avahi-daemon.conf" --no-drop-root --no-chroot \
	--no-rlimits >"$T/avahi.out" 2>&1 &
PIDS="$PIDS $!"
if ! retry 150 grep -q 'Server startup complete' "$T/avahi.out"; then
	sed 's/^/# /' "$T/avahi.out" | tail -n 20
	skip_all "avahi-daemon does not start"
fi

# ask FAMILY SPORT: the query from SPORT; ok when avahi's answer comes in
ask() {
	if [ "$1" = 4 ]; then _src=$FW4 _grp=224.0.0.251 _rsp=$RSP4 _q=$QUERY; else
		_src=$FW6%eth0 _grp=ff02::fb _rsp=$RSP6 _q=$QUERY6; fi
	udp_query "$F" $_src "$2" $_grp 5353 $_q 6
	query_wait
	grep -q "^from $_rsp 5353 3715" "$T/query.out"
}

# probe WHO FAMILY: a query from port 46001, then hostile answers to it
probe() {
	if [ "$2" = 4 ]; then
		query_probe "$1" IPv4 $FW4 46001 224.0.0.251 5353 $QUERY $RSP4 5353 $OFF4
	else
		query_probe "$1" IPv6 "$FW6%eth0" 46001 ff02::fb 5353 $QUERY6 $RSP6 5353 $OFF6
	fi
}

# queries WHO: both families, then the hostile probes
queries() {
	fw_local_reset "$F"
	fw_local_service "$F" udp 5353
	helper_assign_local "$F" mdns udp 5353
	check "$1 IPv4: avahi's answer to a one-shot query" ask 4 46000
	check "$1 IPv6: avahi's answer to a one-shot query" ask 6 46000
	probe "$1" 4
	probe "$1" 6
	fw_local_clean "$F"
}

check "no firewall: avahi answers the one-shot query (IPv4)" ask 4 45998
check "no firewall: avahi answers the one-shot query (IPv6)" ask 6 45998
fw_local_service "$F" udp 5353
check_fails "no helper IPv4: the answer must not come in" ask 4 46000
check_fails "no helper IPv6: the answer must not come in" ask 6 46000
fw_local_clean "$F"

cthelperd_serve mdns
queries cthelperd
cthelperd_check_stats 4
cthelperd_finish
retry 25 sh -c "! ip netns exec $F nfct list helper 2>/dev/null | grep -q 'name = mdns'"

skip "in-kernel mdns helper: the same cases" "Linux has no mdns helper"
conntrackd_reference mdns udp queries
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# log: /' "$CTHD_LOG" | tail -n 30
tap_done
