#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RPC portmapper end to end through cthelperd behind a firewall that lets
# in only NEW to port 111 (TCP and UDP) plus ESTABLISHED,RELATED: rpcbind
# and a registered program (tests/vm/rpc_program.py: the NULL procedure on
# port 40000) on the server side, rpcinfo on the client side. rpcinfo -T
# NETID asks rpcbind where the program listens (rpcbind v4 GETADDR), then
# calls it there: only the helper's expectation lets that connection
# through. IPv4 (tcp, udp) and IPv6 (tcp6), without NAT, with the client
# SNATed and with the server DNATed; without a helper it must fail.
# conntrackd 1.4.7's rpc helper (portmapper v2 GETPORT only) runs the same
# cases as a reference; the kernel has no rpc helper.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

PROG=536871169

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack nft rpcbind rpcinfo python3
topo_setup
nsx "$F" nfct list helper >/dev/null 2>&1 || skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"

mkdir -p /run/rpcbind
spawn "$S" rpcbind -f -w
wait_port "$S" 111 || skip_all "rpcbind does not start"
spawn "$S" python3 "$REPO/tools/cthelperd/tests/vm/rpc_program.py" $PROG 40000 >"$T/prog.log" 2>&1
retry 25 grep -q registered "$T/prog.log" || skip_all "the program does not register: $(cat "$T/prog.log")"

# call NETID HOST: rpcinfo finds the program through rpcbind and calls it
call() {
	nsx "$C" timeout -k 2 10 rpcinfo -T "$1" "$2" $PROG 1 | grep -q "ready and waiting" &&
		return 0
	nsx "$F" conntrack -L 2>/dev/null
	nsx "$F" conntrack -L expect 2>/dev/null
	return 1
}

fw_rpc() {
	fw_reset
	for _ipt in iptables ip6tables; do
		nsx "$F" $_ipt -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
		nsx "$F" $_ipt -A FORWARD -p tcp --dport 111 -m conntrack --ctstate NEW -j ACCEPT
		nsx "$F" $_ipt -A FORWARD -p udp --dport 111 -m conntrack --ctstate NEW -j ACCEPT
		nsx "$F" $_ipt -P FORWARD DROP
	done
}

# calls WHO UDP_HELPER TCP_HELPER: IPv4 tcp and udp, IPv6 tcp6, then SNAT
# and DNAT of TCP (IPv4, IPv6)
calls() {
	fw_rpc
	helper_assign_service "$F" "$2" udp 111
	helper_assign_service "$F" "$3" tcp 111
	check "$1 IPv4: rpcinfo -T tcp" call tcp $SRV4
	check "$1 IPv4: rpcinfo -T udp" call udp $SRV4
	check "$1 IPv6: rpcinfo -T tcp6" call tcp6 $SRV6
	for _nat in snat dnat; do
		nsx "$F" conntrack -F >/dev/null 2>&1
		fw_nat "$F" $_nat 111
		_h4=$SRV4 _h6=$SRV6
		[ $_nat = snat ] || { _h4=$FWC4; _h6=$FWC6; }
		check "$1 IPv4 $_nat: rpcinfo -T tcp" call tcp $_h4
		check "$1 IPv6 $_nat: rpcinfo -T tcp6" call tcp6 $_h6
	done
	nsx "$F" nft delete table inet nat 2>/dev/null
	nsx "$F" conntrack -F >/dev/null 2>&1
}

fw_rpc
check_fails "no helper IPv4: rpcinfo -T tcp must fail" call tcp $SRV4
check_fails "no helper IPv6: rpcinfo -T tcp6 must fail" call tcp6 $SRV6

cthelperd_start "$F" --helper rpc --helper rpc-tcp --queue 1 --register ||
	{ not_ok "cthelperd starts"; tap_done; }
ok "cthelperd starts, registers and enables rpc and rpc-tcp"
calls cthelperd rpc rpc-tcp
cthelperd_check_stats 7
cthelperd_finish

if command -v conntrackd >/dev/null && conntrackd_start "$F" 0 rpc tcp; then
	fw_rpc
	helper_assign_service "$F" rpc tcp 111
	check_fails "conntrackd IPv4: rpcinfo -T tcp fails (its helper reads GETPORT only; rpcinfo asks GETADDR)" \
		call tcp $SRV4
	stop $CONNTRACKD_PID
	for fam in inet inet6; do nsx "$F" nfct delete helper rpc $fam tcp 2>/dev/null; done
else
	skip "conntrackd: rpcinfo -T tcp" "conntrackd does not start"
fi
[ "$TAP_FAILED" -eq 0 ] || { sed 's/^/# log: /' "$CTHD_LOG" | tail -n 30;
	sed 's/^/# prog: /' "$T/prog.log" | tail -n 20; }
tap_done
