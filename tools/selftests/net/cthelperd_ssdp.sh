#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# UPnP discovery by the firewall itself through cthelperd's ssdp helper:
# the firewall ($F) runs upnpc (miniupnpc), lets out NEW only to UDP 1900
# (and TCP 5000, the device's description) and lets in only
# ESTABLISHED,RELATED; miniupnpd on $S answers the M-SEARCH to
# 239.255.255.250 / ff02::c by unicast to the query's port, which only the
# helper's expectation lets back in: with it upnpc finds the device, without
# it not. There is no in-kernel ssdp helper; conntrackd 1.4.7's runs the
# same cases.
# UPnP eventing, cthelperd only: a firewall that lets out NEW only to UDP
# 1900; the project's control point (tests/vm/upnp_cp.py) on $F discovers
# miniupnpd, fetches its description and subscribes to its events, which
# only the answer's LOCATION expectation lets out and whose NOTIFY
# connection back only the SUBSCRIBE's CALLBACK expectation lets in.
# Hostile: a connection to another port of the device than LOCATION's, to
# another port of the firewall than CALLBACK's, or from another host than
# the device stays out; a CALLBACK naming a third party opens nothing.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack iptables ip6tables miniupnpd upnpc socat
[ -x /usr/bin/python3 ] || skip_all "no /usr/bin/python3"

netns_add "$F" && netns_add "$S" || skip_all "cannot set up the namespaces"
for ns in "$F" "$S"; do
	nsx "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
done
veth_link "$F" eth0 "$S" eth0 && addr "$F" eth0 10.0.1.1/24 dead:1::1/64 &&
	addr "$S" eth0 10.0.1.2/24 dead:1::2/64 &&
	nsx "$F" ip route add 224.0.0.0/4 dev eth0 && nsx "$S" ip route add 224.0.0.0/4 dev eth0 &&
	ip -n "$S" link add wan0 type veth peer name wan1 && ip -n "$S" link set wan0 up &&
	ip -n "$S" link set wan1 up && ip -n "$S" addr add 198.51.100.2/24 dev wan0 &&
	ip -n "$S" route add default via 198.51.100.1 && nsx "$S" ip addr add 10.0.7.2/32 dev lo &&
	nsx "$F" ip route add 10.0.7.0/24 dev eth0 || skip_all "cannot set up the namespaces"
nsx "$F" nfct list helper >/dev/null 2>&1 || skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"

cat >"$T/miniupnpd.conf" <<EOF2
ext_ifname=wan0
listening_ip=eth0
http_port=5000
enable_natpmp=no
enable_upnp=yes
secure_mode=yes
system_uptime=yes
uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07c
allow 1024-65535 10.0.1.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
EOF2
ip netns exec "$S" miniupnpd -d -f "$T/miniupnpd.conf" -P "$T/miniupnpd.pid" >"$T/miniupnpd.out" 2>&1 &
PIDS="$PIDS $!"
if ! retry 100 sh -c "ip netns exec $S ss -Htln 'sport = :5000' | grep -q ."; then
	sed 's/^/# /' "$T/miniupnpd.out" | tail -n 20
	skip_all "miniupnpd does not start"
fi

# discover FAMILY: upnpc finds miniupnpd's description URL
discover() {
	if [ "$1" = 4 ]; then _fam="" _url="http://10.0.1.2:5000/rootDesc.xml"; else
		_fam=-6 _url="http://\[dead:1::2\]:5000/rootDesc.xml"; fi
	nsx "$F" timeout 30 upnpc $_fam -m eth0 -l >"$T/upnpc.out" 2>&1
	grep -q "desc: $_url" "$T/upnpc.out"
}

firewall() {
	fw_local_service "$F" udp 1900
	for _ipt in iptables ip6tables; do
		nsx "$F" $_ipt -A OUTPUT -p tcp --dport 5000 -m conntrack --ctstate NEW -j ACCEPT
	done
}

# subscribe FAMILY CBPORT [CBADDR]: upnp_cp.py on $F subscribes to
# miniupnpd's events with callback port CBPORT; ok when a NOTIFY comes in
subscribe() {
	if [ "$1" = 4 ]; then _src=10.0.1.1 _grp=239.255.255.250; else _src=dead:1::1%eth0 _grp=ff02::c; fi
	_secs=15
	[ -z "${3:-}" ] || _secs=6	# a NOTIFY to someone else never comes
	nsx "$F" timeout 40 /usr/bin/python3 "$REPO/tools/cthelperd/tests/vm/upnp_cp.py" \
		"$_src" $_grp "$2" $_secs ${3:-} >"$T/cp.out" 2>&1
	sed 's/^/#   /' "$T/cp.out"
	grep -q '^notify from' "$T/cp.out"
}

# tcp_connect NS SRC DST PORT: a TCP connection from SRC to DST:PORT opens
tcp_connect() {
	nsx "$1" socat -u OPEN:/dev/null "TCP:$3:$4,bind=$2,connect-timeout=3"
}

# listen NS ADDR PORT: a TCP server that takes connections, in the background
listen() {
	ip netns exec "$1" socat -u "TCP-LISTEN:$3,bind=$2,reuseaddr,fork" OPEN:/dev/null &
	PIDS="$PIDS $!"
	retry 50 sh -c "ip netns exec $1 ss -Htln 'sport = :$3' | grep -q ."
}

# events WHO: the eventing cases
events() {
	fw_local_reset "$F"
	fw_local_service "$F" udp 1900
	helper_assign_local "$F" ssdp udp 1900
	check "$1 IPv4: description, SUBSCRIBE and NOTIFY, only through the helper's expectations" \
		subscribe 4 41000
	check "$1 IPv4: LOCATION's expectation: TCP to the device's port 5000" sh -c \
		"ip netns exec $F conntrack -L expect 2>/dev/null | grep -q 'proto=6 src=10.0.1.1 dst=10.0.1.2 sport=0 dport=5000'"
	check "$1 IPv4: CALLBACK's expectation: TCP from the device to port 41000" sh -c \
		"ip netns exec $F conntrack -L expect 2>/dev/null | grep -q 'proto=6 src=10.0.1.2 dst=10.0.1.1 sport=0 dport=41000'"
	listen "$F" 10.0.1.1 41000 && listen "$F" 10.0.1.1 41001 && listen "$S" 10.0.1.2 5001
	check "listeners on the firewall (41000, 41001) and the device (5001)" test $? -eq 0
	check "$1 IPv4: the device connects to the CALLBACK's port again" tcp_connect "$S" 10.0.1.2 10.0.1.1 41000
	check_fails "$1 IPv4: the device's connection to another port than CALLBACK's stays out" \
		tcp_connect "$S" 10.0.1.2 10.0.1.1 41001
	check_fails "$1 IPv4: another host's connection to the CALLBACK's port stays out" \
		tcp_connect "$S" 10.0.7.2 10.0.1.1 41000
	check_fails "$1 IPv4: a connection to another port of the device than LOCATION's stays out" \
		tcp_connect "$F" 10.0.1.1 10.0.1.2 5001
	subscribe 4 41002 10.0.1.3
	check_fails "$1 IPv4: a CALLBACK naming another host (10.0.1.3) opens nothing" sh -c \
		"ip netns exec $F conntrack -L expect 2>/dev/null | grep 'dport=41002'"
	check "$1 IPv6: description, SUBSCRIBE and NOTIFY, only through the helper's expectations" \
		subscribe 6 41000
	fw_local_reset "$F"
	nsx "$F" conntrack -F >/dev/null 2>&1
}

# cases WHO
cases() {
	fw_local_reset "$F"
	firewall
	helper_assign_local "$F" ssdp udp 1900
	check "$1 IPv4: upnpc finds miniupnpd" discover 4
	check "$1 IPv6: upnpc finds miniupnpd" discover 6
	fw_local_reset "$F"
	nsx "$F" conntrack -F >/dev/null 2>&1
}

check "no firewall IPv4: upnpc finds miniupnpd" discover 4
check "no firewall IPv6: upnpc finds miniupnpd" discover 6
firewall
check_fails "no helper IPv4: upnpc must find nothing" discover 4
check_fails "no helper IPv6: upnpc must find nothing" discover 6
fw_local_reset "$F"

cthelperd_start "$F" --helper ssdp --register || { not_ok "cthelperd starts"; tap_done; }
ok "cthelperd starts, registers and enables ssdp"
cthelperd_check_listed "$F" ssdp 17
cases cthelperd
events cthelperd
# One device's answers to queries from different ports of the firewall
# (the control points above, within an answer conntrack's 30 s) are
# different conntracks asking for the same LOCATION expectation; the
# kernel keeps the first and refuses the others with EBUSY, counted as
# kernel errors: the hole is there all the same. Any other refusal is an
# error.
check "stats: 6 expectations or more, 1 refused message or more, no internal error" sh -c "
	[ '$(cthelperd_counter expectations)' -ge 6 ] &&
	[ '$(cthelperd_counter parse_errors)' -ge 1 ] &&
	[ '$(cthelperd_counter accepted_on_error)' = 0 ]"
check "the kernel refused only expectations another answer holds (EBUSY)" sh -c \
	"! grep 'kernel refused' '$CTHD_LOG' | grep -qv 'Device or resource busy'"
cthelperd_stats | sed 's/^/# /'
cthelperd_finish
retry 25 sh -c "! ip netns exec $F nfct list helper 2>/dev/null | grep -q 'name = ssdp'"

skip "in-kernel ssdp helper: the same cases" "Linux has no ssdp helper"
skip "conntrackd: the eventing cases" "not run: its ssdp eventing needs the helper for udp and tcp, conntrackd_start configures one"
conntrackd_reference ssdp udp cases
[ "$TAP_FAILED" -eq 0 ] || { sed 's/^/# log: /' "$CTHD_LOG" | tail -n 30; sed 's/^/# upnpc: /' "$T/upnpc.out" | tail -n 10; }
tap_done
