#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# NetBIOS name queries broadcast by the firewall itself, through cthelperd's
# netbios-ns helper: the firewall ($F, 10.0.1.1/24) lets out NEW only to UDP
# 137 and lets in only ESTABLISHED,RELATED; Samba's nmbd on $S (10.0.1.2)
# answers nmblookup's broadcast from port 137, which only the helper's
# expectation (the subnet, port 137, to the query's port) lets back in.
# Hostile answers to a query with a known port: from the subnet but
# another source port, and from outside the subnet, must stay out; a
# unicast query opens nothing. Without a helper the broadcast lookup must
# fail. The in-kernel nf_conntrack_netbios_ns runs the same cases and its
# expectation is compared with cthelperd's; conntrackd 1.4.7 has no
# netbios-ns helper. IPv4 only: NetBIOS has no IPv6 name service.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack iptables nmbd nmblookup socat
[ -x /usr/bin/python3 ] || skip_all "no /usr/bin/python3"

FW=10.0.1.1 NMB=10.0.1.2 BRD=10.0.1.255 OFF=10.0.7.2
# nmblookup's own broadcast name query for NMBSERVER<00>, as recorded
QUERY=17760110000100000000000020454f454e454346444546464346474546464343414341434143414341434141410000200001

netns_add "$F" && netns_add "$S" && veth_link "$F" eth0 "$S" eth0 &&
	nsx "$F" ip addr add $FW/24 brd + dev eth0 &&
	nsx "$S" ip addr add $NMB/24 brd + dev eth0 &&
	nsx "$S" ip addr add $OFF/24 dev eth0 &&
	nsx "$F" ip route add 10.0.7.0/24 dev eth0 ||
	skip_all "cannot set up the namespaces"
# strict reverse-path filtering stays on: the route above is why an
# off-subnet answer is dropped by the firewall's rules, not by rp_filter
nsx "$F" sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.eth0.rp_filter=1
nsx "$F" nfct list helper >/dev/null 2>&1 || skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"

mkdir -p "$T/smb/lock" "$T/smb/state" "$T/smb/cache" "$T/smb/priv" "$T/smb/run" "$T/smb/log" \
	"$T/smb/nmbd" "$T/smb/ncalrpc"
cat >"$T/smb.conf" <<EOF2
[global]
netbios name = NMBSERVER
workgroup = TESTGRP
interfaces = eth0
bind interfaces only = yes
lock directory = $T/smb/lock
state directory = $T/smb/state
cache directory = $T/smb/cache
private dir = $T/smb/priv
pid directory = $T/smb/run
log file = $T/smb/log/nmbd.log
nmbd:socket dir = $T/smb/nmbd
ncalrpc dir = $T/smb/ncalrpc
EOF2
# -l: the VM's /var/log/samba does not exist; not through spawn, for the log
ip netns exec "$S" nmbd -F --no-process-group -s "$T/smb.conf" -l "$T/smb/log" \
	>"$T/nmbd.out" 2>&1 &
PIDS="$PIDS $!"
if ! retry 100 sh -c "ip netns exec $S ss -Huln 'sport = :137' | grep -q ."; then
	sed 's/^/# /' "$T/nmbd.out" "$T/smb/log/"* 2>/dev/null | tail -n 20
	skip_all "nmbd does not start"
fi

# lookup HOW: nmblookup from the firewall, -B broadcast or -U unicast
lookup() {
	if [ "$1" = broadcast ]; then _how="-B $BRD"; else _how="-U $NMB"; fi
	nsx "$F" timeout 20 nmblookup -s "$T/smb.conf" $_how NMBSERVER >"$T/lookup.out" 2>&1 &&
		grep -q "^$NMB NMBSERVER<00>" "$T/lookup.out"
}

expectations() {
	nsx "$F" conntrack -L expect 2>/dev/null | grep -c 'sport=137'
}

# probe WHO: a query from port 40000, then answers the firewall must let
# in (from the subnet's port 137: nmbd's own, and one sent by hand) or
# not (another source port, another subnet). Sent as soon as the query
# is out: the expectation lives 3 s.
probe() {
	nsx "$F" conntrack -F >/dev/null 2>&1
	nsx "$F" conntrack -F expect >/dev/null 2>&1
	nsx "$F" conntrack -E expect >"$T/events" 2>&1 &
	_ev=$!
	PIDS="$PIDS $_ev"
	sleep 0.5
	udp_query "$F" $FW 40000 $BRD 137 $QUERY 6
	retry 100 grep -q '^sent' "$T/query.out"
	udp_send "$S" $NMB 137 $FW 40000 insubnet; _rc1=$?
	udp_send "$S" $NMB 139 $FW 40000 wrongport; _rc2=$?
	udp_send "$S" $OFF 137 $FW 40000 offsubnet; _rc3=$?
	wait $QUERY_PID
	PIDS=$(echo "$PIDS" | sed "s/ $QUERY_PID\b//")
	stop $_ev
	sed 's/^/#   /' "$T/query.out"
	grep -a 'dport=40000' "$T/events" | head -n 1 >"$T/exp-$1"
	diag "$1: $(cat "$T/exp-$1")"
	check "$1: the three answers are sent (socat)" test "$_rc1$_rc2$_rc3" = 000
	check "$1: an answer from the subnet's port 137 comes in" grep -q "from $NMB 137 insubnet" "$T/query.out"
	check_fails "$1: an answer from another source port stays out" grep -q wrongport "$T/query.out"
	check_fails "$1: an answer from outside the subnet stays out" grep -q offsubnet "$T/query.out"
	check "$1: the expectation is the subnet /24, source port 137, permanent" \
		grep -q 'mask-src=255.255.255.0 .*sport=65535 .*PERMANENT' "$T/exp-$1"
}

# lookups WHO
lookups() {
	fw_local_reset "$F"
	nsx "$F" conntrack -F expect >/dev/null 2>&1
	fw_local_service "$F" udp 137
	helper_assign_local "$F" netbios-ns udp 137 4
	check "$1: unicast lookup" lookup unicast
	check "$1: a unicast query opens nothing" test "$(expectations)" -eq 0
	check "$1: broadcast lookup (nmblookup -B)" lookup broadcast
	probe "$1"
	fw_local_reset "$F"
	nsx "$F" conntrack -F >/dev/null 2>&1
}

fw_local_service "$F" udp 137
check "no helper: unicast lookup" lookup unicast
check_fails "no helper: the broadcast lookup must fail" lookup broadcast
fw_local_reset "$F"

cthelperd_start "$F" --helper netbios-ns --register ||
	{ not_ok "cthelperd starts"; tap_done; }
ok "cthelperd starts, registers and enables netbios-ns"
cthelperd_check_listed "$F" netbios-ns 17
lookups cthelperd
cthelperd_check_stats 2
cthelperd_finish
retry 25 sh -c "! ip netns exec $F nfct list helper 2>/dev/null | grep -q 'netbios-ns'"

kernel_reference "nf_conntrack_netbios_ns" lookups nf_conntrack_netbios_ns
if [ -s "$T/exp-cthelperd" ] && [ -s "$T/exp-nf_conntrack_netbios_ns" ]; then
	# the same hole: mask, ports, destination and flags (the kernel keeps
	# the broadcast address as the source, masked when matched)
	norm() { sed 's/^ *\[NEW\] *//; s/^[0-9]* //; s/src=[0-9.]* dst/dst/; s/helper=.*//; s/master-[a-z]*=[^ ]* //g' "$1"; }
	check "cthelperd's expectation is the kernel's" test "$(norm "$T/exp-cthelperd")" = \
		"$(norm "$T/exp-nf_conntrack_netbios_ns")"
fi
skip "conntrackd: the same cases as cthelperd" "conntrackd 1.4.7 has no netbios-ns helper"
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# log: /' "$CTHD_LOG" | tail -n 30
tap_done
