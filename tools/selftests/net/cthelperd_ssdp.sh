#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# UPnP discovery by the firewall itself through cthelperd's ssdp helper:
# the firewall ($F) runs upnpc (miniupnpc), lets out NEW only to UDP 1900
# (and TCP 5000, the device's description) and lets in only
# ESTABLISHED,RELATED; miniupnpd on $S answers the M-SEARCH to
# 239.255.255.250 / ff02::c by unicast to the query's port, which only the
# helper's expectation lets back in: with it upnpc finds the device, without
# it not. There is no in-kernel ssdp helper; conntrackd 1.4.7's runs the
# same cases. UPnP eventing (SUBSCRIBE callbacks) is not covered: the
# helper does not handle it yet.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack iptables ip6tables miniupnpd upnpc

netns_add "$F" && netns_add "$S" || skip_all "cannot set up the namespaces"
for ns in "$F" "$S"; do
	nsx "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
done
veth_link "$F" eth0 "$S" eth0 && addr "$F" eth0 10.0.1.1/24 dead:1::1/64 &&
	addr "$S" eth0 10.0.1.2/24 dead:1::2/64 &&
	nsx "$F" ip route add 224.0.0.0/4 dev eth0 && nsx "$S" ip route add 224.0.0.0/4 dev eth0 &&
	ip -n "$S" link add wan0 type veth peer name wan1 && ip -n "$S" link set wan0 up &&
	ip -n "$S" link set wan1 up && ip -n "$S" addr add 198.51.100.2/24 dev wan0 &&
	ip -n "$S" route add default via 198.51.100.1 || skip_all "cannot set up the namespaces"
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
cthelperd_check_stats 2
cthelperd_finish
retry 25 sh -c "! ip netns exec $F nfct list helper 2>/dev/null | grep -q 'name = ssdp'"

skip "in-kernel ssdp helper: the same cases" "Linux has no ssdp helper"
if command -v conntrackd >/dev/null && conntrackd_start "$F" 0 ssdp udp; then
	cases conntrackd
	stop $CONNTRACKD_PID
	for fam in inet inet6; do nsx "$F" nfct delete helper ssdp $fam udp 2>/dev/null; done
else
	skip "conntrackd: the same cases as cthelperd" "conntrackd does not start"
fi
[ "$TAP_FAILED" -eq 0 ] || { sed 's/^/# log: /' "$CTHD_LOG" | tail -n 30; sed 's/^/# upnpc: /' "$T/upnpc.out" | tail -n 10; }
tap_done
