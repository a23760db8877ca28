#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# SANE end to end through cthelperd behind a firewall that lets in only NEW
# to TCP port 6566 plus ESTABLISHED,RELATED: saned (the test backend) on the
# server side, scanimage (the net backend) on the client side. saned's
# reply to the start request announces a data port the client connects to;
# only the helper's expectation lets that connection through. IPv4 and
# IPv6, without NAT, with the client SNATed and with the server DNATed by
# the firewall; without the helper the scan must fail. The in-kernel
# nf_conntrack_sane (which has no NAT part) and conntrackd 1.4.7's sane
# helper run the same cases as references.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack nft saned scanimage
topo_setup
nsx "$F" nfct list helper >/dev/null 2>&1 || skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"

chmod 755 "$T"
mkdir -p "$T/srv" "$T/cli"
# saned serves the test backend to the client's addresses, as they are or
# after the firewall's SNAT
printf '%s\n' 10.0.1.0/24 dead:1::/64 $FWS4 $FWS6 >"$T/srv/saned.conf"
echo test >"$T/srv/dll.conf"
cp /etc/sane.d/test.conf "$T/srv/" 2>/dev/null
echo net >"$T/cli/dll.conf"
echo "connect_timeout = 10" >"$T/cli/net.conf"
chmod 644 "$T"/srv/* "$T"/cli/*
spawn "$S" env SANE_CONFIG_DIR="$T/srv" saned -l -e -d 2 >"$T/saned.log" 2>&1
wait_port "$S" 6566 || skip_all "saned does not start"

# scan HOST: a small gray image from the test backend through saned at HOST
# (an IPv6 address in brackets). At most 15 s: a blocked data connection
# waits for TCP's connect timeout, and scanimage, told to stop, waits on
# it too (SIGKILL 3 s later)
scan() {
	rm -f "$T/image.pnm"
	nsx "$C" env SANE_CONFIG_DIR="$T/cli" timeout -k 3 15 \
		scanimage -d "net:$1:test:0" --mode Gray -x 20 -y 20 >"$T/image.pnm" &&
		head -c 2 "$T/image.pnm" | grep -q P5 && [ "$(wc -c <"$T/image.pnm")" -gt 1000 ] &&
		return 0
	# what the firewall saw, for the failure's report
	nsx "$F" conntrack -L 2>/dev/null
	nsx "$F" conntrack -L expect 2>/dev/null
	return 1
}

# scans WHO [FAILING_NAT REASON]: IPv4 and IPv6, then SNAT, then DNAT;
# the NAT named FAILING_NAT (snat or dnat) must fail, for REASON
scans() {
	fw_reset
	fw_filter_service "$F" tcp 6566
	helper_assign_service "$F" sane tcp 6566
	check "$1 IPv4: scan" scan $SRV4
	check "$1 IPv6: scan" scan "[$SRV6]"
	for _nat in snat dnat; do
		nsx "$F" conntrack -F >/dev/null 2>&1
		fw_nat "$F" $_nat 6566
		_h4=$SRV4 _h6=$SRV6
		[ $_nat = snat ] || { _h4=$FWC4; _h6=$FWC6; }
		if [ "$_nat" != "${2:-}" ]; then
			check "$1 IPv4 $_nat: scan" scan $_h4
			check "$1 IPv6 $_nat: scan" scan "[$_h6]"
		else
			check_fails "$1 IPv4 $_nat: scan fails ($3)" scan $_h4
			check_fails "$1 IPv6 $_nat: scan fails ($3)" scan "[$_h6]"
		fi
	done
	nsx "$F" nft delete table inet nat 2>/dev/null
	nsx "$F" conntrack -F >/dev/null 2>&1
}

# without any helper the data connection is dropped
fw_filter_service "$F" tcp 6566
check_fails "no helper IPv4: the scan must fail" scan $SRV4
check_fails "no helper IPv6: the scan must fail" scan "[$SRV6]"
fw_reset

cthelperd_start "$F" --helper sane --register ||
	{ not_ok "cthelperd starts"; tap_done; }
ok "cthelperd starts, registers and enables sane for inet and inet6"
cthelperd_check_listed "$F" sane 6 28
nsx "$F" conntrack -E expect >"$T/events" 2>&1 &
EVENTS=$!
PIDS="$PIDS $EVENTS"
sleep 0.5
scans cthelperd
stop $EVENTS
check "conntrack -E expect shows expectations of the sane helper" \
	sh -c "grep 'helper=sane' '$T/events' | grep -q NEW"
cthelperd_check_stats 6
cthelperd_finish
# measured: SNAT works without a NAT binding (the firewall's SNAT rule
# takes the data connection as any other); DNAT does not (the rule is for
# port 6566: the data connection goes to the firewall itself)
kernel_reference nf_conntrack_sane scans nf_conntrack_sane dnat \
	"no NAT part: the data connection is not DNATed"

if command -v conntrackd >/dev/null && conntrackd_start "$F" 0 sane tcp; then
	scans conntrackd dnat "its sane helper has no NAT: the data connection is not DNATed"
	stop $CONNTRACKD_PID
	for fam in inet inet6; do nsx "$F" nfct delete helper sane $fam tcp 2>/dev/null; done
else
	skip "conntrackd: the same cases as cthelperd" "conntrackd does not start"
fi
[ "$TAP_FAILED" -eq 0 ] || { sed 's/^/# log: /' "$CTHD_LOG" | tail -n 30;
	sed 's/^/# saned: /' "$T/saned.log" | tail -n 20; }
tap_done
