#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# REGISTER through a stateful firewall that lets in only NEW to port 5060
# from the client side: the helper's expectation for the registered Contact
# is what lets a later request from the registrar (from a port of its own,
# not the registration's conntrack) reach alice; a host that is not the
# registrar cannot use it (sip_direct_signalling), nor open media with the
# SDP of its forged INVITE; unregistering (Expires: 0) closes it again.
# UDP, IPv4 and IPv6; no helper, nf_conntrack_sip as the reference, then
# cthelperd (skipped, never passed, until its sip helper has REGISTER;
# the unregistration skipped until it can remove expectations).
. "${REPO:-.}/tools/selftests/lib.sh"
. "$REPO/tools/cthelperd/tests/vm/lib_cthelperd.sh"
. "$REPO/tools/selftests/net/sip/lib.sh"

sip_setup

# alice_listen NAME LOCAL PROXY EXPIRES SECONDS: alice registers (EXPIRES)
# from LOCAL:5060, then logs for SECONDS what reaches her; in the
# background; true once the registrar answered 200.
alice_listen() {
	spawn "$C" $UA uac --local "$2" --proxy "$3" --register --expires "$4" \
		--listen "$5" >"$T/$1.out" 2>&1
	ALICE_PID=$!
	retry 75 grep -q '^register 200' "$T/$1.out"
}

alice_done() {
	wait "$ALICE_PID"
	PIDS=$(echo "$PIDS" | sed "s/ $ALICE_PID\b//")
	sed "s/^/# $1: /" "$T/$1.out"
}

# registrations WHO ok|none FAMILIES [WHY]: per family, a request from the
# registrar's address reaches alice (ok) or not (none); never one from another
# host, nor an expectation for its SDP; after Expires: 0, none at all (skipped
# for WHY when the helper cannot remove an expectation).
registrations() {
	for _r_fam in $3; do
		eval _r_cli=\$CLI$_r_fam _r_srv=\$SRV$_r_fam _r_other=\$SRV${_r_fam}_OTHER
		_r_id=$(echo "$1" | tr ' ' -)-reg$_r_fam
		_r_what="$1 IPv$_r_fam"
		sip_events_start "$F"
		if ! alice_listen $_r_id $_r_cli $_r_srv 300 5; then
			not_ok "$_r_what: alice registers through the firewall"
			alice_done $_r_id
			sip_events_stop
			continue
		fi
		sip_invite_text $_r_srv $_r_cli $_r_srv 46000 | sip_send "$S" $_r_srv 5099 $_r_cli
		sip_invite_text $_r_other $_r_cli $_r_other 46100 | sip_send "$S" $_r_other 5060 $_r_cli
		alice_done $_r_id
		sip_events_stop
		if [ "$2" = ok ]; then
			check "$_r_what: an INVITE from the registrar's address (another port) reaches alice's Contact" \
				grep -qF "received INVITE from $(sip_host $_r_srv):5099" "$T/$_r_id.out"
		else
			check_fails "$_r_what: an INVITE from the registrar's address (another port) must not reach alice" \
				grep -q "^received INVITE from" "$T/$_r_id.out"
		fi
		check_fails "$_r_what: an INVITE from a host that is not the registrar must not reach alice" \
			grep -qF "received INVITE from $(sip_host $_r_other):" "$T/$_r_id.out"
		check_fails "$_r_what: the forged INVITE's SDP opens no media" sip_expected_port 46100

		# unregister: the registrar's request must not get in any more
		_r_id=$_r_id-unreg
		if ! alice_listen $_r_id $_r_cli $_r_srv 0 3; then
			not_ok "$_r_what: alice unregisters through the firewall"
			alice_done $_r_id
			continue
		fi
		sip_invite_text $_r_srv $_r_cli $_r_srv 46200 | sip_send "$S" $_r_srv 5098 $_r_cli
		alice_done $_r_id
		if [ -n "$4" ]; then
			skip "$_r_what: after Expires: 0 an INVITE from the registrar must not reach alice" "$4"
			continue
		fi
		check_fails "$_r_what: after Expires: 0 an INVITE from the registrar must not reach alice" \
			grep -q "^received INVITE from" "$T/$_r_id.out"
	done
}

# one family shows it
registrations "no helper" none 4
sip_unassign "$F"

if sip_kernel_load; then
	sip_assign "$F" sip udp
	registrations nf_conntrack_sip ok "4 6"
	sip_kernel_unload "$F"
else
	skip "nf_conntrack_sip: the same registrations" "$SIP_MISSING"
fi

if sip_cthd_start "$F"; then
	ok "cthelperd starts with the sip helper, assigned to $SIP_PROTOS"
	if sip_cthd_has register; then
		registrations cthelperd ok "4 6" \
			"cthelperd cannot remove an expectation yet (issue 12): the REGISTER's outlives Expires: 0"
	else
		skip "cthelperd: the same registrations" "$SIP_MISSING"
	fi
	sip_cthd_stop "$F"
else
	skip "cthelperd: the same registrations" "$SIP_MISSING"
fi
sip_done
