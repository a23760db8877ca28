#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# DHCPv6 for the firewall itself through cthelperd's dhcpv6 helper: the
# firewall ($F) runs wide-dhcpv6-client's dhcp6c, lets out NEW only to UDP
# 547 and lets in only ESTABLISHED,RELATED; dnsmasq on $S answers the
# SOLICIT to ff02::1:2 from its link-local address, port 547, to the
# client's link-local address, port 546, which only the helper's
# expectation lets back in: with it dhcp6c gets an address, without it
# not. Hostile answers to a SOLICIT (another source port, outside the
# link's prefix) must stay out. There is no in-kernel dhcpv6 helper;
# conntrackd 1.4.7's runs the same cases. IPv6 only.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack ip6tables dhcp6c dnsmasq socat
[ -x /usr/bin/python3 ] || skip_all "no /usr/bin/python3"

SRV6=dead:1::2
# dhcp6c's own SOLICIT, as recorded (DUID and IA_NA of a test run)
SOLICIT=014848a40001000e0001000132a049f34eb93587f2440003000c000000000000000000000000000800020000000600020017

netns_add "$F" && netns_add "$S" || skip_all "cannot set up the namespaces"
for ns in "$F" "$S"; do
	nsx "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
done
veth_link "$F" eth0 "$S" eth0 && nsx "$S" ip addr add $SRV6/64 dev eth0 nodad &&
	nsx "$S" ip addr add dead:7::2/128 dev lo &&
	nsx "$F" ip -6 route add dead:7::/64 dev eth0 || skip_all "cannot set up the namespaces"
retry 50 sh -c "ip netns exec $F ip -6 addr show dev eth0 scope link | grep -q fe80" ||
	skip_all "no link-local address"
FWLL=$(nsx "$F" ip -6 addr show dev eth0 scope link | sed -n 's/.*inet6 \(fe80[^/]*\).*/\1/p')
SRVLL=$(nsx "$S" ip -6 addr show dev eth0 scope link | sed -n 's/.*inet6 \(fe80[^/]*\).*/\1/p')
nsx "$F" nfct list helper >/dev/null 2>&1 || skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"

ip netns exec "$S" dnsmasq -d -k --user=root --no-resolv --port=0 --interface=eth0 \
	--bind-interfaces --dhcp-range=dead:1::100,dead:1::1ff,64,600 \
	--pid-file="$T/dnsmasq.pid" --dhcp-leasefile="$T/leases" >"$T/dnsmasq.out" 2>&1 &
PIDS="$PIDS $!"
if ! retry 100 sh -c "ip netns exec $S ss -Huln 'sport = :547' | grep -q ."; then
	sed 's/^/# /' "$T/dnsmasq.out" | tail -n 20
	skip_all "dnsmasq does not start"
fi
cat >"$T/dhcp6c.conf" <<EOF2
interface eth0 { send ia-na 0; };
id-assoc na 0 { };
EOF2

# lease: dhcp6c gets an address from dnsmasq within 15 s (75 polls); it keeps its DUID
# in /var/lib/dhcpv6, a tmpfs here (ip netns exec's own mount namespace)
lease() {
	ip netns exec "$F" sh -c "mount -t tmpfs none /var/lib/dhcpv6 &&
		exec dhcp6c -f -d -c '$T/dhcp6c.conf' -p '$T/dhcp6c.pid' eth0" \
		>"$T/dhcp6c.out" 2>&1 &
	_pid=$!
	PIDS="$PIDS $_pid"
	retry 75 sh -c "ip netns exec $F ip -6 addr show dev eth0 | grep -q 'inet6 dead:1::1[0-9a-f][0-9a-f]/128'"
	_rc=$?
	stop $_pid
	nsx "$F" ip -6 addr show dev eth0 | sed -n 's/.*inet6 \(dead:1::[^ ]*\).*/\1/p' |
		while read -r _a; do nsx "$F" ip -6 addr del "$_a" dev eth0; done
	return $_rc
}

# probe WHO: a SOLICIT from udp_query.py (port 546), then hostile answers
probe() {
	udp_query "$F" "$FWLL%eth0" 546 ff02::1:2 547 $SOLICIT 6
	retry 100 grep -q '^sent' "$T/query.out"
	# link-local addresses need their scope: python, not socat
	nsx "$S" /usr/bin/python3 "$REPO/tools/cthelperd/tests/vm/udp_query.py" --send \
		"$SRVLL%eth0" 548 "$FWLL%eth0" 546 wrongport; _rc1=$?
	nsx "$S" /usr/bin/python3 "$REPO/tools/cthelperd/tests/vm/udp_query.py" --send \
		dead:7::2 547 "$FWLL%eth0" 546 offlink; _rc2=$?
	query_wait
	sed 's/^/#   /' "$T/query.out"
	check "$1: dnsmasq's ADVERTISE to the probe comes in" grep -q "^from $SRVLL 547 02" "$T/query.out"
	check "$1: the hostile answers are sent" test "$_rc1$_rc2" = 00
	hostile_stay_out "$1" IPv6 wrongport offlink
}

# cases WHO
cases() {
	fw_local_reset "$F"
	fw_local_service "$F" udp 547
	helper_assign_local "$F" dhcpv6 udp 547 6
	check "$1: dhcp6c gets an address from dnsmasq" lease
	probe "$1"
	fw_local_clean "$F"
}

check "no firewall: dhcp6c gets an address from dnsmasq" lease
fw_local_service "$F" udp 547
check_fails "no helper: dhcp6c must get no address" lease
fw_local_clean "$F"

cthelperd_serve dhcpv6
cases cthelperd
cthelperd_check_stats 2
cthelperd_finish
retry 25 sh -c "! ip netns exec $F nfct list helper 2>/dev/null | grep -q 'name = dhcpv6'"

skip "in-kernel dhcpv6 helper: the same cases" "Linux has no dhcpv6 helper"
conntrackd_reference dhcpv6 udp cases
[ "$TAP_FAILED" -eq 0 ] || { sed 's/^/# log: /' "$CTHD_LOG" | tail -n 30; sed 's/^/# dhcp6c: /' "$T/dhcp6c.out" | tail -n 20; }
tap_done
