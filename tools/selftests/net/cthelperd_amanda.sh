#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Amanda (bsd authentication over UDP) end to end through cthelperd behind a
# firewall that lets in only NEW to UDP port 10080 plus ESTABLISHED,RELATED:
# the backup server on the client side sends a sendbackup request to
# amandad on the server side, whose reply names three TCP ports (DATA,
# MESG, INDEX) the backup server connects to; only the helper's
# expectations let those connections through, all three of them. Both
# ends are tests/vm/amanda_peer.py (a real Amanda needs a whole backup
# configuration), writing the packets Amanda's sources print. IPv4 and
# IPv6, without NAT, with the backup server SNATed and with amandad DNATed
# by the firewall; without the helper the streams must fail. The in-kernel
# nf_conntrack_amanda + nf_nat_amanda and conntrackd 1.4.7's amanda helper
# run the same cases as references.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack nft /usr/bin/python3
topo_setup
nsx "$F" nfct list helper >/dev/null 2>&1 || skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"
PEER="/usr/bin/python3 $REPO/tools/cthelperd/tests/vm/amanda_peer.py"
chmod 755 "$T"

# backup HOST FAMILY [noindex]: amandad on the server side answers a
# request sent to HOST; succeeds when the backup server took every stream
backup() {
	rm -f "$T/ready"
	spawn "$S" $PEER amandad "$2" "$T/ready" ${3:-index}
	_amandad=$!
	retry 50 test -e "$T/ready" || { stop $_amandad; return 1; }
	nsx "$C" $PEER server "$1"
	_rc=$?
	wait $_amandad
	_arc=$?
	PIDS=$(echo "$PIDS" | sed "s/ $_amandad\b//")
	[ $_rc -eq 0 ] && [ $_arc -eq 0 ] && return 0
	# what the firewall saw, for the failure's report
	nsx "$F" conntrack -L 2>/dev/null
	nsx "$F" conntrack -L expect 2>/dev/null
	return 1
}

# backups WHO [FAILING REASON]: IPv4 and IPv6, then SNAT and DNAT; the
# cases FAILING names (dnat, or all) must fail, for REASON
backups() {
	fw_reset
	fw_filter_service "$F" udp 10080
	helper_assign_service "$F" amanda udp 10080
	_chk=check _why=""
	[ "${2:-}" != all ] || { _chk=check_fails _why=" fails ($3)"; }
	$_chk "$1 IPv4: DATA, MESG and INDEX streams$_why" backup $SRV4 4
	$_chk "$1 IPv6: DATA, MESG and INDEX streams$_why" backup $SRV6 6
	$_chk "$1 IPv4: DATA and MESG, INDEX -1$_why" backup $SRV4 4 noindex
	for _nat in snat dnat; do
		nsx "$F" conntrack -F >/dev/null 2>&1
		fw_nat "$F" $_nat 10080 udp
		_h4=$SRV4 _h6=$SRV6
		[ $_nat = snat ] || { _h4=$FWC4; _h6=$FWC6; }
		[ "${2:-}" != $_nat ] || { _chk=check_fails _why=" fails ($3)"; }
		$_chk "$1 IPv4 $_nat: the three streams$_why" backup $_h4 4
		$_chk "$1 IPv6 $_nat: the three streams$_why" backup $_h6 6
	done
	nsx "$F" nft delete table inet nat 2>/dev/null
	nsx "$F" conntrack -F >/dev/null 2>&1
}

# without any helper the streams are dropped
fw_filter_service "$F" udp 10080
check_fails "no helper IPv4: the streams must fail" backup $SRV4 4
check_fails "no helper IPv6: the streams must fail" backup $SRV6 6
fw_reset

cthelperd_start "$F" --helper amanda --register ||
	{ not_ok "cthelperd starts"; tap_done; }
ok "cthelperd starts, registers and enables amanda for inet and inet6"
cthelperd_check_listed "$F" amanda 17 0
nsx "$F" conntrack -E expect >"$T/events" 2>&1 &
EVENTS=$!
PIDS="$PIDS $EVENTS"
sleep 0.5
backups cthelperd
stop $EVENTS
check "conntrack -E expect shows expectations of the amanda helper" \
	sh -c "grep 'helper=amanda' '$T/events' | grep -q NEW"
cthelperd_check_stats 20
cthelperd_finish
kernel_reference "nf_conntrack_amanda nf_nat_amanda" backups nf_conntrack_amanda

if command -v conntrackd >/dev/null && conntrackd_start "$F" 0 amanda udp; then
	# measured: every case fails; its source overwrites the parsed port
	# and attaches one expectation at most (shared/notes/helpers-landscape)
	backups conntrackd all "it opens at most one of the streams"
	stop $CONNTRACKD_PID
	for fam in inet inet6; do nsx "$F" nfct delete helper amanda $fam udp 2>/dev/null; done
else
	skip "conntrackd: the same cases as cthelperd" "conntrackd does not start"
fi
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# log: /' "$CTHD_LOG" | tail -n 30
tap_done
