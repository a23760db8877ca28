#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# PPTP through cthelperd's pptp helper behind a firewall that lets in only
# NEW to TCP 1723 plus ESTABLISHED,RELATED: a call set up on the control
# connection must let its GRE (keyed by the call IDs) through both ways,
# which only the helper's two expectations do. A scripted peer
# (tests/vm/pptp_peer.py) replays pptp-linux 1.10's and pptpd 1.4's control
# messages, for this kernel has no PPP and pppd cannot run (pptpd and
# pptp-linux need it for a call). IPv4, without NAT and with the PNS
# SNATed by the firewall; side by side with the in-kernel nf_conntrack_pptp
# + nf_nat_pptp; without a helper the GRE must be dropped. Measured
# difference: cthelperd's GRE flows are one conntrack per direction (user
# space cannot fill the kernel's GRE keymap), the kernel's one for both.
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"

[ -x "$CTHD" ] || skip_all "cthelperd not built (make tools)"
require nfct conntrack nft /usr/bin/python3
topo_setup
nsx "$F" nfct list helper >/dev/null 2>&1 || skip_all "no NFNL_SUBSYS_CTHELPER in this kernel"
PEER="/usr/bin/python3 $REPO/tools/cthelperd/tests/vm/pptp_peer.py"

# call WHO NAT_ADDR: a PAC on the server side, a PNS on the client side,
# one outgoing call; then GRE from the PAC to the PNS (arriving from the
# PAC) and from the PNS to the PAC (arriving from NAT_ADDR, the PNS as the
# PAC sees it). Sets CALL_OK, GRE_TO_PNS, GRE_TO_PAC (0 or 1).
call() {
	rm -f "$T/pns_id" "$T/pac_id"
	spawn "$S" $PEER pac "$T/pns_id"
	_pac=$!
	wait_port "$S" 1723
	spawn "$C" $PEER pns $SRV4 "$T/pac_id"
	_pns=$!
	CALL_OK=0 GRE_TO_PNS=1 GRE_TO_PAC=1
	if retry 50 test -s "$T/pac_id" && retry 10 test -s "$T/pns_id"; then
		CALL_OK=1
		# GRE towards the PNS carries the PNS's call ID as the PAC has it
		# the receiver listens before anything is sent (python starts
		# slowly in a busy VM)
		rm -f "$T/ready"
		nsx "$C" $PEER gre-recv 937a 8 "$T/ready" >"$T/gre_pns" &
		_rx=$!
		retry 100 test -e "$T/ready"
		nsx "$S" $PEER gre-send "$2" "$(cat "$T/pns_id")"
		wait $_rx && grep -qx $SRV4 "$T/gre_pns" && GRE_TO_PNS=0
		rm -f "$T/ready"
		nsx "$S" $PEER gre-recv "$(cat "$T/pac_id")" 8 "$T/ready" >"$T/gre_pac" &
		_rx=$!
		retry 100 test -e "$T/ready"
		nsx "$C" $PEER gre-send $SRV4 "$(cat "$T/pac_id")"
		wait $_rx && grep -qx "$2" "$T/gre_pac" && GRE_TO_PAC=0
	fi
	nsx "$F" conntrack -L -p gre >"$T/gre_conntracks" 2>/dev/null
	stop $_pns
	stop $_pac
}

# cases WHO [BOTH_WAYS]: without NAT and with SNAT of the PNS
cases() {
	fw_reset
	fw_filter_service "$F" tcp 1723
	helper_assign_service "$F" pptp tcp 1723 4
	call "$1" $CLI4
	check "$1: the call is set up" test $CALL_OK = 1
	check "$1: GRE from the PAC reaches the PNS" test $GRE_TO_PNS = 0
	check "$1: GRE from the PNS reaches the PAC" test $GRE_TO_PAC = 0
	sed 's/^/# /' "$T/gre_conntracks"
	nsx "$F" conntrack -F >/dev/null 2>&1
	fw_nat "$F" snat
	call "$1" $FWS4
	check "$1 SNAT: GRE from the PAC reaches the PNS" test $GRE_TO_PNS = 0
	check "$1 SNAT: GRE from the PNS reaches the PAC, from the firewall" test $GRE_TO_PAC = 0
	sed 's/^/# /' "$T/gre_conntracks"
	nsx "$F" nft delete table inet nat 2>/dev/null
	nsx "$F" conntrack -F >/dev/null 2>&1
}

# without any helper the GRE is not related to anything: dropped
fw_filter_service "$F" tcp 1723
call none $CLI4
check "no helper: the call is set up" test $CALL_OK = 1
check "no helper: GRE from the PAC must be dropped" test $GRE_TO_PNS = 1
check "no helper: GRE from the PNS must be dropped" test $GRE_TO_PAC = 1
fw_reset
nsx "$F" conntrack -F >/dev/null 2>&1

cthelperd_start "$F" --helper pptp --family inet --register ||
	{ not_ok "cthelperd starts"; tap_done; }
ok "cthelperd starts, registers and enables pptp"
cases cthelperd
check "cthelperd: one GRE conntrack per direction (no keymap from user space)" \
	test "$(grep -c . "$T/gre_conntracks")" -eq 2
cthelperd_check_stats 4
cthelperd_finish
kernel_reference "nf_conntrack_pptp nf_nat_pptp" cases kernel
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# log: /' "$CTHD_LOG" | tail -n 30
tap_done
