#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Oracle TNS redirects through cthelperd's tns helper behind a firewall that
# lets in only NEW to TCP 1521 plus ESTABLISHED,RELATED: a listener answers
# the client's CONNECT with a REDIRECT to port 15221, where the client then
# connects, which only the helper's expectation lets through. Debian has no
# Oracle software: a scripted listener and client (tests/vm/tns_peer.py)
# speak the packets python-oracledb and Wireshark read. IPv4 and IPv6, the
# address in the REDIRECT or in the DATA packet after it; without NAT, with
# the client SNATed and with the listener DNATed by the firewall (the
# helper rewrites the address and the TNS lengths). Hostile redirects: to
# a third party and to a privileged port open nothing. Option third_party
# 1 needs CAP_NET_ADMIN (the kernel refuses such expectations to an
# unprivileged daemon): refused at start without it, works with it. Without a helper
# the redirected connection must fail; conntrackd 1.4.7's tns helper runs
# the same cases (the kernel has no tns helper).
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack nft /usr/bin/python3
topo_setup
nsx "$F" nfct list helper >/dev/null 2>&1 || skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"
PEER="/usr/bin/python3 $REPO/tools/cthelperd/tests/vm/tns_peer.py"
# a third party on the server's link
nsx "$S" ip addr add 10.0.2.3/24 dev eth0

# One listener in $S for every case: the client's connect data says where
# to redirect it (port 15221, and 1000 for the hostile case).
spawn "$S" $PEER listener 15221 1000 >"$T/listener.out" 2>&1
for _p in 1521 15221 1000; do
	wait_port "$S" $_p || skip_all "the scripted listener does not start"
done

# redirect SERVER HOST [PORT [MODE [WANT]]]: the client in $C connects to
# SERVER:1521 and is redirected to HOST:PORT (15221; MODE data: the address
# in a DATA packet sent after the REDIRECT, data1: both in one segment),
# where it connects (3 s); its exit status, 1 also when WANT is given and
# the redirect the client got names another host (any port: under NAT the
# helper may announce another one, mapped back to PORT). No expectation of
# a previous case is left.
redirect() {
	nsx "$F" conntrack -F expect >/dev/null 2>&1
	nsx "$C" $PEER client "$1" "$2" "${3:-15221}" "${4:--}" 3 >"$T/client.out" 2>&1
	_rc=$?
	if [ $_rc -eq 0 ] && { [ -z "${5:-}" ] || grep -q "^redirect $5 [0-9]*\$" "$T/client.out"; }; then
		return 0
	fi
	cat "$T/client.out"
	return 1
}

# cases WHO [IPV6_FAILS [DATA1_FAILS [DNAT_FAILS [DATA_FAILS]]]]: IPv4 and IPv6; the
# address in the REDIRECT, in a DATA packet after it, both in one segment;
# without NAT, SNAT, DNAT (the client must get the firewall's address).
# The reasons given say why the measured cases fail.
cases() {
	fw_reset
	fw_filter_service "$F" tcp 1521
	helper_assign_service "$F" tns tcp 1521
	check "$1 IPv4: the client follows the redirect" redirect $SRV4 $SRV4
	if [ -z "${5:-}" ]; then
		check "$1 IPv4, address in the DATA packet after it" redirect $SRV4 $SRV4 15221 data
	else
		check_fails "$1 IPv4, address in the DATA packet after it, fails ($5)" \
			redirect $SRV4 $SRV4 15221 data
	fi
	if [ -z "${3:-}" ]; then
		check "$1 IPv4, REDIRECT and DATA in one segment" redirect $SRV4 $SRV4 15221 data1
	else
		check_fails "$1 IPv4, REDIRECT and DATA in one segment fails ($3)" \
			redirect $SRV4 $SRV4 15221 data1
	fi
	if [ -z "${2:-}" ]; then
		check "$1 IPv6: the client follows the redirect" redirect $SRV6 $SRV6
		check "$1 IPv6, address in the DATA packet after it" redirect $SRV6 $SRV6 15221 data
	else
		check_fails "$1 IPv6 fails ($2)" redirect $SRV6 $SRV6
	fi
	nsx "$F" conntrack -F >/dev/null 2>&1
	fw_nat "$F" snat
	check "$1 SNAT IPv4" redirect $SRV4 $SRV4
	[ -n "${2:-}" ] || check "$1 SNAT IPv6" redirect $SRV6 $SRV6
	nsx "$F" conntrack -F >/dev/null 2>&1
	fw_nat "$F" dnat 1521
	if [ -z "${4:-}" ]; then
		check "$1 DNAT IPv4: the redirect names the firewall, the client follows it" \
			redirect $FWC4 $SRV4 15221 - $FWC4
		check "$1 DNAT IPv4, address in the DATA packet after it" \
			redirect $FWC4 $SRV4 15221 data $FWC4
	else
		check_fails "$1 DNAT IPv4 fails ($4)" redirect $FWC4 $SRV4 15221 - $FWC4
		check_fails "$1 DNAT IPv4, address in the DATA packet after it, fails ($4)" \
			redirect $FWC4 $SRV4 15221 data $FWC4
	fi
	[ -n "${2:-}" ] || check "$1 DNAT IPv6" redirect $FWC6 $SRV6 15221 - $FWC6
	nsx "$F" nft delete table inet nat 2>/dev/null
	nsx "$F" conntrack -F >/dev/null 2>&1
}

# without any helper the redirected connection is dropped
fw_filter_service "$F" tcp 1521
check_fails "no helper IPv4: the redirected connection must fail" redirect $SRV4 $SRV4
check_fails "no helper IPv6: the redirected connection must fail" redirect $SRV6 $SRV6
fw_reset

cthelperd_start "$F" --helper tns --register ||
	{ not_ok "cthelperd starts"; tap_done; }
ok "cthelperd starts, registers and enables tns for inet and inet6"
cthelperd_check_listed "$F" tns 6
cases cthelperd
cthelperd_stats | grep -E 'expectations|mangled|parse_errors|lost' | sed 's/^/# cases: /'
# hostile listeners: nothing opened, the connection dropped
fw_reset
fw_filter_service "$F" tcp 1521
helper_assign_service "$F" tns tcp 1521
# each refused redirect counts one parse error, also when the listener
# resends it before the daemon's verdict (a slow VM: it did count two)
errors=$(cthelperd_counter parse_errors)
check_fails "cthelperd: a redirect to a third party opens nothing" redirect $SRV4 10.0.2.3
check "cthelperd: the redirect to a third party counts one parse error" \
	test "$(cthelperd_counter parse_errors)" = $((errors + 1))
check_fails "cthelperd: a redirect to a privileged port opens nothing" redirect $SRV4 $SRV4 1000
check "cthelperd: the redirect to a privileged port counts one parse error" \
	test "$(cthelperd_counter parse_errors)" = $((errors + 2))
check "cthelperd: no expectation left by the hostile redirects" \
	sh -c "! ip netns exec $F conntrack -L expect 2>/dev/null | grep -q ."
cthelperd_check_stats 9 2
cthelperd_finish

# Option third_party 1 (RAC) expects a connection to another host, which
# the series' restricted verdicts refuse (EPERM) to a daemon without
# CAP_NET_ADMIN: cthelperd refuses the option at start, saying why and
# what to do, rather than run with an option whose every use fails...
check_fails "cthelperd third_party=1 without CAP_NET_ADMIN: refuses to start" \
	cthelperd_start "$F" --helper tns --register --option third_party=1
# (had it started, it must not hold the helper for the cases below)
cthelperd_stop >/dev/null 2>&1
check "cthelperd third_party=1: the error names the option, the reason and the fix" \
	sh -c "grep 'Option third_party 1' '$CTHD_LOG' | grep 'privileged sender' |
		grep -q 'Capabilities net_admin'"
# ... and with the capability kept, the redirect to a third party works
if cthelperd_start "$F" --helper tns --register --capabilities net_admin \
	--option third_party=1; then
	check "cthelperd third_party=1 with CAP_NET_ADMIN: says its verdicts are unrestricted" \
		grep -q "verdicts unrestricted, CAP_NET_ADMIN kept" "$CTHD_LOG"
	fw_filter_service "$F" tcp 1521
	helper_assign_service "$F" tns tcp 1521
	check "cthelperd third_party=1 with CAP_NET_ADMIN: the client follows a redirect to a third party" \
		redirect $SRV4 10.0.2.3
	check "cthelperd third_party=1 with CAP_NET_ADMIN: no kernel error" \
		test "$(cthelperd_counter kernel_errors)" = 0
	cthelperd_finish
else
	not_ok "cthelperd third_party=1 --capabilities net_admin: starts"
fi

# conntrackd 1.4.7's tns helper, the other user-space one
if command -v conntrackd >/dev/null && conntrackd_start "$F" 0 tns tcp; then
	cases conntrackd "its parser reads dotted IPv4 only" \
		"it reads the first TNS packet of a segment only" \
		"the REDIRECT never reaches the client" \
		"its DATA path runs strstr() from the data flags, 0 here"
	stop $CONNTRACKD_PID
	for fam in inet inet6; do nsx "$F" nfct delete helper tns $fam tcp 2>/dev/null; done
else
	skip "conntrackd: the same cases as cthelperd" "conntrackd does not start"
fi
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# log: /' "$CTHD_LOG" | tail -n 30
tap_done
